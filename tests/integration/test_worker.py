"""A real Celery worker on PostgreSQL and Redis processes outbox events, and the sweep recovers
events whose message the broker lost."""

import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from operations.events import event_emit, outbox_sweep

from .conftest import WORKER_APPLICATION_NAME

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
]

# A real event type with a real consumer (one nobody listens to is stored processed and sends no
# task); with no days in it, the consumer has nothing to mark.
EVENT_TYPE = "patrol.scheduled"
POLL_LIMIT_SECONDS = 30


def wait_until_processed(event, worker):
    deadline = time.monotonic() + POLL_LIMIT_SECONDS
    while time.monotonic() < deadline:
        event.refresh_from_db()
        if event.processed_at is not None:
            return event
        time.sleep(0.2)
    pytest.fail(f"Event {event.pk} was not processed. Worker log:\n{worker.log_text()}")


def emit():
    with transaction.atomic():
        return event_emit(EVENT_TYPE, payload={"days": [], "areas": [], "operations": []})


def test_worker_processes_an_event_enqueued_on_commit(celery_worker_process):
    worker = celery_worker_process.start()

    event = emit()

    event = wait_until_processed(event, worker)
    assert event.attempts == 1
    assert event.last_error == ""
    assert "Task operations.tasks.dispatch_event[" in worker.log_text()
    assert "succeeded" in worker.log_text()


def test_sweep_recovers_an_event_whose_message_the_broker_lost(celery_worker_process, redis_broker):
    event = emit()
    assert redis_broker.llen("celery") == 1  # enqueued on commit, but no worker is running
    redis_broker.delete("celery")  # the broker loses the message

    worker = celery_worker_process.start()
    event.refresh_from_db()
    assert event.processed_at is None
    assert redis_broker.llen("celery") == 0

    assert outbox_sweep(older_than_seconds=0) == 1

    event = wait_until_processed(event, worker)
    assert event.attempts == 1
    assert outbox_sweep(older_than_seconds=0) == 0


def worker_sessions():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()",
            [WORKER_APPLICATION_NAME],
        )
        return {pid for (pid,) in cursor.fetchall()}


def niceness(pid):
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_worker_runs_below_the_web_priority(celery_worker_process, settings):
    # The test's worker is started as a service manager starts it: a session of its own, the
    # default WORKER_NICE (its pool, where it has one, inherits the main process's niceness).
    worker = celery_worker_process.start()
    assert settings.WORKER_NICE > 0
    assert niceness(worker.process.pid) == settings.WORKER_NICE


def test_worker_keeps_its_database_session_from_one_task_to_the_next(celery_worker_process):
    # Celery on its own closes every connection around each task: each would then start a new
    # PostgreSQL backend. The worker keeps them as a web request does (CONN_MAX_AGE).
    worker = celery_worker_process.start()
    wait_until_processed(emit(), worker)
    sessions = worker_sessions()
    assert sessions, "the worker closed its database session after the task"

    for _ in range(4):
        wait_until_processed(emit(), worker)

    assert worker_sessions() == sessions
