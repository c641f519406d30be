"""Tasking's periodic jobs: thin wrappers around services."""

from celery import shared_task

from .services import deadlines_flag


@shared_task
def flag_deadlines():
    at_risk, overdue = deadlines_flag()
    return {"at_risk": len(at_risk), "overdue": len(overdue)}


@shared_task
def generate_patrol_schedule():
    """Schedule the current period's hot-grid patrols (idempotent), so the list is always ready."""
    from .services import patrol_schedule_for

    period = patrol_schedule_for()
    return str(period)


@shared_task
def detect_patrol_gaps():
    from .services import patrol_gaps_detect

    return len(patrol_gaps_detect())
