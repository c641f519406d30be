"""The built-in indicators. Created when missing after each migrate; administrators may then
edit names, targets and parameters in the admin (a later run never overwrites their edits)."""

from datetime import date

from django.db import transaction

from .models import Indicator

U, D = Indicator.Unit, Indicator.Direction
WARRANTS = ["warrant_firearms", "warrant_drugs", "warrant_other"]
POSITIVE_POLICE_UK_OUTCOMES = [
    "Offender sent to prison", "Offender given suspended prison sentence", "Offender fined",
    "Offender given community sentence", "Offender given conditional discharge", "Offender given a caution",
    "Offender given penalty notice", "Offender given a drugs possession warning", "Local resolution",
    "Suspect charged as part of another case", "Awaiting court outcome", "Offender otherwise dealt with",
    "Court result unavailable", "Defendant found not guilty", "Court case unable to proceed",
    "Defendant sent to Crown Court", "Offender deprived of property", "Offender ordered to pay compensation",
    "Offender given absolute discharge",
]  # fmt: skip

# code, name, unit, good direction, calculator, parameters, key tile, extra fields
CATALOGUE = [
    ("missions_allocated", "Missions allocated", U.COUNT, D.UP, "transition_count",
     {"to_state": "allocated", "from_states": ["pending", "not_completed"]}, False, {}),
    ("missions_completed", "Missions completed", U.COUNT, D.UP, "transition_count", {"to_state": "completed"}, True, {}),
    ("missions_not_completed", "Missions not completed", U.COUNT, D.DOWN, "transition_count",
     {"to_state": "not_completed"}, False, {}),
    ("mission_completion_rate", "Mission completion rate", U.PERCENT, D.UP, "transition_rate", {}, True,
     {"target_kind": "absolute", "target_value": 85}),
    ("mission_arrests", "Arrests from missions", U.COUNT, D.UP, "outcome_sum", {"fields": ["arrests"]}, True, {}),
    ("warrants_firearms", "Firearms warrants executed (Captiva)", U.COUNT, D.UP, "outcome_count",
     {"kinds": ["warrant_firearms"], "results": ["warrant_finds", "warrant_no_finds"]}, False, {}),
    ("warrants_other", "Other warrants executed", U.COUNT, D.UP, "outcome_count",
     {"kinds": ["warrant_drugs", "warrant_other"], "results": ["warrant_finds", "warrant_no_finds"]}, False, {}),
    ("captiva_visits", "Captiva firearms visits", U.COUNT, D.UP, "outcome_count",
     {"kinds": ["captiva_visit"], "results": ["arrested", "not_found", "warrant_finds", "warrant_no_finds"]},
     False, {}),
    ("firearms_recovered", "Firearms recovered", U.COUNT, D.UP, "outcome_sum", {"fields": ["firearms"]}, True, {}),
    ("ammunition_recovered", "Ammunition rounds recovered", U.COUNT, D.UP, "outcome_sum",
     {"fields": ["ammunition_rounds"]}, False, {}),
    ("drugs_recovered", "Drugs recovered (grams, classes A–C)", U.COUNT, D.UP, "outcome_sum",
     {"fields": ["drugs_class_a_grams", "drugs_class_b_grams", "drugs_class_c_grams"]}, False, {}),
    ("cash_seized", "Cash seized", U.GBP, D.UP, "outcome_sum", {"fields": ["cash_gbp"]}, False, {}),
    ("curfew_checks", "Curfew checks", U.COUNT, D.UP, "outcome_count",
     {"kinds": ["curfew_check"], "results": ["curfew_complied", "curfew_breached"]}, False, {}),
    ("curfew_breach_rate", "Curfew breach rate", U.PERCENT, D.DOWN, "outcome_rate",
     {"kinds": ["curfew_check"], "results": ["curfew_breached"], "of_results": ["curfew_complied", "curfew_breached"]},
     True, {}),
    ("forensic_arrests_48h", "Forensic-hit arrests within 48 hours", U.PERCENT, D.UP, "outcome_within_deadline",
     {"kinds": ["forensic_arrest"], "results": ["arrested"]}, True, {"target_kind": "absolute", "target_value": 90}),
    ("patrol_compliance", "Hot-grid patrol compliance", U.PERCENT, D.UP, "patrol_compliance", {}, True,
     {"target_kind": "absolute", "target_value": 75}),
    ("patrols_scheduled", "Hot-grid patrols scheduled", U.COUNT, D.UP, "patrol_count", {}, False, {}),
    ("patrol_dosage", "Patrol dosage (minutes in hot grids)", U.MINUTES, D.UP, "visit_minutes", {}, False, {}),
    ("patrol_effective_visits", "Effective patrol visits (≥ 15 minutes)", U.COUNT, D.UP, "visit_effective",
     {"minutes": 15}, False, {}),
    ("recorded_crime", "Recorded crime", U.COUNT, D.DOWN, "crime_count", {}, True, {}),
    ("crime_rate", "Crime rate per 1,000 residents", U.RATE, D.DOWN, "crime_count", {}, False, {}),
    ("harm_weighted_crime", "Harm-weighted crime", U.COUNT, D.DOWN, "crime_weighted", {"weight": "harm"}, False, {}),
    ("severity_weighted_crime", "Severity-weighted crime", U.COUNT, D.DOWN, "crime_weighted",
     {"weight": "severity"}, False, {}),
    ("burglary", "Burglary", U.COUNT, D.DOWN, "crime_count", {"offence_groups": ["burglary"]}, True,
     {"target_kind": "change", "target_value": -8, "target_comparison": "previous_year"}),
    ("robbery", "Robbery", U.COUNT, D.DOWN, "crime_count", {"offence_groups": ["robbery"]}, False, {}),
    ("vehicle_crime", "Vehicle crime", U.COUNT, D.DOWN, "crime_count", {"offence_groups": ["vehicle-crime"]}, False, {}),
    ("violent_crime", "Violence and sexual offences", U.COUNT, D.DOWN, "crime_count",
     {"offence_groups": ["violent-crime"]}, False,
     {"baseline_start": date(2018, 7, 1), "baseline_end": date(2019, 6, 30)}),
    ("possession_of_weapons", "Possession of weapons", U.COUNT, D.DOWN, "crime_count",
     {"offence_groups": ["possession-of-weapons"]}, False, {}),
    ("positive_outcome_rate", "Positive outcome rate (police.uk outcomes)", U.PERCENT, D.UP, "crime_outcome_rate",
     {"outcomes": POSITIVE_POLICE_UK_OUTCOMES}, False, {}),
]  # fmt: skip


@transaction.atomic
def indicators_ensure():
    """Create the built-in indicators that are missing; returns the codes created."""
    created = []
    existing = set(Indicator.objects.values_list("code", flat=True))
    for order, (code, name, unit, direction, calc, params, key, extra) in enumerate(CATALOGUE):
        if code in existing:
            continue
        Indicator.objects.create(
            code=code, name=name, unit=unit, good_direction=direction, calculator=calc, parameters=params,
            key=key, sort_order=order * 10, **extra,
        )  # fmt: skip
        created.append(code)
    return created
