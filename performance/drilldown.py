"""Drill-down sources: for each kind of row behind a dashboard number, its queryset (with the joins
its columns need), the FilterSet that picks the rows (the API's own where one exists), the columns
shown on the page and written to CSV, and the filters described in words."""

import csv
from dataclasses import dataclass
from datetime import date

from django.http import StreamingHttpResponse
from django.utils import timezone

from operations.models import CrimeRecord
from tasking import selectors
from tasking.filters import MissionFilterSet
from tasking.models import Outcome, PatrolVisit, ScheduledPatrol

from .drilldown_filters import (
    FIND_CHOICES,
    ArmPatrolFilterSet,
    ArmVisitFilterSet,
    CrimeRecordFilterSet,
    OpenRequestFilterSet,
    OutcomeFilterSet,
    crimes_in_grids,
)

CSV_CHUNK = 2000


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
            Column("Grade", lambda r: r.grade_now),
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
