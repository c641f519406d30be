from django.core.management.base import BaseCommand

from operations.schedules import schedules_ensure


class Command(BaseCommand):
    help = "Create the periodic jobs (outbox sweep, deadline flags, …) in django-celery-beat. Idempotent."

    def handle(self, *args, **options):
        created = schedules_ensure()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Schedules created: {', '.join(created)}."))
        else:
            self.stdout.write("Schedules already present.")
