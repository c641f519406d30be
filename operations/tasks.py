"""Celery tasks for the outbox: thin wrappers around the services in ``events``."""

from celery import shared_task

from .events import event_dispatch, outbox_sweep


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def dispatch_event(event_id):
    return event_dispatch(event_id=event_id)


@shared_task
def sweep_outbox():
    return outbox_sweep()
