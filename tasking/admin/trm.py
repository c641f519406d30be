"""Admin for tasking periods and resource capacity, TRM meetings and decisions, threat items and
operation targets: every change through the services, every view of a target's subject recorded."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from operations.exceptions import DomainError
from operations.security import PersonalDataAdminAuditMixin

from .. import services
from ..models import (
    OperationTarget,
    ResourcePeriod,
    TaskingPeriod,
    ThreatItem,
    TrmDecision,
    TrmMeeting,
)
from .base import AdministratorOnly, AuditedFormAdmin, ReadOnlyMixin, error_text


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
                self.message_user(request, f"{meeting}: {error_text(exc)}", messages.ERROR)
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


class OperationTargetForm(forms.ModelForm):
    """Asks the service's own rules before saving, so a refusal (a closed operation) shows on its
    field instead of failing the save."""

    def clean(self):
        cleaned = super().clean()
        stored = OperationTarget.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        names = self.changed_data if stored is not None else list(self.fields)
        data = {name: cleaned[name] for name in names if name in cleaned}
        for field, message in services.operation_target_problems(target=stored, data=data).items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned


@admin.register(OperationTarget)
class OperationTargetAdmin(PersonalDataAdminAuditMixin, AuditedFormAdmin):
    """Targets name their subjects: each list and page shown is recorded in the audit trail. A
    target's status changes by the actions (close, reopen) or by the arrest outcome that ticks it
    off, never by editing it: an arrested target's status, arrest time and mission go together."""

    form = OperationTargetForm
    save_service = staticmethod(services.operation_target_save)
    instance_arg = "target"
    list_display = ["__str__", "operation", "area", "rank", "subject_reference", "location", "status",
                    "arrested_at", "arrest_mission"]  # fmt: skip
    list_filter = ["status", ("operation", admin.RelatedOnlyFieldListFilter), "area"]
    search_fields = ["subject_reference", "location", "reason", "operation__code"]
    ordering = ["operation__code", "area__code", "rank"]
    date_hierarchy = "arrested_at"
    list_select_related = ["operation", "area", "arrest_mission"]
    # Set by the arrest outcome that ticks the target off, or by the actions below; never typed.
    readonly_fields = ["status", "arrested_at", "arrest_mission"]
    actions = ["close_targets", "reopen_targets"]

    def _status_set(self, request, queryset, status, done):
        """Every selected target through the service, in one transaction: all change, or none."""
        targets = [target for target in queryset.order_by("pk") if target.status != status]
        try:
            with transaction.atomic():
                for target in targets:
                    services.operation_target_save(actor=request.user, target=target, status=status)
        except (DomainError, ValidationError) as exc:
            self.message_user(request, f"Nothing changed: {error_text(exc)}", messages.ERROR)
        else:
            self.message_user(request, f"{len(targets)} target(s) {done}.", messages.SUCCESS)

    @admin.action(description="Close the selected targets (no longer sought)")
    def close_targets(self, request, queryset):
        self._status_set(request, queryset, OperationTarget.Status.CLOSED, "closed")

    @admin.action(description="Reopen the selected targets (outstanding again)")
    def reopen_targets(self, request, queryset):
        self._status_set(request, queryset, OperationTarget.Status.OUTSTANDING, "reopened")
