"""Patrols: hot-grid compliance and dosage per NPU over a date range, with the hot-grid map."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from operations.dates import validate_in_range
from operations.models import Area
from tasking.forms import date_input
from tasking.models import HotGrid, PatrolVisit, ScheduledPatrol
from tasking.patrol_stats import compliance_rows, compliance_total, dosage_rows

from .base import DashboardPage, against_target, iso, local_midnight, quantity, rows_url
from .operation_extra import _compliance_target

DEFAULT_DAYS = 28
BANDS = [
    ("meets", "Meets the target"),
    ("below", "Below the target by up to 25 points"),
    ("far", "More than 25 points below the target"),
    ("none", "No patrols scheduled in the range"),
]


class RangeForm(forms.Form):
    """The range of tasking periods; a day outside the dates the app covers is a field error, and the
    page then shows its default range."""

    date_from = forms.DateField(
        label="From (tasking period day)", required=False, widget=date_input(), validators=[validate_in_range]
    )
    date_to = forms.DateField(
        label="To (inclusive)", required=False, widget=date_input(), validators=[validate_in_range]
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise forms.ValidationError("The end of the range is before its start.")
        return data


def band(pct, target):
    if pct is None:
        return "none"
    if pct >= target:
        return "meets"
    return "below" if pct >= target - 25 else "far"


class PatrolsView(DashboardPage):
    template_name = "performance/pages/patrols.html"
    section = "patrols"

    def range(self):
        today = timezone.localdate()
        start, end = today - timedelta(days=DEFAULT_DAYS - 1), today
        form = RangeForm(self.request.GET or None)
        if form.is_bound and form.is_valid():
            start = form.cleaned_data["date_from"] or start
            end = form.cleaned_data["date_to"] or max(end, start)
        if not form.is_bound:
            form = RangeForm(initial={"date_from": start, "date_to": end})
        return form, start, end

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, start, end = self.range()
        target = _compliance_target()
        patrols = ScheduledPatrol.objects.filter(period__day__gte=start, period__day__lte=end)
        lower, upper = local_midnight(start), local_midnight(end + timedelta(days=1))
        visits = PatrolVisit.objects.filter(arrived_at__gte=lower, arrived_at__lt=upper)
        after, before = iso(lower), iso(upper)
        scope = {"period_from": start, "period_to": end}
        visit_scope = {"arrived_after": after, "arrived_before": before}
        dosage = {row["key"]: row for row in dosage_rows(visits, by="area")}
        names = dict(Area.objects.filter(kind=Area.Kind.NPU).values_list("code", "name"))
        rows = []
        for row in compliance_rows(patrols, by="area"):
            rows.append(self._row(row, dosage.pop(row["key"], None), target, scope, visit_scope, names))
        for key, dose in dosage.items():  # visits in grids with nothing scheduled in the range
            empty = {"key": key, "scheduled": 0, "compliant": 0, "gaps": 0, "compliance_pct": None}
            rows.append(self._row(empty, dose, target, scope, visit_scope, names))
        rows.sort(key=lambda r: r["area"] or "")
        total = compliance_total(patrols)
        total["gaps"] = total["scheduled"] - total["compliant"]
        total["against"] = against_target(total["compliance_pct"], target, unit="points")
        total["scheduled_url"] = rows_url("patrols", **scope)
        total["compliant_url"] = rows_url("patrols", **scope, compliant="true")
        total["gaps_url"] = rows_url("patrols", **scope, compliant="false")
        total["visits"] = sum(r["visits"] for r in rows)
        total["minutes"] = sum(r["minutes"] or 0 for r in rows)
        total["effective_visits"] = sum(r["effective_visits"] for r in rows)
        total["visits_url"] = rows_url("visits", **visit_scope)
        grids, features = self.grids(patrols, target, scope)
        context.update(
            form=form, start=start, end=end, target=quantity(target), rows=rows, total=total, grids=grids,
            bands=BANDS, map_data={"type": "FeatureCollection", "features": features},
        )  # fmt: skip
        return context

    def _row(self, row, dose, target, scope, visit_scope, names):
        code = row["key"]
        dose = dose or {"visits": 0, "minutes": 0, "effective_visits": 0}
        area = {"area": code}
        return {
            "area": code, "name": names.get(code, ""), **row,
            "visits": dose["visits"], "minutes": quantity(dose["minutes"]),
            "effective_visits": dose["effective_visits"],
            "against": against_target(row["compliance_pct"], target, unit="points"),
            "band": band(row["compliance_pct"], target),
            "scheduled_url": rows_url("patrols", **area, **scope),
            "compliant_url": rows_url("patrols", **area, **scope, compliant="true"),
            "gaps_url": rows_url("patrols", **area, **scope, compliant="false"),
            "visits_url": rows_url("visits", **area, **visit_scope),
        }  # fmt: skip

    def grids(self, patrols, target, scope):
        """Each grid patrolled in the range with its compliance band, for the table and the map."""
        by_grid = {row["key"]: row for row in compliance_rows(patrols, by="grid")}
        shapes = HotGrid.objects.filter(code__in=list(by_grid)).values_list(
            "code", "name", "area__code", "geometry"
        )
        grids, features = [], []
        for code, name, area, geometry in shapes.order_by("area__code", "code"):
            row = by_grid[code]
            grid = {
                "code": code, "name": name, "area": area, **row, "band": band(row["compliance_pct"], target),
                "scheduled_url": rows_url("patrols", grid=code, **scope),
                "compliant_url": rows_url("patrols", grid=code, **scope, compliant="true"),
            }  # fmt: skip
            grid["band_label"] = dict(BANDS)[grid["band"]]
            grids.append(grid)
            pct = row["compliance_pct"]
            features.append(
                {
                    "type": "Feature", "geometry": geometry,
                    "properties": {
                        "code": code, "name": name, "area": area, "band": grid["band"],
                        "label": f"{code}: {pct if pct is not None else '–'} % compliant "
                        f"({row['compliant']} of {row['scheduled']}) — {grid['band_label'].lower()}",
                        "url": grid["compliant_url"],
                    },
                }
            )  # fmt: skip
        return grids, features
