"""Patrol compliance and dosage, covering a gap, and the trial's balance and randomisation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from operations.dates import day_in_range, day_out_of_range_message
from operations.models import Area, Operation
from operations.roles import Role

from .. import patrol_stats, services
from ..forms_patrols import (
    ComplianceFilterForm,
    RandomiseForm,
)
from ..models import PatrolTrial, PatrolVisit, ScheduledPatrol
from ..models.periods import period_bounds_for_day
from .base import ScreenMixin, safe_next
from .patrols import ARMS, GAPS_SHOWN, PatrolScreenMixin


def _merge(compliance, dosage):
    rows = {row["key"]: {**row} for row in compliance}
    for row in dosage:
        rows.setdefault(row["key"], {"key": row["key"], "scheduled": 0, "compliant": 0, "gaps": 0})
        rows[row["key"]].update(row)
    return [rows[key] for key in sorted(rows, key=lambda k: (k is None, k or ""))]


class PatrolComplianceView(PatrolScreenMixin, TemplateView):
    """Compliance and dosage per NPU and per operation for a range of tasking periods, and the gaps."""

    template_name = "tasking/patrols/compliance.html"
    tab = "compliance"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ComplianceFilterForm(self.request.GET or None)
        first, last, operation = form.range()
        if not (day_in_range(first) and day_in_range(last)):
            # Said on the field, and the page shows the default range instead.
            for name, day in (("from", first), ("to", last)):
                if not day_in_range(day):
                    form.add_error(name, day_out_of_range_message(day))
            first, last, operation = form.range()
        start, end = period_bounds_for_day(first)[0], period_bounds_for_day(last)[1]
        patrols = ScheduledPatrol.objects.filter(period__day__gte=first, period__day__lte=last)
        visits = PatrolVisit.objects.filter(arrived_at__gte=start, arrived_at__lt=end)
        if operation:
            patrols = patrols.filter(grid__operation__code=operation)
            visits = visits.filter(grid__operation__code=operation)
        by_npu = _merge(
            patrol_stats.compliance_rows(patrols, by="area"), patrol_stats.dosage_rows(visits, by="area")
        )
        names = dict(Area.objects.filter(kind=Area.Kind.NPU).values_list("code", "name"))
        for row in by_npu:
            row["name"] = names.get(row["key"], "")
        by_operation = _merge(
            patrol_stats.compliance_rows(patrols, by="operation"),
            patrol_stats.dosage_rows(visits, by="operation"),
        )
        total = patrol_stats.compliance_total(patrols)
        total["gaps"] = total["scheduled"] - total["compliant"]
        for name in ("visits", "minutes", "effective_visits"):
            total[name] = sum(row.get(name, 0) for row in by_npu)
        gaps = (
            patrols.filter(compliant_visit__isnull=True, arrive_by__lt=timezone.now())
            .select_related("grid", "grid__area", "resource", "cover_request")
            .order_by("grid__area__code", "starts_at", "grid__code")
        )
        shown = list(gaps[: GAPS_SHOWN + 1])
        context.update(
            form=form, first=first, last=last, operation=operation, by_npu=by_npu,
            by_operation=by_operation, total=total, gaps=shown[:GAPS_SHOWN],
            gaps_total=gaps.count() if len(shown) > GAPS_SHOWN else len(shown),
            here=self.request.get_full_path(),
        )  # fmt: skip
        return context


class PatrolGapCoverView(ScreenMixin, View):
    """Raise a request for force resources to cover a gap; a second click gets the Conflict."""

    http_method_names = ["post"]

    def conflict_url(self):
        return safe_next(self.request, reverse("tasking:patrol-compliance"))

    def post(self, request, pk):
        patrol = get_object_or_404(ScheduledPatrol.objects.select_related("grid"), pk=pk)
        cover = services.patrol_gap_cover(
            actor=request.user, patrol=patrol, reason=request.POST.get("reason", "")[:500]
        )
        messages.success(request, f"Cover requested for {patrol}: {cover.reference} is in the triage queue.")
        return redirect(self.conflict_url())


# -- the randomised trial ----------------------------------------------------------------------------


class PatrolTrialView(PatrolScreenMixin, TemplateView):
    """An operation's trial: seed, who ran it, balance per NPU and the read-out per arm."""

    template_name = "tasking/patrols/trial.html"
    tab = "trials"
    bound_form = None

    @cached_property
    def operation(self):
        return get_object_or_404(Operation, code=self.kwargs["code"])

    def trial_url(self):
        return reverse("tasking:patrol-trial", args=[self.operation.code])

    def conflict_url(self):
        return self.trial_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        operation = self.operation
        trial = PatrolTrial.objects.select_related("randomised_by").filter(operation=operation).first()
        balance = services.trial_balance(operation)
        readout = patrol_stats.trial_readout(operation)  # from the trial's start
        for row in readout:
            row["label"] = ARMS[row["arm"]]
        form = self.bound_form
        if form is None and context["can_supervise"]:
            form = RandomiseForm(
                initial={"seed": trial.seed if trial else None, "starts_on": timezone.localdate()}
            )
        context.update(
            operation=operation, trial=trial, started=trial is not None and trial.has_started(),
            balance=balance, readout=readout, form=form,
            totals={k: sum(row[k] for row in balance) for k in ("treatment", "control", "unassigned")},
        )  # fmt: skip
        return context


class PatrolTrialRandomiseView(PatrolTrialView):
    """Run the randomisation (Supervisor). Once the trial has started the service refuses it."""

    http_method_names = ["post"]
    write_role = Role.SUPERVISOR

    def post(self, request, *args, **kwargs):
        form = RandomiseForm(request.POST)
        if (
            form.is_valid()
            and (starts_on := form.cleaned_data.get("starts_on"))
            and not day_in_range(starts_on)
        ):
            form.add_error("starts_on", day_out_of_range_message(starts_on))
        if form.is_valid():
            try:
                trial = services.hot_grids_randomise(
                    actor=request.user, operation=self.operation, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    f"{self.operation} grids randomised with seed {trial.seed}; "
                    f"locked from {trial.starts_on}.",
                )
                return redirect(self.trial_url())
        self.bound_form = form
        return self.render_to_response(self.get_context_data())
