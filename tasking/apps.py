from django.apps import AppConfig


class TaskingConfig(AppConfig):
    """Requests, assessments, missions, outcomes, TRM meetings, hot grids and patrols."""

    name = "tasking"
    verbose_name = "Tasking"
