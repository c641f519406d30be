#!/usr/bin/env python3
"""Derive a small sample of real crime locations for the demo recorded crime.

Usage::

    python scripts/derive_crime_sample.py /work/shared/data/2011-02-west-midlands-street.csv \
        [--out operations/reference_data/demo_crime_sample.csv] [--size 4000]

Input: the February 2011 West Midlands Police street-level file in the 2011 legacy layout
(``Month,Reported by,Falls within,Easting,Northing,Location,Crime type,Context``), OSGB36 eastings
and northings. The path is an argument so the repository never depends on a file outside it at run
time; the output CSV (``lon,lat,location,crime_type,npu``) is committed and read by
``operations/demo_crime.py``.

Method (deterministic: ``random.Random(2011)``, so re-running gives the same file):

1. Keep rows with coordinates whose WGS84 point (converted with ``osgb36.osgb36_to_wgs84``)
   lies inside the force boundary.
2. Take a simple random sample of ``--size`` rows (4,000 by default, so the repository stays small),
   kept in file order.
3. Map the 2011 categories to current police.uk crime types: "Violent crime" → "Violence and sexual
   offences"; "Burglary", "Robbery", "Vehicle crime" and "Anti-social behaviour" unchanged; "Other
   crime" is split at random in the fixed proportions of ``OTHER_CRIME_SPLIT`` (**illustrative**,
   roughly the national shares of those types among police-recorded crime, not WMP's own figures).
4. ``location`` is the police.uk location without its "On or near " prefix; ``npu`` comes from
   ``derive_hotspots.nearest_npu`` (nearest approximate town centre: **illustrative**).
"""

import argparse
import csv
import json
import random
import sys
from collections import Counter
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.prepared import prep

sys.path.insert(0, str(Path(__file__).resolve().parent))

from derive_hotspots import BOUNDARY, DATA_DIR, NPU_ORDER, nearest_npu
from osgb36 import osgb36_to_wgs84

DEFAULT_OUT = DATA_DIR / "demo_crime_sample.csv"
SEED = 2011
SIZE = 4000
FIELDS = ["lon", "lat", "location", "crime_type", "npu"]

CATEGORY_MAP = {
    "Violent crime": "Violence and sexual offences",
    "Burglary": "Burglary",
    "Robbery": "Robbery",
    "Vehicle crime": "Vehicle crime",
    "Anti-social behaviour": "Anti-social behaviour",
}
# Illustrative: the 2011 "Other crime" split into today's police.uk types, in proportions roughly
# like their national shares of police-recorded crime (percentages, summing to 100).
OTHER_CRIME_SPLIT = {
    "Criminal damage and arson": 26,
    "Other theft": 22,
    "Shoplifting": 16,
    "Public order": 15,
    "Drugs": 8,
    "Bicycle theft": 4,
    "Theft from the person": 4,
    "Possession of weapons": 3,
    "Other crime": 2,
}


def crime_type(category, rng):
    if category in CATEGORY_MAP:
        return CATEGORY_MAP[category]
    if category != "Other crime":
        raise ValueError(f"unexpected 2011 category {category!r}")
    return rng.choices(list(OTHER_CRIME_SPLIT), weights=list(OTHER_CRIME_SPLIT.values()))[0]


def derive(path, size=SIZE):
    boundary = prep(shape(json.loads(BOUNDARY.read_text(encoding="utf-8"))["features"][0]["geometry"]))
    located = []
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not row["Easting"] or not row["Northing"]:
                continue
            lon, lat = osgb36_to_wgs84(float(row["Easting"]), float(row["Northing"]))
            if boundary.contains(Point(lon, lat)):
                located.append((lon, lat, row["Location"], row["Crime type"]))
    rng = random.Random(SEED)  # noqa: S311 - reproducible sample, not security
    picked = sorted(rng.sample(range(len(located)), min(size, len(located))))
    rows = []
    for index in picked:
        lon, lat, location, category = located[index]
        rows.append(
            {
                "lon": f"{lon:.6f}",
                "lat": f"{lat:.6f}",
                "location": location.removeprefix("On or near ").strip(),
                "crime_type": crime_type(category, rng),
                "npu": nearest_npu(lon, lat),
            }
        )
    return rows, len(located)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("crimes_csv", help="the 2011 legacy-layout street-level crime CSV")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="output CSV (default: %(default)s)")
    parser.add_argument("--size", type=int, default=SIZE, help="rows to sample (default: %(default)s)")
    args = parser.parse_args(argv)
    rows, located = derive(args.crimes_csv, args.size)
    with open(args.out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    by_npu = Counter(row["npu"] for row in rows)
    print(f"{located} located rows inside the force boundary; sampled {len(rows)}")
    print("By NPU: " + ", ".join(f"{npu} {by_npu[npu]}" for npu in NPU_ORDER))
    for kind, count in Counter(row["crime_type"] for row in rows).most_common():
        print(f"{count:5d} {kind}")
    print(f"Wrote {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()
