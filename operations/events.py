"""Domain events through a transactional outbox.

``event_emit`` writes an :class:`Event` row inside the caller's transaction and enqueues the
dispatcher only when that transaction commits, so an event exists exactly when its change does.
Consumers register for event types (``@consumer("mission.outcome_logged")``) from their own app's
``ready()``; the app that emits never imports the app that listens. Dispatch records an
:class:`EventDelivery` per consumer in the same transaction as the consumer's effect, so a
redelivered event is skipped by every consumer that already handled it. A periodic sweep
re-enqueues events that are still unprocessed after ``OUTBOX_SWEEP_AFTER_SECONDS``.

Dispatch is coalesced: a commit sends a dispatch task only when none is waiting in the queue (a
flag in the cache), and that task dispatches every pending event, oldest first, a chunk per
transaction. A consumer registered with ``batch=True`` receives a chunk's events of its types in
one call, so a burst of events costs one message and one pass rather than one of each per event.
"""

import logging
import threading
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import Event, EventDelivery
from .queued import queued_flag_clear, send_unless_queued

logger = logging.getLogger(__name__)

_consumers = defaultdict(dict)
_batch_consumers = set()  # names of consumers that take a list of events
_local = threading.local()
DISPATCH_QUEUED = "outbox:dispatch-queued"  # cache flag: a dispatch task is waiting in the queue
DISPATCH_QUEUED_TTL = 5


@contextmanager
def dispatch_deferred():
    """Within this block events are stored but not enqueued (and listeners should not start
    follow-up work): bulk jobs such as the demo loader then dispatch everything once at the end
    with ``events_dispatch_pending``."""
    previous = getattr(_local, "deferred", False)
    _local.deferred = True
    try:
        yield
    finally:
        _local.deferred = previous


def is_dispatch_deferred():
    return getattr(_local, "deferred", False)


def events_dispatch_pending(*, chunk=200):
    """Dispatch every event not yet tried, oldest first, a chunk per transaction (same receipts
    as ``event_dispatch``, so redelivery is still harmless). Returns the count.

    This is the coalesced dispatch task's work, and bulk jobs run it once at the end of a
    ``dispatch_deferred`` block. Events skipped by another dispatcher's lock are its own; an
    event whose consumer failed is left unprocessed, with its error, for the outbox sweep,
    which retries it alone. A short chunk was everything pending when it was read: an event
    committed since then sent a dispatch of its own (the flag is cleared before the read)."""
    queued_flag_clear(DISPATCH_QUEUED)
    total, after = 0, 0
    while True:
        with transaction.atomic():
            events = list(
                Event.objects.select_for_update(skip_locked=True)
                .filter(processed_at__isnull=True, attempts=0, pk__gt=after)
                .order_by("id")[:chunk]
            )
            if not events:
                return total
            after = events[-1].pk
            _deliver_chunk(events)
        total += len(events)
        if len(events) < chunk:
            return total


def _deliver_chunk(events):
    """Each consumer gets the chunk's events it has not had yet (a batch consumer in one call),
    each call in a savepoint as in ``event_dispatch``: a failing call is rolled back alone (a
    failing batch is tried again event by event), its events keep their error and stay for the
    sweep, and the others go on. Receipts and processed marks are written in two statements."""
    done = set(EventDelivery.objects.filter(event__in=events).values_list("event_id", "consumer"))
    todo = defaultdict(list)
    for event in events:
        for consumer_name, fn in consumers_for(event.type).items():
            if (event.pk, consumer_name) not in done:
                todo[(consumer_name, fn)].append(event)
    delivered, errors = [], defaultdict(list)
    for (consumer_name, fn), pending in todo.items():
        batch = consumer_name in _batch_consumers
        if batch and len(pending) > 1 and _call(consumer_name, fn, pending, pending, None):
            delivered += [(event, consumer_name) for event in pending]
            continue
        for event in pending:
            if _call(consumer_name, fn, [event] if batch else event, [event], errors):
                delivered.append((event, consumer_name))
    now = timezone.now()
    EventDelivery.objects.bulk_create(
        [EventDelivery(event=event, consumer=name, delivered_at=now) for event, name in delivered]
    )
    # Every event of the chunk was tried once more: those without an error are processed (one
    # statement for the lot), the others keep their error for the sweep.
    Event.objects.filter(pk__in=[event.pk for event in events if event.pk not in errors]).update(
        processed_at=now, attempts=F("attempts") + 1, last_error=""
    )
    for event in events:
        if event.pk in errors:
            Event.objects.filter(pk=event.pk).update(
                attempts=F("attempts") + 1, last_error="\n".join(errors[event.pk])
            )


def _call(consumer_name, fn, argument, events, errors):
    """Run ``fn(argument)`` in a savepoint; on failure record it against ``events`` (unless
    ``errors`` is None: a batch about to be retried event by event) and return False."""
    try:
        with transaction.atomic():
            fn(argument)
        return True
    except Exception as exc:
        if errors is not None:
            logger.exception("Consumer %s failed on event %s", consumer_name, events[0].pk)
            for event in events:
                errors[event.pk].append(f"{consumer_name}: {exc!r}")
        return False


def consumer(*event_types, name=None, batch=False):
    """Register the decorated function for each of ``event_types``: ``fn(event)``, or with
    ``batch=True`` ``fn(events)``, called with a list of one or more events of those types."""

    def register(fn):
        consumer_name = name or f"{fn.__module__}.{fn.__qualname__}"
        for event_type in event_types:
            _consumers[event_type][consumer_name] = fn
        if batch:
            _batch_consumers.add(consumer_name)
        return fn

    return register


def consumers_for(event_type):
    return dict(_consumers.get(event_type, {}))


def event_emit(event_type, *, payload, aggregate=None):
    """Write an event in the current transaction; it is dispatched after commit."""
    if not connection.in_atomic_block:
        raise RuntimeError("event_emit must run inside the transaction that makes the change.")
    listened = event_listened(event_type)
    event = Event.objects.create(
        type=event_type,
        payload=payload,
        aggregate_type=aggregate._meta.model_name if aggregate is not None else "",
        aggregate_id=str(aggregate.pk) if aggregate is not None else "",
        processed_at=None if listened else timezone.now(),
    )
    if listened:
        event_dispatch_on_commit(event.pk)
    return event


def event_listened(event_type):
    """Whether any consumer listens to ``event_type``. Every process registers every consumer
    when its apps load, so an event type nobody listens to is stored as already processed: no
    task is sent just to find that out."""
    return bool(_consumers.get(event_type))


def event_dispatch_on_commit(event_id):
    """Dispatch ``event_id`` once the current transaction commits: for a service that writes its
    event row itself, in one statement with its change, as ``event_emit`` does for the others."""
    transaction.on_commit(lambda: _enqueue(event_id))


def _enqueue(event_id):
    """Send a dispatch unless one is already waiting in the queue (``operations.queued``): it
    dispatches every pending event when it runs, this one included. If the task is lost, the
    outbox sweep sends the event again."""
    from .tasks import dispatch_event

    if is_dispatch_deferred():
        return
    try:
        send_unless_queued(DISPATCH_QUEUED, lambda: dispatch_event.delay(event_id), ttl=DISPATCH_QUEUED_TTL)
    except Exception:  # broker down: the sweep will pick the event up later
        logger.warning("Could not enqueue event %s; the outbox sweep will retry it.", event_id)


def event_dispatch(*, event_id):
    """Hand one event to each registered consumer that has not yet had it. Idempotent."""
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, processed_at__isnull=True)
            .first()
        )
        if event is None:
            return False  # already processed, or another worker holds it right now
        delivered = set(event.deliveries.values_list("consumer", flat=True))
        errors = []
        for consumer_name, fn in consumers_for(event.type).items():
            if consumer_name in delivered:
                continue
            try:
                with transaction.atomic():
                    EventDelivery.objects.create(event=event, consumer=consumer_name)
                    fn([event] if consumer_name in _batch_consumers else event)
            except IntegrityError:
                continue  # a concurrent dispatcher delivered it first
            except Exception as exc:  # a failing consumer must not block the others
                logger.exception("Consumer %s failed on event %s", consumer_name, event.pk)
                errors.append(f"{consumer_name}: {exc!r}")
        event.attempts += 1
        event.last_error = "\n".join(errors)
        if not errors:
            event.processed_at = timezone.now()
        event.save(update_fields=["attempts", "last_error", "processed_at"])
        return not errors


def events_dispatch(*, event_ids):
    """Dispatch each of ``event_ids`` still unprocessed (a sweep's batch); returns how many were."""
    pending = Event.objects.filter(pk__in=event_ids, processed_at__isnull=True).order_by("id")
    return sum(1 for event_id in pending.values_list("pk", flat=True) if event_dispatch(event_id=event_id))


def outbox_sweep(*, older_than_seconds=None, limit=1000, chunk=100):
    """Re-enqueue events not processed in time (broker outage, killed worker). Returns the count.

    An event not processed in time is usually still waiting in a busy queue, not lost: it is sent
    again in batches of ``chunk`` ids, one message each, so that a sweep during a backlog adds a
    handful of messages rather than one per waiting event (which made a backlog grow)."""
    age = settings.OUTBOX_SWEEP_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    cutoff = timezone.now() - timedelta(seconds=age)
    ids = list(
        Event.objects.filter(processed_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for start in range(0, len(ids), chunk):
        _enqueue_batch(ids[start : start + chunk])
    return len(ids)


def _enqueue_batch(event_ids):
    from .tasks import dispatch_events

    if is_dispatch_deferred():
        return
    try:
        dispatch_events.delay(event_ids)
    except Exception:  # broker still down: the next sweep tries again
        logger.warning("Could not enqueue %s swept events; the next sweep will retry.", len(event_ids))
