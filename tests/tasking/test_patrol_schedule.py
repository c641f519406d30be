"""Generating the patrol schedule: at local time either side of a clock change, idempotently, only
for active treatment or unassigned grids on their weekdays, and the patrol cap that takes a grid off
the list still to patrol."""

from datetime import UTC, date, timedelta
from decimal import Decimal

import pytest
import time_machine

from tasking import patrol_stats, services, tasks
from tasking.models import HotGrid, ScheduledPatrol

from .patrol_helpers import (
    DAY,
    SECOND,
    START,
    compliant,
    grid_make,
    local,
    only_patrol,
    patrol_reference,  # noqa: F401
    schedule,
    visit_log,
    window,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference")]


# ---------------------------------------------------------------- daylight saving


def test_the_tasking_periods_holding_the_clock_changes_are_23_and_25_hours_long():
    spring = services.period_for_day(date(2026, 3, 28))
    autumn = services.period_for_day(date(2026, 10, 24))
    assert spring.hours == 23
    assert autumn.hours == 25
    assert services.period_for_day(date(2026, 3, 29)).hours == 24


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 3, 28), 18),  # GMT: the evening before the clocks go forward
        (date(2026, 3, 29), 17),  # BST from the first day of summer time
        (date(2026, 10, 24), 17),  # BST: the evening before the clocks go back
        (date(2026, 10, 25), 18),  # GMT again
    ],
)
def test_an_18_00_window_is_scheduled_at_18_00_local_time_either_side_of_a_clock_change(day, utc_hour):
    grid = grid_make(operation="VIBRANT")
    schedule(day)
    patrol = only_patrol(grid)
    assert patrol.starts_at.astimezone(UTC).hour == utc_hour
    assert patrol.starts_at.astimezone(UTC).date() == day
    assert patrol.ends_at - patrol.starts_at == timedelta(hours=2)


def test_a_23_hour_period_schedules_both_an_evening_and_an_early_morning_window():
    grid = grid_make(operation="VIBRANT", windows=[window("18:00", "20:00"), window("03:00", "05:00")])
    schedule(date(2026, 3, 28))
    starts = [p.starts_at.astimezone(UTC) for p in ScheduledPatrol.objects.filter(grid=grid)]
    # 18:00 GMT on the 28th; 03:00 BST (02:00 UTC) on the 29th, after the clocks went forward.
    assert starts == [local(2026, 3, 28, 18, 0).astimezone(UTC), local(2026, 3, 29, 3, 0).astimezone(UTC)]
    assert starts[1].hour == 2


@pytest.mark.parametrize("day", [date(2026, 3, 28), date(2026, 10, 24)])
def test_the_guardian_24_hours_are_24_real_hours_across_a_clock_change(day):
    grid = grid_make(operation="GUARDIAN")
    schedule(day)
    patrol = only_patrol(grid)
    assert (patrol.arrive_by - patrol.starts_at).total_seconds() == 24 * 3600
    deadline_utc = patrol.starts_at.astimezone(UTC) + timedelta(hours=24)
    visit_log(grid, deadline_utc + SECOND)
    assert not compliant(grid)
    visit_log(grid, deadline_utc, deadline_utc + timedelta(minutes=15))
    assert compliant(grid)


def test_on_the_spring_day_the_guardian_deadline_is_19_00_local_the_next_evening():
    grid = grid_make(operation="GUARDIAN")
    schedule(date(2026, 3, 28))
    # 18:00 GMT + 24 real hours = 18:00 UTC = 19:00 BST: a visit at 18:30 BST is in time.
    assert only_patrol(grid).arrive_by == local(2026, 3, 29, 19, 0)
    visit_log(grid, local(2026, 3, 29, 18, 59))
    assert compliant(grid)


def test_a_visit_spanning_the_autumn_clock_change_has_its_real_dwell_time():
    grid = grid_make(operation="VIBRANT")
    # 00:30 BST to 01:30 GMT on 25 October is two real hours (the clocks went back in between).
    arrived = local(2026, 10, 25, 0, 30)
    left = local(2026, 10, 25, 1, 30).replace(fold=1)
    assert (left.astimezone(UTC) - arrived.astimezone(UTC)) == timedelta(hours=2)
    visit = visit_log(grid, arrived, left)
    assert visit.dwell_minutes == Decimal("120.00")


# ---------------------------------------------------------------- generating the schedule


def test_generating_the_schedule_twice_makes_the_same_rows():
    grids = [grid_make(operation="VIBRANT"), grid_make(operation="GUARDIAN")]
    period = services.period_for_day(DAY)
    assert services.patrol_schedule_generate(period=period) == 2
    first = list(ScheduledPatrol.objects.values_list("pk", "grid", "starts_at", "arrive_by"))
    assert services.patrol_schedule_generate(period=period) == 2
    assert list(ScheduledPatrol.objects.values_list("pk", "grid", "starts_at", "arrive_by")) == first
    assert {row[1] for row in first} == {g.pk for g in grids}


def test_the_periodic_job_schedules_the_current_period_idempotently():
    grid = grid_make(operation="VIBRANT")
    with time_machine.travel(local(2026, 6, 10, 9, 0), tick=False):
        tasks.generate_patrol_schedule()
        tasks.generate_patrol_schedule()
    assert only_patrol(grid).period.day == DAY


def test_control_arm_grids_are_not_scheduled_but_treatment_and_unassigned_grids_are():
    control = grid_make(trial_arm=HotGrid.Arm.CONTROL)
    treatment = grid_make(trial_arm=HotGrid.Arm.TREATMENT)
    unassigned = grid_make()
    schedule(DAY)
    scheduled = set(ScheduledPatrol.objects.values_list("grid", flat=True))
    assert scheduled == {treatment.pk, unassigned.pk}
    assert control.pk not in scheduled


def test_inactive_grids_are_not_scheduled():
    ended = grid_make(active_from=date(2026, 1, 1), active_to=DAY - timedelta(days=1))
    not_yet = grid_make(active_from=DAY + timedelta(days=1))
    last_day = grid_make(active_from=date(2026, 1, 1), active_to=DAY)
    first_day = grid_make(active_from=DAY)
    schedule(DAY)
    scheduled = set(ScheduledPatrol.objects.values_list("grid", flat=True))
    assert scheduled == {last_day.pk, first_day.pk}
    assert not {ended.pk, not_yet.pk} & scheduled


def test_windows_are_scheduled_only_on_their_weekdays():
    wednesday, thursday = DAY.weekday(), DAY.weekday() + 1
    on_wednesday = grid_make(windows=[window("18:00", "20:00", weekdays=[wednesday])])
    on_thursday = grid_make(windows=[window("18:00", "20:00", weekdays=[thursday])])
    schedule(DAY)
    schedule(DAY + timedelta(days=1))
    assert ScheduledPatrol.objects.get(grid=on_wednesday).period.day == DAY
    assert ScheduledPatrol.objects.get(grid=on_thursday).period.day == DAY + timedelta(days=1)


def test_a_grid_with_two_windows_gets_two_patrols():
    grid = grid_make(operation="VIBRANT", windows=[window("09:00", "11:00"), window("18:00", "20:00")])
    schedule(DAY)
    assert ScheduledPatrol.objects.filter(grid=grid).count() == 2


def test_a_visit_logged_before_the_schedule_is_generated_makes_the_patrol_compliant():
    grid = grid_make(operation="VIBRANT")
    visit = visit_log(grid, START + timedelta(minutes=5))
    schedule(DAY)
    assert only_patrol(grid).compliant_visit == visit


# ---------------------------------------------------------------- the patrol cap


@time_machine.travel(local(2026, 6, 10, 14, 0), tick=False)
def test_a_grid_drops_off_the_list_still_to_patrol_once_todays_visits_reach_its_dose():
    capped = grid_make(operation="VIBRANT", daily_dose_minutes=15)
    other = grid_make(operation="VIBRANT", daily_dose_minutes=15)
    period = schedule(DAY)

    def still():
        return {p.grid_id for p in patrol_stats.still_to_patrol(period)}

    assert still() == {capped.pk, other.pk}
    visit_log(capped, local(2026, 6, 10, 10, 0), local(2026, 6, 10, 10, 10))
    assert still() == {capped.pk, other.pk}  # 10 of 15 minutes
    visit_log(capped, local(2026, 6, 10, 11, 0), local(2026, 6, 10, 11, 5))
    assert still() == {other.pk}  # 15 of 15 minutes: capped for today
    assert not only_patrol(capped).is_compliant  # the cap is not compliance


@time_machine.travel(local(2026, 6, 10, 14, 0), tick=False)
def test_yesterdays_visits_do_not_count_towards_todays_patrol_cap():
    grid = grid_make(operation="VIBRANT", daily_dose_minutes=15)
    period = schedule(DAY)
    visit_log(grid, local(2026, 6, 9, 22, 0), local(2026, 6, 9, 23, 0))
    assert [p.grid_id for p in patrol_stats.still_to_patrol(period)] == [grid.pk]


@time_machine.travel(local(2026, 6, 10, 19, 0), tick=False)
def test_a_compliant_patrol_is_no_longer_still_to_patrol():
    grid = grid_make(operation="VIBRANT", daily_dose_minutes=60)
    period = schedule(DAY)
    visit_log(grid, local(2026, 6, 10, 18, 30), local(2026, 6, 10, 18, 35))
    assert list(patrol_stats.still_to_patrol(period)) == []
