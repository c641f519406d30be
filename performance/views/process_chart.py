"""Process charts: a GET-only page for every signed-in role drawing one indicator's XmR chart and
its table from stored indicator values (a bounded number of points), with an htmx fragment that
answers 204 when nothing changed."""

from datetime import date

from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import engines

from operations.dates import day_from_text

from .. import charts, dashboard, dashboard_text, dashboard_tiles, periods, spc
from ..models import Indicator, IndicatorValue
from .base import DashboardView, live_attributes


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


def _indicator_or_404(code):
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise Http404(f"No indicator {code!r}.")
    return indicator


class ProcessChartView(DashboardView):
    """One indicator's XmR chart for an area and operation, weekly or monthly, and its table."""

    default_points = {periods.MONTH: 36, periods.WEEK: 78}

    def get(self, request, code):
        params = request.GET
        if params.get("indicator") and params["indicator"] != code:  # the form's indicator picker
            query = params.copy()
            target = query.pop("indicator")[-1]
            # Any text may arrive here, not only a code an address can hold: only an indicator's code
            # is redirected to, anything else has the same answer as the address of no indicator.
            url = dashboard.safe_reverse("performance:process-chart", code=_indicator_or_404(target).code)
            if url is None:
                raise Http404(f"No indicator {target!r}.")
            return redirect(f"{url}?{query.urlencode()}" if query else url)
        indicator = _indicator_or_404(code)
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
        values = dashboard_tiles.filled(indicator, stored, starts)
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
        fmt = dashboard_text.formatter(indicator.unit)
        where = (filters.area.name if filters.area else "no area loaded") + (f", {op.name}" if op else "")
        title = f"{indicator.name} by {kind}, {where}: process chart"
        special = sum(1 for p in chart.points if p.special_cause)
        desc = (
            f"{len(chart.points)} periods. {dashboard_text.VARIATION_TEXT[chart.variation][1]} at the latest "
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
            "variation": dashboard_text.VARIATION_TEXT[chart.variation],
            "assurance": dashboard_text.ASSURANCE_TEXT[chart.assurance],
            "target_text": dashboard_text.target_text(indicator),
            "live": live_attributes(request, "chart", version, _chart_query(params)),
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
