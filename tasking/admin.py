"""Admin for tasking: fast lists for an administrator fixing things, and no write that the API
could not make. Every change goes through ``tasking.services`` (validated, audited, evented);
what has no service is read-only here.

Requests are read-only: their fields feed the priority score, the assessment and the mission made
from them, and only ``request_receive``/``request_assess`` write them with an audit entry. An edit
here would bypass both, and a silently changed subject or deadline is exactly what an audit trail
exists to prevent; a wrong request is rejected or its mission cancelled, with a reason, instead.
"""

from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models.fields.related import ForeignKey

from operations.exceptions import DomainError
from operations.roles import Role, has_role

from . import services
from .models import (
    Assessment,
    Mission,
    MissionTransition,
    OperationTarget,
    Outcome,
    Request,
    ResourcePeriod,
    TaskingPeriod,
    ThreatItem,
    TrmDecision,
    TrmMeeting,
)


def _error_text(exc):
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return exc.message


class AdministratorOnly:
    """Checked by role, like the rest of the project (the site itself admits Administrators only).
    Django's model permissions are not relied on: the Administrator group is granted them after
    migrate, which can run before the permissions of apps after ``operations`` exist."""

    def _allowed(self, request):
        return has_role(request.user, Role.ADMINISTRATOR)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class ReadOnlyMixin(AdministratorOnly):
    """Viewable, never added, changed or deleted here."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReferenceSearchMixin:
    """Typing a reference shown on screen ("REQ-000123", "M-000045") finds that row."""

    reference_prefixes = ()

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().upper()
        for prefix, lookup in self.reference_prefixes:
            number = term.removeprefix(prefix)
            if term.startswith(prefix) and number.isdigit():
                return queryset.filter(**{lookup: int(number)}), False
        return super().get_search_results(request, queryset, search_term)


class AuditedFormAdmin(AdministratorOnly, admin.ModelAdmin):
    """Add and change forms saved by a ``*_save(actor=, <instance_arg>=, **data)`` service."""

    save_service = None
    instance_arg = ""

    def save_model(self, request, obj, form, change):
        names = form.changed_data if change else [n for n in form.fields if n in form.cleaned_data]
        data = {name: form.cleaned_data[name] for name in names}
        # The form has already copied its data onto ``obj``: pass the stored row so the service
        # sees (and audits) what actually changed.
        stored = type(obj).objects.get(pk=obj.pk) if change else None
        saved = self.save_service(actor=request.user, **{self.instance_arg: stored}, **data)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # no delete service: close the row (status) instead, which is audited


class AssessmentInline(ReadOnlyMixin, admin.StackedInline):
    model = Assessment
    fields = [
        "grade", "priority_score", "decision", "rejection_reason", "threat", "threat_rationale", "risk",
        "risk_rationale", "harm", "harm_rationale", "components", "enhanced_research_done",
        "research_notes", "assessor", "assessed_at",
    ]  # fmt: skip
    readonly_fields = fields


@admin.register(Request)
class RequestAdmin(ReadOnlyMixin, ReferenceSearchMixin, admin.ModelAdmin):
    list_display = [
        "reference", "kind", "state", "grade", "priority_score", "area", "operation",
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


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyMixin, ReferenceSearchMixin, admin.ModelAdmin):
    """Assessments are made on the assessment screen, which shows the score's components."""

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
class MissionAdmin(ReadOnlyMixin, ReferenceSearchMixin, admin.ModelAdmin):
    """Read-only: a mission's state moves only through the life-cycle services, each writing its
    history row and event; the actions below call those same services."""

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

    @admin.action(description="Cancel selected missions")
    def cancel_missions(self, request, queryset):
        cancelled = 0
        for mission in queryset.order_by("pk"):
            try:
                services.mission_cancel(actor=request.user, mission=mission, reason="cancelled in admin")
            except (DomainError, ValidationError) as exc:
                self.message_user(request, f"{mission.reference}: {_error_text(exc)}", messages.ERROR)
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
class OutcomeAdmin(ReadOnlyMixin, ReferenceSearchMixin, admin.ModelAdmin):
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


@admin.register(TaskingPeriod)
class TaskingPeriodAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Periods are made on first use from TASKING_PERIOD_START_HOUR; their bounds are not edited."""

    list_display = ["day", "starts_at", "ends_at", "hours"]
    search_fields = ["day"]
    ordering = ["-day"]
    date_hierarchy = "day"


@admin.register(ResourcePeriod)
class ResourcePeriodAdmin(AdministratorOnly, admin.ModelAdmin):
    """Capacity overrides per period, saved (and audited) by resource_period_set_capacity."""

    list_display = ["period", "resource", "capacity", "effective_capacity"]
    list_editable = ["capacity"]
    list_filter = ["resource", ("capacity", admin.EmptyFieldListFilter)]
    search_fields = ["resource__code", "resource__name"]
    ordering = ["-period__day", "resource__code"]
    date_hierarchy = "period__starts_at"
    list_select_related = ["period", "resource"]
    autocomplete_fields = ["resource", "period"]

    def get_readonly_fields(self, request, obj=None):
        return ["resource", "period"] if obj else []

    def save_model(self, request, obj, form, change):
        row = services.resource_period_set_capacity(
            actor=request.user, resource=obj.resource, period=obj.period, capacity=obj.capacity,
            reason="admin edit",
        )  # fmt: skip
        obj.pk = row.pk

    def has_delete_permission(self, request, obj=None):
        return False  # the row is what allocations lock; clear the capacity to drop an override


class DecisionInline(ReadOnlyMixin, admin.TabularInline):
    model = TrmDecision
    fields = ["made_at", "kind", "text", "mission", "made_by"]
    readonly_fields = fields


@admin.register(TrmMeeting)
class TrmMeetingAdmin(AdministratorOnly, admin.ModelAdmin):
    """Meetings open from the TRM page; here an open one's chair, attendees and summary can be
    corrected (trm_meeting_update) and meetings closed or reopened through their services."""

    list_display = [
        "__str__",
        "date",
        "period",
        "status",
        "chair",
        "decision_count",
        "closed_at",
        "closed_by",
    ]
    list_filter = ["status"]
    search_fields = ["attendees", "summary", "decisions__text"]
    ordering = ["-date"]
    date_hierarchy = "date"
    list_select_related = ["period", "chair", "closed_by"]
    fields = ["date", "period", "status", "chair", "attendees", "summary", "closed_at", "closed_by"]
    inlines = [DecisionInline]
    actions = ["close_meetings", "reopen_meetings"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(decision_count=Count("decisions", distinct=True))

    @admin.display(description="decisions", ordering="decision_count")
    def decision_count(self, meeting):
        return meeting.decision_count

    def get_readonly_fields(self, request, obj=None):
        return [name for name in self.fields if name not in ("chair", "attendees", "summary")]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # A closed meeting's review is locked: view only, until a Supervisor reopens it.
        return super().has_change_permission(request, obj) and not (obj is not None and obj.is_closed)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if form.changed_data:
            services.trm_meeting_update(
                actor=request.user, meeting=TrmMeeting.objects.get(pk=obj.pk),
                **{name: form.cleaned_data[name] for name in form.changed_data},
            )  # fmt: skip

    def _each(self, request, queryset, service, done, **kwargs):
        count = 0
        for meeting in queryset.order_by("date"):
            try:
                service(actor=request.user, meeting=meeting, **kwargs)
            except (DomainError, ValidationError) as exc:
                self.message_user(request, f"{meeting}: {_error_text(exc)}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} meeting(s) {done}.", messages.SUCCESS)

    @admin.action(description="Close meeting (lock its review)")
    def close_meetings(self, request, queryset):
        self._each(request, queryset, services.trm_meeting_close, "closed")

    @admin.action(description="Reopen meeting")
    def reopen_meetings(self, request, queryset):
        self._each(request, queryset, services.trm_meeting_reopen, "reopened", reason="reopened in admin")


@admin.register(TrmDecision)
class TrmDecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Decisions are recorded at the meeting; a wrong one is corrected by a later decision."""

    list_display = ["meeting", "kind", "text", "mission", "made_by", "made_at"]
    list_filter = ["kind"]
    search_fields = ["text"]
    ordering = ["-made_at"]
    date_hierarchy = "made_at"
    list_select_related = ["meeting", "mission", "made_by"]


@admin.register(ThreatItem)
class ThreatItemAdmin(AuditedFormAdmin):
    save_service = staticmethod(services.threat_item_save)
    instance_arg = "item"
    list_display = ["title", "category", "area", "risk_rating", "status", "owner", "raised_at", "raised_by"]
    list_filter = ["status", "category", "risk_rating", "area"]
    search_fields = ["title", "description", "owner", "actions"]
    ordering = ["status", "-raised_at"]
    date_hierarchy = "raised_at"
    list_select_related = ["area", "raised_by"]

    def get_readonly_fields(self, request, obj=None):
        return ["raised_at", "raised_by"] if obj else ["raised_by"]  # when it was raised is history


@admin.register(OperationTarget)
class OperationTargetAdmin(AuditedFormAdmin):
    save_service = staticmethod(services.operation_target_save)
    instance_arg = "target"
    list_display = ["__str__", "operation", "area", "rank", "subject_reference", "location", "status",
                    "arrested_at", "arrest_mission"]  # fmt: skip
    list_filter = ["status", ("operation", admin.RelatedOnlyFieldListFilter), "area"]
    search_fields = ["subject_reference", "location", "reason", "operation__code"]
    ordering = ["operation__code", "area__code", "rank"]
    date_hierarchy = "arrested_at"
    list_select_related = ["operation", "area", "arrest_mission"]
    # Set by the arrest outcome that ticks the target off, never by hand.
    readonly_fields = ["arrested_at", "arrest_mission"]


class FallbackReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """For tasking models without a tailored admin above: browse them, change them elsewhere."""

    list_select_related = True


def _register_the_rest():
    for model in apps.get_app_config("tasking").get_models():
        if admin.site.is_registered(model):
            continue
        plain = [
            field.name
            for field in model._meta.concrete_fields
            if field.get_internal_type() not in ("TextField", "JSONField")
            and not (isinstance(field, ForeignKey) and field.null)  # not joined: would cost a query a row
        ]
        admin_class = type(
            f"{model.__name__}Admin", (FallbackReadOnlyAdmin,), {"list_display": ["__str__", *plain[1:8]]}
        )
        admin.site.register(model, admin_class)


_register_the_rest()
