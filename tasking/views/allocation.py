"""The allocation board: a tasking period's resources with places used and free, and the missions
waiting for a resource, each with its own small allocation form.

Looking at a day writes nothing: a period nothing has created yet is shown empty, unsaved; the first
allocation into it creates it."""

from datetime import timedelta

from django.utils import timezone
from django.views.generic import TemplateView

from operations.models import Resource

from .. import selectors
from ..models import Mission
from ..models.periods import period_read_only_at
from .base import ScreenMixin, deadline_info
from .mission_forms import period_from_param, usage_for

BOARD_ROWS = 100


class AllocationBoardView(ScreenMixin, TemplateView):
    template_name = "tasking/allocation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period, period_error = period_from_param(self.request.GET.get("period"))
        period = period or period_read_only_at(timezone.now())
        resources = list(Resource.objects.filter(active=True).select_related("home_area"))
        usage = usage_for(period, resources)
        rows = [
            {"resource": r, "used": used, "capacity": capacity, "free": capacity - used}
            for r, used, capacity in usage
        ]
        now = timezone.now()
        waiting = selectors.mission_list().order_by("-request__priority_score", "due_by", "pk")
        pending = waiting.filter(state=Mission.State.PENDING)
        not_completed = waiting.filter(state=Mission.State.NOT_COMPLETED)
        sections = []
        for key, title, queryset in (
            ("pending", "Pending allocation", pending),
            ("not-completed", "Not completed — carry over into this period", not_completed),
        ):
            missions = list(queryset[:BOARD_ROWS])
            for mission in missions:
                mission.deadline = deadline_info(mission.due_by, now)
            total = len(missions) if len(missions) < BOARD_ROWS else queryset.count()
            sections.append({"key": key, "title": title, "missions": missions, "total": total})
        context.update(
            period=period,
            period_error=period_error,
            previous_day=period.day - timedelta(days=1),
            next_day=period.day + timedelta(days=1),
            is_current=period.contains(now),
            rows=rows,
            totals={
                "used": sum(r["used"] for r in rows),
                "capacity": sum(r["capacity"] for r in rows),
                "free": sum(r["free"] for r in rows),
            },
            sections=sections,
            tab="allocation",
        )
        return context
