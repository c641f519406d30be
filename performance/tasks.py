"""Performance tasks: thin wrappers that call the engine."""

from celery import shared_task

from .dirty import indicators_drain
from .reconcile import indicators_reconcile


@shared_task
def drain_indicators():
    return indicators_drain()


@shared_task
def reconcile_indicators():
    report = indicators_reconcile(repair=True)
    return {"checked": report["checked"], "differences": len(report["differences"])}
