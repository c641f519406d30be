from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.crime_import import ImportRejected, crime_counts_import

from .import_crimes import print_errors


class Command(BaseCommand):
    help = (
        "Load aggregated crime counts (CSV: area_code,offence_group,period_start,period_end,count; "
        "offence_group 'all' means all recorded crime). Upserts by area, group and period."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument(
            "--skip-bad-rows", action="store_true", help="Import the good rows, report the bad."
        )

    def handle(self, *args, **options):
        path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open("rb") as handle:
            try:
                report = crime_counts_import(
                    actor=None, data=handle, source_file=path.name, skip_bad_rows=options["skip_bad_rows"]
                )
            except ImportRejected as exc:
                print_errors(self, exc.report)
                raise CommandError(f"{path.name}: {exc.message}") from exc
        print_errors(self, report, " (skipped)")
        rejected = sum(report.rejected.values())
        reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(report.rejected.items()))
        self.stdout.write(
            f"{path.name}: read {report.read}; new {report.new}, updated {report.updated}, "
            f"unchanged {report.unchanged}; rejected {rejected}" + (f" ({reasons})." if reasons else ".")
        )
