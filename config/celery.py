"""The Celery application: configured from Django settings, tasks found in each app."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
