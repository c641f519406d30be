"""Celery tasks for the outbox: thin wrappers around the services in ``events``."""

from celery import shared_task

from .events import events_dispatch, events_dispatch_pending, outbox_sweep


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def dispatch_event(event_id):
    """Sent for ``event_id`` when no dispatch was waiting: dispatches every pending event."""
    return events_dispatch_pending()


@shared_task
def dispatch_events(event_ids):
    """The sweep's batch: each event still unprocessed, dispatched in turn."""
    return events_dispatch(event_ids=event_ids)


@shared_task
def sweep_outbox():
    return outbox_sweep()
