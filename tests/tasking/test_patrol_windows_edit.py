"""Changing a hot grid's patrol windows keeps the patrols already scheduled, and their history."""

from datetime import date

import pytest

from tasking import services
from tasking.models import HotGrid, PatrolWindow, ScheduledPatrol

from .patrol_helpers import grid_make, local, patrol_reference, schedule, visit_log, window  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference")]
DAY = date(2026, 6, 10)


def test_replacing_the_windows_keeps_past_patrols_and_their_compliance(supervisor):
    grid = grid_make(supervisor, windows=[window("18:00", "20:00")])
    schedule(DAY)
    visit = visit_log(grid, local(2026, 6, 10, 18, 30))
    patrol = ScheduledPatrol.objects.get(grid=grid)
    assert patrol.compliant_visit == visit

    services.hot_grid_save(actor=supervisor, grid=grid, windows=[window("10:00", "12:00")])

    patrol.refresh_from_db()
    assert patrol.compliant_visit == visit
    assert patrol.window is None  # its window was replaced, the patrol and its record remain
    assert [str(w) for w in grid.windows.all()] == ["Mon,Tue,Wed,Thu,Fri,Sat,Sun 10:00–12:00"]


def test_saving_the_same_windows_again_keeps_them_as_they_are(supervisor):
    grid = grid_make(supervisor, windows=[window("18:00", "20:00"), window("06:00", "07:00", [5, 6])])
    before = sorted(PatrolWindow.objects.filter(grid=grid).values_list("pk", flat=True))
    schedule(DAY)

    services.hot_grid_save(
        actor=supervisor, grid=HotGrid.objects.get(pk=grid.pk),
        windows=[window("06:00", "07:00", [6, 5]), window("18:00", "20:00")],
    )  # fmt: skip

    assert sorted(PatrolWindow.objects.filter(grid=grid).values_list("pk", flat=True)) == before
    assert ScheduledPatrol.objects.filter(grid=grid, window__isnull=False).count() == 1
