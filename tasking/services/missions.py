"""The mission life cycle. Each transition: one function, one history row, one audit entry and
one outbox event, in one transaction; an illegal move or a stale version is a 409 Conflict."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from operations.audit import audit_record
from operations.events import event_emit
from operations.exceptions import Conflict, Forbidden
from operations.models import AuditEntry
from operations.roles import Role, has_role

from ..models import Mission, MissionTransition, OperationTarget, Outcome, RequestKind
from .outcome_statement import outcome_log_statement
from .periods import capacity_used, period_for, period_for_day, resource_period_locked

S = Mission.State

# How far ahead a mission may be allocated. Tasking is planned a period at a time and reviewed at
# the daily TRM against the priorities the monthly FTDB sets: four weeks covers any planned
# operation, and a period further out is almost always a slip of the date.
ALLOCATION_HORIZON = timedelta(days=28)


def state_label(state):
    """The state as the screens name it ("not completed", not "not_completed"), for messages."""
    return S(state).label.lower()


def mission_locked(mission, expected_version=None, *, wanted=None):
    """The mission, locked until the transaction ends and read with its related rows.

    A stale ``expected_version`` is a Conflict. When the mission is already in the state the
    caller asked for (``wanted``), someone else made the same change a moment ago (a second click,
    a colleague): the message says so rather than that it "was changed"."""
    # The row is locked alone, then read with its related rows. Locking through the joins would
    # let PostgreSQL re-check a row changed while this waited (a new resource, a corrected NPU)
    # against the related rows it had joined before, and drop it: a mission that exists would be
    # "not found". Read after the lock, the row and its related rows are the committed ones.
    Mission.objects.select_for_update().filter(pk=mission.pk).values_list("pk", flat=True).get()
    current = Mission.objects.select_related("request", "area", "operation", "resource", "period").get(
        pk=mission.pk
    )
    if expected_version is not None and int(expected_version) != current.version:
        if wanted is not None and current.state == wanted:
            message = (
                f"{current.reference} is already {state_label(wanted)}: someone else did this a moment "
                "ago. Reload it to see the latest."
            )
        else:
            message = (
                f"{current.reference} was changed by someone else (version {current.version}, "
                f"you had {expected_version}). Reload it and try again."
            )
        raise Conflict(message, current_state=current.state, current_version=current.version)
    return current


def _check_move(mission, to_state):
    if not mission.can_move_to(to_state):
        allowed = mission.allowed_transitions()
        state = state_label(mission.state)
        if mission.state == to_state:
            message = f"{mission.reference} is already {state}."
        else:
            message = (
                f"{mission.reference} is {state}: it cannot move to {state_label(to_state)}. "
                f"Allowed from {state}: {', '.join(map(state_label, allowed)) or 'none (final state)'}."
            )
        raise Conflict(message, current_state=mission.state, allowed=allowed)


def _check_period(period, *, now):
    """A period a mission may be allocated into: not one already over, nor beyond the horizon."""
    if period.ends_at <= now:
        message = f"The period {period} has already ended; allocate into the current period or a later one."
    elif period.starts_at > now + ALLOCATION_HORIZON:
        message = (
            f"The period {period} is too far ahead: allocate into a period that starts within "
            f"{ALLOCATION_HORIZON.days} days."
        )
    else:
        return
    raise ValidationError({"period": message})


def _record(mission, *, actor, from_state, event_type, reason="", details=None, payload=None):
    mission.version += 1
    mission.save()
    MissionTransition.of(
        mission, from_state=from_state, to_state=mission.state, actor=actor, reason=reason,
        details=details or {},
    ).save(force_insert=True)  # fmt: skip
    audit_record(
        actor=actor, action=AuditEntry.Action.TRANSITION, obj=mission,
        changes={"state": [from_state, mission.state], **(details or {})}, reason=reason,
    )  # fmt: skip
    event_emit(
        event_type,
        payload={
            "mission": mission.pk, "kind": mission.kind, "area": mission.area_id,
            "operation": mission.operation_id, "resource": mission.resource_id,
            "period": mission.period_id, "from": from_state, "to": mission.state,
            **(payload or {}),
        },
        aggregate=mission,
    )  # fmt: skip
    return mission


@transaction.atomic
def mission_allocate(
    *, actor, mission, resource, period=None, reason="", override_reason="", expected_version=None,
    allow_past=False,
):  # fmt: skip
    """Allocate a pending mission, re-allocate an allocated one to another resource within its
    period (a reason is required), or carry a not-completed one over into a later period.

    A pending or carried-over mission goes into a period that has not ended and starts within
    ``ALLOCATION_HORIZON``; ``period`` may be one not created yet (it is created once the rest is
    accepted). ``allow_past`` is only for the demo data builder, which replays past periods as if
    each were the current one. Allocation beyond the resource's capacity is refused unless a
    Supervisor overrides it with a reason. The (resource, period) row is locked first, so
    concurrent allocations never overfill.
    """
    mission = mission_locked(mission, expected_version, wanted=S.ALLOCATED)
    _check_move(mission, S.ALLOCATED)
    from_state = mission.state
    details = {"resource": [mission.resource_id, resource.pk]}
    if not resource.active:
        raise ValidationError({"resource": f"{resource} is not in service."})
    if from_state == S.ALLOCATED:
        if not reason.strip():
            raise ValidationError({"reason": "Say why the mission is being re-allocated."})
        if period is not None and period.pk != mission.period_id:
            raise ValidationError({"period": "Re-allocation stays within the period; carry over instead."})
        if resource.pk == mission.resource_id:
            raise ValidationError({"resource": "The mission is already allocated to this resource."})
        period = mission.period
    else:
        period = period or period_for(timezone.now())
        if not allow_past:
            _check_period(period, now=timezone.now())
        if from_state == S.NOT_COMPLETED:
            if mission.period_id and period.starts_at <= mission.period.starts_at:
                raise ValidationError({"period": "A carried-over mission goes into a later period."})
            mission.carry_overs += 1
            details["carried_over_from_period"] = mission.period_id
        if period.pk is None:
            period = period_for_day(period.day)
    details["period"] = [mission.period_id, period.pk]

    slot = resource_period_locked(resource, period)
    used = capacity_used(resource, period, exclude_mission=mission)
    if used >= slot.effective_capacity:
        if not override_reason.strip():
            raise Conflict(
                f"{resource} is full for this period ({used} of {slot.effective_capacity}). "
                "A Supervisor can override with a reason.",
                capacity=slot.effective_capacity,
                used=used,
            )
        if not has_role(actor, Role.SUPERVISOR):
            raise Forbidden("Only a Supervisor can allocate beyond a resource's capacity.")
        details["capacity_override"] = override_reason
    mission.resource, mission.period, mission.state = resource, period, S.ALLOCATED
    mission.allocated_at = timezone.now()
    mission.state_reason = ""
    return _record(
        mission, actor=actor, from_state=from_state, event_type="mission.allocated",
        reason=reason or override_reason, details=details,
        payload={"previous_resource": details["resource"][0], "previous_period": details["period"][0]},
    )  # fmt: skip


@transaction.atomic
def mission_start(*, actor, mission, expected_version=None):
    mission = mission_locked(mission, expected_version, wanted=S.IN_PROGRESS)
    _check_move(mission, S.IN_PROGRESS)
    mission.state, mission.started_at = S.IN_PROGRESS, timezone.now()
    return _record(mission, actor=actor, from_state=S.ALLOCATED, event_type="mission.started")


def mission_log_outcome(*, actor, mission, expected_version=None, allow_before_start=False, **fields):
    """Complete a mission with its outcome. An arrest ticks off a matching operation target; a
    curfew breach raises a follow-up arrest request linked to the check.

    The outcome cannot be dated before the mission was started. ``allow_before_start`` is only for
    the demo data builder: it replays past periods, and the start it records is stamped with the
    time the demo is built.

    On PostgreSQL the usual case is written in one statement (``outcome_statement``): a statement
    is a transaction of its own, so outside a caller's transaction it runs without BEGIN and
    COMMIT round trips. Whenever that statement does not apply or changes nothing, the general
    path runs, in a transaction, and says why."""
    if connection.vendor == "postgresql" and not allow_before_start:
        done = _log_outcome_in_one_statement(actor, mission, expected_version, fields)
        if done is not None:
            return done
    return _log_outcome_in_steps(actor, mission, expected_version, allow_before_start, fields)


@transaction.atomic
def _log_outcome_in_steps(actor, mission, expected_version, allow_before_start, fields):
    mission = mission_locked(mission, expected_version, wanted=S.COMPLETED)
    _check_move(mission, S.COMPLETED)
    outcome = Outcome.of(mission, logged_by=actor, **fields)
    outcome.full_clean(
        exclude=["mission", "area", "operation", "logged_by"], validate_constraints=False
    )  # see Outcome.clean
    # To the minute, as the forms give times: an outcome typed in the minute it was started stands.
    started = mission.started_at
    if started and not allow_before_start and outcome.completed_at < started.replace(second=0, microsecond=0):
        when = f"{timezone.localtime(started):%d %b %Y %H:%M}"
        raise ValidationError({"completed_at": f"Cannot be before the mission was started ({when})."})
    outcome.save()
    from_state = mission.state
    mission.state, mission.finished_at = S.COMPLETED, outcome.completed_at
    _record(
        mission, actor=actor, from_state=from_state, event_type="mission.outcome_logged",
        details={"result": outcome.result},
        payload={
            "outcome": outcome.pk, "result": outcome.result, "arrests": outcome.arrests,
            "completed_at": outcome.completed_at.isoformat(),
        },
    )  # fmt: skip
    if outcome.result == Outcome.Result.ARRESTED:
        _mark_targets_arrested(mission, outcome)
    if outcome.result == Outcome.Result.CURFEW_BREACHED:
        _raise_breach_follow_up(actor, mission, outcome)
    return outcome


def _log_outcome_in_one_statement(actor, mission, expected_version, fields):
    """The outcome through ``outcome_log_statement`` when its fields are valid on their own and
    it raises no follow-up; None when the general path must run (and find any error)."""
    now = timezone.now()
    outcome = Outcome(logged_by=actor, logged_at=now, **{"completed_at": now, **fields})
    if outcome.result == Outcome.Result.CURFEW_BREACHED:
        return None  # raises a follow-up request: the general path does that
    try:
        outcome.clean_fields(exclude=["mission", "area", "operation", "logged_by", "mission_kind"])
    except ValidationError:
        return None
    if outcome.own_problems():
        return None
    version = int(expected_version) if expected_version is not None else None
    if version is not None and not 0 < version < 2**31:
        return None  # no mission has it: the general path says the version is stale
    return outcome_log_statement(
        actor=actor, mission_id=mission.pk, outcome=outcome, expected_version=version, now=now
    )


def _mark_targets_arrested(mission, outcome):
    request = mission.request
    reference = request.subject_reference.strip()
    targets = OperationTarget.objects.filter(status=OperationTarget.Status.OUTSTANDING)
    if request.target_id:
        targets = targets.filter(pk=request.target_id)
    elif reference and mission.operation_id:
        # References are typed by hand on both sides: "n0012345 " names the target N0012345.
        targets = targets.filter(operation_id=mission.operation_id, subject_reference__iexact=reference)
    else:
        return
    for target in targets.select_for_update():
        target.status, target.arrested_at, target.arrest_mission = (
            OperationTarget.Status.ARRESTED, outcome.completed_at, mission,
        )  # fmt: skip
        target.save(update_fields=["status", "arrested_at", "arrest_mission"])
        audit_record(
            actor=outcome.logged_by, action=AuditEntry.Action.TRANSITION, obj=target,
            changes={"status": ["outstanding", "arrested"]}, reason=f"arrest on {mission.reference}",
        )  # fmt: skip


def _raise_breach_follow_up(actor, mission, outcome):
    from .requests import request_receive

    check = mission.request
    request_receive(
        actor=actor,
        kind=RequestKind.NPU_ARREST,
        area_id=check.area_id,
        operation_id=check.operation_id,
        offence_group_id=check.offence_group_id,
        subject_reference=check.subject_reference,
        subject_name=check.subject_name,
        location=check.location,
        intelligence_summary=f"Curfew breached at {check.location or 'the curfew address'} "
        f"({mission.reference}). {outcome.notes}".strip(),
        requested_by="Mission Support (curfew breach)",
        received_at=outcome.completed_at,  # raised by the breach, even when its outcome is logged later
        follow_up_of=mission,
        reason="curfew breach follow-up",
    )


@transaction.atomic
def mission_not_complete(*, actor, mission, reason, expected_version=None):
    """Record that a mission was not done in its period, and why; the TRM decides what next."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the mission was not completed."})
    mission = mission_locked(mission, expected_version, wanted=S.NOT_COMPLETED)
    _check_move(mission, S.NOT_COMPLETED)
    from_state = mission.state
    mission.state, mission.state_reason, mission.finished_at = S.NOT_COMPLETED, reason, timezone.now()
    return _record(
        mission, actor=actor, from_state=from_state, event_type="mission.not_completed", reason=reason
    )


@transaction.atomic
def mission_cancel(*, actor, mission, reason, expected_version=None):
    """Cancel a mission (Supervisor). Its request stays approved; the history says why."""
    if not has_role(actor, Role.SUPERVISOR):
        raise Forbidden("Only a Supervisor can cancel a mission.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the mission is cancelled."})
    mission = mission_locked(mission, expected_version, wanted=S.CANCELLED)
    _check_move(mission, S.CANCELLED)
    from_state = mission.state
    mission.state, mission.state_reason, mission.finished_at = S.CANCELLED, reason, timezone.now()
    return _record(mission, actor=actor, from_state=from_state, event_type="mission.cancelled", reason=reason)
