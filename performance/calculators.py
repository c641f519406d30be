"""Calculators: how each indicator is computed from source rows.

A *family* is one source table (mission transitions, outcomes, scheduled patrols, visits,
recorded crime) with the date, area and operation each row counts under. A *calculator* turns an
indicator's parameters into aggregate expressions (numerator, denominator) over its family's
rows, so every indicator of a family is computed for a period by ONE grouped query.
"""

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from . import periods
from .periods import DAY, MONTH

DECIMAL = DecimalField(max_digits=16, decimal_places=4)
ZERO = Value(Decimal(0), output_field=DECIMAL)


@dataclass(frozen=True)
class Family:
    name: str
    model: str  # "app_label.Model"
    date_field: str  # a DateTimeField (day base) or DateField (month base)
    area_field: str
    operation_field: str | None
    base: str

    def queryset(self):
        return apps.get_model(self.model).objects.all()

    def rows_between(self, start, end):
        """Source rows of base periods [start, end) (dates)."""
        if self.base == DAY:
            tz = periods_tz()
            lower = datetime.combine(start, time(), tzinfo=tz)
            upper = datetime.combine(end, time(), tzinfo=tz)
            return self.queryset().filter(
                **{f"{self.date_field}__gte": lower, f"{self.date_field}__lt": upper}
            )
        return self.queryset().filter(**{f"{self.date_field}__gte": start, f"{self.date_field}__lt": end})


def periods_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/London")


# A transition or an outcome carries its mission's NPU, operation and kind: one NPU's day is a
# range of the (area, date) index, with no join to the missions.
TRANSITIONS = Family("transitions", "tasking.MissionTransition", "at", "area_id", "operation_id", DAY)
OUTCOMES = Family("outcomes", "tasking.Outcome", "completed_at", "area_id", "operation_id", DAY)
PATROLS = Family(
    "patrols", "tasking.ScheduledPatrol", "starts_at", "grid__area_id", "grid__operation_id", DAY
)
VISITS = Family("visits", "tasking.PatrolVisit", "arrived_at", "grid__area_id", "grid__operation_id", DAY)
CRIMES = Family("crimes", "operations.CrimeRecord", "month", "area_id", None, MONTH)
FAMILIES = {family.name: family for family in (TRANSITIONS, OUTCOMES, PATROLS, VISITS, CRIMES)}


@dataclass(frozen=True)
class Calculator:
    name: str
    family: Family
    build: object  # fn(params) -> (numerator expression, denominator expression or None)
    description: str


CALCULATORS = {}


def calculator(name, family, description):
    def register(build):
        CALCULATORS[name] = Calculator(name, family, build, description)
        return build

    return register


def _kinds(params, field="mission_kind"):
    kinds = params.get("kinds")
    return Q(**{f"{field}__in": kinds}) if kinds else Q()


def _sum(field, condition):
    return Coalesce(Sum(field, filter=condition, output_field=DECIMAL), ZERO)


@calculator(
    "transition_count", TRANSITIONS, "Mission transitions into a state (params: to_state, from_states, kinds)"
)
def _transition_count(params):
    condition = Q(to_state=params["to_state"]) & _kinds(params)
    if params.get("from_states"):
        condition &= Q(from_state__in=params["from_states"])
    return Count("id", filter=condition), None


@calculator("transition_rate", TRANSITIONS, "Share of missions finished that were completed (params: kinds)")
def _transition_rate(params):
    kinds = _kinds(params)
    finished = Q(to_state__in=["completed", "not_completed"]) & kinds
    return Count("id", filter=Q(to_state="completed") & kinds), Count("id", filter=finished)


def _outcome_filter(params):
    condition = _kinds(params)
    if params.get("results"):
        condition &= Q(result__in=params["results"])
    return condition


@calculator("outcome_count", OUTCOMES, "Outcomes (params: kinds, results)")
def _outcome_count(params):
    return Count("id", filter=_outcome_filter(params)), None


@calculator(
    "outcome_sum", OUTCOMES, "Sum of outcome fields, e.g. arrests or finds (params: fields, kinds, results)"
)
def _outcome_sum(params):
    fields = params["fields"]
    total = sum((F(name) for name in fields[1:]), F(fields[0]))
    return _sum(total, _outcome_filter(params)), None


@calculator(
    "outcome_rate", OUTCOMES, "Share of outcomes with given results (params: kinds, results, of_results)"
)
def _outcome_rate(params):
    base = _kinds(params)
    if params.get("of_results"):
        base &= Q(result__in=params["of_results"])
    return Count("id", filter=base & Q(result__in=params["results"])), Count("id", filter=base)


@calculator("outcome_within_deadline", OUTCOMES, "Share of outcomes with a result reached by the deadline")
def _outcome_within_deadline(params):
    base = _kinds(params)
    # The mission's deadline is read for the outcomes of these kinds and results only (checked
    # first, left to right): a join would read the mission of every outcome of the period, and
    # the drain of a busy day's bucket spent most of its time on that join.
    missions = apps.get_model("tasking.Mission").objects
    due_by = Subquery(missions.filter(pk=OuterRef("mission_id")).values("due_by"))
    hit = base & Q(result__in=params["results"]) & Q(completed_at__lte=due_by)
    return Count("id", filter=hit), Count("id", filter=base)


@calculator("patrol_compliance", PATROLS, "Scheduled patrols with a compliant visit, of those scheduled")
def _patrol_compliance(params):
    return Count("id", filter=Q(compliant_visit__isnull=False)), Count("id")


@calculator("patrol_count", PATROLS, "Scheduled patrols")
def _patrol_count(params):
    return Count("id"), None


@calculator("visit_minutes", VISITS, "Minutes in hot grids")
def _visit_minutes(params):
    return _sum("dwell_minutes", Q()), None


@calculator("visit_effective", VISITS, "Visits of at least the effective dose (params: minutes, default 15)")
def _visit_effective(params):
    return Count("id", filter=Q(dwell_minutes__gte=params.get("minutes", 15))), None


def _crime_filter(params):
    groups = params.get("offence_groups")
    if groups:
        return Q(offence_group__code__in=groups) | Q(offence_group__parent__code__in=groups)
    # Anti-social behaviour is an incident, not a crime: only counted when asked for by name.
    return Q(offence_group__is_crime=True)


@calculator("crime_count", CRIMES, "Recorded crimes (params: offence_groups; ASB only when named)")
def _crime_count(params):
    return Count("id", filter=_crime_filter(params)), None


@calculator("crime_weighted", CRIMES, "Crimes weighted by severity or harm (params: weight, offence_groups)")
def _crime_weighted(params):
    weight = (
        "offence_group__harm_weight" if params.get("weight") == "harm" else "offence_group__severity_weight"
    )
    return _sum(weight, _crime_filter(params)), None


@calculator("crime_outcome_rate", CRIMES, "Share of crimes whose last outcome is positive (params: outcomes)")
def _crime_outcome_rate(params):
    crimes = _crime_filter(params)
    return Count("id", filter=crimes & Q(last_outcome_category__in=params["outcomes"])), Count(
        "id", filter=crimes
    )


def family_of(indicator):
    return CALCULATORS[indicator.calculator].family


# What each parameter of the calculators above must be; a parameter not named here is refused.
LIST_PARAMETERS = {"kinds", "results", "of_results", "from_states", "fields", "offence_groups", "outcomes"}
TEXT_PARAMETERS = {"to_state", "weight"}
NUMBER_PARAMETERS = {"minutes"}


def parameters_problem(calculator_name, params):
    """Why ``params`` cannot drive the calculator (a message for the person defining the
    indicator), or None. The calculator's expressions are built and compiled against its family's
    rows, so a missing parameter or a field that does not exist is refused when the indicator is
    saved instead of stopping every drain that meets it."""
    calculator = CALCULATORS[calculator_name]
    usage = f"{calculator_name}: {calculator.description}"
    if not isinstance(params, dict):
        return f"Give the parameters as a JSON object ({usage})."
    for name, value in params.items():
        if name in LIST_PARAMETERS:
            ok = isinstance(value, list) and all(isinstance(item, str) and item for item in value)
            kind = "a list of names"
        elif name in TEXT_PARAMETERS:
            ok, kind = isinstance(value, str) and bool(value), "a name"
        elif name in NUMBER_PARAMETERS:
            ok, kind = (
                isinstance(value, int | float) and not isinstance(value, bool) and value >= 0,
                "a number",
            )
        else:
            return f"Unknown parameter {name!r} ({usage})."
        if not ok:
            return f"Parameter {name!r} must be {kind} ({usage})."
    if calculator.family is OUTCOMES and "fields" in params:
        numeric = {"arrests", *apps.get_model(OUTCOMES.model).FIND_FIELDS}
        unknown = [name for name in params["fields"] if name not in numeric]
        if not params["fields"] or unknown:
            return (
                f"Parameter 'fields' takes outcome counts and finds: {', '.join(sorted(numeric))} ({usage})."
            )
    try:
        numerator, denominator = calculator.build(params)
        expressions = {"n": numerator} if denominator is None else {"n": numerator, "d": denominator}
        family = calculator.family
        family.queryset().values(g=F(family.area_field)).annotate(**expressions).query.sql_with_params()
    except KeyError as exc:
        return f"Missing parameter {exc.args[0]!r} ({usage})."
    except (FieldError, TypeError, ValueError, IndexError) as exc:
        return f"These parameters do not work with {calculator_name}: {exc} ({usage})."
    return None


def unit_problem(calculator_name, params, unit):
    """Why ``unit`` cannot present what the calculator gives, or None: a share (a numerator of a
    denominator) is a percent, and a percent needs a share (without one its value is always empty).
    Call once the parameters are known to work."""
    _, denominator = CALCULATORS[calculator_name].build(params)
    if denominator is not None and unit != "percent":
        return f"{calculator_name} gives a share of a total: its unit is Percent."
    if denominator is None and unit == "percent":
        return (
            f"{calculator_name} gives an amount, not a share of a total: choose Count, Rate per 1,000 "
            "residents, £ or Minutes."
        )
    return None


def expressions(indicator):
    return CALCULATORS[indicator.calculator].build(indicator.parameters or {})


__all__ = ["CALCULATORS", "FAMILIES", "Family", "calculator", "expressions", "family_of", "periods"]
