"""Requests: the form that logs one, the triage queue, the assessment form and the request page."""

from django.forms import Select
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from operations.models import Area, Operation
from operations.roles import Role
from operations.security import audit_personal_data_list, audit_personal_data_view

from .. import selectors, services
from ..filters import RequestFilterSet
from ..forms import AreaCorrectionForm, AssessmentForm, RequestForm
from ..models import Assessment, Request
from .base import ScreenMixin, ServiceFormMixin, component_rows, deadline_info

PAGE_SIZE = 50


def code_select(choices, any_label="Any"):
    return Select(choices=[("", any_label), *choices])


class RequestCreateView(ServiceFormMixin, FormView):
    """Log a request as it arrives; the service sets the default deadline and provisional priority."""

    template_name = "tasking/request_form.html"
    form_class = RequestForm

    def perform(self, form):
        return services.request_receive(actor=self.request.user, **form.cleaned_data)

    def success_message_for(self, request):
        return f"{request.reference} received: provisional {request.grade} (score {request.priority_score})."

    def success_url_for(self, request):
        if "another" in self.request.POST:
            return reverse("tasking:request-create")
        return reverse("tasking:request-detail", args=[request.pk])


class TriageView(ScreenMixin, FilterView):
    """Requests awaiting assessment: highest priority first, then the nearest deadline."""

    template_name = "tasking/triage.html"
    filterset_class = RequestFilterSet
    paginate_by = PAGE_SIZE
    context_object_name = "requests"

    def get_queryset(self):
        return selectors.triage_queue()

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        fields = filterset.form.fields
        for name in list(fields):
            if name not in ("kind", "area", "operation", "grade"):
                del fields[name]
        fields["kind"].widget.attrs["size"] = 4
        fields["area"].label = "NPU"
        fields["area"].widget = code_select(
            Area.objects.filter(kind=Area.Kind.NPU).values_list("code", "name")
        )
        fields["operation"].label = "Operation"
        fields["operation"].widget = code_select(
            Operation.objects.exclude(status=Operation.Status.CLOSED).values_list("code", "name")
        )
        fields["grade"].widget = code_select(Assessment.Grade.choices)
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        for row in context["requests"]:
            row.deadline = deadline_info(row.due_by, now)
        context["tab"] = "triage"
        audit_personal_data_list(self.request, Request, [row.pk for row in context["requests"]])
        return context


class RequestDetailView(ScreenMixin, DetailView):
    """One request: what was asked, its assessment with the stored score components, its mission."""

    template_name = "tasking/request_detail.html"
    context_object_name = "req"

    def get_queryset(self):
        return selectors.request_list().select_related("assessment__assessor", "follow_up_of")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        req = self.object
        audit_personal_data_view(self.request, req)
        assessment = getattr(req, "assessment", None)
        context["components"] = component_rows(assessment.components) if assessment else None
        context["deadline"] = deadline_info(req.due_by)
        context["next_in_queue"] = selectors.triage_queue().exclude(pk=req.pk).first()
        context["tab"] = "triage"
        return context


class AssessView(ServiceFormMixin, FormView):
    """Score threat, risk and harm and decide, seeing why the request ranks where it does."""

    template_name = "tasking/assess.html"
    form_class = AssessmentForm

    @cached_property
    def req(self):
        return get_object_or_404(selectors.request_list(), pk=self.kwargs["pk"])

    def conflict_url(self):
        return reverse("tasking:request-detail", args=[self.req.pk])

    def perform(self, form):
        return services.request_assess(actor=self.request.user, request=self.req, **form.cleaned_data)

    def success_message_for(self, assessment):
        req = assessment.request
        if assessment.decision == Assessment.Decision.REJECT:
            return f"{req.reference} rejected."
        return (
            f"{req.reference} approved as {assessment.grade} (score {assessment.priority_score}): "
            f"mission {req.mission.reference} is pending allocation."
        )

    def success_url_for(self, assessment):
        return reverse("tasking:request-detail", args=[assessment.request.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        req = self.req
        audit_personal_data_view(self.request, req)
        context["req"] = req
        context["awaiting"] = req.state == Request.State.RECEIVED
        if context["awaiting"]:
            _, grade, components = services.priority_compute(request=req)
            context["components"] = component_rows(components)
            context["provisional_grade"] = grade
            context["provisional_score"] = components["total"]
        context["deadline"] = deadline_info(req.due_by)
        context["tab"] = "triage"
        return context


class RequestAreaCorrectView(ServiceFormMixin, FormView):
    """Move a request logged against the wrong NPU, with its mission and their figures, to the
    right one (Supervisor or Administrator, with a reason)."""

    template_name = "tasking/request_correct_area.html"
    form_class = AreaCorrectionForm
    write_role = Role.SUPERVISOR  # every role reads the page; the form is a Supervisor's

    @cached_property
    def req(self):
        return get_object_or_404(selectors.request_list(), pk=self.kwargs["pk"])

    def get_initial(self):
        return {"area": self.req.area_id}

    def conflict_url(self):
        return reverse("tasking:request-detail", args=[self.req.pk])

    def perform(self, form):
        return services.request_area_correct(actor=self.request.user, request=self.req, **form.cleaned_data)

    def success_message_for(self, req):
        if not hasattr(req, "mission"):
            return f"{req.reference} is now in {req.area.code}."
        both = f"{req.reference} and {req.mission.reference}"
        return f"{both} are now in {req.area.code}; both NPUs' figures are recomputed."

    def success_url_for(self, req):
        return reverse("tasking:request-detail", args=[req.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["req"] = self.req
        context["tab"] = "triage"
        mission = getattr(self.req, "mission", None)
        context["follow_ups"] = (
            Request.objects.filter(follow_up_of=mission).select_related("area") if mission else []
        )
        return context
