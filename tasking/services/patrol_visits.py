"""The checks a patrol visit must pass before it is recorded: inside the app's dates, not in the
future, no longer than a shift, and on a grid that was active then (or within the arrival allowance
of a patrol it had on its last active day)."""

import math
from datetime import UTC, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from operations.dates import day_in_range, day_out_of_range_message

from ..models import ScheduledPatrol
from ..models.patrols import FUTURE_ALLOWANCE
from ..models.periods import LONDON

# A hot-spot patrol lasts minutes and an officer's shift at most about 12 hours: a longer visit is a
# mistyped date or a GPS unit left running in the grid, and would swamp the dosage figures.
MAX_VISIT_LENGTH = timedelta(hours=12)


def day_text(day):
    return f"{day.day} {day:%b %Y}"


def _length_text(length):
    """12 h 30 s → "12 hours 1 minute": rounded up, so a refused length never reads as the limit."""
    days, minutes = divmod(math.ceil(length / timedelta(minutes=1)), 24 * 60)
    hours, minutes = divmod(minutes, 60)
    units = ((days, "day"), (hours, "hour"), (minutes, "minute"))
    return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in units if n)


def allowance_spans(grids, since, until):
    """{grid id: [(starts_at, arrive_by)]}: for each retired grid of ``grids``, its patrols that
    start on one of its active (London) days and can still be made after its last one, overlapping
    [``since``, ``until``]. That arrival allowance is when the grid still takes visits after it
    was retired. One query for all the grids."""
    retired = {grid.pk: grid for grid in grids if grid.pk is not None and grid.active_to is not None}
    if not retired:
        return {}
    spans = {}
    for grid_id, starts_at, arrive_by in ScheduledPatrol.objects.filter(
        grid_id__in=list(retired), starts_at__lte=until, arrive_by__gte=since
    ).values_list("grid_id", "starts_at", "arrive_by"):
        grid = retired[grid_id]
        on_active_day = grid.active_from <= timezone.localdate(starts_at, LONDON) <= grid.active_to
        if on_active_day and timezone.localdate(arrive_by, LONDON) > grid.active_to:
            spans.setdefault(grid_id, []).append((starts_at, arrive_by))
    return spans


def grid_was_active(grid, arrived_at, left_at, spans=None):
    """Whether a visit from ``arrived_at`` to ``left_at`` (or a GPS point, the two equal) can have
    been made to ``grid`` while it was to be patrolled: it overlaps the grid's active (London)
    days, or the arrival allowance of a patrol of those days (a Guardian patrol on a retired grid's
    last day may be made up to 24 h later). The one rule for visits logged by hand and imported.

    ``spans`` are the grid's allowance spans when the caller has read them for many grids at once
    (``allowance_spans``); otherwise they are read here, only when the dates alone do not settle it."""
    first, last = timezone.localdate(arrived_at, LONDON), timezone.localdate(left_at, LONDON)
    if not (last < grid.active_from or (grid.active_to and first > grid.active_to)):
        return True
    if spans is None:
        spans = allowance_spans([grid], arrived_at, left_at).get(grid.pk, [])
    return any(starts_at <= left_at and arrive_by >= arrived_at for starts_at, arrive_by in spans)


def visit_bounds_check(*, grid, arrived_at, left_at):
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
    if not grid_was_active(grid, arrived_at, left_at):
        until = f" to {day_text(grid.active_to)}" if grid.active_to else ""
        tense = "was" if grid.active_to and grid.active_to < timezone.localdate() else "is"
        errors["grid"] = (
            f"{grid.code} {grid.name} {tense} active from {day_text(grid.active_from)}{until}: "
            f"a visit on {day_text(timezone.localdate(arrived_at))} is outside those dates."
        )
    if errors:
        raise ValidationError(errors)
