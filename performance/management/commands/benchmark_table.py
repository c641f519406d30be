from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from performance import reporting
from performance.models import Indicator


class Command(BaseCommand):
    help = "Print an NPU benchmark table (seed 000 style, standard % change) for two periods."

    def add_arguments(self, parser):
        parser.add_argument("--indicator", default="recorded_crime")
        parser.add_argument("--period", required=True, help="2017, 2017/18, 2017-12 or START..END")
        parser.add_argument("--compare", required=True)
        parser.add_argument("--offence-group")

    def handle(self, *args, **options):
        indicator = Indicator.objects.filter(code=options["indicator"]).first()
        if indicator is None:
            raise CommandError(f"No indicator {options['indicator']!r}.")
        try:
            table = reporting.benchmark_table(
                indicator=indicator,
                period=reporting.period_parse(options["period"]),
                compare=reporting.period_parse(options["compare"]),
                offence_group=reporting.offence_group_for(options["offence_group"]),
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        period, compare = table["period"]["text"], table["compare"]["text"]
        header = f"{'NPU':<6}{period:>12}{compare:>12}{'change':>10}{'% change':>10}"
        self.stdout.write(header)
        arrows = {"up": "↑", "down": "↓", "same": "→"}
        for row in [*table["rows"], table["total"]]:
            pct = row["pct_change"] if row["pct_change"] is not None else "–"
            self.stdout.write(
                f"{row['area']:<6}{row['current']:>12}{row['previous']:>12}{row['change']:>10}{pct:>10}  "
                f"{arrows[row['direction']]}"
            )
        unmapped = table["total"]["unmapped"]
        if unmapped["current"] or unmapped["previous"]:
            self.stdout.write(
                f"(force total includes unmapped: {unmapped['current']} and {unmapped['previous']})"
            )
        for item in table["straddling"]:
            self.stdout.write(f"not counted, straddles a period: {item}")
