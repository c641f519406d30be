"""Scorecard, NPU tables and process charts: GET-only pages for every signed-in role, reading stored
indicator values (bounded queries), with htmx fragments that answer 204 when nothing changed."""

import csv
import json
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import engines
from django.urls import path, reverse
from django.utils import timezone
from django.views import View

from operations.dates import day_from_text
from operations.models import OffenceGroup, Operation
from operations.permissions import RoleRequiredMixin
from operations.roles import Role

from .. import charts, dashboard, periods, reporting, spc
from ..models import Indicator, IndicatorValue

LIVE_SECONDS = 5


class DashboardView(RoleRequiredMixin, View):
    read_role = Role.VIEWER
    http_method_names = ["get", "head", "options"]


def _live(request, fragment, version, query):
    """The htmx polling attributes: the same URL as a fragment, carrying the version last seen."""
    return {
        "url": f"{request.path}?{query}&fragment={fragment}"
        if query
        else f"{request.path}?fragment={fragment}",
        "vals": json.dumps({"v": version}),
        "seconds": LIVE_SECONDS,
    }


class ScorecardView(DashboardView):
    """The force scorecard: one tile per key indicator for an area, operation and period kind."""

    def get(self, request):
        filters = dashboard.filters_from(request.GET)
        indicators = dashboard.key_indicators()
        version = dashboard.values_version(indicators, filters.area, filters.operation_key, filters.kind)
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
            "tiles": dashboard.scorecard_tiles(
                indicators, filters.area, filters.operation_key, filters.kind, link
            ),
            "live": _live(request, "tiles", version, filters.query()),
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


# ------------------------------------------------------------------------------------ NPU tables

CSV_COLUMNS = ["NPU", "Current", "Previous", "Change", "% change", "Direction", "Rate per 1,000 residents"]
DIRECTION_WORDS = {"up": ("↑", "up"), "down": ("↓", "down"), "same": ("→", "no change")}


def _default_periods(today=None):
    """The last full calendar year against the year before."""
    year = (today or timezone.localdate()).year - 1
    return str(year), str(year - 1)


class NpuTableView(DashboardView):
    """Seed 000's NPU tables for any indicator and pair of periods, with the standard % change."""

    def get(self, request):
        indicators = list(Indicator.objects.filter(active=True).only("id", "code", "name", "good_direction"))
        groups = list(OffenceGroup.objects.filter(is_crime=True).only("id", "code", "name").order_by("name"))
        default_period, default_compare = _default_periods()
        form = {
            "indicator": request.GET.get("indicator") or "recorded_crime",
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
        if not errors:
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
                chart_code=form["indicator"] if indicator else "recorded_crime",
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


# -------------------------------------------------------------------------------- process chart


def _iso(text, errors, name):
    day, error = day_from_text(text)
    if error:
        errors[name] = error
    return day


# The most points one process chart draws: five years of weeks, ten years of months. Wider than that
# the points are too close to read on screen or in print (a longer view is the monthly chart), and
# the page's cost grows with every point, stored or not.
MAX_POINTS = {periods.MONTH: 120, periods.WEEK: 260}


def points_between(kind, first, last):
    """How many weekly or monthly points run from the period starting ``first`` to ``last``."""
    if kind == periods.WEEK:
        return (last - first).days // 7 + 1
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _axis_label(kind, start):
    return f"{start:%d %b}" if kind == periods.WEEK else f"{start:%b %y}"


class ProcessChartView(DashboardView):
    """One indicator's XmR chart for an area and operation, weekly or monthly, and its table."""

    default_points = {periods.MONTH: 36, periods.WEEK: 78}

    def get(self, request, code):
        params = request.GET
        if params.get("indicator") and params["indicator"] != code:  # the form's indicator picker
            query = params.copy()
            target = query.pop("indicator")[-1]
            url = reverse("performance:process-chart", kwargs={"code": target})
            return redirect(f"{url}?{query.urlencode()}" if query else url)
        indicator = get_object_or_404(Indicator, code=code)
        filters = dashboard.filters_from(params, dashboard.CHART_KINDS)
        errors = dict(filters.errors)
        kind = filters.kind
        start, end = _iso(params.get("from"), errors, "from"), _iso(params.get("to"), errors, "to")
        breaks = []
        for part in (params.get("breaks") or "").split(","):
            if part.strip() and (when := _iso(part, errors, "breaks")):
                breaks.append(when)
        baseline = None
        if params.get("baseline"):
            try:
                baseline = int(params["baseline"])
                if baseline < 12:
                    raise ValueError
            except ValueError:
                errors["baseline"] = "The baseline is a whole number of points, 12 or more."
                baseline = None

        rows = IndicatorValue.objects.filter(
            indicator=indicator, area=filters.area, operation_key=filters.operation_key, period_kind=kind
        )
        stats = rows.aggregate(latest=Max("computed_at"), n=Count("id"), last=Max("period_start"))
        version = f"{stats['latest'].isoformat() if stats['latest'] else 'none'}|{stats['n']}"
        fragment = params.get("fragment") == "chart"
        if fragment and params.get("v") == version:
            return HttpResponse(status=204)

        last = periods.start_of(kind, end) if end else stats["last"]
        first = periods.start_of(kind, start) if start else None
        if last and first and points_between(kind, first, last) > MAX_POINTS[kind]:
            errors["from"] = (
                f"A {kind}ly chart shows at most {MAX_POINTS[kind]} points: choose a shorter range "
                f"(showing the last {self.default_points[kind]} {kind}s to {last:%d %b %Y})."
            )
            start = first = None
        if last and first is None:
            first = dashboard.shift(kind, last, 1 - self.default_points[kind])
        starts = []
        if last and first and first <= last:
            starts.append(first)
            while starts[-1] < last:
                starts.append(dashboard.shift(kind, starts[-1], 1))
        stored = dict(
            rows.filter(period_start__gte=first or date.min, period_start__lte=last or date.max).values_list(
                "period_start", "value"
            )
        )
        if stored and not start:  # by default the chart begins with the first stored value
            starts = [s for s in starts if s >= min(stored)]
        values = dashboard.filled(indicator, stored, starts)
        marks = [(when, f"Break {when:%d %b %Y}") for when in breaks]
        op = filters.operation
        if op and op.start_date:
            marks.append((op.start_date, f"{op.code} starts {op.start_date:%d %b %Y}"))
        target = (
            float(indicator.target_value)
            if indicator.target_kind == Indicator.TargetKind.ABSOLUTE and indicator.target_value is not None
            else None
        )
        chart = spc.xmr(
            [(s, None if v is None else float(v)) for s, v in zip(starts, values, strict=True)],
            good_direction=indicator.good_direction, breaks=[when for when, _ in marks],
            baseline=baseline, target=target,
        )  # fmt: skip
        fmt = dashboard.formatter(indicator.unit)
        where = (filters.area.name if filters.area else "no area loaded") + (f", {op.name}" if op else "")
        title = f"{indicator.name} by {kind}, {where}: process chart"
        special = sum(1 for p in chart.points if p.special_cause)
        desc = (
            f"{len(chart.points)} periods. {dashboard.VARIATION_TEXT[chart.variation][1]} at the latest "
            f"point; "
            f"{special} special-cause points. The same data is in the table below the chart."
        )
        break_at = {}
        for when, text in marks:
            if (
                hit := next((p.period_start for p in chart.points if p.period_start >= when), None)
            ) is not None:
                break_at.setdefault(hit, []).append(text)
        table = [
            {
                "period": periods.label(kind, p.period_start),
                "value": fmt(p.value) if p.value is not None else "no value",
                "mean": fmt(p.mean) if p.mean is not None else "",
                "lower": fmt(p.lower_limit) if p.lower_limit is not None else "",
                "upper": fmt(p.upper_limit) if p.upper_limit is not None else "",
                "signals": charts.signal_words(p),
                "kind": p.special_cause or "common",
                "breaks": break_at.get(p.period_start, []) if p is not chart.points[0] else [],
            }
            for p in chart.points
        ]
        context = {
            "indicator": indicator,
            "filters": filters,
            "kinds": dashboard.CHART_KINDS,
            "form": {k: params.get(k, "") for k in ("from", "to", "breaks", "baseline")},
            "errors": errors,
            "chart": chart,
            "svg": charts.process_chart(
                chart,
                labels=[_axis_label(kind, s) for s in starts],
                point_labels=[periods.label(kind, s) for s in starts],
                fmt=fmt,
                breaks=marks,
                title=title,
                desc=desc,
            ),
            "title": title,
            "table": table,
            "trial": any(p.trial for p in chart.points),
            "variation": dashboard.VARIATION_TEXT[chart.variation],
            "assurance": dashboard.ASSURANCE_TEXT[chart.assurance],
            "target_text": dashboard.target_text(indicator),
            "live": _live(request, "chart", version, _chart_query(params)),
        }
        if fragment:  # the same template, inheriting from a parent that renders only the live block
            context["base"] = engines["django"].from_string("{% block live %}{% endblock %}")
            return render(request, "performance/process_chart.html", context)
        context["base"] = "performance/layout.html"
        context["indicators"] = list(Indicator.objects.filter(active=True).only("id", "code", "name"))
        context["subnav"] = dashboard.subnav(
            "chart", chart_code=code, operation=filters.operation, operations=filters.operations
        )
        return render(request, "performance/process_chart.html", context)


def _chart_query(params):
    query = params.copy()
    for name in ("fragment", "v", "indicator"):
        query.pop(name, None)
    return query.urlencode()


urlpatterns = [
    path("", ScorecardView.as_view(), name="scorecard"),
    path("npu/", NpuTableView.as_view(), name="npu-table"),
    path("indicators/<slug:code>/", ProcessChartView.as_view(), name="process-chart"),
]
