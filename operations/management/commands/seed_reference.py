from django.core.management.base import BaseCommand

from operations.reference import reference_data_load


class Command(BaseCommand):
    help = "Load reference data: areas, operations, priorities, offence groups, resources. Idempotent."

    def handle(self, *args, **options):
        created = reference_data_load()
        if created:
            summary = ", ".join(f"{count} {kind}" for kind, count in sorted(created.items()))
            self.stdout.write(self.style.SUCCESS(f"Reference data created: {summary}."))
        else:
            self.stdout.write("Reference data already present: nothing to do.")
