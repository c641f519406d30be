"""Dirty buckets: events mark the base buckets they touch, and a drain claims and recomputes them.

Marking is an upsert of ``DirtyBucket`` rows in the event's own transaction, and asks for a drain
after commit (at most one waits in the queue). A drain claims dirty rows with ``SELECT … FOR
UPDATE SKIP LOCKED`` one batch at a time under an advisory lock, recomputes each claimed
(family, base period) with ``engine.recompute``, deletes the rows and announces the changed values
(``indicator.changed``). A burst of events on one bucket is one row and one recompute.
"""

import logging
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from operations.events import event_emit, is_dispatch_deferred
from operations.queued import queued_flag_clear, send_unless_queued

from . import periods
from .calculators import CALCULATORS, FAMILIES, family_of
from .engine import Context, _fetch, _store, _sum_into, recompute
from .models import DirtyBucket, IndicatorValue
from .rollup_sql import windows_store

logger = logging.getLogger(__name__)
DRAIN_LOCK = 7_337_001  # the advisory lock id that serialises indicator drains
DRAIN_QUEUED = "performance:drain-queued"  # cache flag: a drain is waiting in the queue
DRAIN_QUEUED_TTL = 5


def buckets_mark(*, family, day, area_ids, operation_ids, context=None):
    """Mark the base buckets of every active indicator of ``family`` for ``day`` dirty, for the
    given areas (and the force) and operations (and 'all'); the drain runs after commit."""
    pairs = [(area, op) for area in area_ids or [None] for op in operation_ids or [None]]
    return buckets_mark_pairs(family=family, day=day, pairs=pairs, context=context)


def buckets_mark_pairs(*, family, day, pairs, context=None):
    """``buckets_mark`` for (area, operation) pairs: a batch of events marks its buckets of one
    day in one statement."""
    context = context or Context()
    start = periods.start_of(family.base, day)
    keys = {key for area, op in pairs for key in context.keys_for(area, op)}
    rows = [
        DirtyBucket(
            indicator_id=indicator.pk,
            area_id=area,
            operation_key=op,
            period_kind=family.base,
            period_start=start,
        )
        for indicator in context.of_family(family)
        for area, op in keys
        if area is not None
    ]
    # Upsert, not "ON CONFLICT DO NOTHING": a row that a running drain has claimed (FOR UPDATE) is
    # about to be deleted by it, and that drain may have read the source rows before this change
    # committed. DO NOTHING would see the row, skip, and the mark would be lost with it; DO UPDATE
    # waits for the drain to commit and then inserts the row again. Rows go in one order so that
    # concurrent markers lock them in the same order (no deadlock).
    rows.sort(key=lambda row: (row.indicator_id, row.area_id, row.operation_key))
    DirtyBucket.objects.bulk_create(
        rows, update_conflicts=True, update_fields=["marked_at"],
        unique_fields=["indicator", "area", "operation_key", "period_kind", "period_start"],
    )  # fmt: skip
    if rows:
        transaction.on_commit(_enqueue_drain)
    return len(rows)


def _enqueue_drain():
    """Send a drain unless one is already waiting in the queue (``operations.queued``): a burst
    of marks then costs one drain, not one each. If it is lost, the periodic drain covers it."""
    from .tasks import drain_indicators

    if is_dispatch_deferred():
        return  # a bulk job drains once at the end
    try:
        send_unless_queued(DRAIN_QUEUED, drain_indicators.delay, ttl=DRAIN_QUEUED_TTL)
    except Exception:  # broker down (or a failed in-process run): the periodic drain retries
        logger.exception("Could not run the indicator drain now; the periodic drain will.")


def indicators_drain(*, batch=2000, max_batches=100):
    """Claim dirty base buckets and recompute them. Safe to run in many workers at once: one
    drains, the others return at once instead of waiting for it (see ``_drain_lock``)."""
    queued_flag_clear(DRAIN_QUEUED)
    total_changed = 0
    for _ in range(max_batches):
        drained = _drain_batch(batch)
        if drained is None:
            return total_changed  # another drain holds the lock; it re-checks before it stops
        claimed, changed = drained
        total_changed += changed
        # A short batch took everything dirty when its claim ran; a mark committed since then,
        # whose own drain found the lock taken by us, is still waiting: look again now that the
        # lock is released (one cheap read, not another claim, in the usual case of nothing).
        if claimed < batch and not DirtyBucket.objects.exists():
            break
    return total_changed


def _drain_batch(batch):
    """Claim and recompute one batch in one transaction. Returns (rows claimed, values changed),
    or None when another drain holds the lock."""
    with transaction.atomic():
        if not _drain_lock():
            return None
        claimed = list(
            DirtyBucket.objects.select_for_update(skip_locked=True).order_by("marked_at", "id")[:batch]
        )
        if not claimed:
            return 0, 0
        context = Context()
        groups = defaultdict(lambda: defaultdict(set))
        for row in claimed:
            indicator = context.indicators.get(row.indicator_id)
            if indicator is None or indicator.calculator not in CALCULATORS:
                continue
            groups[(family_of(indicator).name, row.period_start)][row.indicator_id].add(
                (row.indicator_id, row.area_id, row.operation_key)
            )
        changed = []
        for (family_name, start), by_indicator in groups.items():
            claimed_keys = set().union(*by_indicator.values())
            changed += recompute(context, FAMILIES[family_name], set(by_indicator), start, claimed_keys)
        DirtyBucket.objects.filter(pk__in=[row.pk for row in claimed]).delete()
        if changed:
            payload = {"count": len(changed), "values": _describe(changed[:500])}
            event_emit("indicator.changed", payload=payload)
        return len(claimed), len(changed)


def rolling_windows_open(today=None):
    """Store the rolling window that ends with the month of ``today`` (default: now) for every
    indicator, area and operation with a month value in it. Drains keep only the windows whose
    last month has begun (``periods.kept``): at a month's turn a new window opens, and a bucket
    with no change in the new month would otherwise have no value for it until the reconcile.
    Run at each month's turn (and harmless at any time: it recomputes from stored months).
    Returns the number of values stored or changed."""
    today = today or timezone.localdate()
    start = periods.start_of(periods.ROLLING_12, today)
    end = periods.end_of(periods.ROLLING_12, start)
    with transaction.atomic():
        _drain_lock(wait=True)  # a drain's roll-up of the same months is never half seen
        keys = set(
            IndicatorValue.objects.filter(
                period_kind=periods.MONTH, period_start__gte=start, period_start__lt=end
            )
            .values_list("indicator_id", "area_id", "operation_key")
            .distinct()
            .order_by()
        )
        if not keys:
            return 0
        if connection.vendor == "postgresql":
            changed = windows_store(keys, periods.ROLLING_12, [start])
        else:
            results = {}
            _sum_into(results, periods.ROLLING_12, [start], _fetch(periods.MONTH, keys, start, end), keys)
            changed = _store(Context(), results)
        if changed:
            event_emit(
                "indicator.changed", payload={"count": len(changed), "values": _describe(changed[:500])}
            )
        return len(changed)


def _drain_lock(*, wait=False):
    """One drain batch at a time (until its transaction ends). Two drains of different days of one
    month would otherwise each rebuild the month (and year, …) from the other's old day values,
    and whichever committed last would win. A drain that finds the lock taken returns instead of
    waiting: the holder drains what is dirty, and a worker is not tied up behind it. SQLite
    already runs one writer at a time."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DRAIN_LOCK])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [DRAIN_LOCK])
        return cursor.fetchone()[0]


def _describe(changed):
    return [
        {"kind": kind, "indicator": i, "area": a, "operation": o, "start": s.isoformat()}
        for kind, i, a, o, s in changed
    ]
