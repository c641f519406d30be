from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    """Indicators and their values, recomputed from tasking and crime events."""

    name = "performance"
    verbose_name = "Performance"
