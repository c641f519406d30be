"""Police.uk street-level crime imports: stable keys for rows without a Crime ID, duplicates,
offence groups, unmapped crimes, bad rows refused with their line and reason, re-imports that change
nothing, and a 100,000-row file (the events, audit entries and commands of an import are in
test_crime_import_events.py)."""

import random
import time
from io import StringIO

import pytest
from django.core.management import call_command

from operations.crime_import import ImportRejected
from operations.models import CrimeRecord

from .crime_import_helpers import (
    BE_LSOA,
    BW_LSOA,
    HEADER,
    SH_LSOA,
    UNKNOWN_LSOA,
    asb,
    crime_checksum,
    crime_id,
    csv_bytes,
    database_state,
    import_crimes,
    keys,
    row,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


# --- police.uk street-level crime ---------------------------------------------------------------


def test_blank_crime_id_rows_get_stable_keys_and_a_reimport_changes_nothing():
    data = csv_bytes(asb(location="On or near Hill Street"), asb(location="On or near Supermarket"))

    first = import_crimes(data)
    stored = keys()
    again = import_crimes(data)

    assert (first.new, first.unchanged) == (2, 0)
    assert (again.new, again.unchanged) == (0, 2)
    assert keys() == stored
    assert len(stored) == 2
    assert set(CrimeRecord.objects.values_list("crime_id", flat=True)) == {""}


def test_two_identical_anti_social_behaviour_rows_in_one_file_count_twice():
    data = csv_bytes(asb(), asb(), row(cid=crime_id(1)))

    report = import_crimes(data)
    import_crimes(data)

    assert report.new == 3
    assert CrimeRecord.objects.filter(crime_type="Anti-social behaviour").count() == 2
    assert CrimeRecord.objects.count() == 3


def test_a_crime_id_repeated_in_the_same_month_counts_once_and_is_reported_as_a_duplicate():
    data = csv_bytes(
        row(cid=crime_id(1)),
        row(cid=crime_id(2)),
        row(cid=crime_id(1), outcome="Investigation complete; no suspect identified"),
        row(cid=crime_id(1), month="2026-02"),
    )

    report = import_crimes(data)

    assert report.duplicates == [(4, 2)]
    assert CrimeRecord.objects.filter(crime_id=crime_id(1), month="2026-01-01").count() == 1
    assert CrimeRecord.objects.filter(crime_id=crime_id(1)).count() == 2  # another month: another record
    assert report.new == 3
    assert "duplicates 1 (lines 4)" in report.summary()


def test_crime_types_map_to_the_top_level_offence_group_by_police_uk_name():
    import_crimes(
        csv_bytes(
            row(cid=crime_id(1), crime_type="Violence and sexual offences"),
            row(cid=crime_id(2), crime_type="Vehicle crime"),
            asb(),
        )
    )

    groups = dict(CrimeRecord.objects.values_list("crime_type", "offence_group__code"))
    assert groups == {
        "Violence and sexual offences": "violent-crime",
        "Vehicle crime": "vehicle-crime",
        "Anti-social behaviour": "anti-social-behaviour",
    }


def test_crimes_in_unknown_or_blank_lsoas_are_kept_as_unmapped():
    report = import_crimes(
        csv_bytes(
            row(cid=crime_id(1), lsoa=BW_LSOA),
            row(cid=crime_id(2), lsoa=UNKNOWN_LSOA, lsoa_name="Somewhere 001A"),
            row(cid=crime_id(3), lsoa="", lsoa_name=""),
            row(cid=crime_id(4), lsoa=SH_LSOA),
        )
    )

    areas = dict(CrimeRecord.objects.values_list("crime_id", "area__code"))
    assert areas == {crime_id(1): "BW", crime_id(2): None, crime_id(3): None, crime_id(4): "SH"}
    assert report.unmapped == 2
    assert report.new == 4


def test_a_row_with_no_location_is_kept_as_an_unmapped_force_crime():
    report = import_crimes(csv_bytes(row(cid=crime_id(1), lon="", lat="", location="No location", lsoa="",
                                         lsoa_name=""), row(cid=crime_id(2))))  # fmt: skip

    crime = CrimeRecord.objects.get(crime_id=crime_id(1))
    assert (crime.area, crime.longitude, crime.latitude, crime.lsoa_code) == (None, None, None, "")
    assert crime.month.isoformat() == "2026-01-01"
    assert (report.unmapped, report.no_location, report.new) == (1, 1, 2)


@pytest.mark.parametrize(
    ("bad", "reason", "message"),
    [
        (row(cid=crime_id(9), month="2026-13"), "bad month", "'2026-13' is not YYYY-MM"),
        (row(cid=crime_id(9), month="Jan 2026"), "bad month", "is not YYYY-MM"),
        (row(cid=crime_id(9), month="2026-1"), "bad month", "is not YYYY-MM"),
        (row(cid=crime_id(9), crime_type="Cybercrime"), "unknown crime type", "'Cybercrime'"),
        (row(cid=crime_id(9), lon="west", lat="52.4"), "bad coordinates", "are not numbers"),
        (row(cid=crime_id(9), lon="-1.9", lat=""), "bad coordinates", "are not numbers"),
        (row(cid=crime_id(9), lon="-191.9", lat="52.4"), "bad coordinates", "out of range"),
        (row(cid=crime_id(9), lon="-1.9", lat="95"), "bad coordinates", "out of range"),
        (row(cid=crime_id(9), lon="nan", lat="52.4"), "bad coordinates", "out of range"),
        (row(cid=crime_id(9)) + ",extra", "wrong column count", "expected 12 columns, found 13"),
        (",".join(row(cid=crime_id(9)).split(",")[:10]), "wrong column count", "found 10"),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_reason_and_nothing_is_imported(bad, reason, message):
    before = database_state()
    data = csv_bytes(row(cid=crime_id(1)), asb(), bad, row(cid=crime_id(2)))

    with pytest.raises(ImportRejected) as caught:
        import_crimes(data)

    report = caught.value.report
    assert [line for line, _ in report.errors] == [4]
    assert message in report.errors[0][1]
    assert report.rejected == {reason: 1}
    assert "nothing was imported" in caught.value.message
    assert database_state() == before


def test_bad_rows_after_a_full_batch_still_leave_nothing_imported():
    good = [row(cid=crime_id(n)) for n in range(2500)]

    with pytest.raises(ImportRejected) as caught:
        import_crimes(csv_bytes(*good, row(cid=crime_id(9999), month="2026")))

    assert caught.value.report.errors == [(2502, "Month '2026' is not YYYY-MM")]
    assert CrimeRecord.objects.count() == 0


def test_with_skip_bad_rows_the_good_rows_are_imported_and_the_bad_reported():
    data = csv_bytes(
        row(cid=crime_id(1)), row(cid=crime_id(2), crime_type="Nonsense"), asb(),
        row(cid=crime_id(3), lat="north"), row(cid=crime_id(4), month="2026-00"),
    )  # fmt: skip

    report = import_crimes(data, skip_bad_rows=True)

    assert report.new == 2
    assert [line for line, _ in report.errors] == [3, 5, 6]
    assert report.rejected == {"unknown crime type": 1, "bad coordinates": 1, "bad month": 1}
    assert set(CrimeRecord.objects.values_list("crime_id", flat=True)) == {crime_id(1), ""}
    assert "rejected 3 (bad coordinates 1, bad month 1, unknown crime type 1)" in report.summary()


def test_importing_two_months_twice_gives_the_same_database_as_importing_them_once(tmp_path):
    january = tmp_path / "2026-01-west-midlands-street.csv"
    february = tmp_path / "2026-02-west-midlands-street.csv"
    january.write_bytes(csv_bytes(row(cid=crime_id(1)), asb(), asb(), row(cid=crime_id(2), lsoa=UNKNOWN_LSOA),
                                  row(cid=crime_id(1))))  # fmt: skip
    february.write_bytes(
        csv_bytes(row(cid=crime_id(1), month="2026-02"), asb(month="2026-02"), asb(month="2026-02", lsoa=""),
                  row(cid=crime_id(3), month="2026-02", lon="", lat="", lsoa=""))
    )  # fmt: skip

    call_command("import_crimes", january, february, stdout=StringIO(), stderr=StringIO())
    once = crime_checksum()
    out = StringIO()
    call_command("import_crimes", january, february, stdout=out, stderr=StringIO())

    assert once[0] == 8
    assert crime_checksum() == once
    assert out.getvalue().count("new 0,") == 2


def test_a_100000_row_file_streams_through_and_imports_every_row(tmp_path):
    rng = random.Random(5)
    lsoas = [BW_LSOA, BE_LSOA, SH_LSOA, UNKNOWN_LSOA, ""]
    types = [
        "Burglary",
        "Vehicle crime",
        "Violence and sexual offences",
        "Shoplifting",
        "Anti-social behaviour",
    ]
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "\r\n")
        for n in range(100_000):
            crime_type = types[n % 5]
            cid = "" if crime_type == "Anti-social behaviour" else crime_id(n)
            handle.write(
                row(cid=cid, month=f"2025-{n % 12 + 1:02d}", lon=f"{-1.9 + rng.random() / 10:.6f}",
                    lat=f"{52.4 + rng.random() / 10:.6f}", lsoa=lsoas[n % 5], crime_type=crime_type) + "\r\n"
            )  # fmt: skip
    seen = []

    started = time.monotonic()
    with path.open("rb") as handle:
        report = import_crimes(handle, source_file="big.csv", progress=seen.append)
    elapsed = time.monotonic() - started

    assert (report.read, report.new, report.unchanged) == (100_000, 100_000, 0)
    assert CrimeRecord.objects.count() == 100_000
    assert sum(seen) == 100_000
    assert len(seen) < 100  # progress in batches, not a call per row
    assert report.unmapped == 40_000
    assert elapsed < 60, f"100,000 rows took {elapsed:.1f} s"
