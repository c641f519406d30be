"""Admin for reference data: fast lists, CSV import/export, and writes through the services."""

from django.contrib import admin, messages
from import_export.admin import ImportExportModelAdmin

from . import services
from .admin_resources import (
    AreaResource,
    OffenceGroupResource,
    OperationResource,
    OutcomeTypeResource,
    ResourceResource,
    TacticalPriorityResource,
)
from .events import event_dispatch
from .exceptions import DomainError
from .models import (
    Area,
    AuditEntry,
    Event,
    OffenceGroup,
    Operation,
    OutcomeType,
    Resource,
    TacticalPriority,
)


class AuditedAdminMixin:
    """Saves and deletes go through the audited services, like the API's."""

    def save_model(self, request, obj, form, change):
        m2m_names = {field.name for field in obj._meta.many_to_many}
        changed_m2m = [name for name in form.changed_data if name in m2m_names]
        services.reference_save(
            actor=request.user, instance=obj, reason="admin edit", changed_m2m=changed_m2m
        )

    def delete_model(self, request, obj):
        services.reference_delete(actor=request.user, instance=obj, reason="admin delete")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            try:
                services.reference_delete(actor=request.user, instance=obj, reason="admin delete")
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)


class ReferenceAdmin(AuditedAdminMixin, ImportExportModelAdmin):
    """Reference data: audited writes, and CSV import and export. An import's errors are shown as
    messages with their line numbers, never as a program's traceback."""

    import_template_name = "admin/operations/reference_import.html"


@admin.register(Area)
class AreaAdmin(ReferenceAdmin):
    resource_classes = [AreaResource]
    list_display = [
        "code",
        "name",
        "kind",
        "parent",
        "population",
        "population_year",
        "active_from",
        "active_to",
    ]
    list_filter = ["kind", "parent"]
    search_fields = ["code", "name"]
    ordering = ["kind", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(OffenceGroup)
class OffenceGroupAdmin(ReferenceAdmin):
    resource_classes = [OffenceGroupResource]
    list_display = [
        "code",
        "name",
        "parent",
        "police_uk_crime_type",
        "is_crime",
        "severity_weight",
        "harm_weight",
    ]
    list_filter = ["is_crime", "police_uk_crime_type", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name", "police_uk_crime_type"]
    ordering = ["code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(Operation)
class OperationAdmin(ReferenceAdmin):
    resource_classes = [OperationResource]
    list_display = ["code", "name", "kind", "lead", "start_date", "end_date", "status"]
    list_filter = ["status", "kind", "areas"]
    search_fields = ["code", "name", "lead_name", "objectives"]
    ordering = ["code"]
    filter_horizontal = ["focus_offence_groups", "areas"]
    date_hierarchy = "start_date"


@admin.register(TacticalPriority)
class TacticalPriorityAdmin(ReferenceAdmin):
    resource_classes = [TacticalPriorityResource]
    list_display = ["title", "effective_from", "effective_to", "ftdb_date"]
    list_filter = ["offence_groups", "areas"]
    search_fields = ["title"]
    ordering = ["-effective_from"]
    filter_horizontal = ["offence_groups", "areas"]
    date_hierarchy = "effective_from"


@admin.register(Resource)
class ResourceAdmin(ReferenceAdmin):
    resource_classes = [ResourceResource]
    list_display = ["code", "name", "kind", "home_area", "capacity_per_period", "active"]
    list_filter = ["active", "kind", "home_area"]
    list_editable = ["capacity_per_period"]
    search_fields = ["code", "name"]
    ordering = ["code"]
    list_select_related = ["home_area"]
    autocomplete_fields = ["home_area"]
    actions = ["bring_into_service", "take_out_of_service"]

    @admin.action(description="Bring selected resources into service")
    def bring_into_service(self, request, queryset):
        changed = services.resource_set_active(
            actor=request.user, resources=queryset, active=True, reason="admin action"
        )
        self.message_user(request, f"{len(changed)} resource(s) brought into service.")

    @admin.action(description="Take selected resources out of service")
    def take_out_of_service(self, request, queryset):
        changed = services.resource_set_active(
            actor=request.user, resources=queryset, active=False, reason="admin action"
        )
        self.message_user(request, f"{len(changed)} resource(s) taken out of service.")


@admin.register(OutcomeType)
class OutcomeTypeAdmin(ReferenceAdmin):
    resource_classes = [OutcomeTypeResource]
    list_display = ["code", "label", "group", "is_positive"]
    list_filter = ["is_positive", "group"]
    search_fields = ["label"]
    ordering = ["code"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_username", "action", "object_type", "object_id", "object_repr", "reason"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_username", "object_id", "object_repr", "reason"]
    date_hierarchy = "at"


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "aggregate_type", "aggregate_id", "created_at", "processed_at", "attempts"]
    list_filter = ["type", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["type", "aggregate_id"]
    date_hierarchy = "created_at"
    actions = ["dispatch_now"]

    @admin.action(description="Dispatch selected events now")
    def dispatch_now(self, request, queryset):
        done = sum(bool(event_dispatch(event_id=event.pk)) for event in queryset)
        self.message_user(request, f"{done} event(s) dispatched.")


# Recorded crime: written only by the import commands, so the admin shows it read-only.
from .models import CrimeCount, CrimeRecord, LsoaArea  # noqa: E402


@admin.register(LsoaArea)
class LsoaAreaAdmin(ReadOnlyAdmin):
    list_display = ["lsoa_code", "area", "source"]
    list_filter = ["area"]
    search_fields = ["lsoa_code"]
    list_select_related = ["area"]


@admin.register(CrimeRecord)
class CrimeRecordAdmin(ReadOnlyAdmin):
    list_display = ["month", "crime_type", "offence_group", "area", "lsoa_code", "location", "crime_id"]
    list_filter = ["month", "offence_group", ("area", admin.RelatedOnlyFieldListFilter),
                   ("area", admin.EmptyFieldListFilter), "source_file"]  # fmt: skip
    search_fields = ["crime_id", "lsoa_code", "lsoa_name", "location", "key"]
    list_select_related = ["offence_group", "area"]
    date_hierarchy = "month"
    show_full_result_count = False  # counting millions of rows on every page is slow


@admin.register(CrimeCount)
class CrimeCountAdmin(ReadOnlyAdmin):
    list_display = ["area", "offence_group", "period_start", "period_end", "count", "source_file"]
    list_filter = ["area", ("offence_group", admin.EmptyFieldListFilter), "offence_group", "period_start"]
    search_fields = ["area__code", "offence_group__code", "source_file"]
    list_select_related = ["area", "offence_group"]


# API tokens are each officer's own, issued at /api/auth/token/ against their password. DRF's
# admin page for them would let an Administrator create or read anyone's key and then act in that
# officer's name, with the audit trail recording the officer: it is taken out. Importing DRF's
# admin module first registers the page whichever app loads first, so that it can be unregistered.
from rest_framework.authtoken import admin as _token_admin  # noqa: E402, F401
from rest_framework.authtoken.models import TokenProxy  # noqa: E402

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
