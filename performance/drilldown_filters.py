"""The filters of the drill-down pages beyond the API's own: recorded crime (by month range, NPU,
offence group and hot grid), mission outcomes (by result, arrests and finds), and the trial-arm and
still-open variants of the API's patrol, visit and request filters. ``crimes_in_grids`` is the
point-in-polygon test the crime filter and the operation pages share."""

import django_filters
from django import forms
from django.db.models import Q

from operations.models import CrimeRecord
from tasking.filters import PatrolVisitFilterSet, RequestFilterSet, ScheduledPatrolFilterSet
from tasking.models import HotGrid, Mission, Outcome, Request, RequestKind


class MonthField(forms.DateField):
    """A month as YYYY-MM (or any date in it, YYYY-MM-DD): the first day of that month."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class MonthFilter(django_filters.DateFilter):
    field_class = MonthField


class CrimeRecordFilterSet(django_filters.FilterSet):
    """Recorded crime by month range, NPU (or ``unmapped``), offence group (with its children) and type."""

    month_from = MonthFilter(field_name="month", lookup_expr="gte", label="From month (YYYY-MM)")
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label="To month (YYYY-MM)")
    area = django_filters.CharFilter(method="filter_area", label="Area code (or “unmapped”)")
    offence_group = django_filters.CharFilter(
        method="filter_offence_group", label="Offence group code (includes its sub-groups)"
    )
    crime_type = django_filters.CharFilter(field_name="crime_type", lookup_expr="iexact", label="Crime type")
    is_crime = django_filters.BooleanFilter(
        field_name="offence_group__is_crime", label="Crimes only (yes leaves out anti-social behaviour)"
    )
    in_grids = django_filters.CharFilter(
        method="filter_in_grids", label="Inside the hot grids of (OPERATION or OPERATION:arm)"
    )

    class Meta:
        model = CrimeRecord
        fields = ["month_from", "month_to", "area", "offence_group", "crime_type"]

    def filter_in_grids(self, queryset, name, value):
        code, _, arm = value.partition(":")
        grids = HotGrid.objects.filter(operation__code__iexact=code.strip())
        if arm.strip():
            grids = grids.filter(trial_arm=arm.strip().lower())
        ids = [crime["id"] for crime, _ in crimes_in_grids(queryset, grids)]
        return queryset.filter(id__in=ids)

    def filter_area(self, queryset, name, value):
        if value.strip().lower() == "unmapped":
            return queryset.filter(area__isnull=True)
        return queryset.filter(area__code=value)

    def filter_offence_group(self, queryset, name, value):
        return queryset.filter(Q(offence_group__code=value) | Q(offence_group__parent__code=value))


FIND_CHOICES = [(name, name.replace("_", " ")) for name in Outcome.FIND_FIELDS]


class OutcomeFilterSet(django_filters.FilterSet):
    """Mission outcomes by mission kind, result, NPU, operation, completion time and what was found."""

    kind = django_filters.MultipleChoiceFilter(
        field_name="mission__kind", choices=RequestKind.choices, label="Mission kind"
    )
    result = django_filters.MultipleChoiceFilter(choices=Outcome.Result.choices, label="Result")
    area = django_filters.CharFilter(field_name="mission__area__code", label="Area code")
    operation = django_filters.CharFilter(field_name="mission__operation__code", label="Operation code")
    completed_after = django_filters.IsoDateTimeFilter(
        field_name="completed_at", lookup_expr="gte", label="Completed at or after"
    )
    completed_before = django_filters.IsoDateTimeFilter(
        field_name="completed_at", lookup_expr="lt", label="Completed before"
    )
    with_arrests = django_filters.BooleanFilter(method="filter_with_arrests", label="With arrests")
    found = django_filters.ChoiceFilter(choices=FIND_CHOICES, method="filter_found", label="Found")

    class Meta:
        model = Outcome
        fields = ["kind", "result", "area", "operation"]

    def filter_with_arrests(self, queryset, name, value):
        return queryset.filter(arrests__gte=1) if value else queryset.filter(arrests=0)

    def filter_found(self, queryset, name, value):
        return queryset.filter(**{f"{value}__gt": 0})


def crimes_in_grids(crimes, grids, fields=("id",)):
    """[(crime values, grid values)] for the crimes that fall inside a hot grid's polygon: one query
    narrowed by the grids' bounding boxes, then the exact point-in-polygon test with shapely."""
    from shapely import STRtree
    from shapely.geometry import Point, shape

    grids = list(
        grids.values("pk", "code", "trial_arm", "geometry", "min_lon", "min_lat", "max_lon", "max_lat")
    )
    if not grids:
        return []
    boxes = Q()
    for grid in grids:
        boxes |= Q(
            longitude__gte=grid["min_lon"], longitude__lte=grid["max_lon"],
            latitude__gte=grid["min_lat"], latitude__lte=grid["max_lat"],
        )  # fmt: skip
    tree = STRtree([shape(grid["geometry"]) for grid in grids])
    found = []
    for crime in crimes.filter(boxes).values("longitude", "latitude", *fields):
        hits = tree.query(Point(crime["longitude"], crime["latitude"]), predicate="intersects")
        if len(hits):
            found.append((crime, grids[int(min(hits))]))
    return found


class ArmPatrolFilterSet(ScheduledPatrolFilterSet):
    """The API's scheduled-patrol filters, plus the trial arm of the grid (for the trial read-out)."""

    arm = django_filters.CharFilter(field_name="grid__trial_arm", label="Trial arm (treatment or control)")


class ArmVisitFilterSet(PatrolVisitFilterSet):
    """The API's visit filters, plus the trial arm of the grid."""

    arm = django_filters.CharFilter(field_name="grid__trial_arm", label="Trial arm (treatment or control)")


class OpenRequestFilterSet(RequestFilterSet):
    """The API's request filters, plus a lower deadline bound and 'still open' for the deadline views."""

    due_after = django_filters.IsoDateTimeFilter(
        field_name="due_by", lookup_expr="gte", label="Due at or after"
    )
    open = django_filters.BooleanFilter(method="filter_open", label="Still open")

    def filter_open(self, queryset, name, value):
        # The same rule as the deadline flags: awaiting assessment, or approved with an unfinished mission.
        still_open = Q(state=Request.State.RECEIVED) | Q(
            state=Request.State.APPROVED, mission__state__in=Mission.OPEN_STATES
        )
        return queryset.filter(still_open) if value else queryset.exclude(still_open)
