from django.contrib import admin, messages

from operations.admin import AuditedAdminMixin, ReadOnlyAdmin

from .models import DirtyBucket, Indicator, IndicatorValue
from .reconcile import indicators_reconcile


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "unit",
        "good_direction",
        "calculator",
        "target_kind",
        "target_value",
        "key",
        "active",
    ]
    list_filter = ["unit", "good_direction", "calculator", "key", "active"]
    list_editable = ["key", "active"]
    search_fields = ["code", "name", "description"]
    ordering = ["sort_order", "code"]
    actions = ["reconcile_now"]

    @admin.action(description="Recompute all indicator values now (reconcile)")
    def reconcile_now(self, request, queryset):
        report = indicators_reconcile(repair=True)
        level = messages.WARNING if report["differences"] else messages.SUCCESS
        self.message_user(
            request,
            f"Checked {report['checked']} values; repaired {len(report['differences'])} difference(s).",
            level,
        )


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = [
        "indicator",
        "area",
        "operation_key",
        "period_kind",
        "period_start",
        "value",
        "numerator",
        "denominator",
        "computed_at",
    ]
    list_filter = ["period_kind", "indicator", "area"]
    list_select_related = ["indicator", "area"]
    date_hierarchy = "period_start"


@admin.register(DirtyBucket)
class DirtyBucketAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "area", "operation_key", "period_kind", "period_start", "marked_at"]
    list_select_related = ["indicator", "area"]
