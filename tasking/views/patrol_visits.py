"""Patrol visits: log one by hand, list and filter them, or upload GPS points that become visits.
Every change is one call to ``tasking.services``."""

from datetime import timedelta

from django.contrib import messages
from django.urls import reverse
from django.views.generic import FormView
from django_filters.views import FilterView

from operations.models import Resource

from .. import services
from ..filters import PatrolVisitFilterSet
from ..forms import now_local
from ..forms_patrol_visits import GpsImportForm, PatrolVisitForm
from ..models import PatrolVisit, ScheduledPatrol
from .base import ServiceFormMixin, safe_next
from .patrols import PatrolScreenMixin, npu_and_operation_selects
from .requests import code_select


class PatrolVisitCreateView(ServiceFormMixin, PatrolScreenMixin, FormView):
    """Log a visit: any scheduled patrol it satisfies becomes compliant (the service decides)."""

    template_name = "tasking/patrols/visit_form.html"
    form_class = PatrolVisitForm
    tab = "visits"

    def get_initial(self):
        now = now_local()
        initial = {"arrived_at": now - timedelta(minutes=20), "left_at": now}
        grid = self.request.GET.get("grid", "")
        if grid.isdigit():
            initial["grid"] = int(grid)
        return initial

    def perform(self, form):
        return services.patrol_visit_log(
            actor=self.request.user, source=PatrolVisit.Source.FORM, **form.cleaned_data
        )

    def success_message_for(self, visit):
        made = ScheduledPatrol.objects.filter(compliant_visit=visit).count()
        return (
            f"Visit to {visit.grid.code} logged ({visit.dwell_minutes} minutes): "
            f"{made} scheduled patrol{'s' if made != 1 else ''} now compliant."
        )

    def success_url_for(self, visit):
        if "another" in self.request.POST:
            return reverse("tasking:patrol-visit-create")
        return safe_next(self.request, reverse("tasking:patrols"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = safe_next(self.request, "")
        return context


class PatrolVisitListView(PatrolScreenMixin, FilterView):
    template_name = "tasking/patrols/visit_list.html"
    filterset_class = PatrolVisitFilterSet
    paginate_by = 50
    context_object_name = "visits"
    tab = "visits"

    def get_queryset(self):
        return PatrolVisit.objects.select_related("grid", "grid__area", "resource", "logged_by").order_by(
            "-arrived_at", "-pk"
        )

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        fields = filterset.form.fields
        npu_and_operation_selects(fields)
        fields["resource"].label = "Resource"
        fields["resource"].widget = code_select(Resource.objects.values_list("code", "name"))
        fields["grid"].label = "Hot grid code"
        fields["officer_reference"].label = "Officer"
        for name in ("arrived_after", "arrived_before"):
            fields[name].widget.input_type = "datetime-local"
        fields["arrived_after"].label = "Arrived from"
        fields["arrived_before"].label = "Arrived before"
        return filterset


class PatrolImportView(PatrolScreenMixin, FormView):
    """Upload GPS points: the report shows rows, points in and outside grids, visits and bad rows."""

    template_name = "tasking/patrols/visit_import.html"
    form_class = GpsImportForm
    tab = "visits"

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            report = services.patrol_points_import(
                actor=self.request.user, data=data["file"].read(), tolerance_minutes=data["tolerance"],
                skip_bad_rows=data["skip_bad_rows"],
            )  # fmt: skip
        except services.ImportRejected as exc:
            form.add_error("file", exc.message)
            return self.render_to_response(self.get_context_data(form=form, report=exc.report, rejected=True))
        messages.success(
            self.request,
            f"{data['file'].name}: {report.visits_created} visit{'s' if report.visits_created != 1 else ''} "
            f"created, {report.visits_existing} already there.",
        )
        context = self.get_context_data(
            form=self.get_form_class()(), report=report, file_name=data["file"].name
        )
        return self.render_to_response(context)
