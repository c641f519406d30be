"""Performance listens to tasking, patrol and import events and marks the buckets they touch."""

from collections import defaultdict
from datetime import date, datetime

from django.utils import timezone

from operations.events import consumer, is_dispatch_deferred

from .calculators import CRIMES, OUTCOMES, PATROLS, TRANSITIONS, VISITS
from .dirty import buckets_mark, buckets_mark_pairs
from .engine import Context
from .reconcile import reconcile_after_commit

MISSION_EVENTS = (
    "mission.allocated",
    "mission.started",
    "mission.outcome_logged",
    "mission.not_completed",
    "mission.cancelled",
)


def _local_day(value):
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return timezone.localdate(moment)


@consumer(*MISSION_EVENTS, name="performance.missions", batch=True)
def on_mission_events(events):
    """A batch of mission events marks its buckets once per family and day."""
    if is_dispatch_deferred():
        return  # a bulk job (the demo loader) recomputes everything once when it finishes
    marks = defaultdict(set)
    for event in events:
        payload = event.payload
        pair = (payload.get("area"), payload.get("operation"))
        marks[(TRANSITIONS, _local_day(event.created_at))].add(pair)
        if event.type == "mission.outcome_logged":
            marks[(OUTCOMES, _local_day(payload["completed_at"]))].add(pair)
    context = Context()
    for (family, day), pairs in sorted(marks.items(), key=lambda item: (item[0][0].name, item[0][1])):
        buckets_mark_pairs(family=family, day=day, pairs=sorted(pairs, key=str), context=context)


@consumer("patrol.visit_logged", name="performance.visits")
def on_visit_logged(event):
    if is_dispatch_deferred():
        return  # a bulk job (the demo loader) recomputes everything once when it finishes
    from tasking.models import ScheduledPatrol

    payload = event.payload
    context = Context()
    areas, operations = [payload["area"]], [payload.get("operation")]
    buckets_mark(
        family=VISITS, day=_local_day(payload["arrived_at"]), area_ids=areas, operation_ids=operations,
        context=context,
    )  # fmt: skip
    starts = ScheduledPatrol.objects.filter(pk__in=payload.get("patrols") or []).values_list(
        "starts_at", flat=True
    )
    for day in {timezone.localdate(start) for start in starts}:
        buckets_mark(family=PATROLS, day=day, area_ids=areas, operation_ids=operations, context=context)


@consumer("patrol.scheduled", name="performance.patrols")
def on_patrols_scheduled(event):
    if is_dispatch_deferred():
        return  # a bulk job (the demo loader) recomputes everything once when it finishes
    payload = event.payload
    context = Context()
    for day in payload["days"]:
        buckets_mark(
            family=PATROLS, day=date.fromisoformat(day), area_ids=payload["areas"],
            operation_ids=payload["operations"], context=context,
        )  # fmt: skip


@consumer("crime.imported", name="performance.crimes")
def on_crimes_imported(event):
    if is_dispatch_deferred():
        return  # a bulk job (the demo loader) recomputes everything once when it finishes
    payload = event.payload
    context = Context()
    for month in payload["months"]:
        buckets_mark(
            family=CRIMES, day=date.fromisoformat(month), area_ids=payload.get("areas") or [None],
            operation_ids=[None], context=context,
        )  # fmt: skip


@consumer("request.area_corrected", name="performance.area_corrections")
def on_area_corrected(event):
    """A request moved to another NPU: its mission's days are recomputed for both NPUs."""
    if is_dispatch_deferred():
        return
    payload = event.payload
    pairs = [(payload["from"], payload["operation"]), (payload["to"], payload["operation"])]
    context = Context()
    for day in payload["history_days"]:
        buckets_mark_pairs(family=TRANSITIONS, day=date.fromisoformat(day), pairs=pairs, context=context)
    if payload["outcome_day"]:
        day = date.fromisoformat(payload["outcome_day"])
        buckets_mark_pairs(family=OUTCOMES, day=day, pairs=pairs, context=context)


# The fields of reference rows that indicator values are computed from, by model: a change to one
# of them changes figures across all of history.
FIGURE_FIELDS = {
    "operations.area": {"population", "kind", "parent_id"},
    "operations.offencegroup": {"harm_weight", "severity_weight", "is_crime", "parent_id"},
    "performance.indicator": {"calculator", "parameters", "unit", "active"},
    "tasking.hotgrid": {"area_id", "operation_id"},
}


@consumer("reference.changed", name="performance.reference", batch=True)
def on_reference_changed(events):
    """A change to what figures are computed from recomputes them all (once for the batch)."""
    if is_dispatch_deferred():
        return
    for event in events:
        if FIGURE_FIELDS.get(event.payload.get("model"), set()) & set(event.payload.get("fields", [])):
            reconcile_after_commit()
            return
