"""Where the recompute engine keeps a value and how it rolls it up: for the NPU, the force and each
operation; every coarser period the sum of its base periods; a mission carried over or cancelled
counted on the right days; the force still the sum of its NPUs when they are drained apart; crimes
following their LSOA to a new NPU; and a value that falls to nothing stored as zero."""

from datetime import date
from decimal import Decimal

import pytest

from operations.crime_import import area_lookup_import
from operations.models import Operation
from performance import consumers, dirty
from performance.dirty import indicators_drain
from performance.models import DirtyBucket, IndicatorValue
from performance.reconcile import indicators_reconcile
from tasking.models import Mission, Outcome
from tasking.services import period_for_day

from .conftest import BW_LSOA, DAY, SH_LSOA, day_value, import_crimes, local, police_uk_row, stored, value_of

pytestmark = pytest.mark.django_db


def test_values_are_kept_for_the_npu_and_the_force_for_all_operations_and_for_the_operation(
    desk, at_day, django_capture_on_commit_callbacks
):
    vibrant = Operation.objects.get(code="VIBRANT")
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(area="BE", operation="VIBRANT", arrests=2)
        desk.complete(area="BE", arrests=1)
    assert day_value("mission_arrests", "BE", 0) == Decimal(3)
    assert day_value("mission_arrests", "BE", vibrant.pk) == Decimal(2)
    assert day_value("mission_arrests", "WMP", 0) == Decimal(3)
    assert day_value("mission_arrests", "WMP", vibrant.pk) == Decimal(2)
    assert day_value("mission_arrests", "CV", 0) is None
    keys = set(
        IndicatorValue.objects.filter(indicator__code="mission_arrests", period_kind="day").values_list(
            "area__code", "operation_key"
        )
    )
    assert keys == {("BE", 0), ("BE", vibrant.pk), ("WMP", 0), ("WMP", vibrant.pk)}


def test_every_coarser_period_equals_the_sum_of_its_base_periods(
    desk, time_machine, django_capture_on_commit_callbacks
):
    # Across a week, a month, a quarter and the financial year's end (31 March / 1 April).
    days = [date(2026, 3, 29), date(2026, 3, 30), date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 6)]
    for n, day in enumerate(days, start=1):
        time_machine.move_to(local(day.year, day.month, day.day, 14, 0), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            desk.complete(area="BE", operation="VIBRANT", arrests=n)
            desk.complete(
                area="SH", kind="curfew_check", result="curfew_breached" if n % 2 else "curfew_complied"
            )
            failed = desk.mission(area="SH")
            desk.allocate(failed)
            desk.not_complete(failed)
    with django_capture_on_commit_callbacks(execute=True):
        import_crimes(police_uk_row("2026-03", "Burglary"), police_uk_row("2026-04", "Robbery"))
    assert value_of("mission_arrests", "BE", "week", date(2026, 3, 30)) == Decimal(2 + 3 + 4)
    assert value_of("mission_arrests", "BE", "week", date(2026, 3, 23)) == Decimal(1)  # Sunday 29th
    assert value_of("mission_arrests", "BE", "month", date(2026, 3, 1)) == Decimal(1 + 2 + 3)
    assert value_of("mission_arrests", "BE", "financial_year", date(2025, 4, 1)) == Decimal(6)
    assert value_of("mission_arrests", "BE", "financial_year", date(2026, 4, 1)) == Decimal(4 + 5)
    assert value_of("mission_arrests", "WMP", "year", date(2026, 1, 1)) == Decimal(15)
    assert value_of("mission_arrests", "BE", "quarter", date(2026, 1, 1)) == Decimal(6)
    assert value_of("mission_arrests", "BE", "rolling_12", date(2025, 5, 1)) == Decimal(15)
    assert value_of("mission_arrests", "BE", "rolling_12", date(2025, 4, 1)) == Decimal(6)
    assert value_of("curfew_breach_rate", "SH", "month", date(2026, 3, 1)) == Decimal("66.6667")
    assert value_of("mission_completion_rate", "SH", "week", date(2026, 3, 30)) == Decimal(50)
    assert value_of("recorded_crime", "BW", "quarter", date(2026, 1, 1)) == Decimal(1)
    assert value_of("recorded_crime", "BW", "year", date(2026, 1, 1)) == Decimal(2)
    assert value_of("mission_arrests", "BE", "rolling_12", date(2025, 6, 1)) is None  # to May: to come
    assert assert_rollups() > 350


def assert_rollups():
    from .conftest import assert_rollups_are_sums_of_base_values

    return assert_rollups_are_sums_of_base_values()


def test_a_mission_carried_over_counts_where_it_failed_and_where_it_was_done(
    desk, time_machine, django_capture_on_commit_callbacks
):
    first, second = date(2026, 3, 10), date(2026, 3, 11)
    time_machine.move_to(local(2026, 3, 10, 10, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        mission = desk.mission(area="DY")
        desk.allocate(mission, resource="OSU")
        desk.allocate(mission, resource="FS", reason="OSU redeployed")  # re-allocation, same period
        desk.not_complete(mission)
    assert value_of("missions_allocated", "DY", "day", first) == Decimal(1)  # not twice
    assert value_of("mission_completion_rate", "DY", "day", first) == Decimal(0)
    time_machine.move_to(local(2026, 3, 11, 10, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        desk.allocate(mission, resource="OSU", period=period_for_day(second))  # carried over
        desk.start(mission)
        desk.outcome(mission, arrests=1)
    assert value_of("missions_allocated", "DY", "day", second) == Decimal(1)
    assert value_of("missions_not_completed", "DY", "day", first) == Decimal(1)
    assert value_of("missions_not_completed", "DY", "day", second) is None  # none: nothing stored
    assert value_of("mission_completion_rate", "DY", "day", first) == Decimal(0)
    assert value_of("mission_completion_rate", "DY", "day", second) == Decimal(100)
    month = stored("mission_completion_rate", "DY", "month", date(2026, 3, 1))
    assert (month.numerator, month.denominator, month.value) == (Decimal(1), Decimal(2), Decimal(50))
    assert value_of("mission_arrests", "DY", "day", second) == Decimal(1)
    assert value_of("mission_arrests", "DY", "day", first) is None


def test_a_cancelled_mission_moves_nothing_into_completed_or_not_completed(
    desk, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(local(2026, 3, 10, 10, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        done = desk.complete(area="WS").mission
        cancelled = desk.mission(area="WS")
        desk.allocate(cancelled)
    assert value_of("missions_allocated", "WS", "day", DAY) == Decimal(2)
    time_machine.move_to(local(2026, 3, 11, 10, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        desk.cancel(cancelled)
    assert value_of("missions_allocated", "WS", "day", DAY) == Decimal(2)  # it was allocated that day
    assert value_of("mission_completion_rate", "WS", "month", date(2026, 3, 1)) == Decimal(100)
    assert value_of("missions_not_completed", "WS", "month", date(2026, 3, 1)) is None  # none
    assert Mission.objects.get(pk=cancelled.pk).state == "cancelled" and done.state == "completed"
    assert indicators_reconcile(repair=False)["differences"] == []


def test_the_force_sums_its_npus_when_each_is_drained_in_a_batch_of_its_own(
    desk, at_day, django_capture_on_commit_callbacks
):
    """A drain reads only the claimed NPUs' rows; the force adds the other NPUs' stored values.
    Drained one dirty row at a time, BE's buckets, SH's and the force's come in separate batches,
    and the force still ends at BE + SH + the force's own missions (of no NPU)."""
    with django_capture_on_commit_callbacks() as event_callbacks:
        desk.complete(area="BE", arrests=2)
        desk.complete(area="SH", arrests=3)
        desk.complete(area="SH", arrests=1, result="arrested")
        desk.complete(area="WMP", arrests=4)
    with django_capture_on_commit_callbacks():
        for callback in event_callbacks:
            callback()  # the marks, without their drains
    areas = set(DirtyBucket.objects.values_list("area__code", flat=True))
    assert areas == {"BE", "SH", "WMP"}
    batches = 0
    while DirtyBucket.objects.exists():
        indicators_drain(batch=1, max_batches=1)
        batches += 1
    assert batches > 3
    assert day_value("mission_arrests", "BE") == Decimal(2)
    assert day_value("mission_arrests", "SH") == Decimal(4)
    assert day_value("mission_arrests", "WMP") == Decimal(10)
    assert day_value("missions_completed", "WMP") == Decimal(4)
    assert value_of("mission_arrests", "WMP", "month", date(2026, 3, 1)) == Decimal(10)
    assert indicators_reconcile(repair=False)["differences"] == []


def test_an_lsoa_moved_to_another_npu_moves_its_crimes_old_npu_down_new_npu_up(
    desk, at_day, django_capture_on_commit_callbacks
):
    month = date(2026, 1, 1)
    with django_capture_on_commit_callbacks(execute=True):
        import_crimes(
            police_uk_row("2026-01", "Burglary", lsoa=BW_LSOA),
            police_uk_row("2026-01", "Robbery", lsoa=BW_LSOA),
            police_uk_row("2026-01", "Burglary", lsoa=SH_LSOA),
        )
    assert value_of("recorded_crime", "BW", "month", month) == Decimal(2)
    assert value_of("recorded_crime", "BE", "month", month) is None
    with django_capture_on_commit_callbacks(execute=True):
        area_lookup_import(actor=None, data=f"lsoa_code,area_code\n{BW_LSOA},BE\n", source_file="fix.csv")
    assert value_of("recorded_crime", "BW", "month", month) == Decimal(0)
    assert value_of("recorded_crime", "BW", "year", month) == Decimal(0)
    assert value_of("recorded_crime", "BE", "month", month) == Decimal(2)
    assert value_of("recorded_crime", "BE", "rolling_12", date(2025, 2, 1)) == Decimal(2)
    assert value_of("recorded_crime", "SH", "month", month) == Decimal(1)
    assert value_of("recorded_crime", "WMP", "month", month) == Decimal(3)  # the force total stays
    assert indicators_reconcile(repair=False)["differences"] == []


def test_a_value_with_nothing_counted_is_not_stored_but_one_that_falls_to_nothing_is(
    desk, at_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(area="BE", arrests=2)
    indicators_drain()
    # The day's transitions were recomputed for BE, but nothing was not completed: no row, as the
    # reconcile would have it, and so no roll-up of a zero either.
    assert stored("missions_completed", "BE", "day", DAY) is not None
    assert stored("missions_not_completed", "BE", "day", DAY) is None
    assert stored("missions_not_completed", "BE", "month", DAY.replace(day=1)) is None
    arrests = stored("mission_arrests", "BE", "day", DAY)
    Outcome.objects.filter(mission__area__code="BE").update(arrests=0)
    dirty.buckets_mark(family=consumers.OUTCOMES, day=DAY, area_ids=[arrests.area_id], operation_ids=[None])
    indicators_drain()
    assert value_of("mission_arrests", "BE", "day", DAY) == Decimal(0)  # was 2: stored as 0
    assert indicators_reconcile(repair=False)["differences"] == []
