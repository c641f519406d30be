"""How changes reach the recompute engine: duplicate and out-of-order delivery leave the values of
in-order delivery, a burst of events is coalesced into one recompute per family and day, a drain
claims its work in batches and announces what changed once, and a burst of marks queues one drain."""

import random
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from operations.events import event_dispatch
from operations.models import Area, Event, Operation
from performance import consumers, dirty, engine
from performance.dirty import indicators_drain
from performance.models import DirtyBucket, Indicator, IndicatorValue
from performance.reconcile import indicators_reconcile

from .conftest import DAY, changed_events, day_value, indicator, local, snapshot

pytestmark = pytest.mark.django_db


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
