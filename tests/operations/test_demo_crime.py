"""The demo recorded crime: police.uk-format rows resampled from real 2011 locations (3 months, fast)."""

import csv
import io
from collections import Counter

import pytest

from operations.demo import demo_builders
from operations.demo_crime import (
    LOOKUP_CSV,
    MONTHS,
    SOURCE_FILE,
    _CrimeDemo,
    build_crime_demo,
    last_complete_month,
)
from operations.models import Area, AuditEntry, CrimeRecord, Event

NPUS = {"BE", "BW", "CV", "DY", "SH", "SW", "WS", "WV"}


@pytest.fixture
def demo(reference_data):
    out = io.StringIO()
    build_crime_demo(out, months=3)
    return out.getvalue()


def test_registered_with_seed_demo():
    assert build_crime_demo in demo_builders


def test_three_months_of_rows_in_every_npu_and_every_row_mapped(demo):
    assert "Crime demo created" in demo
    rows = CrimeRecord.objects.filter(source_file=SOURCE_FILE)
    assert 6000 < rows.count() < 9000  # about 2,500 a month
    assert len(set(rows.values_list("month", flat=True))) == 3
    assert max(rows.values_list("month", flat=True)) == last_complete_month()
    assert not rows.filter(area__isnull=True).exists()
    assert set(rows.values_list("area__kind", flat=True)) == {Area.Kind.NPU}
    assert set(rows.values_list("area__code", flat=True)) == NPUS
    assert len(set(rows.values_list("crime_type", flat=True))) == 14
    assert all(location.startswith("On or near ") for location in rows.values_list("location", flat=True))
    assert Event.objects.filter(type="crime.imported").count() == 1


def test_asb_rows_have_blank_crime_ids_and_outcomes_and_crimes_have_hex_ids(demo):
    asb = CrimeRecord.objects.filter(crime_type="Anti-social behaviour")
    assert asb.exists()
    assert set(asb.values_list("crime_id", flat=True)) == {""}
    assert set(asb.values_list("last_outcome_category", flat=True)) == {""}
    crimes = CrimeRecord.objects.exclude(crime_type="Anti-social behaviour")
    assert not crimes.filter(crime_id="").exists()
    assert not crimes.filter(last_outcome_category="").exists()
    assert all(len(i) == 64 and int(i, 16) >= 0 for i in crimes.values_list("crime_id", flat=True)[:200])


def test_running_again_creates_nothing(demo):
    before = CrimeRecord.objects.count(), Event.objects.count(), AuditEntry.objects.count()
    out = io.StringIO()
    build_crime_demo(out, months=3)
    assert "already present" in out.getvalue()
    assert (CrimeRecord.objects.count(), Event.objects.count(), AuditEntry.objects.count()) == before


def test_full_demo_has_burglary_falling_about_8_percent_a_year():
    text, total = _CrimeDemo(MONTHS).csv_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == total and 2300 * MONTHS < total < 2700 * MONTHS
    months = sorted({row["Month"] for row in rows})
    assert len(months) == MONTHS
    this_year, last_year = set(months[-12:]), set(months[-24:-12])
    burglary = Counter(row["Month"] for row in rows if row["Crime type"] == "Burglary")
    change = sum(burglary[m] for m in this_year) / sum(burglary[m] for m in last_year) - 1
    assert -0.12 < change < -0.04
    with LOOKUP_CSV.open(encoding="utf-8", newline="") as handle:
        known = {row["lsoa_code"] for row in csv.DictReader(handle)}
    assert {row["LSOA code"] for row in rows} <= known
