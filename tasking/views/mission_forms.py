"""The form pages for one mission: allocation (or re-allocation, or carry-over) with each
resource's free places, and the outcome; and the period and usage readings the allocation board
shares."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView

from operations.dates import day_check, day_from_text
from operations.models import Resource
from operations.roles import Role, has_role
from operations.security import audit_personal_data_view

from .. import selectors, services
from ..forms import AllocateForm, OutcomeForm
from ..models import Mission, Outcome
from ..models.periods import period_read_only, period_read_only_at
from .base import ServiceFormMixin, safe_next
from .missions import allocate_label

S = Mission.State


def period_from_param(value):
    """(the tasking period starting on an ISO date from the URL or a form, the error to show).

    Read only: a period nothing has created yet comes back unsaved, so looking at a day writes
    nothing. No date gives (None, ""); a bad or out-of-range one gives (None, why).
    """
    day, error = day_from_text(value)
    return (period_read_only(day) if day else None), error


def usage_for(period, resources):
    """[(resource, used, capacity)] in ``period``; a period not created yet has nothing allocated."""
    if period.pk is None:
        return [(resource, 0, resource.capacity_per_period) for resource in resources]
    return services.resource_usage(period, resources)


class MissionAllocateView(ServiceFormMixin, FormView):
    """Allocate, re-allocate or carry over one mission, showing each resource's free places."""

    template_name = "tasking/allocate.html"
    form_class = AllocateForm

    @cached_property
    def mission(self):
        return get_object_or_404(selectors.mission_list(), pk=self.kwargs["pk"])

    @cached_property
    def period(self):
        if self.mission.state == S.ALLOCATED:
            return self.mission.period
        return period_from_param(self.request.POST.get("period") or self.request.GET.get("period"))[0]

    @cached_property
    def usage(self):
        period = self.period or period_read_only_at(timezone.now())
        return period, usage_for(period, Resource.objects.filter(active=True))

    def conflict_url(self):
        return safe_next(self.request, reverse("tasking:mission-detail", args=[self.kwargs["pk"]]))

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["usage"] = self.usage[1]
        kwargs["can_override"] = has_role(self.request.user, Role.SUPERVISOR)
        return kwargs

    def get_initial(self):
        initial = {"version": self.mission.version}
        if self.mission.state != S.ALLOCATED and self.period is not None:
            initial["period"] = self.period.day
        return initial

    def perform(self, form):
        data = form.cleaned_data
        period = None
        if data.get("period") and self.mission.state != S.ALLOCATED:
            # Read only: the service creates the period once the allocation is accepted.
            period = period_read_only(day_check(data["period"], "period"))
        return services.mission_allocate(
            actor=self.request.user, mission=self.mission, resource=data["resource"], period=period,
            reason=data.get("reason") or "", override_reason=data.get("override_reason") or "",
            expected_version=data["version"],
        )  # fmt: skip

    def success_message_for(self, mission):
        return f"{mission.reference} allocated to {mission.resource} for the period {mission.period}."

    def success_url_for(self, mission):
        return self.conflict_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["mission"] = self.mission
        context["allowed"] = self.mission.can_move_to(S.ALLOCATED)
        period, usage = self.usage
        context["usage_period"] = period
        context["usage"] = [
            {"resource": r, "used": used, "capacity": capacity, "free": capacity - used}
            for r, used, capacity in usage
        ]
        context["allocate_label"] = allocate_label(self.mission)
        context["next"] = safe_next(self.request, "")
        context["tab"] = "allocation"
        return context


class OutcomeView(ServiceFormMixin, FormView):
    """Log what happened: result, arrests and finds. Completing the mission is the service's job."""

    template_name = "tasking/outcome_form.html"
    form_class = OutcomeForm

    @cached_property
    def mission(self):
        return get_object_or_404(selectors.mission_list(), pk=self.kwargs["pk"])

    def conflict_url(self):
        return reverse("tasking:mission-detail", args=[self.mission.pk])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # A throwaway instance lets the model check the result against the mission's kind early.
        kwargs["instance"] = Outcome(mission=self.mission, logged_by=self.request.user)
        return kwargs

    def get_initial(self):
        return {"version": self.mission.version}

    def perform(self, form):
        return services.mission_log_outcome(
            actor=self.request.user, mission=self.mission, expected_version=form.cleaned_data["version"],
            **form.service_fields(),
        )  # fmt: skip

    def success_message_for(self, outcome):
        message = f"{self.mission.reference} completed: {outcome.get_result_display()}."
        if outcome.result == Outcome.Result.CURFEW_BREACHED:
            message += " A follow-up arrest request has been raised."
        return message

    def success_url_for(self, outcome):
        return self.conflict_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The form shows the subject's reference and the location: a view of personal data.
        audit_personal_data_view(self.request, self.mission.request, mission=self.mission.reference)
        context["mission"] = self.mission
        context["allowed"] = self.mission.can_move_to(S.COMPLETED)
        context["tab"] = "missions"
        return context
