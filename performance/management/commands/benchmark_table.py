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
        # A percentage is compared in percentage points; a count by its change and % change.
        percent = table["change_unit"] == "percentage_points"
        last = "" if percent else f"{'% change':>10}"
        self.stdout.write(f"{'NPU':<6}{period:>12}{compare:>12}{'points' if percent else 'change':>10}{last}")
        arrows = {"up": "↑", "down": "↓", "same": "→"}

        def shown(value):
            return "–" if value is None else value

        for row in [*table["rows"], table["total"]]:
            pct = "" if percent else f"{shown(row['pct_change']):>10}"
            self.stdout.write(
                f"{row['area']:<6}{shown(row['current']):>12}{shown(row['previous']):>12}"
                f"{shown(row['change']):>10}{pct}  {arrows[row['direction']]}"
            )
        unmapped = table["total"]["unmapped"]
        if unmapped["current"] or unmapped["previous"]:
            self.stdout.write(
                f"(force total includes unmapped: {unmapped['current']} and {unmapped['previous']})"
            )
        for item in table["straddling"]:
            self.stdout.write(f"not counted, straddles a period: {item}")
