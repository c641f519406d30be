"""The LSOA → NPU lookup and aggregated crime counts (seed 000's NPU tables)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from operations.crime_import import ImportRejected, area_lookup_import, crime_counts_import
from operations.models import AuditEntry, CrimeCount, CrimeRecord, LsoaArea, OffenceGroup
from operations.reference import DATA_DIR, reference_data_load

from .crime_import_helpers import (
    BE_LSOA,
    BW_LSOA,
    COUNTS_HEADER,
    DATA,
    LOOKUP_HEADER,
    SH_LSOA,
    UNKNOWN_LSOA,
    area,
    crime_id,
    csv_bytes,
    database_state,
    events,
    import_crimes,
    row,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


# --- LSOA → NPU lookup ------------------------------------------------------------------------


def test_seed_reference_loads_the_shipped_lsoa_lookup_once():
    shipped = sum(1 for _ in (DATA_DIR / "lsoa_npu_lookup.csv").open(encoding="utf-8")) - 1

    again = reference_data_load()

    assert LsoaArea.objects.count() == shipped == 1719
    assert LsoaArea.objects.get(lsoa_code=BW_LSOA).area.code == "BW"
    assert "LSOA areas" not in again


def test_import_area_lookup_updates_changed_mappings_with_an_audit_entry_and_is_idempotent(tmp_path):
    import_crimes(csv_bytes(row(cid=crime_id(1), lsoa=BW_LSOA), row(cid=crime_id(2), lsoa=UNKNOWN_LSOA),
                            row(cid=crime_id(3), lsoa=SH_LSOA, crime_type="Robbery")))  # fmt: skip
    lookup = tmp_path / "lookup.csv"
    lookup.write_text(f"{LOOKUP_HEADER}\n{BW_LSOA},BE\n{SH_LSOA},SH\n{UNKNOWN_LSOA},WS\n")
    events_before = events("crime.imported").count()

    out = StringIO()
    call_command("import_area_lookup", lookup, stdout=out)
    state = database_state()
    call_command("import_area_lookup", lookup, stdout=StringIO())

    assert "read 3; new 1, updated 1, unchanged 1; rejected 0." in out.getvalue()
    assert LsoaArea.objects.get(lsoa_code=BW_LSOA).area.code == "BE"
    assert LsoaArea.objects.get(lsoa_code=UNKNOWN_LSOA).area.code == "WS"
    entry = AuditEntry.objects.get(object_type="operations.lsoaarea", object_id="lookup.csv")
    assert entry.action == AuditEntry.Action.IMPORT
    assert entry.changes["changed_mappings"] == [[BW_LSOA, "BW", "BE"]]
    assert entry.changes["crimes_remapped"] == 2
    # Stored crimes follow the new mapping, and the change is announced once.
    assert dict(CrimeRecord.objects.values_list("crime_id", "area__code")) == {
        crime_id(1): "BE", crime_id(2): "WS", crime_id(3): "SH"
    }  # fmt: skip
    (event,) = events("crime.imported")[events_before:]
    assert event.payload == {
        "months": ["2026-01-01"],
        "areas": [*sorted([area("BW").pk, area("BE").pk, area("WS").pk]), None],
        "offence_groups": [OffenceGroup.objects.get(code="burglary").pk],
    }
    assert database_state() == state  # the second run changed nothing


def test_seeding_again_keeps_a_corrected_lsoa_mapping():
    area_lookup_import(actor=None, data=f"{LOOKUP_HEADER}\n{BW_LSOA},BE\n", source_file="fix.csv")

    reference_data_load()

    assert LsoaArea.objects.get(lsoa_code=BW_LSOA).area.code == "BE"


def test_import_area_lookup_rejects_bad_rows_with_reasons():
    data = f"{LOOKUP_HEADER}\n{BW_LSOA},BE\nE0100,BW\n{SH_LSOA},XX\n{BW_LSOA},BW\n{BE_LSOA},WMP\n"
    before = database_state()

    with pytest.raises(ImportRejected) as caught:
        area_lookup_import(actor=None, data=data, source_file="lookup.csv")

    assert caught.value.report.errors == [
        (3, "LSOA code 'E0100' is not like E01009417"),
        (4, "area 'XX' is not an NPU code"),
        (5, f"LSOA {BW_LSOA} already on line 2"),
        (6, "area 'WMP' is not an NPU code"),
    ]
    assert database_state() == before


# --- aggregated counts --------------------------------------------------------------------------


def test_import_crime_counts_loads_seed_000_figure_3_and_its_offence_tables_exactly():
    out = StringIO()
    call_command("import_crime_counts", DATA / "seed000_counts.csv", stdout=out)

    figures = json.loads((DATA_DIR / "seed000_figure3.json").read_text(encoding="utf-8"))
    stored = {
        (c.area.code, c.offence_group.code if c.offence_group else None, c.period_start.year): c.count
        for c in CrimeCount.objects.select_related("area", "offence_group")
    }
    expected = {}
    for figure in figures:
        for item in figure["rows"]:
            expected[(item["area"], figure["offence_group"], 2017)] = item["current"]
            expected[(item["area"], figure["offence_group"], 2016)] = item["previous"]
    assert stored == expected
    assert len(stored) == 96
    sh = CrimeCount.objects.filter(area__code="SH", offence_group__isnull=True)
    assert dict(sh.values_list("period_start", "count")) == {
        sh.get(period_end="2017-12-31").period_start: 15256,
        sh.get(period_end="2016-12-31").period_start: 12841,
    }
    assert sh.get(count=15256).period_start.isoformat() == "2017-01-01"
    assert sum(CrimeCount.objects.filter(offence_group__isnull=True, period_start__year=2017)
               .values_list("count", flat=True)) == 227303  # fmt: skip
    assert "read 96; new 96, updated 0, unchanged 0; rejected 0." in out.getvalue()


def test_reimporting_counts_changes_nothing_and_a_changed_count_is_updated():
    data = (DATA / "seed000_counts.csv").read_bytes()
    crime_counts_import(actor=None, data=data, source_file="seed000_counts.csv")

    again = crime_counts_import(actor=None, data=data, source_file="seed000_counts.csv")
    fixed = crime_counts_import(
        actor=None, data=f"{COUNTS_HEADER}\nSH,all,2017-01-01,2017-12-31,15300\n", source_file="fix.csv"
    )

    assert (again.new, again.updated, again.unchanged) == (0, 0, 96)
    assert (fixed.new, fixed.updated) == (0, 1)
    assert (
        CrimeCount.objects.get(area__code="SH", offence_group=None, period_start="2017-01-01").count == 15300
    )
    assert CrimeCount.objects.count() == 96


def test_import_crime_counts_rejects_straddling_and_bad_rows_with_reasons(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(
        f"{COUNTS_HEADER}\n"
        "SH,all,2017-01-01,2017-12-31,15256\n"
        "XX,all,2017-01-01,2017-12-31,1\n"
        "SH,bogus,2017-01-01,2017-12-31,1\n"
        "SH,burglary,2017-12-31,2017-01-01,1\n"
        "SH,burglary,2017-01-01,2017-12-31,-4\n"
        "SH,all,2017-07-01,2018-06-30,9000\n"
        "SH,all,2017-03-01,2017-03-31,1200\n"
        "SH,robbery,2017-01-01,2017-12-31,many\n"
        "SH,robbery,2017-02-30,2017-12-31,1\n"
    )
    err = StringIO()

    with pytest.raises(CommandError, match="7 bad row"):
        call_command("import_crime_counts", path, stdout=StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "  line 3: unknown area 'XX'",
        "  line 4: unknown offence group 'bogus'",
        "  line 5: period_end 2017-01-01 is before period_start 2017-12-31",
        "  line 6: count -4 is negative",
        "  line 7: period 2017-07-01..2018-06-30 straddles 2017-01-01..2017-12-31 (line 2)",
        "  line 9: count 'many' is not a whole number",
        "  line 10: period_start '2017-02-30' is not an ISO date (YYYY-MM-DD)",
    ]
    assert CrimeCount.objects.count() == 0


def test_a_count_straddling_a_stored_count_is_rejected_but_a_nested_one_is_accepted():
    crime_counts_import(actor=None, data=(DATA / "seed000_counts.csv").read_bytes(), source_file="seed.csv")

    with pytest.raises(ImportRejected) as caught:
        crime_counts_import(
            actor=None, data=f"{COUNTS_HEADER}\nSH,all,2017-07-01,2018-06-30,9000\n", source_file="ye.csv"
        )
    nested = crime_counts_import(
        actor=None, data=f"{COUNTS_HEADER}\nSH,all,2017-03-01,2017-03-31,1200\n", source_file="march.csv"
    )

    assert caught.value.report.errors == [
        (2, "period 2017-07-01..2018-06-30 straddles 2017-01-01..2017-12-31 (a stored count)")
    ]
    assert caught.value.report.rejected == {"straddling period": 1}
    assert nested.new == 1
