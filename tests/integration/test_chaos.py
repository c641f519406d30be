"""Chaos: outcomes logged while the Celery worker is SIGKILLed over and over and Redis crashes and
stays down for a while are each processed, in effect, exactly once; every indicator value ends
equal to a recompute from scratch.

What makes it true (README, "Reliability: why no outcome is lost"): the outbox event is written in
the outcome's own transaction and enqueued after commit (a failed enqueue is swallowed); tasks are
acknowledged late and given back when their pool process dies; Redis redelivers what a dead worker
held after the visibility timeout; each consumer writes its receipt with its effect; the sweep
re-sends whatever the broker lost; dirty buckets are drained with SKIP LOCKED and a periodic drain
catches what an enqueued drain did not reach.
"""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from operations.events import dispatch_deferred, events_dispatch_pending
from operations.models import Area, Event, Operation, Resource
from operations.reference import reference_data_load
from performance.calculators import FAMILIES
from performance.dirty import buckets_mark
from performance.models import DirtyBucket
from performance.reconcile import indicators_reconcile
from performance.tasks import drain_indicators
from tasking import services
from tasking.models import Mission, MissionTransition, Outcome

from .chaos_storm import (
    ASSESSMENT,
    CLIENTS,
    OUTCOMES,
    Storm,
    arrests_stored,
    assert_outbox_delivered_exactly_once,
    make_in_progress_missions,
    settle,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery,
    pytest.mark.chaos,
    pytest.mark.django_db(transaction=True),
]


def test_outcomes_logged_through_worker_kills_and_redis_crashes_are_each_counted_once(
    chaos_redis, chaos_worker, supervisor, settings, enqueue_failures
):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 2  # this process's sweeps; the worker's come from its env
    began = time.monotonic()
    reference_data_load()
    missions = make_in_progress_missions(supervisor, OUTCOMES)
    setup_seconds = time.monotonic() - began

    chaos_worker.start()
    storm = Storm(supervisor, missions, chaos_redis, chaos_worker)
    storm_seconds = storm.run()

    # Recovery: a clean worker on a running Redis; then beat's jobs until nothing is left.
    chaos_worker.kill()
    chaos_worker.start()
    recovery_seconds, sweeps = settle(chaos_worker)
    chaos_worker.stop()

    print(
        f"\nchaos: {OUTCOMES} outcomes from {CLIENTS} clients in {storm_seconds:.1f} s "
        f"(setup {setup_seconds:.1f} s); worker SIGKILLed {storm.worker_kills} times with "
        f"{storm.tasks_in_flight_at_kills} tasks in flight; Redis crashed and restarted "
        f"{storm.redis_restarts} times, down {storm.broker_down_seconds:.1f} s in all; "
        f"{enqueue_failures.count} enqueues failed and were swallowed; beat published "
        f"{storm.beat_published} jobs ({storm.beat_failed} lost to the outage); recovery "
        f"{recovery_seconds:.1f} s with {sweeps} sweeps; {Event.objects.count()} events, dispatched "
        f"up to {max(Event.objects.values_list('attempts', flat=True))} times each"
    )

    assert sum(storm.logged.values()) == OUTCOMES
    assert storm.worker_kills >= 5
    assert storm.tasks_in_flight_at_kills > 0  # the kills hit tasks being executed
    assert storm.redis_restarts == 2
    # No outcome lost, none doubled.
    assert Outcome.objects.count() == OUTCOMES
    assert Mission.objects.filter(state=Mission.State.COMPLETED).count() == OUTCOMES
    assert set(Outcome.objects.values_list("mission_id", flat=True)) == set(missions)
    per_mission = MissionTransition.objects.values("mission").annotate(n=Count("id"))
    assert {row["n"] for row in per_mission} == {4}
    assert len(per_mission) == OUTCOMES
    assert Event.objects.filter(type="mission.outcome_logged").count() == OUTCOMES
    # Every event processed; every consumer had it exactly once.
    assert_outbox_delivered_exactly_once()
    assert not DirtyBucket.objects.exists()
    # Every stored value equals a full recompute, and the arrests add up.
    report = indicators_reconcile(repair=False)
    assert report["differences"] == [], report["differences"][:5]
    total = Outcome.objects.aggregate(total=Sum("arrests"))["total"]
    assert total == sum(1 + n % 3 for n in range(OUTCOMES))
    force = Area.objects.get(kind=Area.Kind.FORCE)
    assert arrests_stored(force) == total
    npus = Area.objects.filter(kind=Area.Kind.NPU)
    assert sum(arrests_stored(area) for area in npus) == total


# ---------------------------------------------------------------------------------- one drain


DRAIN_DAYS = 20  # 10,800 dirty buckets: six batches of the drain, a second or more each


def test_a_drain_whose_worker_is_killed_mid_run_is_delivered_again_and_finishes(
    chaos_redis, chaos_worker, supervisor
):
    """The pool process running a long drain is SIGKILLed between its batches: the worker's main
    process rejects the message back to the queue (acks late + reject on worker lost), a new pool
    process runs it again, and the values end equal to a recompute."""
    reference_data_load()
    with dispatch_deferred():  # outcomes whose buckets nobody marked: only the drain fixes them
        missions = make_completed(supervisor, 12)
        mark_days(DRAIN_DAYS)
        events_dispatch_pending()  # receipts only: the performance consumers skip deferred events
    dirty = DirtyBucket.objects.count()
    assert dirty > 2 * 2000, dirty  # more than two of the drain's 2,000-row batches
    assert len(missions) == 12

    chaos_worker.concurrency = 1
    chaos_worker.start()
    task_id = drain_indicators.delay().id
    deadline = time.monotonic() + 60
    while DirtyBucket.objects.count() == dirty:  # the first batch committed: the drain is running
        assert time.monotonic() < deadline, chaos_worker.log_text()[-3000:]
        time.sleep(0.05)
    children = chaos_worker.pool_children()
    assert len(children) == 1
    left_at_kill = DirtyBucket.objects.count()
    assert left_at_kill > 0, "the drain finished before it could be killed: raise DRAIN_DAYS"
    os.kill(children[0], signal.SIGKILL)

    deadline = time.monotonic() + 90
    while DirtyBucket.objects.exists():
        assert time.monotonic() < deadline, chaos_worker.log_text()[-3000:]
        time.sleep(0.2)
    log = chaos_worker.log_text()
    print(f"\ndrain: {dirty} dirty buckets, {left_at_kill} left when its pool process was SIGKILLed")
    assert log.count(f"drain_indicators[{task_id}] received") == 2, log[-3000:]
    assert "WorkerLostError" in log
    report = indicators_reconcile(repair=False)
    assert report["differences"] == [], report["differences"][:5]


def make_completed(actor, count):
    area = Area.objects.get(code="BE")
    resource = Resource.objects.get(code="OSU")
    missions = []
    for n in range(count):
        request = services.request_receive(actor=actor, kind="npu_arrest", area=area, requested_by="PC 1")
        services.request_assess(actor=actor, request=request, **ASSESSMENT)
        mission = Mission.objects.get(request=request)
        services.mission_allocate(actor=actor, mission=mission, resource=resource, override_reason="test")
        services.mission_start(actor=actor, mission=Mission(pk=mission.pk))
        services.mission_log_outcome(
            actor=actor, mission=Mission(pk=mission.pk), result="arrested", arrests=1 + n % 2
        )
        missions.append(mission.pk)
    return missions


def mark_days(days):
    areas = list(Area.objects.filter(kind=Area.Kind.NPU).values_list("pk", flat=True))
    operations = [None, *Operation.objects.values_list("pk", flat=True)[:3]]
    today = timezone.localdate()
    with transaction.atomic():
        for family_name in ("transitions", "outcomes"):
            for offset in range(days):
                buckets_mark(
                    family=FAMILIES[family_name], day=today - timedelta(days=offset), area_ids=areas,
                    operation_ids=operations,
                )  # fmt: skip
