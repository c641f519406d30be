"""Changes to a hot grid and its trial that take patrols off its schedule, or that a started trial
refuses.

Once an operation's trial has started its arms are locked, however the change is made. Patrols that
no longer apply and that nobody has worked on (no compliant visit, no cover request) are removed
with the change that ends them: a removed window's patrols not yet started, a retired grid's patrols
after its last active day, and a control grid's patrols from the trial's start. The clock stands at
09:00 on Friday 12 June 2026, London time.
"""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from operations.exceptions import Conflict
from operations.models import AuditEntry, Operation
from tasking import patrol_stats, services
from tasking.models import HotGrid, ScheduledPatrol

from .patrol_helpers import (
    TODAY,
    grid_make,
    grid_payload,
    local,
    patrol_api_clock,  # noqa: F401
    patrol_reference,  # noqa: F401
    schedule,
    visit_log,
    window,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_api_clock")]

TOMORROW = TODAY + timedelta(days=1)


def vibrant():
    return Operation.objects.get(code="VIBRANT")


def started_trial(supervisor, count=4):
    grids = [grid_make(supervisor, code=f"HG-L{i}", operation="VIBRANT") for i in range(count)]
    services.hot_grids_randomise(actor=supervisor, operation=vibrant(), seed=5, starts_on=TODAY)
    return [HotGrid.objects.get(pk=grid.pk) for grid in grids]


def patrol_times(grid):
    return sorted(
        (local_time.astimezone(local(2026, 1, 1).tzinfo).strftime("%d %H:%M"))
        for local_time in ScheduledPatrol.objects.filter(grid=grid).values_list("starts_at", flat=True)
    )


def grid_audit(grid):
    return (
        AuditEntry.objects.filter(object_type="tasking.hotgrid", object_id=str(grid.pk)).order_by("pk").last()
    )


# ---------------------------------------------------------------- the trial's lock


def test_a_grid_with_an_arm_cannot_leave_a_started_trials_operation(api, supervisor):
    grid = started_trial(supervisor)[0]

    response = api.as_user(supervisor).patch(f"/api/hot-grids/{grid.pk}/", {"operation": None}, format="json")

    assert response.status_code == 409, response.data
    assert "locked" in response.data["detail"]
    grid.refresh_from_db()
    assert grid.operation == vibrant()


def test_a_grid_with_an_arm_cannot_join_a_started_trials_operation(api, supervisor):
    started_trial(supervisor)
    outside = grid_make(supervisor, code="HG-OUT", operation=None, trial_arm=HotGrid.Arm.CONTROL)

    response = api.as_user(supervisor).patch(
        f"/api/hot-grids/{outside.pk}/", {"operation": "VIBRANT"}, format="json"
    )

    assert response.status_code == 409, response.data
    outside.refresh_from_db()
    assert outside.operation is None


def test_a_grid_cannot_be_created_in_a_started_trial_with_an_arm(api, supervisor):
    started_trial(supervisor)

    response = api.as_user(supervisor).post(
        "/api/hot-grids/", grid_payload(code="HG-NEWCTRL", trial_arm="control"), format="json"
    )

    assert response.status_code == 409, response.data
    assert not HotGrid.objects.filter(code="HG-NEWCTRL").exists()
    with pytest.raises(Conflict, match="locked"):
        grid_make(supervisor, code="HG-NEWTRT", operation="VIBRANT", trial_arm=HotGrid.Arm.TREATMENT)


def test_a_started_trial_still_takes_grids_without_an_arm_and_other_edits(api, supervisor):
    grid = started_trial(supervisor)[0]
    client = api.as_user(supervisor)

    assert client.patch(f"/api/hot-grids/{grid.pk}/", {"name": "Renamed"}, format="json").status_code == 200
    created = client.post("/api/hot-grids/", grid_payload(code="HG-NOARM"), format="json")
    assert created.status_code == 201, created.data
    plain = grid_make(supervisor, code="HG-PLAIN", operation=None)
    assert (
        client.patch(f"/api/hot-grids/{plain.pk}/", {"operation": "VIBRANT"}, format="json").status_code
        == 200
    )


def test_before_the_start_a_grid_may_still_move_with_its_arm(supervisor):
    grid = grid_make(supervisor, code="HG-EARLY", operation="VIBRANT")
    services.hot_grids_randomise(actor=supervisor, operation=vibrant(), seed=5, starts_on=TOMORROW)

    services.hot_grid_save(actor=supervisor, grid=HotGrid.objects.get(pk=grid.pk), operation=None)

    assert HotGrid.objects.get(pk=grid.pk).operation is None


# ---------------------------------------------------------------- randomisation


def test_randomisation_leaves_out_grids_not_active_on_the_start_day(supervisor):
    active = [grid_make(supervisor, code=f"HG-A{i}", operation="VIBRANT") for i in range(4)]
    retired = grid_make(supervisor, code="HG-OLD", operation="VIBRANT", active_to=date(2026, 1, 1))
    later = grid_make(supervisor, code="HG-LATER", operation="VIBRANT", active_from=date(2026, 7, 1))
    # An arm left from an earlier randomisation, made while the grid was still active.
    HotGrid.objects.filter(pk=retired.pk).update(trial_arm=HotGrid.Arm.TREATMENT)

    services.hot_grids_randomise(actor=supervisor, operation=vibrant(), seed=3, starts_on=TOMORROW)

    arms = [HotGrid.objects.get(pk=grid.pk).trial_arm for grid in active]
    assert sorted(arms) == ["control", "control", "treatment", "treatment"]
    assert HotGrid.objects.get(pk=retired.pk).trial_arm == ""
    assert HotGrid.objects.get(pk=later.pk).trial_arm == ""
    (row,) = services.trial_balance(vibrant())
    assert row == {"area": "BE", "treatment": 2, "control": 2, "unassigned": 0}
    readout = {row["arm"]: row["grids"] for row in patrol_stats.trial_readout(vibrant())}
    assert readout == {"treatment": 2, "control": 2}


def test_randomising_from_today_removes_the_control_grids_unworked_patrols_from_today(supervisor):
    grids = [grid_make(supervisor, code=f"HG-Q{i}", operation="VIBRANT") for i in range(4)]
    schedule(TODAY - timedelta(days=1))
    period = schedule(TODAY)
    # One of today's patrols already has a compliant visit: it is history and stays.
    worked = ScheduledPatrol.objects.filter(period=period).first()
    visit = visit_log(worked.grid, local(2026, 6, 12, 8, 0))
    ScheduledPatrol.objects.filter(pk=worked.pk).update(compliant_visit=visit)

    services.hot_grids_randomise(actor=supervisor, operation=vibrant(), seed=3, starts_on=TODAY)

    for grid in grids:
        grid.refresh_from_db()
        today = ScheduledPatrol.objects.filter(grid=grid, period=period)
        if grid.trial_arm == HotGrid.Arm.TREATMENT:
            assert today.count() == 1
        elif grid.pk == worked.grid_id:
            assert list(today) == [worked]
        else:
            assert not today.exists()
            assert grid_audit(grid).changes["scheduled_patrols_removed"] == 1
        # Yesterday, before the trial, is not the trial's to change.
        assert ScheduledPatrol.objects.filter(grid=grid, period__day=TODAY - timedelta(days=1)).count() == 1
    flagged = services.patrol_gaps_detect(now=local(2026, 6, 13, 8, 0))
    assert not ScheduledPatrol.objects.filter(
        pk__in=flagged, grid__trial_arm=HotGrid.Arm.CONTROL, period=period
    ).exclude(pk=worked.pk)


# ---------------------------------------------------------------- windows


def every_day(start, end):
    return [{"weekdays": [0, 1, 2, 3, 4, 5, 6], "start_time": start, "end_time": end}]


def windows_set(client, grid, start, end):
    return client.patch(f"/api/hot-grids/{grid.pk}/", {"windows": every_day(start, end)}, format="json")


def test_replacing_a_window_moves_todays_patrol_and_reverting_does_not_duplicate_it(api, supervisor):
    grid = grid_make(supervisor, code="HG-R", operation="VIBRANT")
    services.patrol_schedule_for()
    client = api.as_user(supervisor)
    assert patrol_times(grid) == ["12 18:00"]

    assert windows_set(client, grid, "10:00", "12:00").status_code == 200
    assert patrol_times(grid) == ["12 10:00"]
    assert grid_audit(grid).changes["scheduled_patrols_removed"] == 1

    assert windows_set(client, grid, "18:00", "20:00").status_code == 200
    services.patrol_schedule_for()
    assert patrol_times(grid) == ["12 18:00"]


def test_a_started_patrol_of_a_removed_window_is_kept_and_not_scheduled_twice(supervisor):
    grid = grid_make(supervisor, code="HG-S", operation="VIBRANT")
    with time_machine.travel(local(2026, 6, 12, 19, 0), tick=False):
        services.patrol_schedule_for()
        services.hot_grid_save(actor=supervisor, grid=grid, windows=[window("21:00", "22:00")])
        assert patrol_times(grid) == ["12 18:00", "12 21:00"]
        services.hot_grid_save(actor=supervisor, grid=grid, windows=[window("18:00", "20:00")])
        services.patrol_schedule_for()
    assert patrol_times(grid) == ["12 18:00"]
    assert ScheduledPatrol.objects.get(grid=grid).window == grid.windows.get()


def test_identical_windows_in_one_grid_are_refused(api, supervisor):
    with pytest.raises(ValidationError) as raised:
        grid_make(supervisor, code="HG-DD", windows=[window("18:00", "20:00"), window("18:00", "20:00")])
    assert "windows" in raised.value.error_dict
    assert not HotGrid.objects.filter(code="HG-DD").exists()

    grid = grid_make(supervisor, code="HG-D1")
    twice = every_day("18:00", "20:00") * 2
    response = api.as_user(supervisor).patch(f"/api/hot-grids/{grid.pk}/", {"windows": twice}, format="json")
    assert response.status_code == 400, response.data
    assert grid.windows.count() == 1


# ---------------------------------------------------------------- retirement


def test_retiring_a_grid_removes_its_unworked_patrols_after_its_last_day(api, supervisor):
    grid = grid_make(supervisor, code="HG-RET", operation="VIBRANT")
    other = grid_make(supervisor, code="HG-STAY", operation="VIBRANT")
    for day in (TODAY, TOMORROW, TOMORROW + timedelta(days=1)):
        schedule(day)
    # A patrol after the last day that somebody worked on stays.
    worked = ScheduledPatrol.objects.get(grid=grid, period__day=TOMORROW + timedelta(days=1))
    visit = visit_log(grid, local(2026, 6, 12, 8, 0))
    ScheduledPatrol.objects.filter(pk=worked.pk).update(compliant_visit=visit)

    response = api.as_user(supervisor).patch(
        f"/api/hot-grids/{grid.pk}/", {"active_to": TODAY.isoformat()}, format="json"
    )

    assert response.status_code == 200, response.data
    assert patrol_times(grid) == ["12 18:00", "14 18:00"]
    assert len(patrol_times(other)) == 3
    assert grid_audit(grid).changes["scheduled_patrols_removed"] == 1


def test_moving_the_last_day_later_removes_nothing(supervisor):
    grid = grid_make(supervisor, code="HG-LATE", operation="VIBRANT", active_to=TOMORROW)
    schedule(TODAY)
    schedule(TOMORROW)

    services.hot_grid_save(actor=supervisor, grid=grid, active_to=TOMORROW + timedelta(days=5))

    assert patrol_times(grid) == ["12 18:00", "13 18:00"]
