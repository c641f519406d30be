"""Performance tasks: thin wrappers that call the engine."""

from celery import shared_task

from operations.queued import queued_flag_clear

from .dirty import indicators_drain, rolling_windows_open
from .reconcile import RECONCILE_QUEUED, indicators_reconcile


@shared_task
def drain_indicators():
    return indicators_drain()


@shared_task
def open_rolling_windows():
    return rolling_windows_open()


@shared_task
def reconcile_indicators():
    queued_flag_clear(RECONCILE_QUEUED)  # started: a later change must send a new one
    report = indicators_reconcile(repair=True)
    return {"checked": report["checked"], "differences": len(report["differences"])}
