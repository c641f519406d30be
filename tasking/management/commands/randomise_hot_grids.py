from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from operations.exceptions import DomainError
from operations.models import Operation
from tasking.services import hot_grids_randomise, trial_balance


class Command(BaseCommand):
    help = "Randomly assign an operation's hot grids to treatment or control, balanced within each NPU."

    def add_arguments(self, parser):
        parser.add_argument("operation", help="Operation code, e.g. GUARDIAN")
        parser.add_argument("--seed", type=int, required=True, help="Same seed, same assignment.")
        parser.add_argument(
            "--starts-on", type=date.fromisoformat, help="Trial start (YYYY-MM-DD); default today."
        )
        parser.add_argument("--user", help="Username recorded as having run it.")

    def handle(self, *args, **options):
        operation = Operation.objects.filter(code=options["operation"].upper()).first()
        if operation is None:
            raise CommandError(f"No operation with code {options['operation']!r}.")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user {options['user']!r}.")
        try:
            trial = hot_grids_randomise(
                actor=actor, operation=operation, seed=options["seed"], starts_on=options["starts_on"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{operation} randomised with seed {trial.seed}; trial starts {trial.starts_on}.")
        self.stdout.write(f"{'NPU':<6}{'treatment':>10}{'control':>10}")
        for row in trial_balance(operation):
            self.stdout.write(f"{row['area']:<6}{row['treatment']:>10}{row['control']:>10}")
