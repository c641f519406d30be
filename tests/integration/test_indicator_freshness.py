"""Indicator values follow outcomes logged through the API, computed by a real Celery worker on
PostgreSQL and Redis (this process only enqueues)."""

import time
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from config import celery_app
from operations.models import Event
from operations.reference import reference_data_load
from performance.models import DirtyBucket, IndicatorValue
from performance.reconcile import indicators_reconcile

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
]

POLL_LIMIT_SECONDS = 30
RESOURCES = ["FS", "OSU", "FR", "GTF"]  # spread so that no resource is over its capacity
ASSESSMENT = {
    "threat": 3, "threat_rationale": "x", "risk": 3, "risk_rationale": "x", "harm": 3,
    "harm_rationale": "x", "decision": "approve",
}  # fmt: skip


@pytest.fixture
def worker(celery_worker_process, monkeypatch):
    """The worker, started, with this process unable to dispatch or drain by itself: a value that
    appears was computed by the worker."""
    reference_data_load()

    def not_here(*args, **kwargs):
        raise AssertionError("the test process must only enqueue; the worker computes")

    monkeypatch.setattr("operations.tasks.events_dispatch_pending", not_here)
    monkeypatch.setattr("performance.tasks.indicators_drain", not_here)
    assert celery_app.conf.task_always_eager is False
    return celery_worker_process.start()


@pytest.fixture
def client(mission_user):
    client = APIClient()
    client.force_authenticate(user=mission_user)
    return client


def log_outcome(client, n, arrests):
    request = client.post(
        "/api/requests/",
        {"kind": "vibrant_arrest", "area": "BE", "operation": "VIBRANT", "requested_by": f"PC {n}"},
    )
    assert request.status_code == 201, request.data
    assessed = client.post(f"/api/requests/{request.json()['id']}/assess/", ASSESSMENT)
    assert assessed.status_code == 200, assessed.data
    mission = assessed.json()["mission"]
    steps = [
        ("allocate", {"resource": RESOURCES[n % len(RESOURCES)]}),
        ("start", {}),
        ("outcome", {"result": "arrested", "arrests": arrests}),
    ]
    for action, data in steps:
        response = client.post(f"/api/missions/{mission}/{action}/", data)
        assert response.status_code == 200, (action, response.data)


def arrests_today(area="BE"):
    return (
        IndicatorValue.objects.filter(
            indicator__code="mission_arrests",
            area__code=area,
            operation_key=0,
            period_kind="day",
            period_start=timezone.localdate(),
        )
        .values_list("value", flat=True)
        .first()
    )


def wait_for(condition, worker, what):
    deadline = time.monotonic() + POLL_LIMIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {POLL_LIMIT_SECONDS} s. Worker log:\n{worker.log_text()[-5000:]}")


def test_an_outcome_logged_through_the_api_reaches_the_npu_value_through_the_worker(worker, client):
    log_outcome(client, 1, arrests=3)

    wait_for(lambda: arrests_today() == Decimal(3), worker, "The BE arrests value did not become 3")
    assert arrests_today("WMP") == Decimal(3)
    log = worker.log_text()
    assert "Task operations.tasks.dispatch_event[" in log
    assert "Task performance.tasks.drain_indicators[" in log


def test_twenty_outcomes_logged_quickly_end_in_the_values_a_full_reconcile_computes(worker, client):
    total = 0
    for n in range(20):
        arrests = 1 + n % 4
        total += arrests
        log_outcome(client, n, arrests)

    def settled():
        return (
            arrests_today() == Decimal(total)
            and not Event.objects.filter(processed_at__isnull=True).exists()
            and not DirtyBucket.objects.exists()
        )

    wait_for(settled, worker, f"The values did not settle at {total} arrests")
    report = indicators_reconcile(repair=False)
    assert report["differences"] == [], report["differences"][:5]
    assert report["checked"] > 0
