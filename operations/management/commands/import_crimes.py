from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from operations.crime_import import ImportRejected, crimes_import


def count_lines(path):
    """Rows for the progress bar, counted without holding the file in memory."""
    with path.open("rb") as handle:
        return max(sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1, 0)


def print_errors(command, report, suffix=""):
    for line, reason in report.errors if report else []:
        command.stderr.write(f"  line {line}: {reason}{suffix}")
    hidden = sum(report.rejected.values()) - len(report.errors) if report else 0
    if hidden > 0:
        command.stderr.write(f"  … and {hidden} more bad row(s)")


class Command(BaseCommand):
    help = (
        "Import data.police.uk street-level crime CSVs. Each file is imported whole or not at all; "
        "re-importing a file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--skip-bad-rows", action="store_true", help="Import the good rows, report the bad."
        )

    def handle(self, *args, **options):
        refused = []
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
            with (
                path.open("rb") as handle,
                tqdm(total=count_lines(path), unit="row", disable=None, file=self.stderr) as bar,
            ):
                try:
                    report = crimes_import(
                        actor=None, data=handle, source_file=path.name,
                        skip_bad_rows=options["skip_bad_rows"], progress=bar.update,
                    )  # fmt: skip
                except ImportRejected as exc:
                    bar.close()
                    self.stderr.write(f"{path.name}: refused — {exc.message}")
                    if exc.report is not None:
                        print_errors(self, exc.report)
                        self.stderr.write(f"  {exc.report.summary()}")
                    refused.append(path.name)
                    continue
            print_errors(self, report, " (skipped)")
            for line, first in report.duplicates[:200]:
                self.stdout.write(f"  line {line}: duplicate of the crime on line {first} (counted once)")
            self.stdout.write(f"{path.name}: {report.summary()}")
        if refused:
            raise CommandError(f"Refused, nothing imported from: {', '.join(refused)}.")
