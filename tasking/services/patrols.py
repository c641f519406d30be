"""The hot grids' patrol schedule, the visits that satisfy it, compliance and the gaps where no
visit came, with the request raised to cover one."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from operations.audit import audit_record
from operations.events import event_emit
from operations.exceptions import Conflict
from operations.models import AuditEntry, Operation

from ..models import HotGrid, PatrolVisit, RequestKind, ScheduledPatrol
from ..models.periods import LONDON
from .patrol_visits import day_text, visit_bounds_check
from .periods import period_for


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
def patrol_schedule_generate(*, period, grids=None):
    """Scheduled patrols for ``period`` from the active, non-control grids (only ``grids``, when
    given). Idempotent. Returns how many the period (of those grids) has."""
    day = period.starts_at.astimezone(LONDON).date()
    scheduled = ScheduledPatrol.objects.filter(period=period)
    active = HotGrid.objects.filter(Q(active_to__isnull=True) | Q(active_to__gte=day), active_from__lte=day)
    if grids is not None:
        ids = [grid.pk for grid in grids]
        scheduled, active = scheduled.filter(grid_id__in=ids), active.filter(pk__in=ids)
    wanted = []
    for grid in (
        active.exclude(trial_arm=HotGrid.Arm.CONTROL).select_related("operation").prefetch_related("windows")
    ):
        for window in grid.windows.all():
            for starts_at, ends_at in _window_instances(window, period):
                wanted.append(
                    ScheduledPatrol(
                        grid=grid, window=window, period=period, starts_at=starts_at, ends_at=ends_at,
                        arrive_by=_arrival_deadline(grid.operation, starts_at, ends_at),
                    )
                )  # fmt: skip
    before = scheduled.count()
    ScheduledPatrol.objects.bulk_create(wanted, ignore_conflicts=True)
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
    visit_bounds_check(grid=grid, arrived_at=arrived_at, left_at=left_at)
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


def patrol_gaps_detect(*, now=None):
    """Emit ``patrol.gap`` once for each scheduled patrol whose arrival deadline passed with no
    compliant visit. Claimed with a conditional update, so each gap is announced once. A patrol on
    a day its grid was no longer (or not yet) active is no gap: the grid was not to be patrolled."""
    now = now or timezone.now()
    flagged = []
    candidates = (
        ScheduledPatrol.objects.filter(
            arrive_by__lt=now, compliant_visit__isnull=True, gap_flagged_at__isnull=True
        )
        .annotate(day=TruncDate("starts_at", tzinfo=LONDON))
        .exclude(grid__active_to__lt=F("day"))
        .exclude(grid__active_from__gt=F("day"))
        .values_list("pk", flat=True)
    )
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
    grid, day = patrol.grid, patrol.starts_at.astimezone(LONDON).date()
    if grid.active_to and grid.active_to < day:
        raise Conflict(
            f"{patrol} is not a gap: hot grid {grid.code} was retired, its last active day being "
            f"{day_text(grid.active_to)}, before this patrol's day."
        )
    if grid.active_from > day:
        raise Conflict(
            f"{patrol} is not a gap: hot grid {grid.code} is active only from {day_text(grid.active_from)}."
        )
    if patrol.arrive_by >= timezone.now():
        raise Conflict(
            f"{patrol} is not a gap: the patrol can still be made until "
            f"{timezone.localtime(patrol.arrive_by):%a %d %b %H:%M}."
        )
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
        allow_closed_operation=True,  # the cover carries its grid's operation, even one closed since
    )
    patrol.cover_request = request
    patrol.save(update_fields=["cover_request"])
    return request


def patrol_schedule_for(moment=None):
    """Generate (idempotently) and return the tasking period holding ``moment``."""
    period = period_for(moment or timezone.now())
    patrol_schedule_generate(period=period)
    return period


def grid_patrols_schedule_now(grid):
    """Schedule the current period's patrols at once for a grid that has just become one to patrol
    (out of a trial's control arm), rather than at the schedule's next run; the number added, for
    the caller's audit entry. In the caller's transaction."""
    period = period_for(timezone.now())
    before = ScheduledPatrol.objects.filter(grid=grid, period=period).count()
    return patrol_schedule_generate(period=period, grids=[grid]) - before
