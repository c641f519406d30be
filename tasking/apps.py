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
