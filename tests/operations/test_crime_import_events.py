"""What every recorded-crime import leaves besides its rows: one event and one audit entry for each
import, none for a refused file; the import_crimes command's summary and its list of bad rows; and the
imported crime shown read-only in the admin."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from operations.crime_import import ImportRejected, crime_counts_import
from operations.models import Area, AuditEntry, CrimeRecord, OffenceGroup

from .crime_import_helpers import (
    DATA,
    SH_LSOA,
    UNKNOWN_LSOA,
    area,
    asb,
    crime_id,
    csv_bytes,
    events,
    import_crimes,
    row,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


# --- events, audit and the commands ---------------------------------------------------------------


def test_each_crime_import_writes_exactly_one_crime_imported_event_and_one_audit_entry():
    data = csv_bytes(row(cid=crime_id(1)), row(cid=crime_id(2), month="2026-02", lsoa=UNKNOWN_LSOA),
                     asb(lsoa=SH_LSOA), asb(lsoa=SH_LSOA))  # fmt: skip

    import_crimes(data)
    import_crimes(data)  # nothing new: nothing to announce

    (event,) = events("crime.imported")
    groups = OffenceGroup.objects.filter(code__in=["burglary", "anti-social-behaviour"])
    assert event.payload == {
        "months": ["2026-01-01", "2026-02-01"],
        "areas": [*sorted([area("BW").pk, area("SH").pk]), None],
        "offence_groups": sorted(groups.values_list("pk", flat=True)),
    }
    audits = AuditEntry.objects.filter(object_type="operations.crimerecord", action=AuditEntry.Action.IMPORT)
    assert [(entry.changes["new"], entry.changes["unchanged"]) for entry in audits.order_by("id")] == [
        (4, 0),
        (0, 4),
    ]
    assert audits.first().object_id == "2026-01-west-midlands-street.csv"


def test_a_refused_crime_import_writes_no_event_and_no_audit_entry():
    with pytest.raises(ImportRejected):
        import_crimes(csv_bytes(row(cid=crime_id(1)), row(cid=crime_id(2), month="26-01")))

    assert not events("crime.imported").exists()
    assert not AuditEntry.objects.filter(object_type="operations.crimerecord").exists()


def test_each_counts_import_writes_exactly_one_crime_counts_imported_event():
    data = (DATA / "seed000_counts.csv").read_bytes()

    crime_counts_import(actor=None, data=data, source_file="seed000_counts.csv")
    crime_counts_import(actor=None, data=data, source_file="seed000_counts.csv")

    (event,) = events("crime_counts.imported")
    codes = ["violence-against-the-person", "theft-from-motor-vehicle", "theft-of-motor-vehicle", "burglary",
             "robbery"]  # fmt: skip
    assert event.payload == {
        "ranges": [["2016-01-01", "2016-12-31"], ["2017-01-01", "2017-12-31"]],
        "areas": sorted(Area.objects.filter(kind=Area.Kind.NPU).values_list("pk", flat=True)),
        "offence_groups": [
            *sorted(OffenceGroup.objects.filter(code__in=codes).values_list("pk", flat=True)),
            None,
        ],
    }
    assert AuditEntry.objects.filter(object_type="operations.crimecount", action="import").count() == 2


def test_the_import_crimes_command_prints_the_summary(tmp_path):
    path = tmp_path / "2026-01-west-midlands-street.csv"
    path.write_bytes(csv_bytes(row(cid=crime_id(1)), row(cid=crime_id(1)), asb(lsoa=""), asb(lsoa="")))
    out = StringIO()

    call_command("import_crimes", path, stdout=out, stderr=StringIO())

    assert "line 3: duplicate of the crime on line 2 (counted once)" in out.getvalue()
    assert (
        "2026-01-west-midlands-street.csv: read 4; new 3, unchanged (already imported) 0; unmapped 2; "
        "duplicates 1 (lines 3); rejected 0." in out.getvalue()
    )


def test_the_import_crimes_command_fails_listing_bad_rows_and_imports_the_good_with_skip_bad_rows(tmp_path):
    path = tmp_path / "2026-01-west-midlands-street.csv"
    path.write_bytes(csv_bytes(row(cid=crime_id(1)), row(cid=crime_id(2), lon="x"), asb()))
    err = StringIO()

    with pytest.raises(
        CommandError, match=r"Refused, nothing imported from: 2026-01-west-midlands-street\.csv"
    ):
        call_command("import_crimes", path, stdout=StringIO(), stderr=err)
    assert CrimeRecord.objects.count() == 0
    out, skipped = StringIO(), StringIO()
    call_command("import_crimes", path, "--skip-bad-rows", stdout=out, stderr=skipped)

    assert "line 3: coordinates ('x', '52.479387') are not numbers" in err.getvalue()
    assert "line 3: coordinates ('x', '52.479387') are not numbers (skipped)" in skipped.getvalue()
    assert "new 2," in out.getvalue()
    assert "rejected 1 (bad coordinates 1)." in out.getvalue()
    assert CrimeRecord.objects.count() == 2


@pytest.mark.parametrize("model", ["crimerecord", "crimecount", "lsoaarea"])
def test_administrator_sees_the_imported_crime_read_only_in_the_admin(client, administrator, model):
    import_crimes(csv_bytes(row(cid=crime_id(1)), asb(lsoa="")))
    crime_counts_import(actor=None, data=(DATA / "seed000_counts.csv").read_bytes(), source_file="seed.csv")
    client.force_login(administrator)

    response = client.get(f"/admin/operations/{model}/", {"q": "E01"} if model == "lsoaarea" else {})

    assert response.status_code == 200
    assert response.context["cl"].result_count > 0
    assert response.context["has_add_permission"] is False
