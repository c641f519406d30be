"""The chaos suite's storm: clients logging outcomes at a steady rate while a chaos thread SIGKILLs
the Celery worker and crashes Redis and a beat thread publishes the periodic jobs; and what the
tests read afterwards (an empty outbox, receipts, stored arrests)."""

import random
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from operations.events import consumers_for, outbox_sweep
from operations.models import Area, Event, EventDelivery, Operation, Resource
from operations.tasks import sweep_outbox
from performance.models import DirtyBucket, IndicatorValue
from performance.reconcile import indicators_reconcile
from performance.tasks import drain_indicators
from tasking import services
from tasking.models import Mission, MissionTransition, Request

from .chaos_helpers import join_all, threaded

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
