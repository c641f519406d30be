"""The transactional outbox: events exist exactly when their change does, and each consumer
handles each one once, however often it is dispatched (recovery and coalescing are in
test_outbox_recovery.py)."""

import pytest
from django.db import transaction

from operations.events import event_dispatch, event_emit
from operations.models import Event, EventDelivery
from operations.tasks import dispatch_event

from .outbox_helpers import EVENT_TYPE, Boom, emit, reload

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_event_emit_outside_a_transaction_raises():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        event_emit(EVENT_TYPE, payload={})

    assert not Event.objects.exists()


def test_event_is_written_in_the_transaction_and_dispatched_only_after_commit(
    django_capture_on_commit_callbacks, register_consumer
):
    calls = register_consumer("tests.recorder")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            event = event_emit(EVENT_TYPE, payload={"n": 1})
            assert Event.objects.filter(pk=event.pk, processed_at__isnull=True).exists()
            assert calls == []
        assert calls == []

    assert len(callbacks) == 1
    assert calls == [event.pk]
    event = reload(event)
    assert event.processed_at is not None
    assert event.attempts == 1
    assert event.last_error == ""


def test_a_rolled_back_transaction_leaves_no_event_and_dispatches_nothing(
    django_capture_on_commit_callbacks, register_consumer
):
    calls = register_consumer("tests.recorder")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        event_emit(EVENT_TYPE, payload={"n": 1})
        raise Boom("the change failed")

    assert callbacks == []
    assert not Event.objects.filter(type=EVENT_TYPE).exists()
    assert calls == []


def test_a_consumer_is_called_once_when_the_event_is_dispatched_twice(
    django_capture_on_commit_callbacks, register_consumer
):
    calls = register_consumer("tests.recorder")
    event = emit(django_capture_on_commit_callbacks)

    assert event_dispatch(event_id=event.pk) is False
    dispatch_event.delay(event.pk)

    assert calls == [event.pk]
    assert reload(event).attempts == 1
    assert EventDelivery.objects.filter(event=event, consumer="tests.recorder").count() == 1


def test_a_redelivered_event_whose_processed_mark_was_lost_is_not_handled_again(
    django_capture_on_commit_callbacks, register_consumer
):
    calls = register_consumer("tests.recorder")
    event = emit(django_capture_on_commit_callbacks)
    Event.objects.filter(pk=event.pk).update(processed_at=None)

    assert event_dispatch(event_id=event.pk) is True
    event_dispatch(event_id=event.pk)

    assert calls == [event.pk]
    assert reload(event).processed_at is not None
    assert EventDelivery.objects.filter(event=event).count() == 1


def test_a_failing_consumer_leaves_the_event_unprocessed_and_others_still_run(
    django_capture_on_commit_callbacks, register_consumer
):
    broken = {"now": True}
    healthy_calls = register_consumer("tests.healthy")
    fragile_calls = register_consumer("tests.fragile", fails=lambda: broken["now"])

    event = reload(emit(django_capture_on_commit_callbacks))

    assert healthy_calls == [event.pk]
    assert fragile_calls == []
    assert event.processed_at is None
    assert event.attempts == 1
    assert "tests.fragile" in event.last_error
    assert "fragile is broken" in event.last_error
    assert list(event.deliveries.values_list("consumer", flat=True)) == ["tests.healthy"]


def test_dispatch_after_a_fault_is_fixed_processes_the_event_once(
    django_capture_on_commit_callbacks, register_consumer
):
    broken = {"now": True}
    healthy_calls = register_consumer("tests.healthy")
    fragile_calls = register_consumer("tests.fragile", fails=lambda: broken["now"])
    event = emit(django_capture_on_commit_callbacks)

    broken["now"] = False
    assert event_dispatch(event_id=event.pk) is True
    assert event_dispatch(event_id=event.pk) is False

    event = reload(event)
    assert healthy_calls == [event.pk]
    assert fragile_calls == [event.pk]
    assert event.processed_at is not None
    assert event.last_error == ""
    assert event.attempts == 2
    assert set(event.deliveries.values_list("consumer", flat=True)) == {"tests.healthy", "tests.fragile"}


def test_deleting_an_event_deletes_its_receipts(django_capture_on_commit_callbacks, register_consumer):
    register_consumer("tests.recorder")
    event, other = emit(django_capture_on_commit_callbacks), emit(django_capture_on_commit_callbacks)
    assert EventDelivery.objects.filter(event__in=[event, other]).count() == 2

    Event.objects.filter(pk=event.pk).delete()

    assert list(EventDelivery.objects.values_list("event_id", flat=True)) == [other.pk]
