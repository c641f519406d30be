"""Scheduled patrols, the arrival rules (Guardian's 24 h, others' window), dosage, the cap and gaps."""

from datetime import UTC, date, timedelta
from decimal import Decimal

import pytest
import time_machine

from operations.exceptions import Conflict
from operations.models import Operation
from tasking import patrol_stats, services, tasks
from tasking.models import HotGrid, Request, RequestKind, ScheduledPatrol

from .patrol_helpers import (
    events_of,
    grid_make,
    local,
    patrol_reference,  # noqa: F401
    schedule,
    visit_log,
    window,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference")]

DAY = date(2026, 6, 10)  # a Wednesday in summer time
START = local(2026, 6, 10, 18, 0)  # the 18:00–20:00 window of that day
END = local(2026, 6, 10, 20, 0)
SECOND = timedelta(seconds=1)


def only_patrol(grid):
    (patrol,) = ScheduledPatrol.objects.filter(grid=grid)
    return patrol


def compliant(grid):
    return only_patrol(grid).is_compliant


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


# ---------------------------------------------------------------- dosage and compliance figures


def test_a_visit_of_exactly_the_effective_dose_counts_and_a_hundredth_of_a_minute_less_does_not():
    grid = grid_make(operation="VIBRANT")  # Vibrant's effective dose: the default 15 minutes
    visit_log(grid, START, START + timedelta(minutes=15))
    visit_log(grid, START + timedelta(hours=1), START + timedelta(hours=1, seconds=899.4))  # 14.99 min
    (row,) = patrol_stats.dosage_rows(by="grid")
    assert row == {
        "key": grid.code,
        "visits": 2,
        "minutes": Decimal("29.99"),
        "effective_visits": 1,
    }


def test_the_effective_dose_is_the_operations_own():
    Operation.objects.filter(code="SCEPTRE").update(effective_dose_minutes=10)
    grid = grid_make(operation="SCEPTRE")
    visit_log(grid, START, START + timedelta(minutes=10))
    visit_log(grid, START + timedelta(hours=1), START + timedelta(hours=1, minutes=9))
    (row,) = patrol_stats.dosage_rows(by="grid")
    assert row["effective_visits"] == 1


def test_a_grid_without_an_operation_uses_the_default_effective_dose_of_15_minutes():
    grid = grid_make(operation=None)
    visit_log(grid, START, START + timedelta(minutes=15))
    visit_log(grid, START + timedelta(hours=1), START + timedelta(hours=1, minutes=14))
    (row,) = patrol_stats.dosage_rows(by="grid")
    assert (row["visits"], row["effective_visits"]) == (2, 1)


def test_dosage_is_summed_by_area_and_operation():
    be = grid_make(area="BE", operation="VIBRANT")
    bw = grid_make(area="BW", operation="GUARDIAN")
    visit_log(be, START, START + timedelta(minutes=20))
    visit_log(be, START + timedelta(hours=1), START + timedelta(hours=1, minutes=5))
    visit_log(bw, START, START + timedelta(minutes=30))
    by_area = {row["key"]: row for row in patrol_stats.dosage_rows(by="area")}
    assert (by_area["BE"]["visits"], by_area["BE"]["minutes"], by_area["BE"]["effective_visits"]) == (
        2,
        Decimal("25.00"),
        1,
    )
    assert (by_area["BW"]["visits"], by_area["BW"]["minutes"]) == (1, Decimal("30.00"))
    by_operation = {row["key"]: row["minutes"] for row in patrol_stats.dosage_rows(by="operation")}
    assert by_operation == {"VIBRANT": Decimal("25.00"), "GUARDIAN": Decimal("30.00")}


@pytest.fixture
def two_days_of_patrols(db):
    """Three grids, two days. G (BE, Guardian) patrolled both days; V1 (BE, Vibrant) on the first
    day only; V2 (BW, Vibrant) never."""
    g = grid_make(code="HG-G", area="BE", operation="GUARDIAN")
    v1 = grid_make(code="HG-V1", area="BE", operation="VIBRANT")
    v2 = grid_make(code="HG-V2", area="BW", operation="VIBRANT")
    schedule(DAY)
    schedule(DAY + timedelta(days=1))
    visit_log(g, local(2026, 6, 10, 18, 30))
    visit_log(g, local(2026, 6, 11, 18, 30))
    visit_log(v1, local(2026, 6, 10, 19, 0))
    return g, v1, v2


def rows(by):
    return {
        row["key"]: (row["scheduled"], row["compliant"], row["gaps"], row["compliance_pct"])
        for row in patrol_stats.compliance_rows(by=by)
    }


def test_compliance_by_grid(two_days_of_patrols):
    assert rows("grid") == {
        "HG-G": (2, 2, 0, Decimal("100.0")),
        "HG-V1": (2, 1, 1, Decimal("50.0")),
        "HG-V2": (2, 0, 2, Decimal("0.0")),
    }


def test_compliance_by_area(two_days_of_patrols):
    assert rows("area") == {"BE": (4, 3, 1, Decimal("75.0")), "BW": (2, 0, 2, Decimal("0.0"))}


def test_compliance_by_operation(two_days_of_patrols):
    assert rows("operation") == {
        "GUARDIAN": (2, 2, 0, Decimal("100.0")),
        "VIBRANT": (4, 1, 3, Decimal("25.0")),
    }


def test_compliance_by_period(two_days_of_patrols):
    assert rows("period") == {
        DAY: (3, 2, 1, Decimal("66.7")),
        DAY + timedelta(days=1): (3, 1, 2, Decimal("33.3")),
    }


def test_compliance_total_of_no_patrols_has_no_percentage():
    assert patrol_stats.compliance_total(ScheduledPatrol.objects.none()) == {
        "scheduled": 0,
        "compliant": 0,
        "compliance_pct": None,
    }


# ---------------------------------------------------------------- gaps and events


def test_each_logged_visit_writes_one_visit_logged_event_naming_the_patrols_it_satisfied():
    grid = grid_make(operation="VIBRANT")
    schedule(DAY)
    before = len(events_of("patrol.visit_logged"))
    visit = visit_log(grid, START + timedelta(minutes=5))
    visit_log(grid, START + timedelta(hours=5))
    events = events_of("patrol.visit_logged")[before:]
    assert len(events) == 2
    assert events[0].payload["visit"] == visit.pk
    assert events[0].payload["patrols"] == [only_patrol(grid).pk]
    assert events[0].payload["dwell_minutes"] == "20.00"
    assert events[1].payload["patrols"] == []


def test_a_patrol_whose_deadline_passed_without_a_visit_is_flagged_as_a_gap_exactly_once():
    missed = grid_make(operation="VIBRANT")
    patrolled = grid_make(operation="VIBRANT")
    still_in_time = grid_make(operation="GUARDIAN")  # Guardian: until 18:00 tomorrow
    schedule(DAY)
    visit_log(patrolled, START + timedelta(minutes=5))
    now = END + timedelta(minutes=1)
    flagged = services.patrol_gaps_detect(now=now)
    assert flagged == [only_patrol(missed).pk]
    assert services.patrol_gaps_detect(now=now + timedelta(hours=1)) == []
    (gap,) = events_of("patrol.gap")
    assert gap.payload["patrol"] == only_patrol(missed).pk
    assert gap.payload["grid"] == missed.pk
    assert gap.payload["area"] == missed.area_id
    assert only_patrol(missed).gap_flagged_at == now
    assert only_patrol(patrolled).gap_flagged_at is None
    assert only_patrol(still_in_time).gap_flagged_at is None


def test_a_patrol_is_not_a_gap_at_the_very_moment_of_its_deadline():
    grid = grid_make(operation="VIBRANT")
    schedule(DAY)
    assert services.patrol_gaps_detect(now=END) == []
    assert services.patrol_gaps_detect(now=END + SECOND) == [only_patrol(grid).pk]


def test_a_guardian_patrol_becomes_a_gap_only_after_its_24_hours():
    grid = grid_make(operation="GUARDIAN")
    schedule(DAY)
    assert services.patrol_gaps_detect(now=START + timedelta(hours=23)) == []
    assert services.patrol_gaps_detect(now=START + timedelta(hours=24) + SECOND) == [only_patrol(grid).pk]


def test_the_periodic_gap_job_uses_the_current_time():
    grid = grid_make(operation="VIBRANT")
    schedule(DAY)
    with time_machine.travel(END - timedelta(minutes=1), tick=False):
        assert tasks.detect_patrol_gaps() == 0
    with time_machine.travel(END + timedelta(minutes=1), tick=False):
        assert tasks.detect_patrol_gaps() == 1
        assert tasks.detect_patrol_gaps() == 0
    assert only_patrol(grid).gap_flagged_at is not None
    assert len(events_of("patrol.gap")) == 1


@time_machine.travel(local(2026, 6, 11, 8, 0), tick=False)
def test_covering_a_gap_raises_one_patrol_support_request_for_the_grids_npu(mission_user):
    grid = grid_make(area="SW", operation="VIBRANT")
    schedule(DAY)
    patrol = only_patrol(grid)
    request = services.patrol_gap_cover(actor=mission_user, patrol=patrol)
    assert request.kind == RequestKind.PATROL_SUPPORT
    assert request.area.code == "SW"
    assert request.operation.code == "VIBRANT"
    assert grid.code in request.location
    assert request.due_by > local(2026, 6, 11, 8, 0)
    assert only_patrol(grid).cover_request == request
    with pytest.raises(Conflict, match="already requested"):
        services.patrol_gap_cover(actor=mission_user, patrol=patrol)
    assert Request.objects.filter(kind=RequestKind.PATROL_SUPPORT).count() == 1


def test_covering_a_patrol_that_was_patrolled_is_a_conflict(mission_user):
    grid = grid_make(operation="VIBRANT")
    schedule(DAY)
    visit_log(grid, START + timedelta(minutes=5))
    with pytest.raises(Conflict, match="no gap"):
        services.patrol_gap_cover(actor=mission_user, patrol=only_patrol(grid))
    assert not Request.objects.filter(kind=RequestKind.PATROL_SUPPORT).exists()
