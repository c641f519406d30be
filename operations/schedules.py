"""Periodic jobs, kept in django-celery-beat's tables so supervisors can see them in the admin.

Apps add their entries to ``PERIODIC_TASKS`` when they load; ``setup_schedules`` writes them
idempotently and never overwrites an interval or an on/off switch that an administrator changed.
"""

from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

# name → (task path, every N seconds or {"crontab": "m h dom mon dow"}, description)
PERIODIC_TASKS = {
    "outbox sweep": (
        "operations.tasks.sweep_outbox",
        15,
        "Re-enqueue domain events not processed within the sweep delay (broker outage, lost worker).",
    ),
}


@transaction.atomic
def schedules_ensure():
    """Create missing periodic tasks; return the names created."""
    created = []
    for name, (task, seconds, description) in PERIODIC_TASKS.items():
        if PeriodicTask.objects.filter(name=name).exists():
            continue  # keep whatever an administrator has set
        if isinstance(seconds, dict):
            minute, hour, day_of_month, month_of_year, day_of_week = seconds["crontab"].split()
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year,
                day_of_week=day_of_week, timezone="Europe/London",
            )  # fmt: skip
            PeriodicTask.objects.create(name=name, task=task, crontab=crontab, description=description)
        else:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=seconds, period=IntervalSchedule.SECONDS
            )
            PeriodicTask.objects.create(name=name, task=task, interval=interval, description=description)
        created.append(name)
    return created
