"""Drill-down sources: for each kind of row behind a dashboard number, its queryset (with the joins
its columns need), the FilterSet that picks the rows (the API's own where one exists), the columns
shown on the page and written to CSV, and the filters described in words."""

import csv
from dataclasses import dataclass
from datetime import date

import django_filters
from django import forms
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.utils import timezone

from operations.models import CrimeRecord
from tasking import selectors
from tasking.filters import MissionFilterSet, PatrolVisitFilterSet, RequestFilterSet, ScheduledPatrolFilterSet
from tasking.models import HotGrid, Mission, Outcome, PatrolVisit, Request, RequestKind, ScheduledPatrol

CSV_CHUNK = 2000


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


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _code(obj):
    return getattr(obj, "code", "") or ""


@dataclass(frozen=True)
class Column:
    header: str
    value: object  # fn(row) -> text
    link: object = None  # fn(row) -> URL name and args, for the page only
    numeric: bool = False


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    noun: str
    filterset: type
    queryset: object  # fn() -> QuerySet
    columns: tuple
    order: tuple


def _outcome_finds(outcome):
    return "; ".join(
        f"{getattr(outcome, name)} {label}" for name, label in FIND_CHOICES if getattr(outcome, name)
    )


SOURCES = {
    "missions": Source(
        "missions", "Missions", "mission", MissionFilterSet, selectors.mission_list,
        (
            Column("Mission", lambda m: m.reference, lambda m: ("tasking:mission-detail", m.pk)),
            Column("Kind", lambda m: m.get_kind_display()),
            Column("NPU", lambda m: _code(m.area)),
            Column("Operation", lambda m: _code(m.operation)),
            Column("Resource", lambda m: _code(m.resource)),
            Column("Period", lambda m: m.period.day.isoformat() if m.period else ""),
            Column("State", lambda m: m.get_state_display()),
            Column("Due", lambda m: _local(m.due_by)),
            Column("Finished", lambda m: _local(m.finished_at)),
        ),
        ("-created_at", "-pk"),
    ),
    "outcomes": Source(
        "outcomes", "Mission outcomes", "outcome", OutcomeFilterSet,
        lambda: Outcome.objects.select_related("mission", "mission__area", "mission__operation"),
        (
            Column("Mission", lambda o: o.mission.reference,
                   lambda o: ("tasking:mission-detail", o.mission_id)),
            Column("Kind", lambda o: o.mission.get_kind_display()),
            Column("NPU", lambda o: _code(o.mission.area)),
            Column("Operation", lambda o: _code(o.mission.operation)),
            Column("Completed", lambda o: _local(o.completed_at)),
            Column("Result", lambda o: o.get_result_display()),
            Column("Arrests", lambda o: o.arrests, numeric=True),
            Column("Finds", _outcome_finds),
        ),
        ("-completed_at", "-pk"),
    ),
    "visits": Source(
        "visits", "Patrol visits", "visit", ArmVisitFilterSet,
        lambda: PatrolVisit.objects.select_related("grid", "grid__area", "grid__operation", "resource"),
        (
            Column("Hot grid", lambda v: v.grid.code, lambda v: ("tasking:hot-grid-detail", v.grid_id)),
            Column("NPU", lambda v: _code(v.grid.area)),
            Column("Operation", lambda v: _code(v.grid.operation)),
            Column("Resource", lambda v: _code(v.resource)),
            Column("Officer", lambda v: v.officer_reference),
            Column("Arrived", lambda v: _local(v.arrived_at)),
            Column("Left", lambda v: _local(v.left_at)),
            Column("Minutes", lambda v: v.dwell_minutes, numeric=True),
            Column("Source", lambda v: v.get_source_display()),
        ),
        ("-arrived_at", "-pk"),
    ),
    "patrols": Source(
        "patrols", "Scheduled patrols", "scheduled patrol", ArmPatrolFilterSet,
        lambda: ScheduledPatrol.objects.select_related(
            "grid", "grid__area", "grid__operation", "period", "resource"
        ),
        (
            Column("Hot grid", lambda p: p.grid.code, lambda p: ("tasking:hot-grid-detail", p.grid_id)),
            Column("NPU", lambda p: _code(p.grid.area)),
            Column("Operation", lambda p: _code(p.grid.operation)),
            Column("Period", lambda p: p.period.day.isoformat()),
            Column("Window starts", lambda p: _local(p.starts_at)),
            Column("Arrive by", lambda p: _local(p.arrive_by)),
            Column("Resource", lambda p: _code(p.resource)),
            Column("Compliant", lambda p: "yes" if p.compliant_visit_id else "no"),
            Column("Gap flagged", lambda p: _local(p.gap_flagged_at)),
        ),
        ("-starts_at", "-pk"),
    ),
    "crimes": Source(
        "crimes", "Recorded crimes", "crime", CrimeRecordFilterSet,
        lambda: CrimeRecord.objects.select_related("offence_group", "area"),
        (
            Column("Month", lambda c: f"{c.month:%Y-%m}"),
            Column("Crime type", lambda c: c.crime_type),
            Column("Offence group", lambda c: c.offence_group.name),
            Column("NPU", lambda c: _code(c.area) or "unmapped"),
            Column("Location", lambda c: c.location),
            Column("LSOA", lambda c: c.lsoa_code),
            Column("Last outcome", lambda c: c.last_outcome_category),
            Column("Crime ID", lambda c: c.crime_id),
        ),
        ("-month", "-pk"),
    ),
    "requests": Source(
        "requests", "Requests", "request", OpenRequestFilterSet, selectors.request_list,
        (
            Column("Request", lambda r: r.reference, lambda r: ("tasking:request-detail", r.pk)),
            Column("Kind", lambda r: r.get_kind_display()),
            Column("NPU", lambda r: _code(r.area)),
            Column("Operation", lambda r: _code(r.operation)),
            Column("State", lambda r: r.get_state_display()),
            Column("Grade", lambda r: r.grade),
            Column("Received", lambda r: _local(r.received_at)),
            Column("Due", lambda r: _local(r.due_by)),
            Column("Mission", lambda r: r.mission.reference if getattr(r, "mission", None) else ""),
        ),
        ("due_by", "pk"),
    ),
}  # fmt: skip


def rows_for(source, params):
    """(filterset, ordered queryset) for ``source`` and the query parameters. Invalid values are left
    out of the filtering (django-filter drops them) and reported by ``filter_errors``."""
    data = params.copy()
    for key in ("page", "format"):
        data.pop(key, None)
    filterset = source.filterset(data=data, queryset=source.queryset())
    return filterset, filterset.qs.order_by(*source.order)


def filter_errors(filterset):
    """['Completed at or after: Enter a valid date/time.'] for the values that were ignored."""
    form = filterset.form
    if form.is_valid():
        return []
    return [
        f"{form.fields[name].label or name}: {' '.join(messages)}"
        if name in form.fields
        else " ".join(messages)
        for name, messages in form.errors.items()
    ]


def _describe_value(field, value):
    if isinstance(value, (list, tuple)):
        choices = dict(getattr(field, "choices", []) or [])
        return " or ".join(str(choices.get(v, v)) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return f"{timezone.localtime(value):%a %d %b %Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%a %d %b %Y}"
    choices = dict(getattr(field, "choices", []) or [])
    return str(choices.get(value, value))


def active_filters(filterset):
    """The filters in force, in words: [('Operation code', 'VIBRANT'), …]."""
    form = filterset.form
    form.is_valid()
    described = []
    for name, value in getattr(form, "cleaned_data", {}).items():
        if value in (None, "", [], ()):
            continue
        field = form.fields[name]
        described.append(
            (str(field.label or name.replace("_", " ").capitalize()), _describe_value(field, value))
        )
    return described


class _Echo:
    def write(self, value):
        return value


def csv_response(source, queryset):
    """Every filtered row (all pages) as CSV, streamed in chunks so a big export holds little memory."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow([column.header for column in source.columns])
        for row in queryset.iterator(chunk_size=CSV_CHUNK):
            yield writer.writerow([column.value(row) for column in source.columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{source.name}-{stamp}.csv"'
    return response


__all__ = [
    "SOURCES", "ArmPatrolFilterSet", "ArmVisitFilterSet", "CrimeRecordFilterSet", "OpenRequestFilterSet",
    "OutcomeFilterSet", "active_filters", "crimes_in_grids", "csv_response", "filter_errors", "rows_for",
]  # fmt: skip
