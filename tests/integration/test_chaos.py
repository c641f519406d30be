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
import random
import signal
import threading
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from operations.events import consumers_for, dispatch_deferred, events_dispatch_pending, outbox_sweep
from operations.models import Area, Event, EventDelivery, Operation, Resource
from operations.reference import reference_data_load
from operations.tasks import sweep_outbox
from performance.calculators import FAMILIES
from performance.dirty import buckets_mark
from performance.models import DirtyBucket, IndicatorValue
from performance.reconcile import indicators_reconcile
from performance.tasks import drain_indicators
from tasking import services
from tasking.models import Mission, MissionTransition, Outcome, Request

from .chaos_helpers import join_all, threaded

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery,
    pytest.mark.chaos,
    pytest.mark.django_db(transaction=True),
]

OUTCOMES = 2000
CLIENTS = 3
CLIENT_RATE = 30  # outcomes per second, all clients together: the storm lasts about 70 s
WORKER_LIFE = (2.0, 4.0)  # seconds a worker runs (once consuming) before it is SIGKILLed
REDIS_CRASHES = [(15.0, 2.0), (35.0, 6.0)]  # (seconds into the storm, seconds down): two restarts
BEAT_SWEEP_EVERY = 2.0  # production: every 15 s for events older than 30 s; here older than 2 s
BEAT_DRAIN_EVERY = 3.0  # production: every 60 s
RECOVERY_LIMIT = 120
ASSESSMENT = {
    "threat": 3, "threat_rationale": "named nominal", "risk": 3, "risk_rationale": "weapons",
    "harm": 3, "harm_rationale": "community", "decision": "approve",
}  # fmt: skip


# ---------------------------------------------------------------------------------- helpers


def quiet():
    """(unprocessed events, dirty buckets) read in one statement, so in one snapshot: both zero
    means nothing is left to do and nothing in flight can add work (a drain deletes its claimed
    rows in the transaction that stores its values and emits its event)."""
    query = "SELECT (SELECT count(*) FROM {} WHERE processed_at IS NULL), (SELECT count(*) FROM {})"
    with connection.cursor() as cursor:
        cursor.execute(query.format(Event._meta.db_table, DirtyBucket._meta.db_table))
        return cursor.fetchone()


def settle(worker, limit=RECOVERY_LIMIT, sweep_every=2.0, drain_every=2.0):
    """Play beat until the outbox is empty and no bucket is dirty; returns (seconds, sweeps)."""
    started = time.monotonic()
    last_sweep = last_drain = 0.0
    sweeps = 0
    while time.monotonic() - started < limit:
        if quiet() == (0, 0):
            return time.monotonic() - started, sweeps
        now = time.monotonic()
        if now - last_sweep >= sweep_every:
            outbox_sweep()
            sweeps, last_sweep = sweeps + 1, now
        if now - last_drain >= drain_every:
            drain_indicators.delay()
            last_drain = now
        time.sleep(0.25)
    pytest.fail(
        f"Not settled within {limit} s: (unprocessed events, dirty buckets) = {quiet()}. "
        f"Worker log tail:\n{worker.log_text()[-5000:]}"
    )


def make_in_progress_missions(actor, count):
    """``count`` approved requests with missions allocated to today's period and started, in bulk
    (2,000 of them through the services would take minutes on this machine), each with the three
    history rows the services write (pending, allocated, in progress); then every indicator value
    computed from scratch, as the demo loader does: the storm starts from a consistent state."""
    now = timezone.now()
    period = services.period_for(now)
    areas = list(Area.objects.filter(kind=Area.Kind.NPU).order_by("code"))
    operations = [None, *Operation.objects.filter(code="VIBRANT")]
    resources = list(Resource.objects.filter(active=True).order_by("code"))
    requests = Request.objects.bulk_create(
        Request(
            kind="npu_arrest", state=Request.State.APPROVED, area=areas[n % len(areas)],
            operation=operations[n % len(operations)], requested_by=f"PC {n}", received_at=now,
            priority_score=Decimal(45), grade="P3", created_by=actor,
        )
        for n in range(count)
    )  # fmt: skip
    missions = Mission.objects.bulk_create(
        Mission(
            request=request, kind=request.kind, area_id=request.area_id, operation_id=request.operation_id,
            resource=resources[n % len(resources)], period=period, state=Mission.State.IN_PROGRESS,
            version=3, created_at=now, allocated_at=now, started_at=now,
        )
        for n, request in enumerate(requests)
    )  # fmt: skip
    steps = [("", "pending"), ("pending", "allocated"), ("allocated", "in_progress")]
    MissionTransition.objects.bulk_create(
        MissionTransition.of(mission, from_state=from_state, to_state=to_state, at=now, actor=actor)
        for mission in missions
        for from_state, to_state in steps
    )
    indicators_reconcile(repair=True)
    assert quiet() == (0, 0)
    return [mission.pk for mission in missions]


# ---------------------------------------------------------------------------------- the storm


class Storm:
    """Clients log outcomes at a steady rate while the chaos thread kills and restarts things
    and a beat thread publishes the periodic jobs."""

    def __init__(self, actor, missions, redis_server, worker, seed=7):
        self.actor, self.missions = actor, missions
        self.redis, self.worker = redis_server, worker
        self.random = random.Random(seed)
        self.clients_done = threading.Event()
        self.stop_beat = threading.Event()
        self.started = None
        self.logged = Counter()
        self.arrests = 0
        self.worker_kills = 0
        self.tasks_in_flight_at_kills = 0
        self.redis_restarts = 0
        self.broker_down_seconds = 0.0
        self.beat_published = 0
        self.beat_failed = 0

    def elapsed(self):
        return time.monotonic() - self.started

    # The clients: mission_log_outcome through the service, paced, each in its own transaction.
    def client(self, index):
        for position in range(index, len(self.missions), CLIENTS):
            delay = self.started + position / CLIENT_RATE - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            services.mission_log_outcome(
                actor=self.actor, mission=Mission(pk=self.missions[position]), result="arrested",
                arrests=1 + position % 3,
            )  # fmt: skip
            self.logged[index] += 1

    # Beat: a real `celery beat` would publish these two tasks on its schedule. Publishing them
    # from a thread here does exactly that (same tasks, same broker, failing the same way while
    # Redis is down) on a faster schedule, without a DatabaseScheduler process competing for the
    # machine's two cores and without waiting for its one-second-resolution ticks.
    def beat(self):
        last_sweep = last_drain = 0.0
        while not self.stop_beat.wait(0.2):
            now = time.monotonic()
            for task, every, last in (
                (sweep_outbox, BEAT_SWEEP_EVERY, last_sweep),
                (drain_indicators, BEAT_DRAIN_EVERY, last_drain),
            ):
                if now - last < every:
                    continue
                try:
                    task.delay()
                    self.beat_published += 1
                except Exception:  # beat logs the failure and tries at the next tick
                    self.beat_failed += 1
                if task is sweep_outbox:
                    last_sweep = now
                else:
                    last_drain = now

    # Chaos: SIGKILL the worker (main process and pool) every few seconds and start it again;
    # crash Redis twice, the second time for longer than 5 s.
    def chaos(self):
        crashes = list(REDIS_CRASHES)
        kill_at = None
        spawned_at = time.monotonic()
        while crashes or not self.clients_done.is_set():
            if crashes and self.elapsed() >= crashes[0][0]:
                _, down = crashes.pop(0)
                self.redis.kill()
                time.sleep(down)
                self.redis.start()
                self.redis_restarts += 1
                self.broker_down_seconds += down
                continue
            if not self.worker.running:
                self.worker.start(wait=False)
                kill_at, spawned_at = None, time.monotonic()
            if kill_at is None and (self.worker.is_ready() or time.monotonic() - spawned_at > 10):
                kill_at = time.monotonic() + self.random.uniform(*WORKER_LIFE)
            if kill_at is not None and time.monotonic() >= kill_at:
                self.tasks_in_flight_at_kills += self.worker.tasks_in_flight()
                self.worker.kill()
                self.worker_kills += 1
                kill_at = None
                continue
            time.sleep(0.05)

    def run(self):
        self.started = time.monotonic()
        beat = threaded(self.beat)
        chaos = threaded(self.chaos)
        clients = [threaded(self.client, index) for index in range(CLIENTS)]
        try:
            join_all(clients, timeout=180)
        finally:
            self.clients_done.set()
            join_all([chaos], timeout=60)
            self.stop_beat.set()
            join_all([beat], timeout=30)
        return self.elapsed()


def assert_outbox_delivered_exactly_once():
    """Every event processed, with exactly one receipt per consumer registered for its type."""
    assert not Event.objects.filter(processed_at__isnull=True).exists()
    receipts = Counter(EventDelivery.objects.values_list("event_id", "consumer"))
    assert set(receipts.values()) <= {1}
    expected = {
        (event_id, name)
        for event_id, event_type in Event.objects.values_list("pk", "type")
        for name in consumers_for(event_type)
    }
    assert set(receipts) == expected


def arrests_stored(area):
    return IndicatorValue.objects.filter(
        indicator__code="mission_arrests", area=area, operation_key=0, period_kind="day"
    ).aggregate(total=Sum("numerator"))["total"] or Decimal(0)


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
