"""Receiving and assessing requests; the priority score and why a request ranks where it does."""

from datetime import UTC, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from operations.audit import audit_record
from operations.dates import day_in_range
from operations.events import event_emit
from operations.exceptions import Conflict, Forbidden
from operations.models import AuditEntry, TacticalPriority
from operations.roles import Role, has_role

from ..models import (
    Assessment,
    Mission,
    MissionTransition,
    OperationTarget,
    Outcome,
    Request,
    ScheduledPatrol,
)
from ..scoring import (
    ALIGNMENT_POINTS,
    PROVISIONAL_SCORES,
    TWO,
    deadline_cents,
    epoch_seconds,
    grade_for,
    harm_cents,
    points,
    trh_points,
)


def _aligned_priorities(request, day):
    if request.offence_group_id is None:
        return []
    group = request.offence_group
    groups = [group.pk] + ([group.parent_id] if group.parent_id else [])
    priorities = (
        TacticalPriority.objects.active_on(day)
        .filter(offence_groups__in=groups)
        .filter(Q(areas__isnull=True) | Q(areas=request.area_id))
        .distinct()
    )
    return list(priorities.values_list("title", flat=True))


def _aligned_points(request, at):
    day = at.astimezone(timezone.get_current_timezone()).date()
    return ALIGNMENT_POINTS if _aligned_priorities(request, day) else Decimal(0)


def priority_compute(*, request, threat=None, risk=None, harm=None, at=None):
    """Score, grade and components as of ``at`` (default now). Without scores (not yet assessed)
    the threat/risk/harm part is taken as middling (3 each): the provisional score that orders
    the triage queue, which computes it the same way in the database (``tasking.scoring``)."""
    at = at or timezone.now()
    provisional = threat is None
    scores = PROVISIONAL_SCORES if provisional else [threat, risk, harm]
    trh = trh_points(scores)

    harm_weight = request.offence_group.harm_weight if request.offence_group_id else Decimal(0)
    harm_points = points(harm_cents(harm_weight))

    day = at.astimezone(timezone.get_current_timezone()).date()
    aligned = _aligned_priorities(request, day)
    alignment_points = ALIGNMENT_POINTS if aligned else Decimal(0)

    hours_left = None
    urgency_points = Decimal(0)
    if request.due_by:
        seconds_left = epoch_seconds(request.due_by) - epoch_seconds(at)
        hours_left = (Decimal(seconds_left) / 3600).quantize(TWO, ROUND_HALF_UP)
        urgency_points = points(deadline_cents(seconds_left))

    score = trh + harm_points + alignment_points + urgency_points
    grade = grade_for(score)
    components = {
        "threat_risk_harm": {"points": str(trh), "scores": scores, "provisional": provisional},
        "harm_weight": {
            "points": str(harm_points),
            "weight": str(harm_weight),
            "offence_group": request.offence_group.code if request.offence_group_id else None,
        },
        "tactical_priority": {"points": str(alignment_points), "priorities": aligned},
        "deadline": {
            "points": str(urgency_points),
            "hours_left": str(hours_left) if hours_left is not None else None,
        },
        "total": str(score),
        "grade": grade,
    }
    return score, grade, components


def default_due_by(kind, received_at):
    hours = settings.TASKING_DEADLINE_HOURS.get(kind)
    # In UTC, so that the deadline is ``hours`` of real time even across a clock change (adding to
    # a London time is wall-clock arithmetic, and the API hands us London times).
    return received_at.astimezone(UTC) + timedelta(hours=hours) if hours else None


def _target_check(request):
    """A request names a target of its own operation's list, still outstanding: the arrest it leads
    to ticks that target off, so another operation's (or one already arrested or closed) would be
    credited to the wrong work."""
    target = request.target
    if target is None:
        return
    if target.operation_id != request.operation_id:
        listed = f"{target} is on {target.operation.code}'s list"
        raise ValidationError({"target": f"{listed}: choose that operation for the request."})
    if target.status != OperationTarget.Status.OUTSTANDING:
        raise ValidationError(
            {"target": f"{target} is {target.get_status_display().lower()}, not outstanding."}
        )


def operation_open_check(operation, day, work):
    """A closed operation takes no new ``work`` ("requests", "targets"): one whose status is
    closed, or whose end date is before ``day``. Refused on the ``operation`` field."""
    why = operation.closed_why(day) if operation is not None else ""
    if why:
        raise ValidationError(
            {"operation": f"{operation} ({operation.code}) {why}: it takes no new {work}."},
            code="operation_closed",
        )


@transaction.atomic
def request_receive(*, actor, reason="", allow_closed_operation=False, **fields):
    """Log a new request. Forensic-hit arrests are due 48 h after receipt unless a deadline is given.

    An operation closed by the day the request was received is refused (on ``operation``), except
    for a request that carries the operation of earlier work instead of choosing it: a curfew
    breach's follow-up (its ``follow_up_of``, set only by ``mission_log_outcome``) and a patrol
    gap's cover (``patrol_gap_cover``) are raised even if that operation has closed since.
    ``allow_closed_operation`` is only for that cover and for the demo data builder, which replays
    a closed operation's week as if it were now."""
    request = Request(created_by=actor if getattr(actor, "is_authenticated", False) else None, **fields)
    if request.received_at is None:
        request.received_at = timezone.now()
    if isinstance(request.subject_reference, str):
        # Stored trimmed, as a target's is: an arrest ticks off the target whose reference it names.
        request.subject_reference = request.subject_reference.strip()
    if request.due_by is None and day_in_range(request.received_at.date()):
        # Out of range, received_at is refused by full_clean below, before any sum could overflow.
        request.due_by = default_due_by(request.kind, request.received_at)
    problems = {}
    try:
        request.full_clean()
    except ValidationError as exc:
        problems = exc.error_dict
    inherited = allow_closed_operation or request.follow_up_of_id
    if not (inherited or problems.keys() & {"operation", "received_at"}):
        try:
            operation_open_check(request.operation, timezone.localdate(request.received_at), "requests")
        except ValidationError as exc:
            problems = {**problems, **exc.error_dict}
    if problems:
        raise ValidationError(problems)
    _target_check(request)
    request.priority_score, request.grade, _ = priority_compute(request=request)
    request.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=request, reason=reason)
    event_emit(
        "request.received",
        payload={"request": request.pk, "kind": request.kind, "area": request.area_id},
        aggregate=request,
    )
    return request


@transaction.atomic
def request_assess(
    *, actor, request, threat, threat_rationale, risk, risk_rationale, harm, harm_rationale,
    decision, rejection_reason="", research_notes="", enhanced_research_done=False,
):  # fmt: skip
    """Record the assessment; approving creates a pending mission, rejecting needs a Supervisor."""
    request = (
        Request.objects.select_for_update(of=("self",)).select_related("offence_group").get(pk=request.pk)
    )
    if request.state != Request.State.RECEIVED:
        raise Conflict(
            f"{request.reference} is already {request.state}; only received requests are assessed.",
            current_state=request.state,
            allowed=[],
        )
    if decision == Assessment.Decision.REJECT:
        if not has_role(actor, Role.SUPERVISOR):
            raise Forbidden("Only a Supervisor can reject a request.")
        if not rejection_reason.strip():
            raise ValidationError({"rejection_reason": "Give the reason for rejecting."})
    now = timezone.now()
    score, grade, components = priority_compute(request=request, threat=threat, risk=risk, harm=harm, at=now)
    assessment = Assessment(
        request=request, threat=threat, threat_rationale=threat_rationale, risk=risk,
        risk_rationale=risk_rationale, harm=harm, harm_rationale=harm_rationale,
        priority_score=score, components=components, grade=grade, research_notes=research_notes,
        enhanced_research_done=enhanced_research_done, decision=decision,
        rejection_reason=rejection_reason, assessor=actor, assessed_at=now,
    )  # fmt: skip
    assessment.full_clean(exclude=["request"])
    assessment.save()
    approved = decision == Assessment.Decision.APPROVE
    request.state = Request.State.APPROVED if approved else Request.State.REJECTED
    request.priority_score, request.grade = score, grade
    request.save(update_fields=["state", "priority_score", "grade"])
    mission = None
    if approved:
        mission = Mission.objects.create(
            request=request, kind=request.kind, area_id=request.area_id,
            operation_id=request.operation_id, due_by=request.due_by,
        )  # fmt: skip
        MissionTransition.of(
            mission, from_state="", to_state=Mission.State.PENDING, actor=actor,
            reason="approved at assessment",
        ).save(force_insert=True)  # fmt: skip
    audit_record(
        actor=actor, action=AuditEntry.Action.TRANSITION, obj=request,
        changes={"state": [Request.State.RECEIVED, request.state], "grade": grade},
        reason=rejection_reason,
    )  # fmt: skip
    event_emit(
        "request.assessed",
        payload={
            "request": request.pk, "decision": decision, "grade": grade,
            "mission": mission.pk if mission else None,
        },
        aggregate=request,
    )  # fmt: skip
    return assessment


@transaction.atomic
def request_area_correct(*, actor, request, area, reason):
    """Move a request logged against the wrong NPU to the right one (Supervisor or Administrator),
    with a reason. Its mission, the mission's history rows and its outcome carry the NPU too and
    move with it; the NPU's figures are recomputed for every day they touch, old NPU and new. A
    request not yet assessed keeps its provisional score but for the NPU's own part of it (a
    tactical priority of one NPU and not the other); an assessed one keeps the score its
    assessment stored. A request raised to cover a hot-grid patrol gap is in its grid's NPU and is
    not moved alone."""
    if not has_role(actor, Role.SUPERVISOR):
        raise Forbidden("Only a Supervisor or an Administrator can correct a request's NPU.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the NPU is being corrected."})
    # Locked alone, then read: see tasking.services.missions._locked.
    Request.objects.select_for_update().filter(pk=request.pk).values_list("pk", flat=True).get()
    request = Request.objects.select_related("area", "offence_group").get(pk=request.pk)
    if area.kind not in Request.SOURCE_AREA_KINDS:
        raise ValidationError({"area": Request.SOURCE_AREA_RULE})
    if area.pk == request.area_id:
        raise ValidationError({"area": f"{request.reference} is already in {area.code}."})
    if ScheduledPatrol.objects.filter(cover_request=request).exists():
        raise ValidationError(
            {"area": f"{request.reference} covers a hot-grid patrol gap and is in its grid's NPU."}
        )
    before, score = request.area, (request.priority_score, request.grade)
    request.area = area
    if request.state == Request.State.RECEIVED:
        # Only the NPU changed: the stored score changes by what the NPU is worth to it (the
        # tactical priorities of one NPU and not the other), its other parts stay as they were.
        now = timezone.now()
        worth_here = _aligned_points(request, now)
        request.area = before
        worth_before = _aligned_points(request, now)
        request.area = area
        request.priority_score += worth_here - worth_before
        request.grade = grade_for(request.priority_score)
    request.save(update_fields=["area", "priority_score", "grade"])
    changes = {"area": [before.code, area.code]}
    if (request.priority_score, request.grade) != score:
        changes["priority"] = [f"{score[1]} {score[0]}", f"{request.grade} {request.priority_score}"]
    mission = Mission.objects.select_for_update().filter(request=request).first()
    days, outcome_day = set(), None
    if mission is not None:
        mission.area = area
        mission.version += 1
        mission.save(update_fields=["area", "version"])
        history = MissionTransition.objects.filter(mission=mission)
        days = {timezone.localdate(at) for at in history.values_list("at", flat=True)}
        history.update(area=area)
        completed = Outcome.objects.filter(mission=mission).values_list("completed_at", flat=True).first()
        outcome_day = timezone.localdate(completed) if completed else None
        Outcome.objects.filter(mission=mission).update(area=area)
        audit_record(
            actor=actor, action=AuditEntry.Action.UPDATE, obj=mission,
            changes={"area": changes["area"]}, reason=reason,
        )  # fmt: skip
        changes = {**changes, "mission": mission.reference}
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=request, changes=changes, reason=reason)
    event_emit(
        "request.area_corrected",
        payload={
            "request": request.pk, "mission": mission.pk if mission else None, "from": before.pk,
            "to": area.pk, "operation": request.operation_id,
            "history_days": sorted(day.isoformat() for day in days),
            "outcome_day": outcome_day.isoformat() if outcome_day else None,
        },
        aggregate=request,
    )  # fmt: skip
    return request
