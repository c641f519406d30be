"""The outbox never loses an event: the sweep re-sends what a lost dispatch or a broker outage left,
one waiting dispatch carries every pending event in chunks, a batch consumer's bad event is set
aside, and an event nobody listens to sends nothing."""

import logging
from unittest import mock

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from operations import events
from operations.events import consumer, event_dispatch, event_emit, events_dispatch_pending, outbox_sweep
from operations.models import Event, EventDelivery, Resource
from operations.services import reference_update
from operations.tasks import dispatch_event

from .outbox_helpers import EVENT_TYPE, START, Boom, emit, reload

pytestmark = pytest.mark.django_db


def test_outbox_sweep_re_enqueues_only_unprocessed_events_older_than_the_delay(
    settings, django_capture_on_commit_callbacks, register_consumer
):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 30
    calls = register_consumer("tests.recorder")
    with time_machine.travel(START, tick=False) as clock:
        delivered = emit(django_capture_on_commit_callbacks, execute=True)
        lost_early = emit(django_capture_on_commit_callbacks, execute=False)
        clock.shift(25)
        lost_late = emit(django_capture_on_commit_callbacks, execute=False)
        assert calls == [delivered.pk]

        clock.shift(4)  # 29 s after the first events: nothing is old enough yet
        assert outbox_sweep() == 0
        assert calls == [delivered.pk]

        clock.shift(2)  # 31 s after the first events, 6 s after the late one
        assert outbox_sweep() == 1

        assert calls == [delivered.pk, lost_early.pk]
        assert reload(lost_early).processed_at is not None
        assert reload(lost_late).processed_at is None
        assert reload(delivered).attempts == 1


def test_a_dispatch_also_delivers_earlier_events_whose_own_dispatch_was_lost(
    django_capture_on_commit_callbacks, register_consumer
):
    calls = register_consumer("tests.recorder")
    lost = emit(django_capture_on_commit_callbacks, execute=False)
    sent = emit(django_capture_on_commit_callbacks, execute=True)

    assert calls == [lost.pk, sent.pk]  # oldest first, each once
    assert reload(lost).processed_at is not None
    assert EventDelivery.objects.filter(event__in=[lost, sent]).count() == 2


def test_while_a_dispatch_waits_in_the_queue_new_events_send_no_other(
    django_capture_on_commit_callbacks, register_consumer
):
    calls = register_consumer("tests.recorder")
    with mock.patch("operations.tasks.dispatch_event.delay") as delay:
        first = emit(django_capture_on_commit_callbacks, execute=True)
        second = emit(django_capture_on_commit_callbacks, execute=True)
    delay.assert_called_once_with(first.pk)  # the waiting dispatch will take both

    assert events_dispatch_pending() == 2  # the queued task runs: it clears the flag first
    assert calls == [first.pk, second.pk]
    with mock.patch("operations.tasks.dispatch_event.delay") as delay:
        third = emit(django_capture_on_commit_callbacks, execute=True)
    delay.assert_called_once_with(third.pk)


def test_a_dispatch_reads_chunk_after_full_chunk_and_stops_after_a_short_one(
    django_capture_on_commit_callbacks, register_consumer
):
    calls = register_consumer("tests.recorder")
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        emitted = [event_emit(EVENT_TYPE, payload={"n": n}) for n in range(5)]

    # Chunks of 2, 2 and 1: the short last chunk was everything pending when it was read, so no
    # further read follows it (an event committed later sends a dispatch of its own).
    with (
        mock.patch.object(events, "_deliver_chunk", wraps=events._deliver_chunk) as deliver,
        CaptureQueriesContext(connection) as queries,
    ):
        assert events_dispatch_pending(chunk=2) == 5
    assert [len(call.args[0]) for call in deliver.call_args_list] == [2, 2, 1]
    reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "operations_event"."id"')]
    assert len(reads) == 3
    assert calls == [event.pk for event in emitted]
    assert all(reload(event).processed_at is not None for event in emitted)


def test_a_batch_consumer_gets_the_pending_events_at_once_and_a_bad_one_is_set_aside(
    django_capture_on_commit_callbacks, register_consumer
):
    calls, name = [], "tests.batch"

    def handle(batch):
        if any(event.payload.get("bad") for event in batch):
            raise Boom("cannot take a bad event")
        calls.append([event.pk for event in batch])
        Resource.objects.create(code=f"B{len(calls)}{batch[0].pk}", name="x", kind=Resource.Kind.OSU)

    consumer(EVENT_TYPE, name=name, batch=True)(handle)
    healthy = register_consumer("tests.healthy")
    try:
        with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
            good = [event_emit(EVENT_TYPE, payload={"n": n}) for n in range(3)]
            bad = event_emit(EVENT_TYPE, payload={"bad": True})
        assert events_dispatch_pending() == 4
    finally:
        events._consumers[EVENT_TYPE].pop(name, None)

    # The batch of four failed as a whole and was rolled back (nothing of it was kept); then
    # each event went alone: the good ones are delivered once, the bad one keeps its error.
    assert calls == [[event.pk] for event in good]
    assert Resource.objects.filter(code__startswith="B").count() == 3
    assert healthy == [event.pk for event in [*good, bad]]
    assert all(reload(event).processed_at is not None for event in good)
    bad = reload(bad)
    assert bad.processed_at is None and bad.attempts == 1 and "cannot take a bad event" in bad.last_error
    assert set(bad.deliveries.values_list("consumer", flat=True)) == {"tests.healthy"}
    assert events_dispatch_pending() == 0  # a failed event is the sweep's, not retried here


def test_a_redelivered_event_changes_nothing_twice(
    settings, django_capture_on_commit_callbacks, register_consumer
):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 30
    calls = register_consumer("tests.recorder")
    with time_machine.travel(START, tick=False) as clock:
        lost = emit(django_capture_on_commit_callbacks, execute=False)
        clock.shift(31)
        assert outbox_sweep() == 1
        processed = reload(lost)

        clock.shift(60)
        assert outbox_sweep() == 0
        dispatch_event.delay(lost.pk)
        event_dispatch(event_id=lost.pk)

    again = reload(lost)
    assert calls == [lost.pk]
    assert again.attempts == processed.attempts == 1
    assert again.processed_at == processed.processed_at
    assert EventDelivery.objects.filter(event=lost).count() == 1


def test_a_broker_outage_still_commits_the_change_and_the_sweep_delivers_the_event_later(
    django_capture_on_commit_callbacks, register_consumer, caplog
):
    calls = register_consumer("tests.recorder")
    resource = Resource.objects.create(code="OSU", name="OSU", kind=Resource.Kind.OSU, capacity_per_period=10)

    with (
        caplog.at_level(logging.WARNING, logger="operations.events"),
        mock.patch("operations.tasks.dispatch_event.delay", side_effect=ConnectionError("down")) as delay,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        reference_update(actor=None, instance=resource, data={"capacity_per_period": 2})
        event = event_emit(EVENT_TYPE, payload={"capacity": 2}, aggregate=resource)

    assert delay.call_count == 2  # the resource's change and the event: each tried, each failed
    assert "outbox sweep will retry" in caplog.text
    resource.refresh_from_db()
    assert resource.capacity_per_period == 2
    assert reload(event).processed_at is None
    assert calls == []
    # The resource's change is announced too (reference.changed), and waits with it.
    waiting = Event.objects.filter(processed_at__isnull=True)
    assert sorted(waiting.values_list("type", flat=True)) == sorted(["reference.changed", EVENT_TYPE])

    assert outbox_sweep(older_than_seconds=0) == 2

    assert calls == [event.pk]
    assert reload(event).processed_at is not None
    assert outbox_sweep(older_than_seconds=0) == 0
    assert calls == [event.pk]


def test_an_event_nobody_listens_to_is_stored_as_processed_and_sends_no_task(
    django_capture_on_commit_callbacks, register_consumer
):
    register_consumer("tests.recorder")  # listens to EVENT_TYPE only

    with (
        mock.patch("operations.tasks.dispatch_event.delay") as delay,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        unheard = event_emit("tests.nobody_listens", payload={"n": 1})
        heard = event_emit(EVENT_TYPE, payload={"n": 2})

    assert len(callbacks) == 1
    delay.assert_called_once_with(heard.pk)
    unheard.refresh_from_db()
    assert unheard.processed_at is not None and unheard.payload == {"n": 1}
    assert Event.objects.get(pk=heard.pk).processed_at is None
