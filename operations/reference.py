"""Load the force's reference data from ``operations/reference_data`` (see its README for sources).

Loading only creates what is missing: a row an administrator has since corrected is left as it
is, so running the loader again changes nothing.
"""

import csv
import json
from collections import Counter
from datetime import date
from pathlib import Path

from django.db import transaction

from .crime_import import area_lookup_import
from .models import Area, LsoaArea, OffenceGroup, Operation, OutcomeType, Resource, TacticalPriority
from .services import reference_save

DATA_DIR = Path(__file__).resolve().parent / "reference_data"
CENSUS_SOURCE = "ONS Census 2021 TS001 usual residents, summed over LSOAs (reference_data/README.md)"

NPUS = [
    ("BE", "Birmingham East"),
    ("BW", "Birmingham West"),
    ("CV", "Coventry"),
    ("DY", "Dudley"),
    ("SH", "Solihull"),
    ("SW", "Sandwell"),
    ("WS", "Walsall"),
    ("WV", "Wolverhampton"),
]
ILLUSTRATIVE_SPLIT = {"BE", "BW"}

# Capacities are illustrative: the papers name the units but give no strength.
RESOURCES = [
    ("FS", "Force Support", Resource.Kind.FORCE_SUPPORT, None, 12),
    ("OSU", "Operational Support Unit", Resource.Kind.OSU, None, 10),
    ("CMPG", "Central Motorway Police Group", Resource.Kind.CMPG, None, 6),
    ("FR", "Force Response", Resource.Kind.FORCE_RESPONSE, None, 15),
    ("HHVT", "High Harm and Vulnerability Team", Resource.Kind.HHVT, None, 6),
    ("GTF", "Guardian Taskforce", Resource.Kind.TASKFORCE, None, 8),
    ("VCTF", "Vehicle Crime Taskforce", Resource.Kind.TASKFORCE, None, 6),
] + [(f"NPU-{code}", f"{name} NPU team", Resource.Kind.NPU_TEAM, code, 8) for code, name in NPUS]

POSITIVE_OUTCOME_TYPES = {1, 2, 3, 4, 6, 7, 8, 22}
GUARDIAN_CODES = {"GUARDIAN", "TGP"}


def _json(name):
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def _day(value):
    return date.fromisoformat(value) if value else None


def lsoa_lookup():
    """LSOA code → NPU code, from the shipped lookup (Birmingham's BW/BE split illustrative)."""
    with (DATA_DIR / "lsoa_npu_lookup.csv").open(encoding="utf-8") as handle:
        return {row["lsoa_code"]: row["area_code"] for row in csv.DictReader(handle)}


def npu_populations():
    lookup = lsoa_lookup()
    totals = Counter()
    path = DATA_DIR / "census2021_ts001_usual_residents_lsoa21_wmp7.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            totals[lookup[row["mnemonic"]]] += int(row["total"])
    return totals


class _Loader:
    def __init__(self, actor):
        self.actor = actor
        self.created = Counter()

    def ensure(self, model, lookup, values, m2m=None):
        instance = model.objects.filter(**lookup).first()
        if instance is not None:
            return instance
        instance = model(**lookup, **values)
        reference_save(actor=self.actor, instance=instance, m2m=m2m, reason="reference data load")
        self.created[model._meta.verbose_name_plural] += 1
        return instance


@transaction.atomic
def reference_data_load(*, actor=None):
    """Create every missing reference row; return counts of what was created, by kind."""
    loader = _Loader(actor)
    populations = npu_populations()
    boundary = _json("west_midlands_force_area.simplified.geojson")["features"][0]["geometry"]
    force = loader.ensure(
        Area,
        {"code": "WMP"},
        {
            "name": "West Midlands Police",
            "kind": Area.Kind.FORCE,
            "population": sum(populations.values()),
            "population_year": 2021,
            "population_source": CENSUS_SOURCE,
            "boundary": boundary,
        },
    )
    for code, name in NPUS:
        source = CENSUS_SOURCE + (
            "; Birmingham's BW/BE split is illustrative" if code in ILLUSTRATIVE_SPLIT else ""
        )
        loader.ensure(
            Area,
            {"code": code},
            {
                "name": name,
                "kind": Area.Kind.NPU,
                "parent": force,
                "population": populations[code],
                "population_year": 2021,
                "population_source": source,
            },
        )
    _load_offence_groups(loader)
    _load_outcome_types(loader)
    areas = {area.code: area for area in Area.objects.all()}
    groups = {group.code: group for group in OffenceGroup.objects.all()}
    for item in _json("operations.json"):
        loader.ensure(
            Operation,
            {"code": item["code"]},
            {
                "name": item["name"],
                "kind": item["kind"],
                "lead_rank": item["lead_rank"],
                "lead_name": item["lead_name"],
                "objectives": item["objectives"],
                "start_date": _day(item["start_date"]),
                "end_date": _day(item["end_date"]),
                "status": item["status"],
                "source": item["source"],
                # Guardian's patrol compliance: an officer arrives within 24 h of the scheduled
                # time (seed 001 §17); other operations count arrivals inside the window.
                **(
                    {"patrol_arrival_rule": Operation.ArrivalRule.WITHIN_HOURS, "patrol_arrival_hours": 24}
                    if item["code"] in GUARDIAN_CODES
                    else {}
                ),
            },
            m2m={
                "focus_offence_groups": [groups[c] for c in item["focus_offence_groups"]],
                "areas": [areas[c] for c in item["areas"]],
            },
        )
    for item in _json("tactical_priorities.json"):
        loader.ensure(
            TacticalPriority,
            {"title": item["title"], "effective_from": _day(item["effective_from"])},
            {
                "effective_to": _day(item["effective_to"]),
                "ftdb_date": _day(item["ftdb_date"]),
                "source": item["source"],
            },
            m2m={
                "offence_groups": [groups[c] for c in item["offence_groups"]],
                "areas": [areas[c] for c in item["areas"]],
            },
        )
    for code, name, kind, home, capacity in RESOURCES:
        loader.ensure(
            Resource,
            {"code": code},
            {
                "name": name,
                "kind": kind,
                "home_area": areas.get(home),
                "capacity_per_period": capacity,
            },
        )
    _load_lsoa_areas(loader)
    return dict(loader.created)


def _load_lsoa_areas(loader):
    # Creates missing mappings only, like the rest of the loader: a corrected lookup survives.
    path = DATA_DIR / "lsoa_npu_lookup.csv"
    with path.open("rb") as handle:
        report = area_lookup_import(
            actor=loader.actor, data=handle, source_file=f"reference_data/{path.name}", update_existing=False
        )
    if report.new:
        loader.created[LsoaArea._meta.verbose_name_plural] += report.new


def _load_offence_groups(loader):
    items = _json("offence_groups.json")
    # Parents first, so every child finds its parent.
    for item in sorted(items, key=lambda item: item["parent"] is not None):
        parent = OffenceGroup.objects.get(code=item["parent"]) if item["parent"] else None
        loader.ensure(
            OffenceGroup,
            {"code": item["code"]},
            {
                "name": item["name"],
                "parent": parent,
                "police_uk_crime_type": item["police_uk_crime_type"],
                "is_crime": item["code"] != "anti-social-behaviour",
                "severity_weight": item["severity_weight"],
                "severity_source": item["severity_source"],
                "harm_weight": item["harm_weight"],
                "harm_source": item["harm_source"],
            },
        )


def _load_outcome_types(loader):
    with (DATA_DIR / "home_office_outcome_types.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = int(row["outcome_type"])
            loader.ensure(
                OutcomeType,
                {"code": code},
                {
                    "label": row["label_as_seen"],
                    "group": row["outcome_group_as_seen"],
                    "is_positive": code in POSITIVE_OUTCOME_TYPES,
                },
            )
