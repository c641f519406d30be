"""Reads that span relations, with the joins they need (no N+1 in views or serializers)."""

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q

from .models import Mission, MissionTransition, Request, TaskingPeriod, ThreatItem, TrmMeeting
from .scoring import score_cents_sql

# Request.TRIAGE_ORDER with the score as of the query (``score_now_cents``) in place of the one
# stored: a request awaiting assessment rises as its deadline nears. Its ties keep the stored
# order's rule: the nearer deadline first, then one without any, then the longest waiting.
TRIAGE_ORDER = [F("score_now_cents").desc(), *Request.TRIAGE_ORDER[1:]]


def with_score_now(requests):
    """``requests`` with ``score_now_cents``: the priority score in hundredths as of when the query
    runs (``Request.score_now`` and ``grade_now`` read it). One expression in the same query."""
    return requests.annotate(score_now_cents=score_cents_sql())


def request_list():
    """Every request with its score as of now, in the triage order. The score is computed when the
    query runs, so a queryset built once (an API view's) still scores each request it serves."""
    requests = Request.objects.select_related(
        "area", "operation", "offence_group", "assessment__assessor", "mission", "created_by"
    )
    return with_score_now(requests).order_by(*TRIAGE_ORDER)


def triage_queue():
    """Requests awaiting assessment: highest priority as of now first, then the nearest deadline."""
    return request_list().filter(state=Request.State.RECEIVED)


def mission_list():
    return Mission.objects.select_related(
        "request",
        "area",
        "operation",
        "resource",
        "period",
        "outcome",
        "outcome__home_office_outcome",
        "outcome__logged_by",
    )


def mission_detail_queryset():
    return mission_list().prefetch_related(
        Prefetch("history", queryset=MissionTransition.objects.select_related("actor"))
    )


def trm_meeting_list():
    # Ordered explicitly: Meta.ordering is not applied to a GROUP BY query, and pages need an order.
    return (
        TrmMeeting.objects.select_related("period", "chair", "closed_by")
        .annotate(decision_count=Count("decisions"))
        .order_by("-date")
    )


def open_threat_items():
    return ThreatItem.objects.select_related("area").filter(~Q(status=ThreatItem.Status.CLOSED))


def missions_awaiting_trm(before):
    """Missions not completed that the meeting of day ``before`` can carry over or cancel: those of a
    period that started before the one it plans (a mission not completed always has a period). One
    of that period or a later one cannot be carried into it, so its meeting does not list it.

    Written as "not of a period from that day on" (a handful of periods) rather than "of a period
    before that day" (every period in the history): counting a backlog of a hundred thousand is
    then one pass over the partial index of missions not completed, with no join."""
    later = TaskingPeriod.objects.filter(day__gte=before).values("pk")
    return Mission.objects.filter(state=Mission.State.NOT_COMPLETED, period__isnull=False).exclude(
        period__in=later
    )


def periods_awaiting_trm(before, count):
    """The ``count`` oldest periods before day ``before`` that have a mission not completed."""
    in_period = Mission.objects.filter(period=OuterRef("pk"), state=Mission.State.NOT_COMPLETED)
    return (
        TaskingPeriod.objects.filter(Exists(in_period), day__lt=before).order_by("day").values("pk")[:count]
    )


def missions_not_completed_page(offset, limit, *, before):
    """Missions not completed awaiting the meeting of day ``before``, from the ``offset``-th, at most
    ``limit``, in the TRM agenda's order (the oldest period first, then by deadline). They are looked
    for in the ``offset + limit`` oldest periods that have any (each has at least one): a walk over
    periods by day through the partial index of missions not completed, not a sort of every mission
    not completed in the history."""
    ordered = (
        missions_awaiting_trm(before)
        .filter(period__in=periods_awaiting_trm(before, offset + limit))
        .select_related("area", "resource", "period")
        .order_by("period__day", "due_by", "pk")
    )
    return list(ordered[offset : offset + limit])
