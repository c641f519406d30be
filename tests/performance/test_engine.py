"""The recompute engine: each built-in calculator on hand-built activity, the areas and operations a
value is kept for, roll-ups, coalescing, idempotent and out-of-order delivery, and the cost of an
event against the size of history."""

import random
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from operations.crime_import import area_lookup_import
from operations.events import event_dispatch
from operations.models import Area, Event, OffenceGroup, Operation, Resource
from performance import consumers, dirty, engine
from performance.dirty import indicators_drain
from performance.models import DirtyBucket, Indicator, IndicatorValue
from performance.reconcile import indicators_reconcile
from tasking.models import Mission, MissionTransition, Outcome, Request
from tasking.services import patrol_schedule_generate, period_for_day

from .conftest import (
    BW_LSOA,
    LONDON,
    SH_LSOA,
    changed_events,
    grid_make,
    import_crimes,
    indicator,
    local,
    police_uk_row,
    snapshot,
    stored,
    value_of,
)

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)  # a Tuesday
NOW = local(2026, 3, 10, 18, 0)


@pytest.fixture
def at_day(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def day_value(code, area="BE", operation_key=0, day=DAY):
    return value_of(code, area, "day", day, operation_key)


# --- each calculator ----------------------------------------------------------------------------


def test_arrests_from_missions_are_summed_per_npu_and_for_the_force(
    desk, at_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(area="BE", arrests=2)
        desk.complete(area="BE", arrests=3)
        desk.complete(area="CV", arrests=1)
        desk.complete(area="CV", result="not_found")
    assert day_value("mission_arrests", "BE") == Decimal(5)
    assert day_value("mission_arrests", "CV") == Decimal(1)
    assert day_value("mission_arrests", "WMP") == Decimal(6)
    assert value_of("mission_arrests", "WMP", "month", date(2026, 3, 1)) == Decimal(6)
    assert day_value("missions_completed", "WMP") == Decimal(4)


def test_completion_rate_is_completed_missions_over_missions_finished(
    desk, at_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            desk.complete(area="BE")
        failed = desk.mission(area="BE")
        desk.allocate(failed)
        desk.not_complete(failed)
        desk.mission(area="BE")  # still pending: not finished, not counted
    row = stored("mission_completion_rate", "BE", "day", DAY)
    assert (row.numerator, row.denominator, row.value) == (Decimal(3), Decimal(4), Decimal("75.0000"))
    assert day_value("missions_not_completed") == Decimal(1)
    assert day_value("missions_allocated") == Decimal(4)


def test_curfew_breach_rate_counts_breaches_over_checks_complied_or_breached(
    desk, at_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(kind="curfew_check", result="curfew_breached")
        for _ in range(3):
            desk.complete(kind="curfew_check", result="curfew_complied")
        desk.complete(kind="curfew_check", result="aborted")  # not a check made
    row = stored("curfew_breach_rate", "BE", "day", DAY)
    assert (row.numerator, row.denominator, row.value) == (Decimal(1), Decimal(4), Decimal("25.0000"))
    assert day_value("curfew_checks") == Decimal(4)


def test_forensic_arrests_count_as_within_48_hours_up_to_and_including_the_deadline(
    desk, at_day, django_capture_on_commit_callbacks
):
    received = local(2026, 3, 8, 12, 0)  # due 48 h later: 10 March 12:00
    deadline = local(2026, 3, 10, 12, 0)
    with django_capture_on_commit_callbacks(execute=True):
        for completed_at, result in [
            (deadline - timedelta(hours=1), "arrested"),  # within
            (deadline, "arrested"),  # exactly at the deadline: within
            (deadline + timedelta(minutes=1), "arrested"),  # a minute late
            (deadline - timedelta(hours=2), "not_found"),  # in time but no arrest
        ]:
            outcome = desk.complete(
                kind="forensic_arrest", result=result, completed_at=completed_at,
                request={"received_at": received},
            )  # fmt: skip
            assert outcome.mission.due_by == deadline
        desk.complete(kind="npu_arrest")  # another kind: not in the measure
    row = stored("forensic_arrests_48h", "BE", "day", DAY)
    assert (row.numerator, row.denominator, row.value) == (Decimal(2), Decimal(4), Decimal("50.0000"))


def test_firearms_warrants_are_counted_apart_from_other_warrants_and_finds_are_summed(
    desk, at_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(kind="warrant_firearms", result="warrant_finds", firearms=2, ammunition_rounds=30)
        desk.complete(kind="warrant_firearms", result="warrant_no_finds")
        desk.complete(kind="warrant_drugs", result="warrant_finds", drugs_class_a_grams=Decimal("12.50"))
        desk.complete(kind="warrant_other", result="warrant_no_finds")
        desk.complete(kind="warrant_other", result="aborted")  # not executed
        desk.complete(kind="captiva_visit", result="not_found")
    assert day_value("warrants_firearms") == Decimal(2)
    assert day_value("warrants_other") == Decimal(2)
    assert day_value("captiva_visits") == Decimal(1)
    assert day_value("firearms_recovered") == Decimal(2)
    assert day_value("ammunition_recovered") == Decimal(30)
    assert day_value("drugs_recovered") == Decimal("12.5000")


def test_cash_seized_is_summed_in_pounds_and_pence(desk, at_day, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(cash_gbp=Decimal("1250.50"))
        desk.complete(kind="warrant_drugs", result="warrant_finds", cash_gbp=Decimal("99.49"))
    assert indicator("cash_seized").unit == Indicator.Unit.GBP
    assert day_value("cash_seized") == Decimal("1349.9900")
    assert day_value("cash_seized", "WMP") == Decimal("1349.9900")


def test_patrol_compliance_dosage_and_effective_visits_follow_scheduled_patrols_and_visits(
    desk, time_machine, django_capture_on_commit_callbacks
):
    actor = desk.actor
    time_machine.move_to(local(2026, 3, 10, 9, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        visited = grid_make(actor, "HG-P1", index=1)
        missed = grid_make(actor, "HG-P2", index=2)
        other = grid_make(actor, "HG-P3", area="CV", index=3)
        patrol_schedule_generate(period=period_for_day(DAY))
    time_machine.move_to(local(2026, 3, 11, 6, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        from .conftest import visit_log

        visit_log(actor, visited, local(2026, 3, 10, 18, 30), 20)  # in the window: compliant
        visit_log(actor, missed, local(2026, 3, 10, 21, 0), 10)  # after the window ended: not
        visit_log(actor, other, local(2026, 3, 10, 19, 0), 15)  # exactly the effective dose
    be = stored("patrol_compliance", "BE", "day", DAY)
    assert (be.numerator, be.denominator, be.value) == (Decimal(1), Decimal(2), Decimal("50.0000"))
    assert day_value("patrols_scheduled", "BE") == Decimal(2)
    assert day_value("patrol_compliance", "CV") == Decimal(100)
    assert day_value("patrol_compliance", "WMP") == Decimal("66.6667")
    assert day_value("patrol_dosage", "BE") == Decimal(30)
    assert day_value("patrol_dosage", "WMP") == Decimal(45)
    assert day_value("patrol_effective_visits", "BE") == Decimal(1)
    assert day_value("patrol_effective_visits", "WMP") == Decimal(2)


@pytest.fixture
def crime_month(desk, django_capture_on_commit_callbacks):
    """January 2026: 3 burglaries (one with a positive outcome) and a robbery in BW, 2 anti-social
    behaviour incidents there, and a burglary in an unknown LSOA."""
    Indicator.objects.create(
        code="asb", name="Anti-social behaviour", calculator="crime_count",
        parameters={"offence_groups": ["anti-social-behaviour"]},
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        import_crimes(
            police_uk_row("2026-01", "Burglary", outcome="Offender fined"),
            police_uk_row("2026-01", "Burglary"),
            police_uk_row("2026-01", "Burglary"),
            police_uk_row("2026-01", "Robbery"),
            police_uk_row("2026-01", "Anti-social behaviour", outcome=""),
            police_uk_row("2026-01", "Anti-social behaviour", outcome=""),
            police_uk_row("2026-01", "Burglary", lsoa="E01099999"),
        )
    return date(2026, 1, 1)


def month_value(code, area, month):
    return value_of(code, area, "month", month)


def test_recorded_crime_leaves_out_anti_social_behaviour_unless_it_is_asked_for(crime_month):
    assert month_value("recorded_crime", "BW", crime_month) == Decimal(4)
    assert month_value("recorded_crime", "WMP", crime_month) == Decimal(5)  # the unmapped one too
    assert month_value("asb", "BW", crime_month) == Decimal(2)
    assert month_value("burglary", "BW", crime_month) == Decimal(3)
    assert month_value("robbery", "BW", crime_month) == Decimal(1)
    assert value_of("recorded_crime", "BW", "day", crime_month) is None  # crime is monthly
    assert value_of("recorded_crime", "WMP", "financial_year", date(2025, 4, 1)) == Decimal(5)


def test_crime_rate_per_1000_residents_uses_the_area_population(crime_month):
    bw = Area.objects.get(code="BW")
    row = stored("crime_rate", "BW", "month", crime_month)
    assert row.denominator == Decimal(bw.population)
    expected = (Decimal(4) * 1000 / Decimal(bw.population)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    assert row.value == expected and row.value > 0
    force = Area.objects.get(code="WMP")
    assert stored("crime_rate", "WMP", "month", crime_month).value == (
        Decimal(5) * 1000 / Decimal(force.population)
    ).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def test_harm_weighted_crime_sums_each_offence_groups_harm_weight(crime_month):
    burglary = OffenceGroup.objects.get(code="burglary").harm_weight
    robbery = OffenceGroup.objects.get(code="robbery").harm_weight
    assert burglary > 0 and robbery > 0
    assert month_value("harm_weighted_crime", "BW", crime_month) == 3 * burglary + robbery
    severity = OffenceGroup.objects.get(code="burglary").severity_weight
    robbery_severity = OffenceGroup.objects.get(code="robbery").severity_weight
    assert month_value("severity_weighted_crime", "BW", crime_month) == 3 * severity + robbery_severity


def test_positive_outcome_rate_is_crimes_with_a_positive_last_outcome_over_crimes(crime_month):
    row = stored("positive_outcome_rate", "BW", "month", crime_month)
    assert (row.numerator, row.denominator, row.value) == (Decimal(1), Decimal(4), Decimal("25.0000"))


# --- areas, operations and periods --------------------------------------------------------------


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
    assert assert_rollups() > 500


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


# --- delivery: duplicates, order, coalescing, the drain ------------------------------------------


def scenario(desk, time_machine):
    """Two missions over two days: allocated, started, completed, and one not completed."""
    time_machine.move_to(local(2026, 3, 10, 10, 0), tick=False)
    first = desk.mission(area="BE", operation="VIBRANT")
    desk.allocate(first)
    desk.start(first)
    desk.outcome(first, arrests=2, cash_gbp=Decimal(40))
    second = desk.mission(area="BW", kind="curfew_check")
    desk.allocate(second)
    time_machine.move_to(local(2026, 3, 11, 10, 0), tick=False)
    desk.not_complete(second)
    third = desk.mission(area="BW", kind="curfew_check")
    desk.allocate(third)
    desk.start(third)
    desk.outcome(third, result="curfew_breached")


def deliver(callbacks, order):
    """Run captured on-commit callbacks in ``order`` then every follow-up until none is left;
    returns the snapshot of the values."""
    for index in order:
        callbacks[index]()
    while DirtyBucket.objects.exists():
        indicators_drain()
    return snapshot()


def in_savepoint(fn):
    sid = transaction.savepoint()
    try:
        return fn()
    finally:
        transaction.savepoint_rollback(sid)


def test_duplicate_and_out_of_order_delivery_leave_the_values_of_in_order_delivery(
    desk, time_machine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        scenario(desk, time_machine)
    event_ids = list(
        Event.objects.filter(type__startswith="mission.").order_by("id").values_list("pk", flat=True)
    )
    assert len(callbacks) >= len(event_ids) == 8
    indexes = list(range(len(callbacks)))
    with django_capture_on_commit_callbacks():
        in_order = in_savepoint(lambda: deliver(callbacks, indexes))
        reversed_order = in_savepoint(lambda: deliver(callbacks, indexes[::-1]))
        shuffled = in_savepoint(lambda: deliver(callbacks, random.Random(5).sample(indexes, len(indexes))))
        twice = in_savepoint(lambda: deliver(callbacks, indexes + indexes))

        def dispatched_twice_each():
            for event_id in Event.objects.order_by("id").values_list("pk", flat=True):
                event_dispatch(event_id=event_id)
                event_dispatch(event_id=event_id)
            return deliver(callbacks, [])

        def consumer_called_twice():
            for event in Event.objects.filter(type__startswith="mission.").order_by("-id"):
                consumers.on_mission_events([event])
                consumers.on_mission_events([event])
            return deliver(callbacks, [])

        dispatched = in_savepoint(dispatched_twice_each)
        consumed = in_savepoint(consumer_called_twice)
    assert in_order[key("mission_arrests", "BE", "day", date(2026, 3, 10))][0] == Decimal(2)
    assert in_order[key("curfew_breach_rate", "BW", "month", date(2026, 3, 1))][0] == Decimal(100)
    assert in_order[key("mission_completion_rate", "BW", "day", date(2026, 3, 11))][1:] == (
        Decimal(1), Decimal(2),
    )  # fmt: skip
    assert reversed_order == in_order
    assert shuffled == in_order
    assert twice == in_order
    assert dispatched == in_order
    assert consumed == in_order


def key(code, area, kind, start, operation_key=0):
    return (indicator(code).pk, Area.objects.get(code=area).pk, operation_key, kind, start)


def test_an_event_delivered_a_second_time_is_skipped_and_a_repeated_consumer_call_changes_nothing(
    desk, at_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = desk.complete(area="BE", arrests=4)
    before = snapshot()
    events_before = len(changed_events())
    event = Event.objects.get(type="mission.outcome_logged", payload__outcome=outcome.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert event_dispatch(event_id=event.pk) is False  # already processed
        consumers.on_mission_events([event])
        consumers.on_mission_events([event])
    assert not DirtyBucket.objects.exists()
    assert snapshot() == before
    assert len(changed_events()) == events_before  # recomputed, but nothing changed: no event


def test_a_burst_of_50_outcomes_on_one_day_leaves_one_dirty_row_per_bucket_and_one_recompute(
    desk, at_day, django_capture_on_commit_callbacks
):
    vibrant = Operation.objects.get(code="VIBRANT").pk
    with django_capture_on_commit_callbacks() as event_callbacks:
        for n in range(50):
            desk.complete(area="BE", operation="VIBRANT", arrests=1 + n % 3)
    mission_events = Event.objects.filter(type__startswith="mission.")
    assert mission_events.count() >= 150  # allocated, started, outcome logged: 50 of each
    with django_capture_on_commit_callbacks() as drain_callbacks:
        for callback in event_callbacks:
            callback()  # the first dispatch takes every pending event; the drains are held back
    assert mission_events.filter(processed_at__isnull=True).count() == 0
    # One dispatch pass, a chunk of events per transaction, one mark per family and day each.
    assert 1 <= len(drain_callbacks) <= 2
    arrests = DirtyBucket.objects.filter(indicator__code="mission_arrests")
    assert sorted(arrests.values_list("area__code", "operation_key", "period_kind", "period_start")) == [
        ("BE", 0, "day", DAY), ("BE", vibrant, "day", DAY),
        ("WMP", 0, "day", DAY), ("WMP", vibrant, "day", DAY),
    ]  # fmt: skip
    outcome_indicators = Indicator.objects.filter(calculator__startswith="outcome_").count()
    transition_indicators = Indicator.objects.filter(calculator__startswith="transition_").count()
    assert DirtyBucket.objects.count() == 4 * (outcome_indicators + transition_indicators)
    recomputed = []
    original = engine.compute_base

    def counting(context, family, indicators, start, **kwargs):
        recomputed.append((family.name, start))
        return original(context, family, indicators, start, **kwargs)

    with mock.patch.object(engine, "compute_base", counting):
        indicators_drain()
    assert not DirtyBucket.objects.exists()
    assert day_value("mission_arrests", "BE", vibrant) == Decimal(sum(1 + n % 3 for n in range(50)))
    assert len(changed_events()) == 1
    # 50 events were one recompute per family and day: transitions and outcomes.
    assert sorted(recomputed) == [("outcomes", DAY), ("transitions", DAY)]


def test_a_second_drain_changes_nothing_and_announces_nothing(
    desk, at_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(area="BE", arrests=1)
    before, events = snapshot(), len(changed_events())
    assert indicators_drain() == 0
    assert snapshot() == before and len(changed_events()) == events


def test_a_drain_claims_batch_after_full_batch_and_stops_after_a_short_one(
    desk, at_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as event_callbacks:
        desk.complete(area="BE", arrests=2)
        desk.complete(area="CV", arrests=1)
    with django_capture_on_commit_callbacks():
        for callback in event_callbacks:
            callback()
    dirty_rows = DirtyBucket.objects.count()
    batch = dirty_rows // 2 + 1  # two claims: a full one, then a short one that takes the rest
    with CaptureQueriesContext(connection) as queries:
        indicators_drain(batch=batch)
    claims = [q["sql"] for q in queries if q["sql"].startswith('SELECT "performance_dirtybucket"."id"')]
    assert len(claims) == 2  # no third claim after the short one: one look for marks made since
    assert not DirtyBucket.objects.exists()
    assert day_value("mission_arrests", "BE") == Decimal(2)
    assert day_value("mission_arrests", "WMP") == Decimal(3)
    assert indicators_reconcile(repair=False)["differences"] == []


def test_a_changed_value_is_announced_by_one_indicator_changed_event_per_drain_batch(
    desk, at_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as event_callbacks:
        desk.complete(area="BE", arrests=2)
        desk.complete(area="CV", arrests=1)
    with django_capture_on_commit_callbacks():
        for callback in event_callbacks:
            callback()
    assert changed_events() == []
    changed = indicators_drain()
    (event,) = changed_events()
    assert event.payload["count"] == changed == IndicatorValue.objects.count()
    listed = {
        (item["kind"], item["indicator"], item["area"], item["operation"], item["start"])
        for item in event.payload["values"]
    }
    assert len(event.payload["values"]) == min(changed, 500)
    arrests, be = indicator("mission_arrests").pk, Area.objects.get(code="BE").pk
    assert ("day", arrests, be, 0, DAY.isoformat()) in listed
    assert all(
        kind in {"day", "week", "month", "quarter", "year", "financial_year", "rolling_12"}
        for kind, *_ in listed
    )
    # Marked again with nothing new: recomputed, unchanged, no event.
    with django_capture_on_commit_callbacks():
        for outcome_event in Event.objects.filter(type="mission.outcome_logged"):
            consumers.on_mission_events([outcome_event])
    assert DirtyBucket.objects.exists()
    assert indicators_drain() == 0
    assert len(changed_events()) == 1


# --- cost per event ------------------------------------------------------------------------------


def history_build(count, today, actor):
    """``count`` completed BE missions spread over the two years before ``today``, inserted in bulk
    (requests, missions, their transitions and outcomes), then the values reconciled to them."""
    be = Area.objects.get(code="BE")
    rng = random.Random(count)
    moments = [
        datetime.combine(
            today - timedelta(days=1 + rng.randrange(730)), time(rng.randrange(8, 20)), tzinfo=LONDON
        )
        for _ in range(count)
    ]
    resource, period = Resource.objects.get(code="OSU"), period_for_day(today)
    requests = Request.objects.bulk_create(
        Request(kind="npu_arrest", state="approved", area=be,
                requested_by="history", received_at=moments[i] - timedelta(hours=2))
        for i in range(count)
    )  # fmt: skip
    missions = Mission.objects.bulk_create(
        Mission(request=request, kind="npu_arrest", area=request.area, operation=request.operation,
                state="completed", finished_at=moments[i], resource=resource, period=period,
                created_at=moments[i] - timedelta(hours=2))
        for i, request in enumerate(requests)
    )  # fmt: skip
    steps = [
        ("", "pending", 2),
        ("pending", "allocated", 1),
        ("allocated", "in_progress", 0.5),
        ("in_progress", "completed", 0),
    ]
    MissionTransition.objects.bulk_create(
        MissionTransition.of(mission, from_state=a, to_state=b, at=moments[i] - timedelta(hours=h))
        for i, mission in enumerate(missions)
        for a, b, h in steps
    )  # fmt: skip
    Outcome.objects.bulk_create(
        Outcome.of(mission, result="arrested", arrests=1 + i % 3, completed_at=moments[i],
                logged_by=actor)
        for i, mission in enumerate(missions)
    )  # fmt: skip
    report = indicators_reconcile(repair=True)
    assert report["differences"]  # the history had no values: the reconcile seeded them


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


def drain_queries_for_one_outcome(desk, django_capture_on_commit_callbacks):
    """Queries of draining one outcome's buckets (after a first outcome on the same buckets, so
    both histories start with the same buckets stored)."""
    counts = []
    for _ in range(2):
        with django_capture_on_commit_callbacks() as event_callbacks:
            desk.complete(area="BE", arrests=2)  # on the very series the history fills
        with django_capture_on_commit_callbacks():
            for callback in event_callbacks:
                callback()
        assert DirtyBucket.objects.exists()
        with CaptureQueriesContext(connection) as queries:
            indicators_drain()
        counts.append(len(queries))
    return counts[-1]


@pytest.mark.parametrize("sizes", [(10, 2000)])
def test_the_cost_of_an_event_does_not_grow_with_the_size_of_history(
    desk, at_day, django_capture_on_commit_callbacks, sizes, record_property
):
    measured = {}
    for size in sizes:
        sid = transaction.savepoint()
        history_build(size, DAY, desk.actor)
        assert Mission.objects.count() == size
        measured[size] = drain_queries_for_one_outcome(desk, django_capture_on_commit_callbacks)
        assert indicators_reconcile(repair=False)["differences"] == []
        transaction.savepoint_rollback(sid)
    record_property("drain_queries", measured)
    print(f"drain queries by missions of history: {measured}")
    small, large = sizes
    assert measured[small] == measured[large]
    assert measured[small] < 200


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


def test_a_burst_of_marks_sends_one_drain_until_a_drain_starts(
    desk, at_day, django_capture_on_commit_callbacks
):
    with mock.patch("performance.tasks.drain_indicators.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            desk.complete(area="BE", arrests=2)
        with django_capture_on_commit_callbacks(execute=True):
            desk.complete(area="CV", arrests=1)
        assert delay.call_count == 1  # the second outcome's marks found a drain already queued
        indicators_drain()  # the queued drain starts: the next mark must send a new one
        assert not DirtyBucket.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            desk.complete(area="SH", arrests=1)
        assert delay.call_count == 2
    assert DirtyBucket.objects.exists()


def test_a_drain_flag_whose_drain_could_not_be_sent_is_cleared(
    desk, at_day, django_capture_on_commit_callbacks
):
    with mock.patch(
        "performance.tasks.drain_indicators.delay", side_effect=ConnectionError("broker down")
    ) as delay:
        with django_capture_on_commit_callbacks(execute=True):
            desk.complete(area="BE", arrests=2)
        with django_capture_on_commit_callbacks(execute=True):
            desk.complete(area="CV", arrests=1)
    # Nothing was queued, so the flag was dropped and every later mark tried again (one would
    # have been the only call had the flag stayed).
    assert delay.call_count > 1
    assert cache.get(dirty.DRAIN_QUEUED) is None


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
