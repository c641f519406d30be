"""The hot grids' patrol schedule, the visits that satisfy it, compliance and the gaps where no
visit came, with the request raised to cover one."""

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from operations.audit import audit_record
from operations.dates import day_in_range, day_out_of_range_message
from operations.events import event_emit
from operations.exceptions import Conflict
from operations.models import AuditEntry, Operation

from ..models import HotGrid, PatrolVisit, RequestKind, ScheduledPatrol
from ..models.patrols import FUTURE_ALLOWANCE
from ..models.periods import LONDON
from .periods import period_for

# A hot-spot patrol lasts minutes and an officer's shift at most about 12 hours: a longer visit is a
# mistyped date or a GPS unit left running in the grid, and would swamp the dosage figures.
MAX_VISIT_LENGTH = timedelta(hours=12)


def _arrival_deadline(operation, starts_at, ends_at):
    if operation is not None and operation.patrol_arrival_rule == Operation.ArrivalRule.WITHIN_HOURS:
        # In UTC: local wall-clock arithmetic would make the 24 h 23 or 25 real hours over a clock change.
        return starts_at.astimezone(UTC) + timedelta(hours=operation.patrol_arrival_hours)
    return ends_at


def _window_instances(window, period):
    """(start, end) of each occurrence of ``window`` whose start falls inside ``period``."""
    first_day = period.starts_at.astimezone(LONDON).date()
    for offset in (0, 1):
        day = first_day + timedelta(days=offset)
        if day.weekday() not in window.weekdays:
            continue
        start = datetime.combine(day, window.start_time, tzinfo=LONDON)
        end_day = day if window.end_time > window.start_time else day + timedelta(days=1)
        end = datetime.combine(end_day, window.end_time, tzinfo=LONDON)
        if period.starts_at <= start < period.ends_at:
            yield start, end


@transaction.atomic
def patrol_schedule_generate(*, period):
    """Scheduled patrols for ``period`` from the active, non-control grids. Idempotent."""
    day = period.starts_at.astimezone(LONDON).date()
    grids = (
        HotGrid.objects.filter(Q(active_to__isnull=True) | Q(active_to__gte=day), active_from__lte=day)
        .exclude(trial_arm=HotGrid.Arm.CONTROL)
        .select_related("operation")
        .prefetch_related("windows")
    )
    wanted = []
    for grid in grids:
        for window in grid.windows.all():
            for starts_at, ends_at in _window_instances(window, period):
                wanted.append(
                    ScheduledPatrol(
                        grid=grid, window=window, period=period, starts_at=starts_at, ends_at=ends_at,
                        arrive_by=_arrival_deadline(grid.operation, starts_at, ends_at),
                    )
                )  # fmt: skip
    before = ScheduledPatrol.objects.filter(period=period).count()
    ScheduledPatrol.objects.bulk_create(wanted, ignore_conflicts=True)
    scheduled = ScheduledPatrol.objects.filter(period=period)
    _match_patrols(list(scheduled.filter(compliant_visit__isnull=True)))
    after = scheduled.count()
    if after != before:
        rows = scheduled.values_list("starts_at", "grid__area_id", "grid__operation_id")
        event_emit(
            "patrol.scheduled",
            payload={
                "period": period.pk,
                "days": sorted({timezone.localdate(start).isoformat() for start, _, _ in rows}),
                "areas": sorted({area for _, area, _ in rows}),
                "operations": sorted({op for _, _, op in rows if op}),
            },
            aggregate=period,
        )
    return after


def _match_patrols(patrols):
    """Mark scheduled patrols compliant where an existing visit satisfies them. One read for all of
    them: the schedule is regenerated on every patrol page load, so a query per patrol would not do."""
    if not patrols:
        return
    visits = {}
    for pk, grid_id, arrived_at, left_at in (
        PatrolVisit.objects.filter(
            grid_id__in={p.grid_id for p in patrols},
            arrived_at__lte=max(p.arrive_by for p in patrols),
            left_at__gte=min(p.starts_at for p in patrols),
        )
        .order_by("arrived_at", "pk")
        .values_list("pk", "grid_id", "arrived_at", "left_at")
    ):
        visits.setdefault(grid_id, []).append((pk, arrived_at, left_at))
    for patrol in patrols:
        visit = next(
            (
                pk
                for pk, arrived_at, left_at in visits.get(patrol.grid_id, [])
                if arrived_at <= patrol.arrive_by and left_at >= patrol.starts_at
            ),
            None,
        )
        if visit is not None:
            ScheduledPatrol.objects.filter(pk=patrol.pk, compliant_visit__isnull=True).update(
                compliant_visit_id=visit
            )


@transaction.atomic
def patrol_visit_log(
    *, actor, grid, resource, officer_reference, arrived_at, left_at, source, import_key=None
):
    """Record a visit; any scheduled patrol it satisfies becomes compliant. A visit counts for a
    patrol when the officer was in the grid at some moment from the scheduled start up to the
    operation's arrival deadline (Guardian: 24 h after the start, inclusive; others: the window's end)."""
    _visit_bounds_check(grid=grid, arrived_at=arrived_at, left_at=left_at)
    visit = PatrolVisit(
        grid=grid, resource=resource, officer_reference=officer_reference, arrived_at=arrived_at,
        left_at=left_at, source=source, import_key=import_key,
        logged_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    # In UTC: two datetimes in the same zone subtract by wall clock, an hour out across a clock change.
    dwell = left_at.astimezone(UTC) - arrived_at.astimezone(UTC)
    visit.dwell_minutes = Decimal(dwell / timedelta(minutes=1)).quantize(Decimal("0.01"))
    visit.full_clean(exclude=["import_key"])
    visit.save()
    satisfied = list(
        ScheduledPatrol.objects.filter(
            grid=grid, compliant_visit__isnull=True, starts_at__lte=left_at, arrive_by__gte=arrived_at
        ).values_list("pk", flat=True)
    )
    ScheduledPatrol.objects.filter(pk__in=satisfied, compliant_visit__isnull=True).update(
        compliant_visit=visit
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=visit, changes={"patrols": satisfied})
    event_emit(
        "patrol.visit_logged",
        payload={
            "visit": visit.pk, "grid": grid.pk, "area": grid.area_id, "operation": grid.operation_id,
            "resource": resource.pk, "arrived_at": arrived_at.isoformat(),
            "dwell_minutes": str(visit.dwell_minutes), "patrols": satisfied,
        },
        aggregate=visit,
    )  # fmt: skip
    return visit


def _day_text(day):
    return f"{day.day} {day:%b %Y}"


def _length_text(length):
    """12 h 30 s → "12 hours 1 minute": rounded up, so a refused length never reads as the limit."""
    days, minutes = divmod(math.ceil(length / timedelta(minutes=1)), 24 * 60)
    hours, minutes = divmod(minutes, 60)
    units = ((days, "day"), (hours, "hour"), (minutes, "minute"))
    return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in units if n)


def _visit_bounds_check(*, grid, arrived_at, left_at):
    """A ValidationError on each field of a visit that cannot have happened: outside the app's dates,
    in the future, longer than a shift, or on a grid that was not active at the time."""
    # The days in the times' own zones: a zone's few hours do not matter against the app's range,
    # and converting a year-1 time to London would fall off the start of the calendar.
    errors = {
        field: day_out_of_range_message(value.date())
        for field, value in (("arrived_at", arrived_at), ("left_at", left_at))
        if not day_in_range(value.date())
    }
    if errors:
        raise ValidationError(errors, code="date_out_of_range")
    latest = timezone.now() + FUTURE_ALLOWANCE
    for field, value in (("arrived_at", arrived_at), ("left_at", left_at)):
        if value > latest:
            errors[field] = f"Cannot be in the future (it is now {timezone.localtime():%d %b %Y %H:%M})."
    # In UTC: two datetimes in the same zone subtract by wall clock, an hour out across a clock change.
    length = left_at.astimezone(UTC) - arrived_at.astimezone(UTC)
    if length > MAX_VISIT_LENGTH:
        errors.setdefault(
            "left_at",
            f"A visit lasts at most {_length_text(MAX_VISIT_LENGTH)}, an officer's shift; this one is "
            f"{_length_text(length)}: check the arrival and departure dates.",
        )
    first, last = timezone.localdate(arrived_at), timezone.localdate(left_at)
    # A visit counts when it overlaps the grid's active days, as it would overlap a patrol there.
    if last < grid.active_from or (grid.active_to and first > grid.active_to):
        until = f" to {_day_text(grid.active_to)}" if grid.active_to else ""
        tense = "was" if grid.active_to and grid.active_to < timezone.localdate() else "is"
        errors["grid"] = (
            f"{grid.code} {grid.name} {tense} active from {_day_text(grid.active_from)}{until}: "
            f"a visit on {_day_text(first)} is outside those dates."
        )
    if errors:
        raise ValidationError(errors)


def patrol_gaps_detect(*, now=None):
    """Emit ``patrol.gap`` once for each scheduled patrol whose arrival deadline passed with no
    compliant visit. Claimed with a conditional update, so each gap is announced once."""
    now = now or timezone.now()
    flagged = []
    candidates = ScheduledPatrol.objects.filter(
        arrive_by__lt=now, compliant_visit__isnull=True, gap_flagged_at__isnull=True
    ).values_list("pk", flat=True)
    for patrol_id in list(candidates):
        with transaction.atomic():
            if not ScheduledPatrol.objects.filter(pk=patrol_id, gap_flagged_at__isnull=True).update(
                gap_flagged_at=now
            ):
                continue
            patrol = ScheduledPatrol.objects.select_related("grid").get(pk=patrol_id)
            event_emit(
                "patrol.gap",
                payload={
                    "patrol": patrol.pk, "grid": patrol.grid_id, "area": patrol.grid.area_id,
                    "operation": patrol.grid.operation_id, "period": patrol.period_id,
                    "starts_at": patrol.starts_at.isoformat(),
                },
                aggregate=patrol,
            )  # fmt: skip
            flagged.append(patrol_id)
    return flagged


@transaction.atomic
def patrol_gap_cover(*, actor, patrol, reason=""):
    """Raise a request for force resources to cover a patrol gap (seed 000 §45). Once per gap."""
    from .requests import request_receive

    patrol = (
        ScheduledPatrol.objects.select_for_update().select_related("grid", "grid__area").get(pk=patrol.pk)
    )
    if patrol.compliant_visit_id:
        raise Conflict(f"{patrol} was patrolled: there is no gap to cover.")
    if patrol.cover_request_id:
        raise Conflict(f"Cover for {patrol} was already requested ({patrol.cover_request.reference}).")
    grid = patrol.grid
    request = request_receive(
        actor=actor,
        kind=RequestKind.PATROL_SUPPORT,
        area=grid.area,
        operation_id=grid.operation_id,
        location=f"Hot grid {grid.code} {grid.name}",
        intelligence_summary=(
            f"Hot-grid patrol gap: {grid.code} was not patrolled for the window starting "
            f"{timezone.localtime(patrol.starts_at):%a %d %b %H:%M}. {reason}"
        ).strip(),
        requested_by="TRM: hot-grid gap",
        due_by=max(timezone.now() + timedelta(hours=24), patrol.arrive_by + timedelta(hours=24)),
        reason="hot-grid gap cover",
    )
    patrol.cover_request = request
    patrol.save(update_fields=["cover_request"])
    return request


def patrol_schedule_for(moment=None):
    """Generate (idempotently) and return the tasking period holding ``moment``."""
    period = period_for(moment or timezone.now())
    patrol_schedule_generate(period=period)
    return period
