"""Missions: the list, and the detail page with its life-cycle actions (start, not completed,
cancel)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView
from django_filters.views import FilterView

from operations.models import Area, Operation, Resource
from operations.roles import Role, has_role
from operations.security import audit_personal_data_view

from .. import selectors, services
from ..filters import MissionFilterSet
from ..forms import ReasonForm, StartForm
from ..models import Mission, Request
from .base import ScreenMixin, add_service_errors, component_rows, deadline_info
from .requests import PAGE_SIZE, code_select

S = Mission.State


def allocate_label(mission):
    return {S.PENDING: "Allocate", S.ALLOCATED: "Re-allocate", S.NOT_COMPLETED: "Carry over"}.get(
        mission.state, "Allocate"
    )


class MissionListView(ScreenMixin, FilterView):
    """Every mission, filtered by the same FilterSet as the API, 50 to a page."""

    template_name = "tasking/mission_list.html"
    filterset_class = MissionFilterSet
    paginate_by = PAGE_SIZE
    context_object_name = "missions"

    def get_queryset(self):
        return selectors.mission_list().order_by("-created_at", "-pk")

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        fields = filterset.form.fields
        for name in list(fields):
            if name not in ("state", "kind", "resource", "area", "operation", "period"):
                del fields[name]
        fields["state"].widget.attrs["size"] = 4
        fields["kind"].widget.attrs["size"] = 4
        fields["resource"].label = "Resource"
        fields["resource"].widget = code_select(Resource.objects.values_list("code", "name"))
        fields["area"].label = "NPU"
        fields["area"].widget = code_select(
            Area.objects.filter(kind=Area.Kind.NPU).values_list("code", "name")
        )
        fields["operation"].label = "Operation"
        fields["operation"].widget = code_select(Operation.objects.values_list("code", "name"))
        fields["period"].widget.input_type = "date"
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        for mission in context["missions"]:
            mission.deadline = (
                deadline_info(mission.due_by, now) if mission.state in Mission.OPEN_STATES else None
            )
        context["tab"] = "missions"
        return context


class MissionDetailView(ScreenMixin, DetailView):
    """Everything about one mission, its history, and the actions its state and the user's role allow."""

    template_name = "tasking/mission_detail.html"
    context_object_name = "mission"
    bound_forms = None

    def get_queryset(self):
        return selectors.mission_detail_queryset().select_related(
            "request__assessment__assessor", "request__offence_group", "request__follow_up_of"
        )

    def action_forms(self):
        mission, user = self.object, self.request.user
        initial = {"version": mission.version}
        forms = {}
        if has_role(user, Role.MISSION_SUPPORT):
            if mission.can_move_to(S.IN_PROGRESS):
                forms["start"] = StartForm(initial=initial, auto_id="start_%s")
            if mission.can_move_to(S.NOT_COMPLETED):
                forms["not_completed"] = ReasonForm(initial=initial, auto_id="nc_%s")
        if has_role(user, Role.SUPERVISOR) and mission.can_move_to(S.CANCELLED):
            forms["cancel"] = ReasonForm(initial=initial, auto_id="cancel_%s")
        for form in forms.values():
            form.fields["version"].widget.attrs.pop("autofocus", None)
            if "reason" in form.fields:
                form.fields["reason"].widget.attrs.pop("autofocus", None)
        forms.update(self.bound_forms or {})
        return forms

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mission = self.object
        audit_personal_data_view(self.request, mission.request, mission=mission.reference)
        assessment = getattr(mission.request, "assessment", None)
        context["assessment"] = assessment
        context["components"] = component_rows(assessment.components) if assessment else None
        context["forms"] = self.action_forms()
        can_write = context["can_write"]
        context["can_outcome"] = can_write and mission.can_move_to(S.COMPLETED)
        context["can_allocate"] = can_write and mission.can_move_to(S.ALLOCATED)
        context["allocate_label"] = allocate_label(mission)
        context["follow_ups"] = Request.objects.filter(follow_up_of=mission).select_related("area")
        context["deadline"] = deadline_info(mission.due_by) if mission.state in Mission.OPEN_STATES else None
        context["tab"] = "missions"
        return context


class MissionActionView(MissionDetailView):
    """POST one life-cycle action from the mission page; bad input re-renders the page with errors."""

    http_method_names = ["post"]
    action = None
    form_class = None
    auto_id = None

    def conflict_url(self):
        return reverse("tasking:mission-detail", args=[self.kwargs["pk"]])

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.form_class(request.POST, auto_id=self.auto_id)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                self.perform(version=version, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, self.message())
                return redirect(self.conflict_url())
        self.bound_forms = {self.action: form}
        return self.render_to_response(self.get_context_data(object=self.object))


class MissionStartView(MissionActionView):
    action, form_class, auto_id = "start", StartForm, "start_%s"

    def perform(self, *, version):
        services.mission_start(actor=self.request.user, mission=self.object, expected_version=version)

    def message(self):
        return f"{self.object.reference} started."


class MissionNotCompletedView(MissionActionView):
    action, form_class, auto_id = "not_completed", ReasonForm, "nc_%s"

    def perform(self, *, version, reason):
        services.mission_not_complete(
            actor=self.request.user, mission=self.object, reason=reason, expected_version=version
        )

    def message(self):
        return f"{self.object.reference} marked not completed: the TRM will decide carry-over or cancel."


class MissionCancelView(MissionActionView):
    action, form_class, auto_id = "cancel", ReasonForm, "cancel_%s"
    write_role = Role.SUPERVISOR

    def perform(self, *, version, reason):
        services.mission_cancel(
            actor=self.request.user, mission=self.object, reason=reason, expected_version=version
        )

    def message(self):
        return f"{self.object.reference} cancelled."
