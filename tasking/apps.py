from django.apps import AppConfig


class TaskingConfig(AppConfig):
    """Requests, assessments, missions, outcomes, TRM meetings, hot grids and patrols."""

    name = "tasking"
    verbose_name = "Tasking"

    def ready(self):
        from operations.schedules import PERIODIC_TASKS

        PERIODIC_TASKS["deadline flags"] = (
            "tasking.tasks.flag_deadlines",
            60,
            "Flag requests whose deadline is at risk (default 6 h left) or overdue, once each.",
        )
        PERIODIC_TASKS["patrol schedule"] = (
            "tasking.tasks.generate_patrol_schedule",
            600,
            "Schedule the current tasking period's hot-grid patrols from the active grids.",
        )
        PERIODIC_TASKS["patrol gap detection"] = (
            "tasking.tasks.detect_patrol_gaps",
            300,
            "Announce scheduled patrols whose arrival deadline passed with no compliant visit.",
        )
        from . import (
            demo,  # noqa: F401 - registers the demo activity builder with seed_demo
            patrol_agenda,  # noqa: F401 - registers the TRM "Hot-grid gaps" section
            patrol_demo,  # noqa: F401 - registers the hot-grid patrol demo builder
        )
