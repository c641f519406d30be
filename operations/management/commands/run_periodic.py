"""Run the periodic jobs in-process, for the embedded mode where there is no broker or beat.

It reads the same django-celery-beat schedule that beat uses (interval and crontab schedules), and
runs each enabled task's function directly when it falls due. With a real broker, use Celery beat instead.
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.celery import app


class Command(BaseCommand):
    help = "Run enabled interval-scheduled periodic tasks in-process (embedded mode's beat)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every enabled task once and exit.")
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between schedule checks.")

    def handle(self, *args, **options):
        app.loader.import_default_modules()  # autodiscover every app's tasks.py
        last_run = {}
        self.stdout.write("Running periodic jobs in-process (Ctrl-C stops).")
        while True:
            close_old_connections()
            now = timezone.now()
            tasks = PeriodicTask.objects.filter(enabled=True).select_related("interval", "crontab")
            for task in tasks:
                if task.crontab_id and task.name not in last_run and not options["once"]:
                    last_run[task.name] = now  # a crontab job first runs at its next due time
                    continue
                if not options["once"] and not self.is_due(task, last_run.get(task.name), now):
                    continue
                last_run[task.name] = now
                self.run_task(task)
            if options["once"]:
                return
            time.sleep(options["tick"])

    def is_due(self, task, last, now):
        if task.interval_id:
            return (
                last is None
                or (now - last).total_seconds() >= task.interval.schedule.run_every.total_seconds()
            )
        if task.crontab_id:
            return task.crontab.schedule.is_due(last)[0]
        return False

    def run_task(self, task):
        fn = app.tasks.get(task.task)
        if fn is None:
            self.stderr.write(f"{task.name}: unknown task {task.task}")
            return
        try:
            result = fn.apply().get()
        except Exception as exc:  # keep the loop alive; the next tick tries again
            self.stderr.write(f"{task.name} failed: {exc!r}")
        else:
            if result:
                self.stdout.write(f"{task.name}: {result}")
