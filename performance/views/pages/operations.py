"""Operation pages: Vibrant, Sceptre, Guardian and Captiva have their own; any other operation gets its
key figures this month against last. Figures are read from stored indicator values."""

from django.shortcuts import get_object_or_404
from django.utils import timezone

from operations.models import Operation

from ... import periods
from ...models import IndicatorValue
from .base import (
    DashboardPage,
    against_target,
    compare,
    fact_value,
    indicator_rows_url,
    quantity,
    sparkline_for,
    stored_values,
    value_at,
)
from .operation_extra import guardian, sceptre

CRIME_TRENDS = [("burglary", "Burglary"), ("robbery", "Robbery"), ("vehicle_crime", "Vehicle crime")]
CAPTIVA_CODES = [
    ("warrants_firearms", "firearms warrants"), ("warrants_other", "other warrants"),
    ("captiva_visits", "Captiva visits"), ("firearms_recovered", "firearms recovered"),
    ("ammunition_recovered", "rounds of ammunition recovered"),
]  # fmt: skip


def _link_text(value, noun, when):
    return f"{value if value is not None else 'No figure'} {noun} in {when} — show rows"


def vibrant(operation, today, request):
    this = today.replace(day=1)
    window = [periods.add_months(this, -i) for i in range(24, -1, -1)]
    months = window[-12:]
    codes = ["mission_arrests", *(code for code, _ in CRIME_TRENDS)]
    indicators, values = stored_values(
        codes, kind=periods.MONTH, starts=window, operation_keys=(operation.pk, 0)
    )
    target = fact_value("Op Vibrant", 500)
    arrests_indicator = indicators.get("mission_arrests")
    arrests = []
    for month in months:
        value = value_at(values, indicators, "mission_arrests", operation.pk, month)
        before = periods.add_months(month, -1)
        when = periods.label(periods.MONTH, month)
        arrests.append(
            {
                "month": month, "label": when, "value": value,
                "url": arrests_indicator and indicator_rows_url(
                    arrests_indicator, start=month, end=periods.add_months(month, 1), operation=operation.code
                ),
                "link_text": _link_text(value, "arrests", when),
                "against": against_target(value, target, target_words=f"about {target} a month"),
                "change": compare(
                    value, value_at(values, indicators, "mission_arrests", operation.pk, before),
                    against=f"on {periods.label(periods.MONTH, before)}",
                ),
            }
        )  # fmt: skip
    for row in arrests:
        row["comparisons"] = [row["against"], row["change"]]
    # Recorded crime arrives a month or two behind: the trend ends with the latest month stored.
    crime_months = [start for code, op, start in values if op == 0 and code != "mission_arrests"]
    last = max(crime_months) if crime_months else periods.add_months(this, -1)
    trend_months = [periods.add_months(last, -i) for i in range(11, -1, -1)]
    trends = []
    for code, title in CRIME_TRENDS:
        indicator = indicators.get(code)
        if indicator is None:
            continue
        points = []
        for month in trend_months:
            value = value_at(values, indicators, code, 0, month)
            when = periods.label(periods.MONTH, month)
            points.append(
                {
                    "month": month, "label": when, "value": value,
                    "url": indicator_rows_url(indicator, start=month, end=periods.add_months(month, 1)),
                    "link_text": _link_text(value, f"{title.lower()} crimes", when),
                }
            )  # fmt: skip
        latest, year_before = points[-1], periods.add_months(last, -12)
        trends.append(
            {
                "code": code, "title": title, "points": points, "latest": latest,
                "change": compare(
                    latest["value"], points[-2]["value"], good=indicator.good_direction,
                    against=f"on {points[-2]['label']}",
                ),
                "change_year": compare(
                    latest["value"], value_at(values, indicators, code, 0, year_before),
                    good=indicator.good_direction, against=f"on {periods.label(periods.MONTH, year_before)}",
                ),
                "sparkline": sparkline_for(
                    [p["value"] for p in points], f"{title}, 12 months to {latest['label']}"
                ),
            }
        )  # fmt: skip
    rows = [
        {"label": periods.label(periods.MONTH, month), "cells": [t["points"][i] for t in trends]}
        for i, month in enumerate(trend_months)
    ]
    return {
        "target": target,
        "arrests": arrests,
        "this_month": arrests[-1],
        "arrests_sparkline": sparkline_for([a["value"] for a in arrests], "Vibrant arrests, last 12 months"),
        "trends": trends,
        "trend_rows": rows,
        "has_arrests_indicator": arrests_indicator is not None,
    }


def captiva(operation, today, request):
    this = periods.start_of(periods.QUARTER, today)
    last = periods.add_months(this, -3)
    codes = [code for code, _ in CAPTIVA_CODES]
    indicators, values = stored_values(
        codes, kind=periods.QUARTER, starts=[this, last], operation_keys=(operation.pk, 0)
    )
    labels = {"this": periods.label(periods.QUARTER, this), "last": periods.label(periods.QUARTER, last)}
    rows = []
    for code, noun in CAPTIVA_CODES:
        indicator = indicators.get(code)
        if indicator is None:
            continue
        cells = {}
        for scope, op, op_code in (("captiva", operation.pk, operation.code), ("all", 0, None)):
            for when, start in (("this", this), ("last", last)):
                value = value_at(values, indicators, code, op, start)
                cells[f"{scope}_{when}"] = {
                    "value": value,
                    "url": indicator_rows_url(
                        indicator, start=start, end=periods.add_months(start, 3), operation=op_code
                    ),
                    "link_text": _link_text(
                        value, noun + (" (all operations)" if scope == "all" else ""), labels[when]
                    ),
                }
            cells[f"{scope}_change"] = compare(
                cells[f"{scope}_this"]["value"], cells[f"{scope}_last"]["value"],
                good=indicator.good_direction, against=f"on {labels['last']}",
            )  # fmt: skip
        rows.append({"code": code, "name": indicator.name, "comparisons": [cells["captiva_change"]], **cells})
    return {"rows": rows, "labels": labels}


def generic(operation, today, request):
    this = today.replace(day=1)
    last = periods.add_months(this, -1)
    stored = (
        IndicatorValue.objects.filter(
            operation_key=operation.pk,
            area__kind="force",
            period_kind=periods.MONTH,
            period_start__in=[this, last],
        )
        .select_related("indicator")
        .order_by("indicator__sort_order", "indicator__code", "period_start")
    )
    by_indicator = {}
    for row in stored:
        by_indicator.setdefault(row.indicator.code, {"indicator": row.indicator})[row.period_start] = (
            row.value
        )
    figures = []
    labels = {"this": periods.label(periods.MONTH, this), "last": periods.label(periods.MONTH, last)}
    for entry in by_indicator.values():
        indicator = entry["indicator"]
        is_rate = indicator.unit == indicator.Unit.PERCENT
        now = quantity(entry.get(this)) if this in entry or is_rate else 0
        then = quantity(entry.get(last)) if last in entry or is_rate else 0
        figures.append(
            {
                "name": indicator.name, "value": now, "previous": then,
                "unit": "%" if is_rate else "",
                "url": indicator_rows_url(
                    indicator, start=this, end=periods.add_months(this, 1), operation=operation.code
                ),
                "previous_url": indicator_rows_url(indicator, start=last, end=this, operation=operation.code),
                "link_text": f"{now if now is not None else 'No figure'} — {indicator.name.lower()} in "
                f"{labels['this']} — show rows",
                "previous_link_text": (
                    f"{then if then is not None else 'No figure'} in {labels['last']} — show rows"
                ),
                "change": compare(
                    now, then, good=indicator.good_direction, against=f"on {labels['last']}",
                    unit="points" if is_rate else "",
                ),
            }
        )  # fmt: skip
        figures[-1]["comparisons"] = [figures[-1]["change"]]
    return {"figures": figures, "labels": labels}


PAGES = {
    "VIBRANT": ("vibrant", vibrant),
    "SCEPTRE": ("sceptre", sceptre),
    "GUARDIAN": ("guardian", guardian),
    "TGP": ("guardian", guardian),
    "CAPTIVA": ("captiva", captiva),
}


class OperationView(DashboardPage):
    """One operation's page: its own figures, each linked to the rows that make it."""

    section = "operations"

    def get_template_names(self):
        return [f"performance/pages/operation_{self.kind}.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        operation = get_object_or_404(Operation, code__iexact=self.kwargs["code"])
        self.kind, build = PAGES.get(operation.code.upper(), ("generic", generic))
        context.update(operation=operation, page=build(operation, timezone.localdate(), self.request))
        return context
