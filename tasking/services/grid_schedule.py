"""A hot grid's scheduled patrols that no longer apply: those of a window removed, of days after the
grid was retired, or of a grid put in a trial's control arm. Only patrols nobody has worked on are
removed: one with a compliant visit or a cover request is history and stays."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from ..models import ScheduledPatrol
from ..models.periods import LONDON


def day_start(day):
    """Midnight at the start of local (London) date ``day``."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


def unworked_patrols(**filters):
    """Scheduled patrols matching ``filters`` with no compliant visit and no cover request."""
    return ScheduledPatrol.objects.filter(compliant_visit__isnull=True, cover_request__isnull=True, **filters)


def patrols_remove(patrols):
    """Delete ``patrols`` (a queryset); the number removed."""
    removed, _ = patrols.delete()
    return removed


def patrols_of_windows_remove(grid, windows):
    """Remove the grid's patrols of ``windows`` that have not started yet."""
    if not windows:
        return 0
    return patrols_remove(unworked_patrols(grid=grid, window__in=windows, starts_at__gt=timezone.now()))


def patrols_after_retirement_remove(grid):
    """Remove the grid's patrols starting after its last active day."""
    if grid.active_to is None:
        return 0
    return patrols_remove(
        unworked_patrols(grid=grid, starts_at__gte=day_start(grid.active_to + timedelta(days=1)))
    )


def orphans_relink(grid, windows):
    """A patrol kept from a removed window (its window now empty) that a re-added, identical window
    has just scheduled again: keep the kept one, linked to the new window, and drop the copy."""
    relinked = 0
    kept = {
        patrol.starts_at: patrol for patrol in ScheduledPatrol.objects.filter(grid=grid, window__isnull=True)
    }
    if not kept:
        return 0
    for copy in ScheduledPatrol.objects.filter(grid=grid, window__in=windows, starts_at__in=list(kept)):
        original = kept.pop(copy.starts_at, None)
        if original is None:
            continue
        window_id = copy.window_id
        copy.delete()
        ScheduledPatrol.objects.filter(pk=original.pk).update(window_id=window_id)
        relinked += 1
    return relinked
