from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from operations.demo import DEMO_USERS, demo_builders, demo_finishers, demo_users_ensure
from operations.events import dispatch_deferred, events_dispatch_pending


class Command(BaseCommand):
    help = "Load reference data, demo users (one per role) and demo activity. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Create demo users even when DEBUG is off.")
        parser.add_argument("--days", type=int, help="Days of demo activity to build (default 60).")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to create demo users with DEBUG off (this looks like production). "
                "Use --force if you really mean it."
            )
        call_command("seed_reference", stdout=self.stdout)
        created, password = demo_users_ensure(password=settings.DEMO_PASSWORD)
        # Demo activity writes thousands of events: hold them back, then dispatch them in one go
        # and let listeners finish (e.g. recompute indicators) once, instead of once per event.
        with dispatch_deferred():
            days = {"days": options["days"]} if options["days"] else {}
            for build in demo_builders:
                build(self.stdout, **days)
            dispatched = events_dispatch_pending()
            for finish in demo_finishers:
                finish(self.stdout)
        if dispatched:
            self.stdout.write(f"Demo events dispatched: {dispatched}.")
        names = ", ".join(name for name, *_ in DEMO_USERS)
        if created:
            shown = "(from DEMO_PASSWORD)" if settings.DEMO_PASSWORD else password
            self.stdout.write(self.style.SUCCESS(f"Demo users created: {', '.join(created)}."))
            self.stdout.write(f"Password for the new demo users: {shown}")
            if not settings.DEMO_PASSWORD:
                self.stdout.write("It is shown only this once; set DEMO_PASSWORD to choose or reset it.")
        elif settings.DEMO_PASSWORD:
            self.stdout.write(f"Demo users ({names}) use the password in DEMO_PASSWORD.")
        else:
            self.stdout.write(
                f"Demo users ({names}) already exist with the password printed when they were "
                "created. Forgotten it? Run again with DEMO_PASSWORD=<new password> to reset it."
            )
