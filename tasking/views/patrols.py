"""Hot grids and patrols: today's schedule and the grids with their map. Visits and GPS uploads are
in ``patrol_visits``; compliance, gaps and the trial in ``patrol_trial``. Every change is one call to
``tasking.services``."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView

from operations.models import Area, Operation
from operations.roles import Role

from .. import patrol_stats, services
from ..filters import HotGridFilterSet
from ..forms_patrols import (
    HotGridForm,
    window_text,
)
from ..models import HotGrid, PatrolTrial, PatrolVisit, ScheduledPatrol
from .base import ScreenMixin, ServiceFormMixin
from .requests import code_select

ARMS = {
    "treatment": "Treatment (patrolled)",
    "control": "Control (business as usual)",
    "none": "No trial arm",
}
STATS_DAYS = 28
GAPS_SHOWN = 200


# -- shared pieces -----------------------------------------------------------------------------------


def force_boundary():
    """The force area's outline (GeoJSON), drawn under the grids for context."""
    return Area.objects.filter(code="WMP").values_list("boundary", flat=True).first()


def grid_feature(grid):
    arm = grid.trial_arm or "none"
    properties = {"code": grid.code, "name": grid.name, "area": grid.area.code, "arm": arm}
    properties["arm_label"] = ARMS[arm]
    properties["url"] = reverse("tasking:hot-grid-detail", args=[grid.pk])
    return {"type": "Feature", "geometry": grid.geometry, "properties": properties}


def map_data(grids):
    """What the map draws: the grids' outlines with their arm, and the force boundary."""
    features = [grid_feature(grid) for grid in grids]
    return {"grids": {"type": "FeatureCollection", "features": features}, "boundary": force_boundary()}


def patrol_state(patrol, now):
    """Compliant, a gap (arrival deadline passed), or still open: as words, for text and icon."""
    if patrol.compliant_visit_id:
        return {"key": "compliant", "icon": "✓", "label": "Compliant"}
    if patrol.arrive_by < now:
        return {"key": "gap", "icon": "✗", "label": "Not patrolled (gap)"}
    return {"key": "open", "icon": "…", "label": "Still to patrol"}


def by_area(patrols):
    """Patrols (ordered by NPU) grouped as [{area, patrols, compliant, gaps}]."""
    groups = {}
    for patrol in patrols:
        group = groups.setdefault(patrol.grid.area_id, {"area": patrol.grid.area, "patrols": []})
        group["patrols"].append(patrol)
    for group in groups.values():
        states = [p.state["key"] for p in group["patrols"]]
        group["compliant"], group["gaps"] = states.count("compliant"), states.count("gap")
    return list(groups.values())


def arrival_rule_words(operation):
    if operation is None:
        return "No operation: a patrol counts as compliant when an officer is in the grid during its window."
    if operation.patrol_arrival_rule == Operation.ArrivalRule.WITHIN_HOURS:
        hours = operation.patrol_arrival_hours
        return (
            f"{operation.name}: a patrol counts as compliant when an officer arrives in the grid within "
            f"{hours} hours after the scheduled start (exactly {hours} h counts; a second later does not)."
        )
    return f"{operation.name}: a patrol counts as compliant when an officer is in the grid during its window."


def npu_and_operation_selects(fields):
    """A patrol filter's NPU and operation as drop-downs of their codes."""
    fields["area"].label = "NPU"
    fields["area"].widget = code_select(Area.objects.filter(kind=Area.Kind.NPU).values_list("code", "name"))
    fields["operation"].label = "Operation"
    fields["operation"].widget = code_select(Operation.objects.values_list("code", "name"))


def grid_queryset():
    return HotGrid.objects.select_related("area", "operation").prefetch_related("windows")


class PatrolScreenMixin(ScreenMixin):
    tab = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tab"] = self.tab
        return context


# -- today's patrols ---------------------------------------------------------------------------------


class PatrolHubView(PatrolScreenMixin, TemplateView):
    """Today's schedule per NPU: what is still to patrol, and every patrol of the period."""

    template_name = "tasking/patrols/hub.html"
    tab = "today"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        period = services.patrol_schedule_for(now)
        patrols = list(
            ScheduledPatrol.objects.filter(period=period)
            .select_related("grid", "grid__area", "grid__operation", "resource", "compliant_visit")
            .order_by("grid__area__code", "starts_at", "grid__code")
        )
        for patrol in patrols:
            patrol.state = patrol_state(patrol, now)
        still = list(patrol_stats.still_to_patrol(period, now))
        for patrol in still:
            patrol.state = patrol_state(patrol, now)
        context.update(
            period=period, now=now, groups=by_area(patrols), still=still, total=len(patrols),
            compliant=sum(1 for p in patrols if p.compliant_visit_id),
            trials=Operation.objects.filter(Q(trial__isnull=False) | Q(hot_grids__trial_arm__gt=""))
            .distinct().order_by("code"),
        )  # fmt: skip
        return context


# -- hot grids ---------------------------------------------------------------------------------------


class HotGridListView(PatrolScreenMixin, FilterView):
    """The grids, filtered by the API's FilterSet, on a map and in a table that says the same."""

    template_name = "tasking/patrols/grid_list.html"
    filterset_class = HotGridFilterSet
    paginate_by = 100
    context_object_name = "grids"
    tab = "grids"

    def get_queryset(self):
        return grid_queryset().order_by("area__code", "code")

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        fields = filterset.form.fields
        npu_and_operation_selects(fields)
        fields["arm"].label = "Trial arm"
        fields["arm"].widget = code_select([(k, v) for k, v in ARMS.items() if k != "none"])
        fields["active"].widget = code_select([("true", "Active"), ("false", "Not active")])
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grids = context["grids"]
        for grid in grids:
            grid.arm_label = ARMS[grid.trial_arm or "none"]
            grid.window_list = [window_text(w, "–") for w in grid.windows.all()]
        context["map"] = map_data(grids)
        context["arms"] = ARMS
        return context


class HotGridDetailView(PatrolScreenMixin, DetailView):
    """One grid: its outline, windows, arrival rule, the last 28 days' compliance and dosage."""

    template_name = "tasking/patrols/grid_detail.html"
    context_object_name = "grid"
    tab = "grids"

    def get_queryset(self):
        return grid_queryset().prefetch_related("offence_groups")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grid, now = self.object, timezone.now()
        since = now - timedelta(days=STATS_DAYS)
        recent = ScheduledPatrol.objects.filter(grid=grid, starts_at__gte=since, starts_at__lt=now)
        visits = PatrolVisit.objects.filter(grid=grid, arrived_at__gte=since)
        dosage = patrol_stats.dosage_rows(visits, by="grid")
        patrols = list(
            ScheduledPatrol.objects.filter(grid=grid)
            .select_related("resource", "compliant_visit", "cover_request")
            .order_by("-starts_at")[:20]
        )
        for patrol in patrols:
            patrol.state = patrol_state(patrol, now)
        operation = grid.operation
        context.update(
            arm_label=ARMS[grid.trial_arm or "none"],
            window_list=[window_text(w, "–") for w in grid.windows.all()],
            map=map_data([grid]),
            arms=ARMS,
            arrival_rule=arrival_rule_words(operation),
            effective_dose=operation.effective_dose_minutes
            if operation
            else patrol_stats.DEFAULT_EFFECTIVE_DOSE,
            compliance=patrol_stats.compliance_total(recent),
            dosage=dosage[0] if dosage else {"visits": 0, "minutes": 0, "effective_visits": 0},
            stats_days=STATS_DAYS,
            visits=list(
                grid.visits.select_related("resource", "logged_by").order_by("-arrived_at", "-pk")[:20]
            ),
            patrols=patrols,
            has_trial=operation is not None and PatrolTrial.objects.filter(operation=operation).exists(),
        )
        return context


class HotGridFormView(ServiceFormMixin, PatrolScreenMixin, FormView):
    """Create or change a hot grid (Supervisor): outline as GeoJSON or a square cell, windows as text."""

    template_name = "tasking/patrols/grid_form.html"
    form_class = HotGridForm
    write_role = Role.SUPERVISOR
    tab = "grids"

    @cached_property
    def grid(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(grid_queryset(), pk=pk) if pk else None

    def get_initial(self):
        return HotGridForm.initial_for(self.grid) if self.grid else {}

    def perform(self, form):
        data = form.service_fields()
        windows = data.pop("windows")
        if self.grid is not None and HotGridForm.initial_for(self.grid)["windows"] == form.data.get(
            "windows"
        ):
            windows = None  # unchanged: replacing the windows would drop the patrols scheduled on them
        # The service compares the stored grid with the input, so it works on its own copy.
        grid = HotGrid.objects.get(pk=self.grid.pk) if self.grid else None
        try:
            return services.hot_grid_save(
                actor=self.request.user, grid=grid, offence_groups=data.pop("offence_groups"),
                windows=windows, **data,
            )  # fmt: skip
        except ValidationError as exc:
            if form.used_cell and hasattr(exc, "error_dict") and "geometry" in exc.error_dict:
                exc.error_dict["cell_lon"] = exc.error_dict.pop("geometry")
            raise

    def success_message_for(self, grid):
        return f"Hot grid {grid.code} saved."

    def success_url_for(self, grid):
        return reverse("tasking:hot-grid-detail", args=[grid.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["grid"] = self.grid
        return context
