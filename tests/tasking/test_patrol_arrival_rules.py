"""When a visit makes a scheduled patrol compliant: Guardian's arrival within 24 hours of the start,
other operations' arrival inside the window (midnight-crossing windows too), and the rule read from
the operation."""

from datetime import timedelta

import pytest

from operations.models import Operation

from .patrol_helpers import (
    DAY,
    END,
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


# ---------------------------------------------------------------- Guardian: within 24 h of the start


@pytest.fixture
def guardian_grid(db):
    return grid_make(operation="GUARDIAN")


def test_guardian_and_tgp_use_the_24_hour_arrival_rule_and_vibrant_the_window():
    rules = dict(Operation.objects.values_list("code", "patrol_arrival_rule"))
    assert rules["GUARDIAN"] == rules["TGP"] == Operation.ArrivalRule.WITHIN_HOURS
    assert rules["VIBRANT"] == Operation.ArrivalRule.IN_WINDOW
    assert set(
        Operation.objects.filter(code__in=["GUARDIAN", "TGP"]).values_list("patrol_arrival_hours", flat=True)
    ) == {24}


def test_a_guardian_patrol_must_be_reached_by_24_hours_after_its_start(guardian_grid):
    schedule(DAY)
    patrol = only_patrol(guardian_grid)
    assert patrol.starts_at == START
    assert patrol.arrive_by == START + timedelta(hours=24)


# Each case is checked both ways round: visit logged after the schedule exists, and before it.
ORDERS = ["schedule_then_visit", "visit_then_schedule"]


def run(order, grid, arrived_at, left_at):
    if order == "schedule_then_visit":
        schedule(DAY)
        visit_log(grid, arrived_at, left_at)
    else:
        visit_log(grid, arrived_at, left_at)
        schedule(DAY)


@pytest.mark.parametrize("order", ORDERS)
def test_a_guardian_visit_arriving_exactly_24_hours_after_the_start_is_compliant(order, guardian_grid):
    arrival = START + timedelta(hours=24)
    run(order, guardian_grid, arrival, arrival + timedelta(minutes=15))
    assert compliant(guardian_grid)


@pytest.mark.parametrize("order", ORDERS)
def test_a_guardian_visit_arriving_24_hours_and_one_second_after_the_start_is_not(order, guardian_grid):
    arrival = START + timedelta(hours=24) + SECOND
    run(order, guardian_grid, arrival, arrival + timedelta(minutes=15))
    assert not compliant(guardian_grid)


@pytest.mark.parametrize("order", ORDERS)
def test_a_guardian_visit_that_left_before_the_start_is_not_compliant(order, guardian_grid):
    run(order, guardian_grid, START - timedelta(minutes=30), START - SECOND)
    assert not compliant(guardian_grid)


@pytest.mark.parametrize("order", ORDERS)
def test_a_guardian_visit_spanning_the_start_is_compliant(order, guardian_grid):
    run(order, guardian_grid, START - timedelta(minutes=10), START + timedelta(minutes=10))
    assert compliant(guardian_grid)


@pytest.mark.parametrize("order", ORDERS)
def test_a_guardian_visit_the_next_morning_is_compliant(order, guardian_grid):
    run(order, guardian_grid, local(2026, 6, 11, 9, 0), local(2026, 6, 11, 9, 20))
    assert compliant(guardian_grid)


def test_the_compliant_patrol_names_the_visit_that_satisfied_it(guardian_grid):
    schedule(DAY)
    visit = visit_log(guardian_grid, START + timedelta(hours=2))
    assert only_patrol(guardian_grid).compliant_visit == visit


def test_a_visit_to_another_grid_does_not_make_a_patrol_compliant(guardian_grid):
    other = grid_make(operation="GUARDIAN")
    schedule(DAY)
    visit_log(other, START + timedelta(minutes=5))
    assert not compliant(guardian_grid)
    assert compliant(other)


# ---------------------------------------------------------------- other operations: inside the window


@pytest.fixture
def vibrant_grid(db):
    return grid_make(operation="VIBRANT")


def test_a_vibrant_patrol_must_be_reached_by_the_end_of_its_window(vibrant_grid):
    schedule(DAY)
    patrol = only_patrol(vibrant_grid)
    assert (patrol.starts_at, patrol.ends_at, patrol.arrive_by) == (START, END, END)


@pytest.mark.parametrize("order", ORDERS)
def test_a_visit_inside_the_window_is_compliant(order, vibrant_grid):
    run(order, vibrant_grid, START + timedelta(minutes=30), START + timedelta(minutes=50))
    assert compliant(vibrant_grid)


@pytest.mark.parametrize("order", ORDERS)
def test_a_visit_starting_after_the_window_ends_is_not_compliant(order, vibrant_grid):
    run(order, vibrant_grid, END + SECOND, END + timedelta(minutes=20))
    assert not compliant(vibrant_grid)


@pytest.mark.parametrize("order", ORDERS)
def test_a_visit_spanning_the_end_of_the_window_is_compliant(order, vibrant_grid):
    run(order, vibrant_grid, END - timedelta(minutes=10), END + timedelta(minutes=10))
    assert compliant(vibrant_grid)


@pytest.mark.parametrize("order", ORDERS)
def test_a_visit_spanning_the_start_of_the_window_is_compliant(order, vibrant_grid):
    run(order, vibrant_grid, START - timedelta(minutes=10), START + timedelta(minutes=10))
    assert compliant(vibrant_grid)


@pytest.mark.parametrize("order", ORDERS)
def test_a_visit_ending_before_the_window_is_not_compliant(order, vibrant_grid):
    run(order, vibrant_grid, START - timedelta(minutes=30), START - SECOND)
    assert not compliant(vibrant_grid)


def test_a_window_crossing_midnight_ends_the_next_day_and_counts_visits_after_midnight():
    grid = grid_make(operation="VIBRANT", windows=[window("22:00", "02:00")])
    schedule(DAY)
    patrol = only_patrol(grid)
    assert patrol.starts_at == local(2026, 6, 10, 22, 0)
    assert patrol.ends_at == patrol.arrive_by == local(2026, 6, 11, 2, 0)
    visit_log(grid, local(2026, 6, 11, 1, 30), local(2026, 6, 11, 1, 45))
    assert compliant(grid)


def test_a_visit_after_a_midnight_window_has_ended_is_not_compliant():
    grid = grid_make(operation="VIBRANT", windows=[window("22:00", "02:00")])
    schedule(DAY)
    visit_log(grid, local(2026, 6, 11, 2, 0) + SECOND)
    assert not compliant(grid)


def test_an_early_morning_window_belongs_to_the_period_that_started_the_evening_before():
    grid = grid_make(operation="VIBRANT", windows=[window("01:00", "03:00", weekdays=[DAY.weekday() + 1])])
    period = schedule(DAY)
    patrol = only_patrol(grid)
    assert patrol.period == period
    assert patrol.starts_at == local(2026, 6, 11, 1, 0)


def test_the_arrival_rule_is_read_from_the_operation():
    Operation.objects.filter(code="SCEPTRE").update(
        patrol_arrival_rule=Operation.ArrivalRule.WITHIN_HOURS, patrol_arrival_hours=48
    )
    grid = grid_make(operation="SCEPTRE")
    schedule(DAY)
    assert only_patrol(grid).arrive_by == START + timedelta(hours=48)
    visit_log(grid, START + timedelta(hours=47))
    assert compliant(grid)


def test_a_grid_without_an_operation_counts_arrivals_inside_the_window():
    grid = grid_make(operation=None)
    schedule(DAY)
    assert only_patrol(grid).arrive_by == END
