"""The TRM meeting's actions, each POSTed from the meeting page: decisions, attendees and summary,
closing and reopening, and the carry-over or cancel of a mission not completed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property

from operations.roles import Role

from .. import services
from ..forms import CarryOverForm, DecisionForm, MeetingUpdateForm, MissionReasonForm, ReopenForm
from ..models import Mission
from .base import add_service_errors
from .trm import TrmDetailView, page_asked


class TrmActionView(TrmDetailView):
    """POST one change to the meeting; bad input re-renders the meeting page with the errors."""

    http_method_names = ["post"]
    form_class = None
    action = None

    def form_kwargs(self):
        return {"auto_id": f"{self.action}_%s"}

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, **self.form_kwargs())
        if form.is_valid():
            try:
                message = self.perform(form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect(self.meeting_url())
        self.bound_forms = {self.action: form}
        return self.render_to_response(self.get_context_data())


class TrmDecisionView(TrmActionView):
    form_class, action = DecisionForm, "decision"

    def perform(self, data):
        services.trm_decision_record(actor=self.request.user, meeting=self.meeting, **data)
        return "Decision recorded."


class TrmUpdateView(TrmActionView):
    form_class, action = MeetingUpdateForm, "update"

    def perform(self, data):
        services.trm_meeting_update(actor=self.request.user, meeting=self.meeting, **data)
        return "Attendees and summary saved."


class TrmCloseView(TrmDetailView):
    http_method_names = ["post"]
    write_role = Role.SUPERVISOR

    def post(self, request, *args, **kwargs):
        services.trm_meeting_close(actor=request.user, meeting=self.meeting)
        messages.success(request, f"{self.meeting} closed: its review is locked.")
        return redirect(self.meeting_url())


class TrmReopenView(TrmActionView):
    form_class, action = ReopenForm, "reopen"
    write_role = Role.SUPERVISOR

    def perform(self, data):
        services.trm_meeting_reopen(actor=self.request.user, meeting=self.meeting, reason=data["reason"])
        return f"{self.meeting} reopened."


class TrmMissionActionView(TrmActionView):
    """Carry-over or cancel of a not-completed mission, decided at the meeting."""

    @cached_property
    def mission(self):
        return get_object_or_404(Mission, pk=self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, **self.form_kwargs())
        if form.is_valid():
            try:
                message = self.perform(form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, message)
                page = page_asked(request)  # back to the page of the list the decision was taken on
                return redirect(self.meeting_url() + (f"?page={page}#not-completed" if page > 1 else ""))
        errors = [f"{self.mission.reference}: {e}" for e in form.non_field_errors()]
        for name, field_errors in form.errors.items():
            if name != "__all__":
                errors += [
                    f"{self.mission.reference} – {form.fields[name].label or name}: {e}" for e in field_errors
                ]
        self._carry_error = {"mission": self.mission.pk, "errors": errors}
        return self.render_to_response(self.get_context_data())


class TrmCarryOverView(TrmMissionActionView):
    form_class, action = CarryOverForm, "carry"

    def perform(self, data):
        services.trm_mission_carry_over(
            actor=self.request.user, meeting=self.meeting, mission=self.mission, resource=data["resource"],
            reason=data["reason"], override_reason=data["override_reason"],
        )  # fmt: skip
        return f"{self.mission.reference} carried over to {data['resource']} for {self.meeting.period}."


class TrmMissionCancelView(TrmMissionActionView):
    form_class, action = MissionReasonForm, "cancel"
    write_role = Role.SUPERVISOR

    def perform(self, data):
        services.trm_mission_cancel(
            actor=self.request.user, meeting=self.meeting, mission=self.mission, reason=data["reason"]
        )
        return f"{self.mission.reference} cancelled."
