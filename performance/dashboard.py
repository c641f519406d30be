"""What every supervisor dashboard page shares: the period kinds it offers, the filters it reads
from the query string (area, operation and period kind), period arithmetic, and the dashboards' own
menu."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Case, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from operations.models import Area, Operation

from . import periods
from .models import Indicator

SCORECARD_KINDS = [
    (periods.MONTH, "Month"),
    (periods.WEEK, "Week"),
    (periods.QUARTER, "Quarter"),
    (periods.YEAR, "Calendar year"),
    (periods.FINANCIAL_YEAR, "Financial year"),
    (periods.ROLLING_12, "Rolling 12 months"),
]
CHART_KINDS = [(periods.MONTH, "Month"), (periods.WEEK, "Week")]


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


# --------------------------------------------------------------------------------------- links


def safe_reverse(name, **kwargs):
    """A URL, or None while that page is not installed (other dashboard pages arrive separately)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def chart_code_or_first(code):
    """``code`` while it names an active indicator, else the first active indicator in catalogue
    order (sort order, then code), else None: indicators are deactivated and renamed in the admin."""
    return (
        Indicator.objects.filter(active=True)
        .order_by(Case(When(code=code or "", then=0), default=1), "sort_order", "code")
        .values_list("code", flat=True)
        .first()
    )


def subnav(active, *, chart_code, operation=None, operations=()):
    """The dashboards' own menu; pages that are not installed yet are left out, and so are the
    process charts while no indicator is active."""
    op = operation or next((o for o in operations if o.status == Operation.Status.ACTIVE), None)
    chart = chart_code_or_first(chart_code)
    items = [
        ("scorecard", "Scorecard", safe_reverse("performance:scorecard")),
        ("npu", "NPU tables", safe_reverse("performance:npu-table")),
        ("chart", "Process charts", chart and safe_reverse("performance:process-chart", code=chart)),
        ("operation", "Operations", op and safe_reverse("performance:operation", code=op.code)),
        ("patrols", "Patrols", safe_reverse("performance:patrols")),
        ("today", "Today", safe_reverse("performance:today")),
        ("trm", "TRM pack", safe_reverse("performance:trm-pack", date=timezone.localdate().isoformat())),
    ]
    return [{"key": k, "label": label, "url": url, "active": k == active} for k, label, url in items if url]
