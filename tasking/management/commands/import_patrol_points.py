from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from tasking.services import ImportRejected, patrol_points_import


class Command(BaseCommand):
    help = "Import GPS points (CSV: resource,officer,timestamp,lat,lon) as hot-grid patrol visits."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--tolerance", type=float, help="Minutes between points that still merge.")
        parser.add_argument(
            "--skip-bad-rows", action="store_true", help="Import the good rows, report the bad."
        )

    def handle(self, *args, **options):
        path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        data = path.read_bytes()
        with tqdm(total=max(data.count(b"\n") - 1, 0), unit="row", disable=None, file=self.stderr) as bar:
            try:
                report = patrol_points_import(
                    actor=None, data=data, tolerance_minutes=options["tolerance"],
                    skip_bad_rows=options["skip_bad_rows"], progress=bar.update,
                )  # fmt: skip
            except ImportRejected as exc:
                for line, reason in exc.report.errors[:200] if exc.report else []:
                    self.stderr.write(f"line {line}: {reason}")
                raise CommandError(exc.message) from exc
        for line, reason in report.errors:
            self.stderr.write(f"line {line}: {reason} (skipped)")
        self.stdout.write(
            f"Rows {report.rows}; points in grids {report.points_in_grids}, outside {report.points_outside}; "
            f"visits created {report.visits_created}, already imported {report.visits_existing}; "
            f"bad rows {len(report.errors)}."
        )
