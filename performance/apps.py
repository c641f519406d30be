from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PerformanceConfig(AppConfig):
    """Indicators and their values, recomputed from tasking, patrol and crime events."""

    name = "performance"
    verbose_name = "Performance"

    def ready(self):
        from operations.schedules import PERIODIC_TASKS

        from . import consumers  # noqa: F401 — registers the event consumers

        PERIODIC_TASKS["indicator drain"] = (
            "performance.tasks.drain_indicators",
            60,
            "Safety net: recompute dirty indicator buckets an enqueued drain did not reach.",
        )
        PERIODIC_TASKS["rolling windows"] = (
            "performance.tasks.open_rolling_windows",
            {"crontab": "0 0 1 * *"},
            "At each month's turn, store the new rolling 12-month window for every indicator.",
        )
        PERIODIC_TASKS["nightly reconcile"] = (
            "performance.tasks.reconcile_indicators",
            {"crontab": "30 2 * * *"},
            "Recompute every indicator value from source rows and repair any difference.",
        )
        post_migrate.connect(_ensure_catalogue, sender=self)
        from operations.demo import demo_finishers

        demo_finishers.append(_drain_after_demo)


def _drain_after_demo(stdout):
    # The demo's events were dispatched in bulk without marking buckets: compute every value
    # from scratch in one pass (the nightly reconcile), then drain anything marked meanwhile.
    from .dirty import indicators_drain
    from .reconcile import indicators_reconcile

    report = indicators_reconcile(repair=True)
    indicators_drain()
    stdout.write(f"Indicator values computed: {len(report['differences'])}.")


def _ensure_catalogue(sender, **kwargs):
    from .catalogue import indicators_ensure

    indicators_ensure()
