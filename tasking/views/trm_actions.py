"""The TRM meeting's actions, each POSTed from the meeting page: decisions, attendees and summary,
closing and reopening, and the carry-over or cancel of a mission not completed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property

from operations.exceptions import Conflict
from operations.roles import Role

from .. import services
from ..forms_trm import CarryOverForm, DecisionForm, MeetingUpdateForm, MissionReasonForm, ReopenForm
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
    """Carry-over or cancel of a not-completed mission, decided at the meeting. Every refusal (bad
    input, a stale page, a mission not waiting for the TRM, a full resource) is shown on the
    meeting page by that mission, and nothing is saved."""

    @cached_property
    def mission(self):
        return get_object_or_404(Mission, pk=self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, **self.form_kwargs())
        status = 200
        if form.is_valid():
            try:
                message = self.perform(form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, message)
                page = page_asked(request)  # back to the page of the list the decision was taken on
                return redirect(self.meeting_url() + (f"?page={page}#not-completed" if page > 1 else ""))
        self._carry_error = {"mission": self.mission.pk, "errors": self.errors_of(form)}
        return self.render_to_response(self.get_context_data(), status=status)

    def errors_of(self, form):
        """The form's errors as sentences naming the mission: "M-000012 – Resource: choose …"."""
        reference = self.mission.reference
        errors = [e if e.startswith(reference) else f"{reference}: {e}" for e in form.non_field_errors()]
        if "version" in form.errors:  # a page from before the version was posted
            errors.append(f"{reference}: the page is out of date. Reload it and decide again.")
        for name, field_errors in form.errors.items():
            if name not in ("__all__", "version"):
                label = form.fields[name].label or name.replace("_", " ").capitalize()
                errors += [f"{reference} – {label}: {e}" for e in field_errors]
        return errors


class TrmCarryOverView(TrmMissionActionView):
    form_class, action = CarryOverForm, "carry"

    def perform(self, data):
        services.trm_mission_carry_over(
            actor=self.request.user, meeting=self.meeting, mission=self.mission, resource=data["resource"],
            reason=data["reason"], override_reason=data["override_reason"], expected_version=data["version"],
        )  # fmt: skip
        return f"{self.mission.reference} carried over to {data['resource']} for {self.meeting.period}."


class TrmMissionCancelView(TrmMissionActionView):
    form_class, action = MissionReasonForm, "cancel"
    write_role = Role.SUPERVISOR

    def perform(self, data):
        services.trm_mission_cancel(
            actor=self.request.user, meeting=self.meeting, mission=self.mission, reason=data["reason"],
            expected_version=data["version"],
        )  # fmt: skip
        return f"{self.mission.reference} cancelled."
