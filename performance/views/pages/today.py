"""Today: the current tasking period's missions by state and resource, and deadlines at risk.

Every query reads through an index whatever the length of the history: the matrix reads today's
period only, and the deadline and pending figures read only the open work (the requests awaiting
assessment and the missions not finished), never the requests and missions long since closed.
These are live counts of the work as it stands now, which no stored indicator value holds (the
indicators count what happened in a period), so they are counted here, each in one query.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from operations.models import Resource
from tasking.models import Mission, Request, TaskingPeriod
from tasking.models.periods import LONDON, period_bounds

from .base import DashboardPage, iso, rows_url

STATES = [state for state in Mission.State if state != Mission.State.PENDING]


class TodayView(DashboardPage):
    template_name = "performance/pages/today.html"
    section = "today"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Whole seconds, so the counts and their drill-down links use exactly the same instant.
        now = timezone.now().replace(microsecond=0)
        starts_at, ends_at = period_bounds(now)
        day = starts_at.astimezone(LONDON).date()
        # Read-only: the period row may not exist yet, and a dashboard never creates it.
        period = TaskingPeriod.objects.filter(day=day).first()
        counts = {}
        if period is not None:  # no period row yet: no mission is allocated to it
            counts = {
                (row["state"], row["resource_id"]): row["n"]
                for row in Mission.objects.filter(period=period)
                .values("state", "resource_id")
                .annotate(n=Count("id"))
                .order_by()
            }
        resource_ids = {resource for _, resource in counts}
        resources = list(
            Resource.objects.filter(Q(active=True) | Q(pk__in=resource_ids))
            .order_by("code")
            .only("pk", "code", "name")
        )
        matrix = []
        for resource in resources:
            cells = [self._cell(counts.get((s, resource.pk), 0), s, day, resource) for s in STATES]
            total = sum(c["n"] for c in cells)
            matrix.append({"resource": resource, "cells": cells, "total": total,
                           "url": rows_url("missions", period=day, resource=resource.code)})  # fmt: skip
        column_totals = [
            self._cell(sum(n for (s, _), n in counts.items() if s == state), state, day, None)
            for state in STATES
        ]
        grand = sum(counts.values())
        horizon = now + timedelta(hours=settings.TASKING_AT_RISK_HOURS)
        deadlines = self._deadlines(now, horizon)
        pending_total = Mission.objects.filter(state=Mission.State.PENDING).count()
        context.update(
            now=now, day=day, period=period, starts_at=starts_at, ends_at=ends_at, states=STATES,
            matrix=matrix, column_totals=column_totals, grand_total=grand,
            grand_url=rows_url("missions", period=day),
            at_risk_hours=settings.TASKING_AT_RISK_HOURS, horizon=horizon, deadlines=deadlines,
            at_risk_url=rows_url("requests", open="true", due_after=iso(now), due_before=iso(horizon)),
            overdue_url=rows_url("requests", open="true", due_before=iso(now)),
            pending_total=pending_total, pending_url=rows_url("missions", state="pending"),
        )  # fmt: skip
        return context

    @staticmethod
    def _deadlines(now, horizon):
        """Open requests due before the horizon: at risk (due from now) and overdue (due before now).

        Open is the deadline flags' rule (tasking/services/deadlines.py): awaiting assessment, or
        approved with a mission not finished. The approved ones are counted from their missions,
        which carry the request's deadline (copied on approval; a request's deadline never changes
        after), so the count reads the deadline index of the open missions alone (state, due_by),
        not every request ever approved joined to its mission.
        """
        windows = {
            "at_risk": Count("due_by", filter=Q(due_by__gte=now)),
            "overdue": Count("due_by", filter=Q(due_by__lt=now)),
        }
        received = Request.objects.filter(state=Request.State.RECEIVED, due_by__lt=horizon)
        approved = Mission.objects.filter(state__in=Mission.OPEN_STATES, due_by__lt=horizon)
        waiting, missions = received.aggregate(**windows), approved.aggregate(**windows)
        return {key: waiting[key] + missions[key] for key in windows}

    @staticmethod
    def _cell(n, state, day, resource):
        label = Mission.State(state).label
        where = f" for {resource.code}" if resource else ""
        return {
            "n": n,
            "url": rows_url(
                "missions", period=day, state=state, resource=resource.code if resource else None
            ),
            "link_text": f"{n} {label.lower()}{where} — show rows",
        }
