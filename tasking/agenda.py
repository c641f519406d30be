"""The TRM agenda: what the daily meeting reviews, built from the data for the period under review.

The meeting plans ``meeting.period`` and reviews the period before it. Building the agenda only
reads: a period that nothing has created yet stands in unsaved (``periods_for``), and so may the
meeting, so the TRM pack can show the agenda of a meeting not opened yet without writing a row.

Every section is read with the joins it needs, so the number of queries stays the same however many
rows there are.

Other parts of the product add sections by registering a provider in ``AGENDA_SECTIONS``: a
callable ``fn(meeting, review_period) -> {"title": ..., "template": ..., "items": [...]}``. The
patrols work registers its hot-grid gaps this way; ``tasking`` never imports it.
"""

from datetime import timedelta

from django.db.models import Prefetch, Q

from . import selectors
from .models import Mission, Outcome, Request, TaskingPeriod
from .models.periods import period_bounds_for_day

AGENDA_SECTIONS = []

NEW_REQUESTS_SHOWN = 50

# The id given to a period under review that nothing has created yet: no saved period has it, so a
# filter on that period finds nothing, as nothing can refer to a period that does not exist.
NOT_CREATED = 0


def agenda_section(fn):
    """Register an agenda section provider (usable as a decorator); registering twice is harmless."""
    if fn not in AGENDA_SECTIONS:
        AGENDA_SECTIONS.append(fn)
    return fn


def periods_for(day):
    """(the period the meeting of ``day`` plans, the period it reviews), read in one query.

    A period not created yet is returned unsaved, with the bounds it will have when it is; the one
    under review then has the id ``NOT_CREATED``, so the agenda's filters on it (and its providers')
    find nothing, as they must.
    """
    before = day - timedelta(days=1)
    found = {period.day: period for period in TaskingPeriod.objects.filter(day__in=[day, before])}

    def period(on, pk=None):
        if on in found:
            return found[on]
        starts_at, ends_at = period_bounds_for_day(on)
        return TaskingPeriod(pk=pk, day=on, starts_at=starts_at, ends_at=ends_at)

    return period(day), period(before, pk=NOT_CREATED)


def review_period_for(meeting):
    return periods_for(meeting.date)[1]


def _by_resource(missions):
    groups = {}
    for mission in missions:
        groups.setdefault(mission.resource_id, {"resource": mission.resource, "missions": []})
        groups[mission.resource_id]["missions"].append(mission)
    result = sorted(groups.values(), key=lambda g: (g["resource"] is None, str(g["resource"] or "")))
    for group in result:
        states = [m.state for m in group["missions"]]
        group["completed"] = states.count(Mission.State.COMPLETED)
        group["not_completed"] = states.count(Mission.State.NOT_COMPLETED)
        group["open"] = sum(1 for s in states if s in (Mission.State.ALLOCATED, Mission.State.IN_PROGRESS))
    return result


def trm_agenda(meeting, review=None):
    """The agenda of ``meeting`` (saved or not), reviewing ``review`` (by default the period before
    the one it plans)."""
    review = review or review_period_for(meeting)
    missions = selectors.mission_list()

    reviewed = list(
        missions.filter(period=review).exclude(state=Mission.State.PENDING).order_by("resource__code", "pk")
    )
    not_completed = list(
        missions.filter(state=Mission.State.NOT_COMPLETED).order_by("period__day", "due_by", "pk")
    )
    deadlines = list(
        selectors.request_list()
        .filter(Q(at_risk_flagged_at__isnull=False) | Q(overdue_flagged_at__isnull=False))
        .filter(
            Q(state=Request.State.RECEIVED)
            | Q(state=Request.State.APPROVED, mission__state__in=Mission.OPEN_STATES)
        )
        .order_by("due_by", "pk")
    )
    breaches = list(
        missions.filter(
            outcome__result=Outcome.Result.CURFEW_BREACHED,
            outcome__completed_at__gte=review.starts_at,
            outcome__completed_at__lt=review.ends_at,
        )
        .order_by("outcome__completed_at", "pk")
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=Request.objects.select_related("mission", "area").order_by("pk"),
                to_attr="follow_up_requests",
            )
        )
    )
    queue = selectors.triage_queue()
    new_requests = list(queue[:NEW_REQUESTS_SHOWN])
    new_total = len(new_requests) if len(new_requests) < NEW_REQUESTS_SHOWN else queue.count()
    extra = [provider(meeting, review) for provider in AGENDA_SECTIONS]
    decisions = (
        meeting.decisions.select_related("made_by", "mission").order_by("made_at", "pk") if meeting.pk else []
    )
    return {
        "review_period": review,
        "missions_by_resource": _by_resource(reviewed),
        "reviewed_count": len(reviewed),
        "not_completed": not_completed,
        "deadlines": deadlines,
        "curfew_breaches": breaches,
        "new_requests": new_requests,
        "new_requests_total": new_total,
        "threat_items": list(selectors.open_threat_items()),
        "hot_grid_sections": extra,
        "decisions": list(decisions),
    }
