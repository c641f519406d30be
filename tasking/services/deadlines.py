"""Deadline flags: requests whose deadline is near or past, flagged once each."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from operations.events import event_emit

from ..models import Mission, Request


def _open_requests():
    # Open: awaiting assessment, or approved with a mission that is not finished.
    return Request.objects.filter(due_by__isnull=False).filter(
        Q(state=Request.State.RECEIVED)
        | Q(state=Request.State.APPROVED, mission__state__in=Mission.OPEN_STATES)
    )


def deadlines_flag(*, now=None):
    """Flag open requests at risk (deadline within TASKING_AT_RISK_HOURS) or overdue.

    Each flag is claimed with a conditional update, so a flag and its event happen once however
    often (or however concurrently) this runs. Returns (at_risk ids, overdue ids) flagged now.
    """
    now = now or timezone.now()
    horizon = now + timedelta(hours=settings.TASKING_AT_RISK_HOURS)
    at_risk = _flag(
        _open_requests().filter(due_by__gt=now, due_by__lte=horizon),
        "at_risk_flagged_at", "deadline.at_risk", now,
    )  # fmt: skip
    overdue = _flag(_open_requests().filter(due_by__lte=now), "overdue_flagged_at", "deadline.overdue", now)
    return at_risk, overdue


def _flag(candidates, field, event_type, now):
    flagged = []
    ids = list(candidates.filter(**{f"{field}__isnull": True}).values_list("pk", flat=True))
    for request_id in ids:
        with transaction.atomic():
            claimed = Request.objects.filter(pk=request_id, **{f"{field}__isnull": True}).update(
                **{field: now}
            )
            if not claimed:
                continue  # another run flagged it first
            request = Request.objects.select_related("mission").get(pk=request_id)
            mission = getattr(request, "mission", None)
            event_emit(
                event_type,
                payload={
                    "request": request.pk, "mission": mission.pk if mission else None,
                    "kind": request.kind, "area": request.area_id, "due_by": request.due_by.isoformat(),
                },
                aggregate=request,
            )  # fmt: skip
            flagged.append(request_id)
    return flagged
