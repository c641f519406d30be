"""The Celery application: configured from Django settings, tasks found in each app."""

import logging
import os
from pathlib import Path

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logger = logging.getLogger(__name__)
AUTOGROUP = Path("/proc/self/autogroup")


@task_prerun.connect(weak=False)
@task_postrun.connect(weak=False)
def connections_kept_as_a_request_keeps_them(task=None, **kwargs):
    """Around each task, close a database connection only when a web request would: one that is
    broken, past CONN_MAX_AGE or left in a transaction (``CELERY_DB_REUSE_MAX`` stops Celery from
    closing every connection each time). Not for a task run in-process: it runs inside the
    caller's transaction, on the caller's connection."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@worker_init.connect(weak=False)
def worker_yields_the_cpu_to_the_web(**kwargs):
    """The worker's main process lowers its CPU priority before it starts its pool, which inherits
    it (``WORKER_NICE``)."""
    from django.conf import settings

    worker_priority_lower(settings.WORKER_NICE)


def worker_priority_lower(nice):
    """Lower this process's CPU priority to ``nice`` (never raise it). Linux shares the CPU between
    sessions first ("autogroup") and only then between the processes of a session by their
    niceness: a worker in a session of its own, as a service manager starts it, would compete with
    the web's session as an equal whatever its niceness. A session leader therefore also sets its
    session's niceness. Returns the niceness now in force."""
    if nice <= 0:
        return os.getpriority(os.PRIO_PROCESS, 0)
    if os.getpriority(os.PRIO_PROCESS, 0) < nice:
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    if os.getsid(0) == os.getpid() and AUTOGROUP.exists():
        try:
            AUTOGROUP.write_text(str(nice))
        except OSError:
            logger.warning("Could not lower the worker session's CPU priority.", exc_info=True)
    return os.getpriority(os.PRIO_PROCESS, 0)
