"""The TRM agenda: what the daily meeting reviews, built from the data for the period under review.

The meeting plans ``meeting.period`` and reviews the period before it. Building the agenda only
reads: a period that nothing has created yet stands in unsaved (``periods_for``), and so may the
meeting, so the TRM pack can show the agenda of a meeting not opened yet without writing a row.

Every section is read with the joins it needs, so the number of queries stays the same however many
rows there are. A caller that must also bound the time (the printed pack) passes ``rows`` and
``rows_per_resource``: the lists that grow with the history are then cut in the same query that
counts them, and the counts stay whole.

Other parts of the product add sections by registering a provider in ``AGENDA_SECTIONS``: a
callable ``fn(meeting, review_period) -> {"title": ..., "template": ..., "items": [...]}``. The
patrols work registers its hot-grid gaps this way; ``tasking`` never imports it.
"""

from datetime import timedelta

from django.db.models import (
    Count,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)

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


def _first(queryset, limit, *, of=None):
    """The first ``limit`` rows of ``queryset`` (all when None) and how many rows ``of`` has (by
    default ``queryset``), in one query: the count is a subquery the database runs once."""
    if limit is None:
        rows = list(queryset)
        return rows, len(rows)
    of = queryset if of is None else of
    everything = of.order_by().values(rows=Func(template="COUNT(*)", output_field=IntegerField()))
    rows = list(queryset.annotate(rows_in_all=Subquery(everything))[:limit])
    return rows, rows[0].rows_in_all if rows else 0


def _not_completed(meeting, limit):
    """Missions not completed, waiting for the meeting to carry them over or cancel them: those of a
    period before the one it plans, the oldest period first. Cut at ``limit``, they are looked for in
    the ``limit`` oldest such periods that have any (each has at least one): a walk over periods by
    day, not a sort of every mission not completed in the history."""
    waiting = selectors.missions_awaiting_trm(meeting.date).select_related("area", "resource", "period")
    ordered = waiting.order_by("period__day", "due_by", "pk")
    if limit is None:
        return _first(ordered, None)
    oldest = selectors.periods_awaiting_trm(meeting.date, limit)
    return _first(ordered.filter(period__in=oldest), limit, of=waiting)


# What the agenda's table of missions by resource shows of each (``_agenda_missions.html``): reading
# only these leaves out a dozen dates per row, most of the cost of a long list.
LISTED_COLUMNS = (
    "id", "kind", "state", "state_reason", "area__code", "resource__code", "resource__name",
    "outcome__result", "outcome__arrests", "outcome__firearms", "outcome__ammunition_rounds",
    "outcome__knives_weapons", "outcome__drugs_class_a_grams", "outcome__drugs_class_b_grams",
    "outcome__drugs_class_c_grams", "outcome__cash_gbp", "outcome__vehicles", "outcome__other_finds",
)  # fmt: skip


def _by_resource(review, limit):
    """The review period's missions by resource, each resource with its counts by state and its
    first ``limit`` missions by id (all when None). Two queries, and neither numbers the missions of
    the period, so a period of many thousands costs little more than one of a few hundred:

    - one row per resource: its counts by state, which the index on (period, resource, state)
      holds, and the ids of its first and ``limit``-th missions, a few entries of the index on
      (period, resource, id);
    - the missions between those ids, with what the table shows of them. Both ends are given so
      that the database sees how few rows that is.
    """
    reviewed = Mission.objects.filter(period=review).exclude(state=Mission.State.PENDING)

    def count(*states):  # of the column the index holds, not of "pk", so the index alone answers
        return Count("state", filter=Q(state__in=states) if states else None)

    def nth(n):
        of_resource = reviewed.filter(resource=OuterRef("resource_id")).order_by("pk").values("pk")
        return Subquery(of_resource[n - 1 : n])

    per_resource = (
        reviewed.order_by()
        .values("resource_id")
        .annotate(
            total=count(),
            completed=count(Mission.State.COMPLETED),
            not_completed=count(Mission.State.NOT_COMPLETED),
            cancelled=count(Mission.State.CANCELLED),
            open=count(Mission.State.ALLOCATED, Mission.State.IN_PROGRESS),
        )
    )
    if limit is not None:
        # Annotated after the counts, so that the database works these out once per resource
        # rather than grouping by them (once per mission). Missions without a resource match no
        # resource id, so theirs stay empty: that group is cut below (the services never leave a
        # mission of a period without a resource).
        per_resource = per_resource.annotate(first=nth(1), last=nth(limit))
    counts, shown = {}, Q()
    for row in per_resource:
        resource_id = row["resource_id"]
        counts[resource_id] = {
            key: row[key] for key in ("total", "completed", "not_completed", "cancelled", "open")
        }
        of_resource = Q(resource_id=resource_id) if resource_id is not None else Q(resource__isnull=True)
        if row.get("first") is not None:
            of_resource &= Q(pk__gte=row["first"])
        if row.get("last") is not None:
            of_resource &= Q(pk__lte=row["last"])
        shown |= of_resource
    if not counts:
        return []
    listed = reviewed if limit is None else reviewed.filter(shown)
    groups = {}
    listed = listed.select_related("area", "resource", "outcome").only(*LISTED_COLUMNS)
    for mission in listed.order_by("resource__code", "pk"):
        group = groups.get(mission.resource_id)
        if group is None:
            group = {"resource": mission.resource, "missions": [], **counts[mission.resource_id]}
            groups[mission.resource_id] = group
        if limit is None or len(group["missions"]) < limit:
            group["missions"].append(mission)
    return sorted(groups.values(), key=lambda g: (g["resource"] is None, str(g["resource"] or "")))


def trm_agenda(meeting, review=None, *, rows=None, rows_per_resource=None):
    """The agenda of ``meeting`` (saved or not), reviewing ``review`` (by default the period before
    the one it plans). ``rows`` cuts the lists of missions not completed and of deadlines, and
    ``rows_per_resource`` the missions listed for each resource; the counts stay whole."""
    review = review or review_period_for(meeting)
    by_resource = _by_resource(review, rows_per_resource)
    not_completed, not_completed_total = _not_completed(meeting, rows)
    deadlines, deadlines_total = _first(
        Request.objects.select_related("area", "mission")
        .filter(Q(at_risk_flagged_at__isnull=False) | Q(overdue_flagged_at__isnull=False))
        .filter(
            Q(state=Request.State.RECEIVED)
            | Q(state=Request.State.APPROVED, mission__state__in=Mission.OPEN_STATES)
        )
        .order_by("due_by", "pk"),
        rows,
    )
    breaches = list(
        Mission.objects.select_related("request", "area", "outcome")
        .filter(
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
    new_requests, new_total = _first(
        selectors.triage_queue().select_related(None).select_related("area"), NEW_REQUESTS_SHOWN
    )
    extra = [provider(meeting, review) for provider in AGENDA_SECTIONS]
    decisions = (
        meeting.decisions.select_related("made_by", "mission").order_by("made_at", "pk") if meeting.pk else []
    )
    return {
        "review_period": review,
        "missions_by_resource": by_resource,
        "reviewed_count": sum(group["total"] for group in by_resource),
        "not_completed": not_completed,
        "not_completed_total": not_completed_total,
        "deadlines": deadlines,
        "deadlines_total": deadlines_total,
        "curfew_breaches": breaches,
        "new_requests": new_requests,
        "new_requests_total": new_total,
        "threat_items": list(selectors.open_threat_items()),
        "hot_grid_sections": extra,
        "decisions": list(decisions),
    }
