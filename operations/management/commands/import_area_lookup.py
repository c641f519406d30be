from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.crime_import import ImportRejected, area_lookup_import

from .import_crimes import print_errors


class Command(BaseCommand):
    help = "Load an LSOA → NPU lookup CSV (lsoa_code,area_code). Changed mappings are updated and audited."

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
                report = area_lookup_import(
                    actor=None, data=handle, source_file=path.name, skip_bad_rows=options["skip_bad_rows"]
                )
            except ImportRejected as exc:
                print_errors(self, exc.report)
                raise CommandError(f"{path.name}: {exc.message}") from exc
        print_errors(self, report, " (skipped)")
        rejected = sum(report.rejected.values())
        self.stdout.write(
            f"{path.name}: read {report.read}; new {report.new}, updated {report.updated}, "
            f"unchanged {report.unchanged}; rejected {rejected}."
        )
