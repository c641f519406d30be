"""The TRM meeting: opening it, recording decisions, closing (locking) and reopening it; threat
items and operation targets that the meeting reviews."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from operations.audit import audit_record
from operations.dates import day_check
from operations.exceptions import Conflict, Forbidden
from operations.models import AuditEntry
from operations.roles import Role, has_role

from ..models import Mission, OperationTarget, ThreatItem, TrmDecision, TrmMeeting
from .missions import mission_allocate, mission_cancel, mission_locked, state_label
from .periods import period_for_day
from .requests import operation_open_check

# The longest decision the TRM records: a paragraph or two. The minutes are read aloud and printed
# in the pack; anything longer belongs in the meeting summary or a threat item's actions.
DECISION_MAX_LENGTH = 2_000


def _require_open(meeting):
    if meeting.is_closed:
        raise Conflict(
            f"{meeting} is closed: its review is locked. A Supervisor can reopen it.",
            current_state=meeting.status,
            allowed=["reopen"],
        )


@transaction.atomic
def trm_meeting_open(*, actor, date, chair=None, attendees=""):
    """The meeting for ``date`` (created on first use); it plans the period starting that day. A
    date outside the ones the app covers is refused on the date field."""
    day_check(date, "date")
    meeting = TrmMeeting.objects.filter(date=date).first()
    if meeting is not None:
        return meeting
    meeting = TrmMeeting.objects.create(
        date=date, period=period_for_day(date), chair=chair or actor, attendees=attendees
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=meeting)
    return meeting


@transaction.atomic
def trm_meeting_update(*, actor, meeting, **fields):
    meeting = TrmMeeting.objects.select_for_update().get(pk=meeting.pk)
    _require_open(meeting)
    changes = {}
    for name in ("chair", "attendees", "summary"):
        if name in fields and getattr(meeting, name) != fields[name]:
            changes[name] = [getattr(meeting, name), fields[name]]
            setattr(meeting, name, fields[name])
    meeting.save()
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=meeting, changes=changes)
    return meeting


def _decision_text_check(text, field="text"):
    if not (text or "").strip():
        raise ValidationError({field: "Write the decision."})
    if len(text) > DECISION_MAX_LENGTH:
        raise ValidationError(
            {field: f"Keep it to {DECISION_MAX_LENGTH:,} characters or fewer (this has {len(text):,})."}
        )


@transaction.atomic
def trm_decision_record(*, actor, meeting, text, kind=TrmDecision.Kind.OTHER, mission=None):
    meeting = TrmMeeting.objects.select_for_update().get(pk=meeting.pk)
    _require_open(meeting)
    _decision_text_check(text)
    decision = TrmDecision.objects.create(
        meeting=meeting, kind=kind, text=text, mission=mission, made_by=actor
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=decision)
    return decision


def _awaiting_decision(meeting, mission, expected_version, wanted):
    """The meeting, open, and the mission, locked: one not completed, as the page showed it.

    Checked before anything is written, so a refusal (closed meeting, stale page, a mission that is
    not waiting for the TRM) leaves no decision behind; the transaction covers the rest."""
    meeting = TrmMeeting.objects.select_for_update().get(pk=meeting.pk)
    _require_open(meeting)
    current = mission_locked(mission, expected_version, wanted=wanted)
    if current.state != Mission.State.NOT_COMPLETED:
        raise Conflict(
            f"{current.reference} is {state_label(current.state)}: the TRM carries over or cancels only "
            "a mission not completed.",
            current_state=current.state,
            current_version=current.version,
        )
    return meeting, current


@transaction.atomic
def trm_mission_carry_over(
    *, actor, meeting, mission, resource, reason="", override_reason="", expected_version=None,
    allow_past=False,
):  # fmt: skip
    """The TRM carries a not-completed mission into the period it plans, on a resource.

    ``expected_version`` is the mission's version the meeting page showed: a page gone stale is a
    Conflict. The decision and the allocation are one transaction: a refused allocation leaves no
    decision. ``allow_past`` is for the demo data builder only (see ``mission_allocate``)."""
    meeting, mission = _awaiting_decision(meeting, mission, expected_version, Mission.State.ALLOCATED)
    text = reason or f"Carry {mission.reference} over to {resource}."
    _decision_text_check(text, "reason")
    mission_allocate(
        actor=actor, mission=mission, resource=resource, period=meeting.period, reason=text,
        override_reason=override_reason, expected_version=expected_version, allow_past=allow_past,
    )  # fmt: skip
    return trm_decision_record(
        actor=actor, meeting=meeting, mission=mission, kind=TrmDecision.Kind.CARRY_OVER, text=text
    )


@transaction.atomic
def trm_mission_cancel(*, actor, meeting, mission, reason, expected_version=None):
    """The TRM cancels a not-completed mission (Supervisor); as for a carry-over, a stale page is a
    Conflict and a refused cancel leaves no decision."""
    if not has_role(actor, Role.SUPERVISOR):
        raise Forbidden("Only a Supervisor can cancel a mission.")
    meeting, mission = _awaiting_decision(meeting, mission, expected_version, Mission.State.CANCELLED)
    text = reason or f"Cancel {mission.reference}."
    _decision_text_check(text, "reason")
    mission_cancel(actor=actor, mission=mission, reason=reason, expected_version=expected_version)
    return trm_decision_record(
        actor=actor, meeting=meeting, mission=mission, kind=TrmDecision.Kind.CANCEL, text=text
    )


@transaction.atomic
def trm_meeting_close(*, actor, meeting):
    """Close (lock) the meeting's review. Supervisor."""
    if not has_role(actor, Role.SUPERVISOR):
        raise Forbidden("Only a Supervisor can close a TRM meeting.")
    meeting = TrmMeeting.objects.select_for_update().get(pk=meeting.pk)
    _require_open(meeting)
    meeting.status, meeting.closed_at, meeting.closed_by = TrmMeeting.Status.CLOSED, timezone.now(), actor
    meeting.save(update_fields=["status", "closed_at", "closed_by"])
    audit_record(
        actor=actor, action=AuditEntry.Action.TRANSITION, obj=meeting, changes={"status": ["open", "closed"]}
    )
    return meeting


@transaction.atomic
def trm_meeting_reopen(*, actor, meeting, reason):
    if not has_role(actor, Role.SUPERVISOR):
        raise Forbidden("Only a Supervisor can reopen a TRM meeting.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the meeting is reopened."})
    meeting = TrmMeeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.is_closed:
        raise Conflict(f"{meeting} is already open.", current_state=meeting.status, allowed=["close"])
    meeting.status, meeting.closed_at, meeting.closed_by = TrmMeeting.Status.OPEN, None, None
    meeting.save(update_fields=["status", "closed_at", "closed_by"])
    audit_record(
        actor=actor, action=AuditEntry.Action.TRANSITION, obj=meeting,
        changes={"status": ["closed", "open"]}, reason=reason,
    )  # fmt: skip
    return meeting


def _save_audited(*, actor, instance, model, data, reason="", problems=None):
    creating = instance is None
    instance = instance or model()
    # Compare with what is stored, not with the instance: a form may have changed it already.
    stored = None if creating else model.objects.filter(pk=instance.pk).first()
    changes = {}
    for name, value in data.items():
        old = getattr(stored, name, None)
        if creating or old != value:
            changes[name] = [None if creating else old, value]
        setattr(instance, name, value)
    # Every mistake at once: the caller's own rules (``problems``) with the model's.
    problems = dict(problems or {})
    try:
        instance.full_clean()
    except ValidationError as exc:
        problems = {**exc.message_dict, **problems}
    if problems:
        raise ValidationError(problems)
    instance.save()
    if creating or changes:
        action = AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE
        audit_record(actor=actor, action=action, obj=instance, changes=changes, reason=reason)
    return instance


@transaction.atomic
def threat_item_save(*, actor, item=None, **data):
    """Raise a threat item or change it (status, actions, rating)."""
    if item is None:
        data.setdefault("raised_by", actor if getattr(actor, "is_authenticated", False) else None)
    return _save_audited(actor=actor, instance=item, model=ThreatItem, data=data)


TRIMMED_TARGET_FIELDS = ("subject_reference", "subject_name", "location")


def operation_target_problems(*, target=None, data, allow_closed_operation=False):
    """{field: message} for what adding a target (``target`` None) or changing the stored
    ``target`` with ``data`` may not do; empty when it may. The admin's form asks before saving.

    A target is marked arrested only by the arrest outcome that ticks it off
    (``mission_log_outcome``), which records when and on which mission: its status, arrest time
    and arrest mission are never set by hand, and an arrested target stays arrested. A target is
    added to (or moved to) an operation that is still running."""
    S = OperationTarget.Status
    problems = {}
    for name in ("arrested_at", "arrest_mission"):
        if name in data and (target is None or data[name] != getattr(target, name)):
            problems[name] = "Set by the arrest outcome that ticks the target off, not by hand."
    before = S.OUTSTANDING if target is None else target.status
    status = data.get("status", before)
    if status != before and S.ARRESTED in (status, before):
        if status == S.ARRESTED:
            problems["status"] = (
                "A target is marked arrested by logging the arrest outcome of the mission that arrested "
                "the subject, which records when and on which mission."
            )
        else:
            on = f" on {target.arrest_mission.reference}" if target.arrest_mission_id else ""
            problems["status"] = f"{target} was arrested{on}: an arrested target stays arrested."
    operation = data.get("operation")
    moved = operation is not None and (target is None or operation.pk != target.operation_id)
    if moved and not allow_closed_operation:
        try:
            operation_open_check(operation, timezone.localdate(), "targets")
        except ValidationError as exc:
            problems.update({field: " ".join(messages) for field, messages in exc.message_dict.items()})
    return problems


@transaction.atomic
def operation_target_save(*, actor, target=None, allow_closed_operation=False, **data):
    """Add a target to an operation's list, or change it (rank, reason, or its status between
    outstanding and closed); see ``operation_target_problems`` for what is refused. References and
    places are stored trimmed: an arrest ticks off the target whose reference the request names.
    ``allow_closed_operation`` is only for the demo data builder, which replays a closed
    operation's week as if it were now."""
    for name in TRIMMED_TARGET_FIELDS:
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    stored = None if target is None else OperationTarget.objects.select_for_update().get(pk=target.pk)
    problems = operation_target_problems(
        target=stored, data=data, allow_closed_operation=allow_closed_operation
    )
    return _save_audited(actor=actor, instance=target, model=OperationTarget, data=data, problems=problems)
