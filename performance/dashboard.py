"""Reads for the supervisor dashboards: filters, scorecard tiles and process-chart series, each from
stored indicator values in a fixed number of queries whatever the data size."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from operations.models import Area, Operation

from . import charts, periods, spc
from .calculators import family_of
from .models import Indicator, IndicatorValue

SCORECARD_KINDS = [
    (periods.MONTH, "Month"),
    (periods.WEEK, "Week"),
    (periods.QUARTER, "Quarter"),
    (periods.YEAR, "Calendar year"),
    (periods.FINANCIAL_YEAR, "Financial year"),
    (periods.ROLLING_12, "Rolling 12 months"),
]
CHART_KINDS = [(periods.MONTH, "Month"), (periods.WEEK, "Week")]
SPARK_POINTS, SPC_POINTS = 13, 24
AMBER_BAND = Decimal("0.10")  # within 10 % of the target is amber
VARIATION_TEXT = {
    "special_cause_improvement": ("▲", "Special cause — improvement"),
    "special_cause_concern": ("■", "Special cause — concern"),
    "common_cause": ("∿", "Common cause"),
}
ASSURANCE_TEXT = {
    "pass": ("✔", "Assurance: consistently passes the target"),
    "fail": ("✘", "Assurance: consistently fails the target"),
    "hit_and_miss": ("±", "Assurance: hit and miss"),
    None: ("–", "Assurance: no target"),
}
RAG_TEXT = {"green": "On target", "amber": "Near target", "red": "Off target"}


# ------------------------------------------------------------------------------------ filters


@dataclass
class Filters:
    areas: list
    operations: list
    area: Area
    operation: Operation | None
    kind: str
    errors: dict = field(default_factory=dict)

    @property
    def operation_key(self):
        return self.operation.pk if self.operation else 0

    def query(self, **overrides):
        params = {
            "area": self.area.code if self.area else "",
            "operation": self.operation.code if self.operation else "",
            "period": self.kind,
        } | overrides
        return urlencode({k: v for k, v in params.items() if v})


def filters_from(params, kinds=SCORECARD_KINDS):
    """Area (force or an NPU; the force by default), operation (all by default) and period kind
    from the query string. Unknown codes fall back to the default and say so."""
    areas = list(Area.objects.filter(kind__in=[Area.Kind.FORCE, Area.Kind.NPU]).order_by("kind", "code"))
    operations = list(Operation.objects.only("id", "code", "name", "start_date", "status").order_by("name"))
    force = next((a for a in areas if a.kind == Area.Kind.FORCE), areas[0] if areas else None)
    errors = {}
    area = next((a for a in areas if a.code == params.get("area")), None)
    if params.get("area") and area is None:
        errors["area"] = f"No area {params['area']!r}: showing the force."
    operation = next((o for o in operations if o.code == params.get("operation")), None)
    if params.get("operation") and operation is None:
        errors["operation"] = f"No operation {params['operation']!r}: showing all operations."
    kind = params.get("period") or kinds[0][0]
    if kind not in dict(kinds):
        errors["period"] = f"Choose one of: {', '.join(dict(kinds))}."
        kind = kinds[0][0]
    return Filters(areas, operations, area or force, operation, kind, errors)


# ------------------------------------------------------------------------------------ periods


def shift(kind, start, n):
    """The start of the period ``n`` periods after (negative: before) the one starting ``start``."""
    if kind == periods.DAY:
        return start + timedelta(days=n)
    if kind == periods.WEEK:
        return start + timedelta(weeks=n)
    months = {periods.MONTH: 1, periods.ROLLING_12: 1, periods.QUARTER: 3}.get(kind, 12)
    return periods.add_months(start, n * months)


def year_before(kind, start):
    """The same period a year earlier (weeks: 52 weeks, so it is still a Monday)."""
    if kind == periods.WEEK:
        return start - timedelta(weeks=52)
    if kind == periods.DAY:
        return start - timedelta(days=364)
    return periods.add_months(start, -12)


# ---------------------------------------------------------------------------------- formatting


def fmt_value(unit, value):
    if value is None:
        return "no value"
    value = Decimal(value)
    whole = value == value.to_integral_value()
    if unit == Indicator.Unit.PERCENT:
        return f"{value:,.1f} %"
    if unit == Indicator.Unit.GBP:
        return f"£{value:,.0f}"
    if unit == Indicator.Unit.RATE:
        return f"{value:,.2f} per 1,000"
    number = f"{value:,.0f}" if whole else f"{value:,.1f}"
    return f"{number} min" if unit == Indicator.Unit.MINUTES else number


def formatter(unit):
    return lambda v: fmt_value(unit, v).removesuffix(" per 1,000").removesuffix(" min")


def change_words(indicator, now, then):
    """Arrow, words and whether the change is good: 'up 12 % on last year'. Percentages change by
    percentage points, so a rate moving from 80 % to 88 % reads 'up 8.0 points', not 'up 10 %'."""
    if now is None or then is None:
        return {"arrow": "—", "words": "no value a year earlier", "tone": "none"}
    delta = now - then
    arrow, way = ("↑", "up") if delta > 0 else ("↓", "down") if delta < 0 else ("→", "no change")
    if delta == 0:
        words = "no change on last year"
    elif indicator.unit == Indicator.Unit.PERCENT:
        words = f"{way} {abs(delta):.1f} points on last year"
    elif then == 0:
        words = f"{way} {fmt_value(indicator.unit, abs(delta))} on last year (none a year earlier)"
    else:
        words = f"{way} {abs(delta) * 100 / abs(then):.0f} % on last year"
    good = (delta > 0) == (indicator.good_direction == Indicator.Direction.UP)
    tone = "same" if delta == 0 else "good" if good else "bad"
    return {
        "arrow": arrow,
        "words": words,
        "tone": tone,
        "better": {"good": "better", "bad": "worse"}.get(tone),
    }


def target_text(indicator):
    """The target in words, without the comparison it needs ('Target down 8 % on last year')."""
    if not indicator.target_kind or indicator.target_value is None:
        return "No target"
    t = indicator.target_value
    if indicator.target_kind == Indicator.TargetKind.ABSOLUTE:
        up = indicator.good_direction == Indicator.Direction.UP
        return f"Target {'at least' if up else 'at most'} {fmt_value(indicator.unit, t)}"
    return f"Target {'up' if t > 0 else 'down'} {abs(t):.0f} % on last year"


def rag(indicator, value, year_ago):
    """(status, target text): absolute targets compare with the value, % change targets with the same
    period a year earlier. Meeting it is green, within 10 % of it amber, anything else red."""
    if not indicator.target_kind or indicator.target_value is None:
        return None, "No target"
    t, text = indicator.target_value, target_text(indicator)
    up = indicator.good_direction == Indicator.Direction.UP
    if indicator.target_kind == Indicator.TargetKind.ABSOLUTE:
        goal = t
    else:
        if indicator.target_comparison != "previous_year" or year_ago is None:
            return None, text + " (no value to compare with)"
        goal = year_ago * (1 + t / 100)
        text += f" ({'at least' if up else 'at most'} {fmt_value(indicator.unit, goal)})"
    if value is None:
        return None, text
    if (value >= goal) if up else (value <= goal):
        return "green", text
    near = abs(value - goal) <= abs(goal) * AMBER_BAND if goal else False
    return ("amber" if near else "red"), text


# --------------------------------------------------------------------------------------- tiles


def values_version(indicator_ids, area, operation_key, kind):
    """A token that changes whenever any shown value is written or removed (one query)."""
    row = IndicatorValue.objects.filter(
        indicator_id__in=indicator_ids, area=area, operation_key=operation_key, period_kind=kind
    ).aggregate(latest=Max("computed_at"), n=Count("id"))
    latest = row["latest"].isoformat() if row["latest"] else "none"
    return f"{latest}|{row['n']}"


def key_indicators():
    return list(Indicator.objects.filter(key=True, active=True).order_by("sort_order", "code"))


def filled(indicator, stored, starts):
    """Values for ``starts``; counts and sums store nothing for an empty bucket, so a gap after the
    first stored value is a zero. Percentages of nothing stay undefined (None)."""
    zero_fill = indicator.unit != Indicator.Unit.PERCENT
    out, seen = [], False
    for start in starts:
        if start in stored:
            seen = True
            out.append(stored[start])
        else:
            out.append(Decimal(0) if zero_fill and seen else None)
    return out


def scorecard_tiles(indicators, area, operation_key, kind, link):
    """One tile per indicator in two queries: the latest stored period of each indicator's family,
    then every value needed (13 for the sparkline, 24 for the SPC verdict, a year back for the
    change). ``link(indicator)`` gives the drill-down URL."""
    if not indicators:
        return []
    if area is None:  # no reference data loaded yet
        return [_tile(ind, kind, None, {}, link(ind)) for ind in indicators]
    base = IndicatorValue.objects.filter(area=area, operation_key=operation_key, period_kind=kind)
    latest = dict(
        base.filter(indicator__in=indicators)
        .values_list("indicator_id")
        .annotate(last=Max("period_start"))
        .order_by()
    )
    # One "current period" per family, so an indicator that had nothing lately shows a zero for the
    # same period as its neighbours rather than an older figure.
    family_latest = {}
    for ind in indicators:
        if ind.pk in latest:
            name = family_of(ind).name
            family_latest[name] = max(family_latest.get(name, date.min), latest[ind.pk])
    current = {
        ind.pk: family_latest.get(family_of(ind).name) if ind.pk in latest else None for ind in indicators
    }
    wanted = Q(pk__in=[])
    for ind in indicators:
        if current[ind.pk]:
            first = min(shift(kind, current[ind.pk], 1 - SPC_POINTS), year_before(kind, current[ind.pk]))
            wanted |= Q(indicator=ind, period_start__gte=first, period_start__lte=current[ind.pk])
    stored = {}
    for ind_id, start, value in base.filter(wanted).values_list("indicator_id", "period_start", "value"):
        stored.setdefault(ind_id, {})[start] = value
    return [_tile(ind, kind, current[ind.pk], stored.get(ind.pk, {}), link(ind)) for ind in indicators]


def _tile(indicator, kind, current, stored, url):
    tile = {"indicator": indicator, "url": url, "code": indicator.code}
    if current is None:
        return tile | {"empty": True, "sparkline": charts.sparkline([], label=f"{indicator.name}: no values")}
    starts = [shift(kind, current, -i) for i in reversed(range(SPC_POINTS))]
    values = filled(indicator, stored, starts)
    value = values[-1]
    ago_start = year_before(kind, current)
    year_ago = stored.get(ago_start)
    if year_ago is None and indicator.unit != Indicator.Unit.PERCENT and stored and min(stored) <= ago_start:
        year_ago = Decimal(0)
    status, target_text = rag(indicator, value, year_ago)
    target = float(indicator.target_value) if indicator.target_kind == Indicator.TargetKind.ABSOLUTE else None
    chart = spc.xmr(
        [(s, v) for s, v in zip(starts, values, strict=True)],
        good_direction=indicator.good_direction, target=target,
    )  # fmt: skip
    spark_starts, spark_values = starts[-SPARK_POINTS:], values[-SPARK_POINTS:]
    label = f"{indicator.name}, last {SPARK_POINTS} periods to {periods.label(kind, current)}"
    icon, verdict = VARIATION_TEXT[chart.variation]
    a_icon, assurance = ASSURANCE_TEXT[chart.assurance]
    return tile | {
        "empty": False,
        "period": periods.label(kind, current),
        "value": value,
        "value_text": fmt_value(indicator.unit, value),
        "year_ago_text": fmt_value(indicator.unit, year_ago),
        "year_ago_period": periods.label(kind, ago_start),
        "target_text": target_text,
        "rag": status,
        "rag_text": RAG_TEXT.get(status, "No RAG status"),
        "change": change_words(indicator, value, year_ago),
        "sparkline": charts.sparkline(
            [None if v is None else float(v) for v in spark_values], width=200, height=40, label=label
        ),
        "spark_rows": [
            (periods.label(kind, s), fmt_value(indicator.unit, v))
            for s, v in zip(spark_starts, spark_values, strict=True)
        ],
        "variation": chart.variation,
        "variation_icon": icon,
        "variation_text": verdict,
        "trial": sum(v is not None for v in values) < 12,
        "assurance": chart.assurance or "none",
        "assurance_icon": a_icon,
        "assurance_text": assurance,
    }


# --------------------------------------------------------------------------------------- links


def safe_reverse(name, **kwargs):
    """A URL, or None while that page is not installed (other dashboard pages arrive separately)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def subnav(active, *, chart_code, operation=None, operations=()):
    """The dashboards' own menu; pages that are not installed yet are left out."""
    op = operation or next((o for o in operations if o.status == Operation.Status.ACTIVE), None)
    items = [
        ("scorecard", "Scorecard", safe_reverse("performance:scorecard")),
        ("npu", "NPU tables", safe_reverse("performance:npu-table")),
        ("chart", "Process charts", safe_reverse("performance:process-chart", code=chart_code)),
        ("operation", "Operations", op and safe_reverse("performance:operation", code=op.code)),
        ("patrols", "Patrols", safe_reverse("performance:patrols")),
        ("today", "Today", safe_reverse("performance:today")),
        ("trm", "TRM pack", safe_reverse("performance:trm-pack", date=timezone.localdate().isoformat())),
    ]
    return [{"key": k, "label": label, "url": url, "active": k == active} for k, label, url in items if url]
