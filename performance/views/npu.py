"""NPU tables: a GET-only page for every signed-in role comparing any indicator across the NPUs for
two periods, with the standard % change, shown on screen or downloaded as CSV."""

import csv

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from operations.models import OffenceGroup, Operation

from .. import dashboard, reporting
from ..models import Indicator
from .base import DashboardView

CSV_COLUMNS = ["NPU", "Current", "Previous", "Change", "% change", "Direction", "Rate per 1,000 residents"]
DIRECTION_WORDS = {"up": ("↑", "up"), "down": ("↓", "down"), "same": ("→", "no change")}
DEFAULT_INDICATOR = "recorded_crime"  # the measure of the force's paper NPU tables


def _default_periods(today=None):
    """The last full calendar year against the year before."""
    year = (today or timezone.localdate()).year - 1
    return str(year), str(year - 1)


def default_indicator(indicators):
    """Recorded crime while it is active, else the first active indicator in catalogue order (sort
    order, then code), else None when no indicator is active."""
    return next((i for i in indicators if i.code == DEFAULT_INDICATOR), indicators[0] if indicators else None)


class NpuTableView(DashboardView):
    """Seed 000's NPU tables for any indicator and pair of periods, with the standard % change."""

    def get(self, request):
        indicators = list(
            Indicator.objects.filter(active=True)
            .only("id", "code", "name", "good_direction")
            .order_by("sort_order", "code")
        )
        fallback = default_indicator(indicators)
        groups = list(OffenceGroup.objects.filter(is_crime=True).only("id", "code", "name").order_by("name"))
        default_period, default_compare = _default_periods()
        form = {
            "indicator": request.GET.get("indicator") or (fallback.code if fallback else ""),
            "period": (request.GET.get("period") or default_period).strip(),
            "compare": (request.GET.get("compare") or default_compare).strip(),
            "offence_group": request.GET.get("offence_group") or "",
        }
        errors, table = {}, None
        indicator = next((i for i in indicators if i.code == form["indicator"]), None)
        if indicator is None:
            errors["indicator"] = f"No indicator {form['indicator']!r}."
        group = next((g for g in groups if g.code == form["offence_group"]), None)
        if form["offence_group"] and group is None:
            errors["offence_group"] = f"No offence group {form['offence_group']!r}."
        parsed = {}
        for name in ("period", "compare"):
            try:
                parsed[name] = reporting.period_parse(form[name])
            except ValidationError as exc:
                errors[name] = exc.messages[0]
        if not indicators:  # nothing to compare: the page says so, whatever was chosen
            errors = {}
        if indicator and not errors:
            table = reporting.benchmark_table(
                indicator=indicator, period=parsed["period"], compare=parsed["compare"], offence_group=group
            )
            up_is_good = indicator.good_direction == Indicator.Direction.UP
            for row in [*table["rows"], table["total"]]:
                row["arrow"], row["direction_words"] = DIRECTION_WORDS[row["direction"]]
                if row["direction"] != "same":
                    row["better"] = "better" if (row["direction"] == "up") == up_is_good else "worse"
            if request.GET.get("format") == "csv":
                return _csv(table, indicator)
        context = {
            "form": form,
            "errors": errors,
            "indicators": indicators,
            "groups": groups,
            "indicator": indicator,
            "table": table,
            "csv_query": request.GET.urlencode() + "&format=csv" if request.GET else "format=csv",
            "subnav": dashboard.subnav(
                "npu",
                chart_code=indicator.code if indicator else None,
                operations=Operation.objects.filter(status=Operation.Status.ACTIVE).order_by("name")[:1],
            ),
        }
        return render(request, "performance/npu_table.html", context, status=400 if errors else 200)


def _csv(table, indicator):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{indicator.code}_{table['period']['text']}_vs_{table['compare']['text']}".replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="{name.replace("..", "_to_")}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in [*table["rows"], table["total"]]:
        writer.writerow(
            [row["area"], row["current"], row["previous"], row["change"], row["pct_change"] or "",
             row["direction_words"], row["rate_per_1000"] or ""]
        )  # fmt: skip
    return response
