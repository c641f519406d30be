"""The checks a patrol visit must pass before it is recorded: inside the app's dates, not in the
future, no longer than a shift, and on a grid that was active then (or within the arrival allowance
of a patrol it had on its last active day)."""

import math
from datetime import UTC, datetime, time, timedelta

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


def _day_start(day):
    """Midnight at the start of local (London) date ``day``."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


def active_patrols(grid):
    """The grid's scheduled patrols starting on one of its active (London) days."""
    patrols = ScheduledPatrol.objects.filter(grid=grid, starts_at__gte=_day_start(grid.active_from))
    if grid.active_to:
        patrols = patrols.filter(starts_at__lt=_day_start(grid.active_to + timedelta(days=1)))
    return patrols


def _grid_was_active(grid, arrived_at, left_at):
    """Whether the visit overlaps the grid's active days, as it would overlap a patrol there, or
    could satisfy one of its patrols on those days: a Guardian patrol on the grid's last day may be
    made up to 24 h later. The query runs only when the dates alone do not settle it."""
    first, last = timezone.localdate(arrived_at), timezone.localdate(left_at)
    if not (last < grid.active_from or (grid.active_to and first > grid.active_to)):
        return True
    if grid.pk is None:
        return False
    return active_patrols(grid).filter(starts_at__lte=left_at, arrive_by__gte=arrived_at).exists()


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
    if not _grid_was_active(grid, arrived_at, left_at):
        until = f" to {day_text(grid.active_to)}" if grid.active_to else ""
        tense = "was" if grid.active_to and grid.active_to < timezone.localdate() else "is"
        errors["grid"] = (
            f"{grid.code} {grid.name} {tense} active from {day_text(grid.active_from)}{until}: "
            f"a visit on {day_text(timezone.localdate(arrived_at))} is outside those dates."
        )
    if errors:
        raise ValidationError(errors)
