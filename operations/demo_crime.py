"""Demo recorded crime: 25 complete months of police.uk-format street-level crime, imported through
:func:`operations.crime_import.crimes_import` with ``source_file="demo"``.

Everything here is **illustrative** apart from the places. Locations are resampled from
``operations/reference_data/demo_crime_sample.csv``: 4,000 real, police.uk-anonymised points from
West Midlands Police's February 2011 street-level file, with 2011 categories mapped to today's crime
types and an illustrative NPU (see ``scripts/derive_crime_sample.py`` and the reference-data README).

- Volume: about 2,500 rows a month, roughly a tenth of West Midlands Police's real monthly police.uk
  volume, in a mix in the style of recent police.uk months (violence about 40 %); not transcribed.
- A gentle seasonal curve per crime type (violence and ASB peak in summer, burglary in winter), month
  length, a little noise, and yearly trends: burglary down 8 % a year (the 2013/14 milestone "reduce
  burglary dwelling by 8 %", facts.json), vehicle crime and robbery slightly down, shoplifting up.
- Each location gets one LSOA for good, drawn (population-weighted) from the LSOAs of its NPU in
  ``lsoa_npu_lookup.csv`` and the Census 2021 file, so every row maps to an NPU.
- Crime IDs are random 64-digit hex, blank on anti-social behaviour as in real files; outcomes come
  from a plausible mix that leaves recent months mostly "Under investigation".
"""

import calendar
import csv
import io
import math
import random
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from django.utils import timezone

from .crime_import import crimes_import
from .crime_import.files import CRIME_COLUMNS
from .demo import demo_builders
from .models import CrimeRecord, LsoaArea, OffenceGroup

DATA_DIR = Path(__file__).resolve().parent / "reference_data"
SAMPLE_CSV = DATA_DIR / "demo_crime_sample.csv"
LOOKUP_CSV = DATA_DIR / "lsoa_npu_lookup.csv"
CENSUS_CSV = DATA_DIR / "census2021_ts001_usual_residents_lsoa21_wmp7.csv"
SOURCE_FILE = "demo"
MONTHS = 25  # two years and one month: a year-on-year comparison for every month of the last year
SEED = 2011
FORCE = "West Midlands Police"
ASB = "Anti-social behaviour"

# Illustrative rows a month at the latest month (about 1/10 of the force's police.uk volume).
MONTHLY = {
    "Violence and sexual offences": 1000,
    "Anti-social behaviour": 250,
    "Vehicle crime": 210,
    "Other theft": 180,
    "Criminal damage and arson": 170,
    "Shoplifting": 170,
    "Public order": 160,
    "Burglary": 130,
    "Robbery": 60,
    "Drugs": 55,
    "Other crime": 40,
    "Theft from the person": 35,
    "Possession of weapons": 25,
    "Bicycle theft": 15,
}
# Illustrative seasonality: (amplitude, peak month).
SEASON = {
    "Violence and sexual offences": (0.08, 7),
    "Anti-social behaviour": (0.15, 7),
    "Public order": (0.08, 7),
    "Bicycle theft": (0.25, 7),
    "Burglary": (0.10, 12),
    "Vehicle crime": (0.06, 11),
    "Robbery": (0.06, 11),
    "Shoplifting": (0.05, 12),
}
DEFAULT_SEASON = (0.04, 8)
# Illustrative change a year (burglary: the "reduce burglary dwelling by 8 %" milestone, seed 004).
YEARLY_CHANGE = {"Burglary": -0.08, "Vehicle crime": -0.04, "Robbery": -0.03, "Shoplifting": 0.06}
NOISE = 0.03

# Illustrative outcome mixes (police.uk "Last outcome category" wording), once investigations end.
OUTCOMES = {
    "Investigation complete; no suspect identified": 44,
    "Unable to prosecute suspect": 30,
    "Awaiting court outcome": 6,
    "Local resolution": 5,
    "Offender given a caution": 3,
    "Further investigation is not in the public interest": 3,
    "Action to be taken by another organisation": 3,
    "Formal action is not in the public interest": 2,
    "Court result unavailable": 2,
    "Suspect charged as part of another case": 1,
    "Offender given penalty notice": 1,
}
PROACTIVE_OUTCOMES = {  # drugs and weapons are found by police, so mostly resolved with a suspect
    "Awaiting court outcome": 30,
    "Local resolution": 20,
    "Offender given a drugs possession warning": 15,
    "Offender given a caution": 10,
    "Unable to prosecute suspect": 15,
    "Formal action is not in the public interest": 5,
    "Investigation complete; no suspect identified": 5,
}
PROACTIVE = {"Drugs", "Possession of weapons"}
UNDER_INVESTIGATION = "Under investigation"


def last_complete_month(today=None):
    today = today or timezone.localdate()
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


def month_back(month, count):
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def build_crime_demo(stdout, days=None, months=MONTHS):
    """Import ``months`` complete months of demo crime up to last month. Once: skipped if any is there.

    ``days`` is accepted (the seed_demo signature) and ignored: crime comes in whole months.
    """
    if CrimeRecord.objects.filter(source_file=SOURCE_FILE).exists():
        stdout.write("Crime demo already present")
        return
    if not LsoaArea.objects.exists() or not OffenceGroup.objects.filter(parent__isnull=True).exists():
        stdout.write("Crime demo skipped: reference data missing (run seed_reference)")
        return
    started = time.monotonic()
    text, rows = _CrimeDemo(months).csv_text()
    report = crimes_import(actor=None, data=text, source_file=SOURCE_FILE)
    stdout.write(
        f"Crime demo created: {report.new} police.uk-format rows over {months} months "
        f"(about {rows // months} a month, ~1/10 of force volume, illustrative); "
        f"{report.unmapped} unmapped ({time.monotonic() - started:.1f}s)."
    )


class _CrimeDemo:
    def __init__(self, months):
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not security
        self.last = last_complete_month()
        self.months = [month_back(self.last, back) for back in range(months - 1, -1, -1)]
        self.places = self._places()

    def _places(self):
        """Sample rows by crime type, each with an LSOA (code, name) fixed for the whole build."""
        names, population = {}, {}
        with CENSUS_CSV.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                code = row["mnemonic"]
                names[code] = row["2021 super output area - lower layer"]
                population[code] = int(row["total"])
        lsoas = defaultdict(list)
        with LOOKUP_CSV.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                lsoas[row["area_code"]].append(row["lsoa_code"])
        pools = {}
        for npu, codes in lsoas.items():
            codes.sort()
            cumulative, total = [], 0
            for code in codes:
                total += population.get(code, 1)
                cumulative.append(total)
            pools[npu] = (codes, cumulative)
        places = defaultdict(list)
        with SAMPLE_CSV.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                codes, cumulative = pools[row["npu"]]
                lsoa = self.rng.choices(codes, cum_weights=cumulative)[0]
                location = f"On or near {row['location']}" if row["location"] else ""
                places[row["crime_type"]].append((row["lon"], row["lat"], location, lsoa, names[lsoa]))
        return places

    def _count(self, crime_type, month, back):
        amplitude, peak = SEASON.get(crime_type, DEFAULT_SEASON)
        seasonal = 1 + amplitude * math.cos(2 * math.pi * (month.month - peak) / 12)
        length = calendar.monthrange(month.year, month.month)[1] / 30.44
        trend = (1 + YEARLY_CHANGE.get(crime_type, 0.0)) ** (-back / 12)
        noise = self.rng.gauss(1, NOISE)
        return max(0, round(MONTHLY[crime_type] * seasonal * length * trend * noise))

    def _outcome(self, crime_type, back):
        if crime_type == ASB:
            return ""
        # Recent crimes are mostly still open: 60 % under investigation last month, falling fast.
        if self.rng.random() < max(0.03, 0.6 * 0.55**back):
            return UNDER_INVESTIGATION
        mix = PROACTIVE_OUTCOMES if crime_type in PROACTIVE else OUTCOMES
        return self.rng.choices(list(mix), weights=list(mix.values()))[0]

    def csv_text(self):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CRIME_COLUMNS)
        rows = 0
        for back, month in zip(range(len(self.months) - 1, -1, -1), self.months, strict=True):
            month_text = f"{month:%Y-%m}"
            for crime_type in MONTHLY:
                pool = self.places[crime_type]
                for _ in range(self._count(crime_type, month, back)):
                    lon, lat, location, lsoa, lsoa_name = self.rng.choice(pool)
                    crime_id = "" if crime_type == ASB else f"{self.rng.getrandbits(256):064x}"
                    writer.writerow(
                        [crime_id, month_text, FORCE, FORCE, lon, lat, location, lsoa, lsoa_name, crime_type,
                         self._outcome(crime_type, back), ""]
                    )  # fmt: skip
                    rows += 1
        return out.getvalue(), rows


if build_crime_demo not in demo_builders:
    demo_builders.append(build_crime_demo)
