from django.core.management.base import BaseCommand, CommandError

from performance.reconcile import indicators_reconcile


class Command(BaseCommand):
    help = "Recompute every indicator value from source rows, report differences and repair them."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report only; exit 1 on any difference.")

    def handle(self, *args, **options):
        report = indicators_reconcile(repair=not options["check"])
        differences = report["differences"]
        self.stdout.write(f"Checked {report['checked']} values; {len(differences)} difference(s).")
        for (kind, indicator, area, operation, start), stored, expected in differences[:50]:
            self.stdout.write(
                f"  {kind} {start} indicator {indicator} area {area} op {operation}: {stored} → {expected}"
            )
        if differences and options["check"]:
            raise CommandError("Stored indicator values differ from a full recompute.")
        if differences:
            self.stdout.write(self.style.WARNING("Repaired."))
