"""Tasking's periodic jobs: thin wrappers around services."""

from celery import shared_task

from .services import deadlines_flag


@shared_task
def flag_deadlines():
    at_risk, overdue = deadlines_flag()
    return {"at_risk": len(at_risk), "overdue": len(overdue)}
