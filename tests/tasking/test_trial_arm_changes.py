"""A grid's trial arm changed before the trial starts changes its schedule at once, in the same
change and audited: out of the control arm, it gets the current period's patrols there and then
(not at the schedule's next run); into it, it loses its unworked ones. The trial's read-out counts
patrols and visits only from the trial's start, so a grid's earlier work is not counted in the arm
it has now. The clock stands at 09:00 on Friday 12 June 2026, London time."""

from datetime import timedelta

import pytest

from operations.models import AuditEntry, Operation
from tasking import patrol_stats, services
from tasking.models import HotGrid, ScheduledPatrol

from .patrol_helpers import (
    TODAY,
    grid_make,
    local,
    patrol_api_clock,  # noqa: F401
    patrol_reference,  # noqa: F401
    schedule,
    visit_log,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_api_clock")]

TOMORROW = TODAY + timedelta(days=1)
YESTERDAY = TODAY - timedelta(days=1)


def vibrant():
    return Operation.objects.get(code="VIBRANT")


def todays_patrols(grid):
    return ScheduledPatrol.objects.filter(grid=grid, period__day=TODAY)


def last_update(grid):
    return (
        AuditEntry.objects.filter(
            object_type="tasking.hotgrid", object_id=str(grid.pk), action=AuditEntry.Action.UPDATE
        )
        .order_by("pk")
        .last()
    )


def test_a_grid_moved_out_of_control_before_the_start_gets_todays_patrols_at_once(supervisor):
    grid = grid_make(supervisor, code="HG-ARM", operation="VIBRANT", trial_arm=HotGrid.Arm.CONTROL)
    services.patrol_schedule_for()  # today's schedule, made while the grid was in control
    assert not todays_patrols(grid).exists()

    services.hot_grid_save(actor=supervisor, grid=grid, trial_arm=HotGrid.Arm.TREATMENT)

    assert todays_patrols(grid).count() == 1
    assert last_update(grid).changes["scheduled_patrols_added"] == 1


def test_moving_one_grid_out_of_control_schedules_that_grid_only(supervisor):
    grid = grid_make(supervisor, code="HG-ARM", operation="VIBRANT", trial_arm=HotGrid.Arm.CONTROL)
    services.patrol_schedule_for()
    other = grid_make(supervisor, code="HG-NEW", operation="VIBRANT")  # added after today's schedule ran

    services.hot_grid_save(actor=supervisor, grid=grid, trial_arm=HotGrid.Arm.TREATMENT)

    assert todays_patrols(grid).count() == 1
    assert not todays_patrols(other).exists()  # it waits for the schedule's next run, as before


def test_a_re_randomisation_before_the_start_schedules_the_grids_it_takes_out_of_control(supervisor):
    grids = [grid_make(supervisor, code=f"HG-R{i}", operation="VIBRANT") for i in range(6)]
    services.hot_grids_randomise(actor=supervisor, operation=vibrant(), seed=1, starts_on=TOMORROW)
    services.patrol_schedule_for()
    first = {grid.pk: HotGrid.objects.get(pk=grid.pk).trial_arm for grid in grids}

    services.hot_grids_randomise(actor=supervisor, operation=vibrant(), seed=2, starts_on=TOMORROW)

    second = {grid.pk: HotGrid.objects.get(pk=grid.pk).trial_arm for grid in grids}
    moved = [pk for pk in first if first[pk] == "control" and second[pk] == "treatment"]
    assert moved, "the seeds must move a grid out of control for this test"
    for grid in grids:
        # Today is before the start: a grid put in control keeps today's patrol; one in control
        # both times has none.
        expected = 0 if first[grid.pk] == second[grid.pk] == "control" else 1
        assert todays_patrols(grid).count() == expected, grid.code
    for pk in moved:
        assert last_update(HotGrid(pk=pk)).changes["scheduled_patrols_added"] == 1


def test_a_grid_put_in_control_by_hand_loses_its_unworked_patrols(supervisor):
    grid = grid_make(supervisor, code="HG-CTL", operation="VIBRANT")
    services.patrol_schedule_for()
    assert todays_patrols(grid).count() == 1

    services.hot_grid_save(actor=supervisor, grid=grid, trial_arm=HotGrid.Arm.CONTROL)

    assert not todays_patrols(grid).exists()
    assert last_update(grid).changes["scheduled_patrols_removed"] == 1


def test_the_read_out_counts_patrols_and_visits_only_from_the_trials_start(supervisor):
    grids = [grid_make(supervisor, code=f"HG-O{i}", operation="VIBRANT") for i in range(4)]
    schedule(YESTERDAY)  # before the trial: every grid patrolled, one visited
    visit_log(grids[0], local(2026, 6, 11, 18, 30))
    services.hot_grids_randomise(actor=supervisor, operation=vibrant(), seed=3, starts_on=TODAY)
    schedule(TODAY)

    readout = {row["arm"]: row for row in patrol_stats.trial_readout(vibrant())}

    treatment, control = readout["treatment"], readout["control"]
    assert (treatment["grids"], treatment["scheduled"], treatment["visits"]) == (2, 2, 0)
    assert (control["grids"], control["scheduled"], control["visits"]) == (2, 0, 0)
