"""What every dashboard page shares: the role rule, links to drill-down rows, comparisons in words,
and one-query reads of stored indicator values."""

import json
from datetime import datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.views.generic import TemplateView

from operations.permissions import RoleRequiredMixin
from operations.roles import Role

from ... import periods
from ...calculators import CRIMES, OUTCOMES, PATROLS, TRANSITIONS, VISITS, family_of
from ...models import Indicator, IndicatorValue

LONDON = ZoneInfo("Europe/London")
FACTS = Path(__file__).resolve().parents[3] / "operations" / "reference_data" / "facts.json"


class DashboardPage(RoleRequiredMixin, TemplateView):
    """A read-only dashboard page: any role from Viewer up may read it; nothing is written."""

    read_role = Role.VIEWER
    http_method_names = ["get", "head", "options"]
    section = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["section"] = self.section
        return context


def rows_url(source, **params):
    """/dashboards/rows/<source>/?… with the given filters (lists repeat the parameter)."""
    query = {key: value for key, value in params.items() if value not in (None, "", [])}
    base = reverse("performance:rows", args=[source])
    return f"{base}?{urlencode(query, doseq=True)}" if query else base


def local_midnight(day):
    return datetime.combine(day, time(), tzinfo=LONDON)


def iso(moment):
    return moment.isoformat()


def quantity(value):
    """A stored Decimal as a whole number when it is one, else to one decimal place."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else value.quantize(Decimal("0.1"))


def compare(current, previous, *, good="up", against="", unit=""):
    """Current against a comparison: an arrow, the change in words, and whether that is better."""
    if current is None or previous is None:
        return {
            "arrow": "–",
            "words": f"no figure to compare {against}".strip(),
            "tone": "none",
            "verdict": "",
        }
    change = Decimal(current) - Decimal(previous)
    if change == 0:
        return {"arrow": "▶", "words": f"no change {against}".strip(), "tone": "same", "verdict": "no change"}
    up = change > 0
    size = quantity(abs(change))
    pct = ""
    if previous and unit != "points":
        pct = f" ({abs(change) * 100 / Decimal(previous):.1f} %)"
    better = up == (good == Indicator.Direction.UP)
    suffix = " points" if unit == "points" else ""
    return {
        "arrow": "▲" if up else "▼",
        "words": f"{'up' if up else 'down'} {size}{suffix}{pct} {against}".strip(),
        "tone": "better" if better else "worse",
        "verdict": "better" if better else "worse",
    }


def against_target(value, target, *, good="up", unit="", target_words=None):
    """A value against a target, in words: '▲ 5.0 points above the 75 % target — met'."""
    if value is None:
        return {"arrow": "–", "words": "no figure yet", "tone": "none", "verdict": ""}
    change = Decimal(value) - Decimal(target)
    met = change >= 0 if good == "up" else change <= 0
    target_words = target_words or f"{quantity(target)}{' %' if unit == 'points' else ''}"
    if change == 0:
        words = f"exactly on the {target_words} target"
    else:
        gap = quantity(abs(change))
        side = "above" if change > 0 else "below"
        words = f"{gap}{' points' if unit == 'points' else ''} {side} {target_words}"
    return {
        "arrow": "▲" if change > 0 else "▼" if change < 0 else "▶",
        "words": words,
        "tone": "better" if met else "worse",
        "verdict": "target met" if met else "target not met",
    }


def stored_values(codes, *, kind, starts, operation_keys=(0,), area_code=None):
    """{(code, operation_key, period_start): IndicatorValue-like row} for the force (or one area), in
    ONE query, and {code: Indicator} from the same rows' indicators (a second, small query)."""
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    area = {"area__code": area_code} if area_code else {"area__kind": "force"}
    rows = IndicatorValue.objects.filter(
        indicator__code__in=codes, period_kind=kind, period_start__in=list(starts),
        operation_key__in=list(operation_keys), **area,
    ).values_list("indicator__code", "operation_key", "period_start", "value", "numerator")  # fmt: skip
    values = {(code, op, start): (value, numerator) for code, op, start, value, numerator in rows}
    return indicators, values


def value_at(values, indicators, code, op, start):
    """The stored value of a bucket; a missing bucket of a count is 0 (nothing happened), of a rate None."""
    found = values.get((code, op, start))
    if found:
        return quantity(found[0])
    indicator = indicators.get(code)
    return None if indicator is None or indicator.unit == Indicator.Unit.PERCENT else 0


def indicator_rows_url(indicator, *, start, end, operation=None, area=None):
    """The drill-down rows behind one stored value of ``indicator`` for [start, end) (dates)."""
    params = dict(indicator.parameters or {})
    family = family_of(indicator)
    after, before = iso(local_midnight(start)), iso(local_midnight(end))
    if family == OUTCOMES:
        query = {"operation": operation, "area": area, "completed_after": after, "completed_before": before}
        query["kind"] = params.get("kinds") or []
        query["result"] = params.get("results") or []
        fields = params.get("fields") or []
        if fields == ["arrests"]:
            query["with_arrests"] = "true"
        elif len(fields) == 1:
            query["found"] = fields[0]
        return rows_url("outcomes", **query)
    if family == CRIMES:
        groups = params.get("offence_groups") or []
        last = periods.add_months(end, -1) if end.day == 1 else end
        return rows_url(
            "crimes", offence_group=groups[0] if len(groups) == 1 else None, area=area,
            month_from=f"{start:%Y-%m}", month_to=f"{last:%Y-%m}",
        )  # fmt: skip
    if family == TRANSITIONS:
        # The missions that made the counted move in the period, whatever their state now (a
        # mission allocated in May is one of May's allocations though it was completed in June).
        state = params.get("to_state")
        return rows_url(
            "missions", operation=operation, area=area, kind=params.get("kinds") or [],
            history_state=[state] if state else ["completed", "not_completed"],
            history_from_state=params.get("from_states") or [],
            history_after=after, history_before=before,
        )  # fmt: skip
    if family == PATROLS:
        return rows_url(
            "patrols", operation=operation, area=area, period_from=start, period_to=end_minus_day(end)
        )
    if family == VISITS:
        return rows_url("visits", operation=operation, area=area, arrived_after=after, arrived_before=before)
    return None


def end_minus_day(end):
    from datetime import timedelta

    return end - timedelta(days=1)


def sparkline_for(values, label):
    """The scorecard's sparkline when that module is installed; nothing otherwise."""
    try:
        from ...charts import sparkline
    except ImportError:
        return None
    points = [float(v) if v is not None else None for v in values]
    try:
        return sparkline(points, label=label)
    except Exception:  # a chart is decoration: the table beside it carries the numbers
        return None


@lru_cache(maxsize=1)
def facts():
    try:
        return json.loads(FACTS.read_text())
    except (OSError, ValueError):
        return []


def fact_value(words, default):
    """The value of the first reference fact whose description contains ``words``."""
    for fact in facts():
        if words.lower() in str(fact.get("fact", "")).lower():
            return fact.get("value", default)
    return default
