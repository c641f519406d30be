#!/usr/bin/env python3
"""Derive demo hot-grid centres from a month of real data.police.uk street-level crime.

Usage::

    python scripts/derive_hotspots.py /work/shared/data/2011-02-west-midlands-street.csv \
        [--out operations/reference_data/hotspot_centres.csv]

Input: the February 2011 West Midlands Police street-level file in the 2011 legacy layout
(``Month,Reported by,Falls within,Easting,Northing,Location,Crime type,Context``), with OSGB36
British National Grid eastings and northings. The path is an argument so that the repository never
depends on a file outside it at run time; the output CSV is committed.

Method (all deterministic, so re-running gives the same file):

1. Bin every crime into a 250 m cell: (easting // 250, northing // 250).
2. Score each cell twice: "Violent crime" + "Robbery" (the serious-violence proxy: the 2011
   categories have no serious-youth-violence or knife-crime marker, so this is only a proxy for
   Guardian's SYV hotspots) and "Burglary" + "Vehicle crime" (Vibrant's focus).
3. Convert each cell centre from OSGB36 to WGS84 longitude/latitude with the standard transverse
   Mercator inverse (Airy 1830, OS national grid constants) and a 7-parameter Helmert transform
   (OSGB36 → WGS84), in plain Python; accuracy is a few metres, plenty for 250 m cells.
4. Keep only cells whose centre is inside the force boundary
   (``operations/reference_data/west_midlands_force_area.simplified.geojson``, shapely).
5. Assign each cell to an NPU by the nearest approximate town centre in ``NPU_CENTRES``. This is
   **illustrative**: no council or NPU boundaries are used, so cells near a council border may be
   assigned to the neighbouring NPU, and Birmingham's East/West split has no public boundary.
6. Guardian: 57 hotspots (seed 001 §16), at least 4 per NPU and the rest shared out in proportion
   to each NPU's violence + robbery count (D'Hondt highest averages on top of the floor of 4); in
   each NPU the densest cells are taken, skipping any cell that touches (8-neighbour) one already
   picked so hotspots do not merge into one blob.
7. Vibrant: 3 grids per NPU from the densest burglary + vehicle crime cells, with the same spacing
   rule (also against the Guardian cells).
8. Name: "Hotspot near <street>", the most common street-like ``Location`` of the scored crimes in
   the cell ("On or near Alfred Road" → "Alfred Road"); police.uk's generic anonymised places
   ("Supermarket", "Parking area") are used only when a cell has nothing else.
"""

import argparse
import csv
import json
import math
from collections import Counter, defaultdict
from pathlib import Path

from osgb36 import check_conversion, osgb36_to_wgs84
from shapely.geometry import Point, shape

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "operations" / "reference_data"
DEFAULT_OUT = DATA_DIR / "hotspot_centres.csv"
BOUNDARY = DATA_DIR / "west_midlands_force_area.simplified.geojson"

CELL_M = 250
GUARDIAN_TOTAL = 57  # seed 001 §16: 57 SYV hotspots geofenced
GUARDIAN_MIN_PER_NPU = 4
VIBRANT_PER_NPU = 3
VIOLENCE = {"Violent crime", "Robbery"}
ACQUISITIVE = {"Burglary", "Vehicle crime"}

# Approximate town centres (lon, lat), used only to give each cell an NPU: illustrative.
NPU_CENTRES = {
    "BE": (-1.80, 52.50),
    "BW": (-1.93, 52.47),
    "CV": (-1.51, 52.41),
    "DY": (-2.08, 52.51),
    "SH": (-1.78, 52.41),
    "SW": (-2.01, 52.52),
    "WS": (-1.98, 52.59),
    "WV": (-2.13, 52.59),
}
NPU_ORDER = sorted(NPU_CENTRES)

SOURCE = (
    "derived by scripts/derive_hotspots.py from data.police.uk street-level crime, West Midlands "
    "Police, Feb 2011 (OGL v3): 250 m OSGB36 cell, {score} count; NPU illustrative (nearest town centre)"
)


# -- cells ---------------------------------------------------------------------------------------
def nearest_npu(lon, lat):
    scale = math.cos(math.radians(lat))
    return min(
        NPU_ORDER,
        key=lambda code: ((lon - NPU_CENTRES[code][0]) * scale) ** 2 + (lat - NPU_CENTRES[code][1]) ** 2,
    )


def _street(location):
    return location.removeprefix("On or near ").strip()


def _street_like(name):
    words = name.split()
    generic = words[-1:] == ["Vicinity"]  # "Airport Vicinity", "Nec Vicinity": places, not streets
    return bool(words) and not generic and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def cell_name(locations, used):
    """The most common street-like location (ties alphabetical), not already used for another grid."""
    ranked = sorted(locations.items(), key=lambda item: (not _street_like(item[0]), -item[1], item[0]))
    for name, _ in ranked:
        if name and f"Hotspot near {name}" not in used:
            return f"Hotspot near {name}"
    base = f"Hotspot near {ranked[0][0]}"
    suffix = 2
    while f"{base} ({suffix})" in used:
        suffix += 1
    return f"{base} ({suffix})"


def read_cells(path):
    cells = defaultdict(lambda: {"violence": 0, "acquisitive": 0, "v_loc": Counter(), "a_loc": Counter()})
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not row["Easting"] or not row["Northing"]:
                continue
            key = (int(float(row["Easting"])) // CELL_M, int(float(row["Northing"])) // CELL_M)
            kind = row["Crime type"]
            if kind in VIOLENCE:
                cells[key]["violence"] += 1
                cells[key]["v_loc"][_street(row["Location"])] += 1
            elif kind in ACQUISITIVE:
                cells[key]["acquisitive"] += 1
                cells[key]["a_loc"][_street(row["Location"])] += 1
    return cells


def allocate(weights, total, floor):
    """``floor`` seats each, the rest by D'Hondt highest averages on ``weights``."""
    seats = dict.fromkeys(weights, floor)
    for _ in range(total - floor * len(weights)):
        best = max(sorted(weights), key=lambda code: weights[code] / (seats[code] + 1))
        seats[best] += 1
    return seats


def _touches(key, picked):
    return any(abs(key[0] - p[0]) <= 1 and abs(key[1] - p[1]) <= 1 for p in picked)


def derive(path):
    boundary = shape(json.loads(BOUNDARY.read_text(encoding="utf-8"))["features"][0]["geometry"])
    cells = read_cells(path)
    located = {}
    for key in cells:
        lon, lat = osgb36_to_wgs84((key[0] + 0.5) * CELL_M, (key[1] + 0.5) * CELL_M)
        if boundary.contains(Point(lon, lat)):
            located[key] = (lon, lat, nearest_npu(lon, lat))
    violence_by_npu = Counter()
    for key, (_, _, npu) in located.items():
        violence_by_npu[npu] += cells[key]["violence"]
    guardian_seats = allocate(
        {code: violence_by_npu[code] for code in NPU_ORDER}, GUARDIAN_TOTAL, GUARDIAN_MIN_PER_NPU
    )

    picked, rows, used_names = [], [], set()

    def pick(operation, prefix, score_key, loc_key, score_label, per_npu):
        for npu in NPU_ORDER:
            candidates = sorted(
                (key for key, (_, _, code) in located.items() if code == npu and cells[key][score_key] > 0),
                key=lambda key: (-cells[key][score_key], key),
            )
            chosen = []
            for key in candidates:
                if len(chosen) == per_npu[npu]:
                    break
                if _touches(key, picked):
                    continue
                picked.append(key)
                chosen.append(key)
            if len(chosen) < per_npu[npu]:
                raise SystemExit(f"{npu}: only {len(chosen)} {operation} cells found")
            for number, key in enumerate(chosen, start=1):
                lon, lat, _ = located[key]
                name = cell_name(cells[key][loc_key], used_names)
                used_names.add(name)
                rows.append(
                    {
                        "code": f"{prefix}-{npu}-{number:02d}",
                        "name": name,
                        "operation": operation,
                        "area_code": npu,
                        "lon": f"{lon:.6f}",
                        "lat": f"{lat:.6f}",
                        "crimes_in_cell": cells[key][score_key],
                        "size_m": CELL_M,
                        "source": SOURCE.format(score=score_label),
                    }
                )

    pick(
        "GUARDIAN",
        "GDN",
        "violence",
        "v_loc",
        "Violent crime + Robbery (serious-violence proxy)",
        guardian_seats,
    )
    pick(
        "VIBRANT",
        "VIB",
        "acquisitive",
        "a_loc",
        "Burglary + Vehicle crime",
        dict.fromkeys(NPU_ORDER, VIBRANT_PER_NPU),
    )
    return rows, violence_by_npu, guardian_seats, boundary


FIELDS = ["code", "name", "operation", "area_code", "lon", "lat", "crimes_in_cell", "size_m", "source"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("crimes_csv", help="the 2011 legacy-layout street-level crime CSV")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="output CSV (default: %(default)s)")
    args = parser.parse_args(argv)
    lon, lat = check_conversion()
    print(f"Check: E 406740 N 286600 → {lat:.5f} N, {lon:.5f} E (Birmingham city centre ≈ 52.479, -1.902)")
    rows, violence_by_npu, seats, _boundary = derive(args.crimes_csv)
    with open(args.out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for npu in NPU_ORDER:
        print(
            f"{npu}: violence+robbery {violence_by_npu[npu]:5d} → "
            f"{seats[npu]} Guardian, {VIBRANT_PER_NPU} Vibrant"
        )
    print(f"Wrote {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()
