"""Admin for requests, assessments, missions, their history and outcomes: read-only, with the
services' actions (correct a request's NPU, cancel a mission) where a change is allowed. The lists
and pages that show a subject's data record each view in the audit trail, as the app's own pages
do."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse

from operations.exceptions import DomainError
from operations.security import PersonalDataAdminAuditMixin

from .. import selectors, services
from ..forms import AreaCorrectionForm
from ..models import (
    Assessment,
    Mission,
    MissionTransition,
    Outcome,
    Request,
)
from ..views.base import add_service_errors
from .base import ReadOnlyMixin, ReferenceSearchMixin, error_text


class AssessmentInline(ReadOnlyMixin, admin.StackedInline):
    model = Assessment
    fields = [
        "grade", "priority_score", "decision", "rejection_reason", "threat", "threat_rationale", "risk",
        "risk_rationale", "harm", "harm_rationale", "components", "enhanced_research_done",
        "research_notes", "assessor", "assessed_at",
    ]  # fmt: skip
    readonly_fields = fields


@admin.register(Request)
class RequestAdmin(PersonalDataAdminAuditMixin, ReadOnlyMixin, ReferenceSearchMixin, admin.ModelAdmin):
    list_display = [
        "reference", "kind", "state", "grade_now", "score_now", "area", "operation",
        "subject_reference", "requested_by", "received_at", "due_by",
    ]  # fmt: skip
    list_filter = [
        "state", "kind", "grade", "area", ("operation", admin.RelatedOnlyFieldListFilter), "forensic_hit",
        ("follow_up_of", admin.EmptyFieldListFilter),
    ]  # fmt: skip
    search_fields = ["subject_reference", "requested_by", "location", "intelligence_summary"]
    reference_prefixes = [("REQ-", "pk")]
    ordering = ["-received_at"]
    date_hierarchy = "received_at"
    list_select_related = ["area", "operation"]
    inlines = [AssessmentInline]
    actions = ["correct_npu"]

    def get_queryset(self, request):
        return selectors.with_score_now(super().get_queryset(request))

    # A request awaiting assessment is scored as of now, as the triage queue shows it.
    @admin.display(description="grade", ordering="grade")
    def grade_now(self, req):
        return req.grade_now

    @admin.display(description="priority score", ordering="score_now_cents")
    def score_now(self, req):
        return req.score_now

    @admin.action(description="Correct the NPU of the selected requests…")
    def correct_npu(self, request, queryset):
        """Ask for the right NPU and a reason, then move every selected request through the same
        service as the request page and the API, in one transaction: all move, or none does."""
        requests = list(queryset.select_related("area").order_by("pk"))
        form = AreaCorrectionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                with transaction.atomic():
                    for req in requests:
                        services.request_area_correct(actor=request.user, request=req, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                area = form.cleaned_data["area"].code
                self.message_user(request, f"{len(requests)} request(s) moved to {area}.", messages.SUCCESS)
                return None
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
            "requests": requests, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "title": "Correct the NPU",
        }  # fmt: skip
        return TemplateResponse(request, "admin/tasking/request/correct_npu.html", context)


@admin.register(Assessment)
class AssessmentAdmin(PersonalDataAdminAuditMixin, ReadOnlyMixin, ReferenceSearchMixin, admin.ModelAdmin):
    """Assessments are made on the assessment screen, which shows the score's components."""

    personal_data_path = "request"

    list_display = [
        "request", "grade", "priority_score", "threat", "risk", "harm", "decision",
        "enhanced_research_done", "assessor", "assessed_at",
    ]  # fmt: skip
    list_filter = ["decision", "grade", "enhanced_research_done", "request__kind"]
    search_fields = ["request__subject_reference", "rejection_reason", "research_notes"]
    reference_prefixes = [("REQ-", "request_id")]
    ordering = ["-assessed_at"]
    date_hierarchy = "assessed_at"
    list_select_related = ["request", "assessor"]


class HistoryInline(ReadOnlyMixin, admin.TabularInline):
    model = MissionTransition
    fields = ["at", "from_state", "to_state", "actor", "reason", "details"]
    readonly_fields = fields
    ordering = ["at", "id"]


class OutcomeInline(ReadOnlyMixin, admin.StackedInline):
    model = Outcome
    fields = ["result", "arrests", *Outcome.FIND_FIELDS, "other_finds", "home_office_outcome",
              "completed_at", "logged_by", "logged_at", "notes"]  # fmt: skip
    readonly_fields = fields


@admin.register(Mission)
class MissionAdmin(PersonalDataAdminAuditMixin, ReadOnlyMixin, ReferenceSearchMixin, admin.ModelAdmin):
    """Read-only: a mission's state moves only through the life-cycle services, each writing its
    history row and event; the actions below call those same services."""

    personal_data_path = "request"

    list_display = [
        "reference", "kind", "state", "area", "operation", "resource", "period", "due_by",
        "carry_overs", "version", "finished_at",
    ]  # fmt: skip
    list_filter = [
        "state", "kind", "resource", "area", ("operation", admin.RelatedOnlyFieldListFilter),
        ("carry_overs", admin.AllValuesFieldListFilter),
    ]  # fmt: skip
    search_fields = ["request__subject_reference", "request__requested_by", "state_reason"]
    reference_prefixes = [("M-", "pk"), ("REQ-", "request_id")]
    ordering = ["-created_at"]
    date_hierarchy = "period__starts_at"
    list_select_related = ["area", "operation", "resource", "period"]
    inlines = [OutcomeInline, HistoryInline]
    actions = ["cancel_missions"]

    def personal_data_detail(self, mission):
        return {"mission": mission.reference}

    @admin.action(description="Cancel selected missions")
    def cancel_missions(self, request, queryset):
        cancelled = 0
        for mission in queryset.order_by("pk"):
            try:
                services.mission_cancel(actor=request.user, mission=mission, reason="cancelled in admin")
            except (DomainError, ValidationError) as exc:
                self.message_user(request, f"{mission.reference}: {error_text(exc)}", messages.ERROR)
            else:
                cancelled += 1
        if cancelled:
            self.message_user(request, f"{cancelled} mission(s) cancelled.", messages.SUCCESS)


@admin.register(MissionTransition)
class MissionTransitionAdmin(ReadOnlyMixin, ReferenceSearchMixin, admin.ModelAdmin):
    list_display = ["mission", "from_state", "to_state", "at", "actor", "reason"]
    list_filter = ["to_state", "from_state", "mission__kind"]
    search_fields = ["reason", "mission__request__subject_reference"]
    reference_prefixes = [("M-", "mission_id")]
    ordering = ["-at", "-id"]
    date_hierarchy = "at"
    list_select_related = ["mission", "actor"]


@admin.register(Outcome)
class OutcomeAdmin(PersonalDataAdminAuditMixin, ReadOnlyMixin, ReferenceSearchMixin, admin.ModelAdmin):
    personal_data_path = "mission__request"
    list_display = [
        "mission", "result", "arrests", "firearms", "ammunition_rounds", "knives_weapons",
        "drugs_class_a_grams", "cash_gbp", "vehicles", "completed_at", "logged_by",
    ]  # fmt: skip
    list_filter = ["result", "mission__kind", ("home_office_outcome", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["notes", "other_finds", "mission__request__subject_reference"]
    reference_prefixes = [("M-", "mission_id")]
    ordering = ["-completed_at"]
    date_hierarchy = "completed_at"
    list_select_related = ["mission", "logged_by", "home_office_outcome"]

    def personal_data_detail(self, outcome):
        return {"mission": outcome.mission.reference}
