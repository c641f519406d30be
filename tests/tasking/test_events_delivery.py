"""A tasking change's events are dispatched only after its transaction commits, once each, and
not at all when it rolls back; a consumer sees each event once however often it is delivered, the
sweep redelivers what a broker outage dropped, and a failing consumer is retried alone."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.db import transaction

from operations import events
from operations.events import consumers_for, event_dispatch, outbox_sweep
from operations.models import Event
from operations.tasks import dispatch_event
from tasking import services
from tasking.models import Outcome, Request

from .event_helpers import NOW, S
from .factories import footprint, last_event_id, mission_make, new_events, reference_data_once  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]


class BrokerlessError(Exception):
    pass


@pytest.fixture
def delay():
    """``dispatch_event.delay`` replaced by a recorder: what would have been sent to the broker."""
    with mock.patch.object(dispatch_event, "delay") as recorder:
        yield recorder


@pytest.fixture
def recording_consumer(request):
    """Register a consumer for an event type; it is removed again when the test ends."""

    def register(event_type, name="tests.tasking.recorder"):
        calls = []
        events.consumer(event_type, name=name)(lambda event: calls.append(event.pk))
        request.addfinalizer(lambda: events._consumers[event_type].pop(name, None))
        return calls

    return register


def test_dispatch_is_enqueued_only_after_commit_once_per_event(
    supervisor, django_capture_on_commit_callbacks
):
    mission = mission_make(supervisor, S.ALLOCATED)
    events_before = last_event_id()

    with mock.patch.object(dispatch_event, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.mission_start(actor=supervisor, mission=mission)
            assert delay.call_count == 0
        (event,) = new_events(events_before)

    assert len(callbacks) == 1
    delay.assert_called_once_with(event.pk)


def test_an_api_transition_enqueues_its_event_after_commit(
    api, mission_user, delay, django_capture_on_commit_callbacks
):
    mission = mission_make(mission_user, S.ALLOCATED)
    events_before = last_event_id()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(mission_user).post(f"/api/missions/{mission.pk}/start/", {})
        assert delay.call_count == 0

    assert response.status_code == 200
    assert [c.args for c in delay.call_args_list] == [(e.pk,) for e in new_events(events_before)]
    assert delay.call_count == 1


def test_a_change_raising_two_events_enqueues_each_once_after_commit(
    mission_user, delay, django_capture_on_commit_callbacks
):
    mission = mission_make(mission_user, S.IN_PROGRESS, kind="curfew_check", location="4 Elm Rd")
    events_before = last_event_id()

    with django_capture_on_commit_callbacks(execute=True):
        services.mission_log_outcome(actor=mission_user, mission=mission, result="curfew_breached")
        assert delay.call_count == 0

    written = new_events(events_before)
    assert [e.type for e in written] == ["mission.outcome_logged", "request.received"]
    listened = [e for e in written if consumers_for(e.type)]
    assert [c.args for c in delay.call_args_list] == [(e.pk,) for e in listened]
    assert listened and all(e.processed_at is None for e in listened)
    # An event type nobody listens to is recorded as processed and sends no task.
    assert all(e.processed_at is not None for e in written if e not in listened)


def test_nothing_is_written_or_enqueued_when_the_transaction_rolls_back(
    supervisor, django_capture_on_commit_callbacks
):
    mission = mission_make(supervisor, S.IN_PROGRESS)
    before = footprint(mission)

    with (
        mock.patch.object(dispatch_event, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(BrokerlessError),
        transaction.atomic(),
    ):
        services.mission_log_outcome(actor=supervisor, mission=mission, result="arrested", arrests=1)
        raise BrokerlessError("the view failed after the service")

    assert callbacks == []
    delay.assert_not_called()
    assert footprint(mission) == before
    assert not Outcome.objects.filter(mission=mission).exists()


def test_a_dispatched_event_reaches_its_consumer_once_however_often_it_is_delivered(
    supervisor, recording_consumer, django_capture_on_commit_callbacks
):
    calls = recording_consumer("mission.started")
    mission = mission_make(supervisor, S.ALLOCATED)

    with django_capture_on_commit_callbacks(execute=True):
        services.mission_start(actor=supervisor, mission=mission)
    event = Event.objects.get(type="mission.started")
    again = event_dispatch(event_id=event.pk)
    dispatch_event.delay(event.pk)

    assert calls == [event.pk]
    assert again is False
    event.refresh_from_db()
    assert event.processed_at is not None
    assert event.deliveries.filter(consumer="tests.tasking.recorder").count() == 1


def test_the_sweep_redelivers_an_outcome_event_lost_to_a_broker_outage_exactly_once(
    mission_user, recording_consumer, django_capture_on_commit_callbacks
):
    calls = recording_consumer("mission.outcome_logged")
    wait = timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    with time_machine.travel(NOW, tick=False):
        mission = mission_make(mission_user, S.IN_PROGRESS)
        with (
            mock.patch.object(dispatch_event, "delay", side_effect=ConnectionError("broker down")) as broken,
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.mission_log_outcome(actor=mission_user, mission=mission, result="arrested", arrests=1)

    assert broken.call_count == 1  # the enqueue was tried, and failed
    mission.refresh_from_db()
    assert mission.state == S.COMPLETED  # the outcome itself committed
    assert Outcome.objects.filter(mission=mission).exists()
    event = Event.objects.get(type="mission.outcome_logged")
    assert event.processed_at is None
    assert calls == []

    with time_machine.travel(NOW + wait - timedelta(seconds=1), tick=False):
        assert outbox_sweep() == 0  # too young: a broker may still deliver it
    waiting = Event.objects.filter(processed_at__isnull=True).count()
    with time_machine.travel(NOW + wait + timedelta(seconds=1), tick=False):
        swept = outbox_sweep()
        assert outbox_sweep() == 0
        event_dispatch(event_id=event.pk)
        dispatch_event.delay(event.pk)

    assert swept == waiting >= 1  # everything the test wrote that someone listens to was still waiting
    event.refresh_from_db()
    assert event.processed_at is not None
    assert event.attempts == 1
    assert calls == [event.pk]


def test_a_failing_consumer_leaves_the_event_for_the_sweep_and_is_retried_alone(
    mission_user, recording_consumer, django_capture_on_commit_callbacks
):
    calls = recording_consumer("mission.outcome_logged")
    failures = []

    def flaky(event):
        if not failures:
            failures.append(event.pk)
            raise RuntimeError("performance store unavailable")

    events.consumer("mission.outcome_logged", name="tests.tasking.flaky")(flaky)
    try:
        mission = mission_make(mission_user, S.IN_PROGRESS)
        with django_capture_on_commit_callbacks(execute=True):
            services.mission_log_outcome(actor=mission_user, mission=mission, result="not_found")
        event = Event.objects.get(type="mission.outcome_logged")
        event.refresh_from_db()
        assert event.processed_at is None
        assert "performance store unavailable" in event.last_error

        event_dispatch(event_id=event.pk)
    finally:
        events._consumers["mission.outcome_logged"].pop("tests.tasking.flaky", None)

    event.refresh_from_db()
    assert event.processed_at is not None
    assert calls == [event.pk]  # the healthy consumer was not called again
    assert Request.objects.count() == 1
