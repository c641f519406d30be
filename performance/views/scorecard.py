"""The force scorecard: a GET-only page for every signed-in role, one tile per key indicator read
from stored indicator values (bounded queries), with an htmx fragment that answers 204 when nothing
changed."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from .. import dashboard, dashboard_tiles, periods
from .base import DashboardView, live_attributes


class ScorecardView(DashboardView):
    """The force scorecard: one tile per key indicator for an area, operation and period kind."""

    def get(self, request):
        filters = dashboard.filters_from(request.GET)
        indicators = dashboard_tiles.key_indicators()
        version = dashboard_tiles.values_version(
            indicators, filters.area, filters.operation_key, filters.kind
        )
        fragment = request.GET.get("fragment") == "tiles"
        if fragment and request.GET.get("v") == version:
            return HttpResponse(status=204)  # htmx swaps nothing

        chart_kind = filters.kind if filters.kind in dict(dashboard.CHART_KINDS) else periods.MONTH

        def link(indicator):
            url = reverse("performance:process-chart", kwargs={"code": indicator.code})
            return f"{url}?{filters.query(period=chart_kind)}"

        context = {
            "filters": filters,
            "kinds": dashboard.SCORECARD_KINDS,
            "tiles": dashboard_tiles.scorecard_tiles(
                indicators, filters.area, filters.operation_key, filters.kind, link
            ),
            "live": live_attributes(request, "tiles", version, filters.query()),
            "kind_label": dict(dashboard.SCORECARD_KINDS)[filters.kind],
        }
        if fragment:
            return render(request, "performance/_tiles.html", context)
        context["subnav"] = dashboard.subnav(
            "scorecard",
            chart_code=indicators[0].code if indicators else "recorded_crime",
            operation=filters.operation,
            operations=filters.operations,
        )
        return render(request, "performance/scorecard.html", context)
