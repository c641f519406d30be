"""One FilterSet per tasking model, shared by the API and the Mission Support screens."""

import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from .models import (
    HotGrid,
    Mission,
    MissionTransition,
    OperationTarget,
    PatrolVisit,
    Request,
    RequestKind,
    ScheduledPatrol,
    ThreatItem,
    TrmMeeting,
)
from .scoring import grade_cents_range


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time, handed to the database in UTC.

    Python accepts any UTC offset under 24 hours; PostgreSQL refuses those beyond ±15:59 with an
    error (a 500), so the value is converted first, and one that UTC cannot hold is a field error.
    """

    def clean(self, value):
        value = super().clean(value)
        try:
            return value.astimezone(datetime.UTC) if value is not None else None
        except OverflowError:
            raise ValidationError("This date-time is out of range.", code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class RequestFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=RequestKind.choices)
    state = django_filters.MultipleChoiceFilter(choices=Request.State.choices)
    area = django_filters.CharFilter(field_name="area__code", label="Area code")
    operation = django_filters.CharFilter(field_name="operation__code", label="Operation code")
    received_after = UtcIsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = UtcIsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    due_before = UtcIsoDateTimeFilter(field_name="due_by", lookup_expr="lt")
    grade = django_filters.CharFilter(method="filter_grade")

    class Meta:
        model = Request
        fields = ["kind", "state", "area", "operation", "grade"]

    def filter_grade(self, queryset, name, value):
        """The grade shown: of the score as of now where the list computes it (a request awaiting
        assessment can rise a grade as its deadline nears), else the stored one."""
        bounds = grade_cents_range(value)
        if "score_now_cents" not in queryset.query.annotations or bounds is None:
            return queryset.filter(grade=value)
        low, high = bounds
        if low is not None:
            queryset = queryset.filter(score_now_cents__gte=low)
        return queryset.filter(score_now_cents__lt=high) if high is not None else queryset


class MissionFilterSet(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=Mission.State.choices)
    kind = django_filters.MultipleChoiceFilter(choices=RequestKind.choices)
    resource = django_filters.CharFilter(field_name="resource__code", label="Resource code")
    area = django_filters.CharFilter(field_name="area__code", label="Area code")
    operation = django_filters.CharFilter(field_name="operation__code", label="Operation code")
    period = django_filters.DateFilter(field_name="period__day", label="Tasking period (start date)")
    period_from = django_filters.DateFilter(field_name="period__day", lookup_expr="gte")
    period_to = django_filters.DateFilter(field_name="period__day", lookup_expr="lte")
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    finished_after = UtcIsoDateTimeFilter(field_name="finished_at", lookup_expr="gte")
    finished_before = UtcIsoDateTimeFilter(field_name="finished_at", lookup_expr="lt")
    due_before = UtcIsoDateTimeFilter(field_name="due_by", lookup_expr="lt")
    result = django_filters.CharFilter(field_name="outcome__result", label="Outcome result")
    # A mission's history: the missions that made a move, whatever their state now. The four apply
    # together to ONE history row (a mission allocated in May and completed in June is not "completed
    # in May"); each mission is listed once however many matching moves it made.
    history_state = django_filters.MultipleChoiceFilter(
        choices=Mission.State.choices, method="filter_history", label="Moved into state",
        help_text="Missions with a history row moving into one of these states (repeat the parameter); "
        "with history_after/history_before, within that time. What the mission-transition "
        "indicators count.",
    )  # fmt: skip
    history_from_state = django_filters.MultipleChoiceFilter(
        choices=Mission.State.choices, method="filter_history", label="Moved from state",
        help_text="With history_state: only moves out of one of these states (repeat the parameter).",
    )  # fmt: skip
    history_after = UtcIsoDateTimeFilter(
        method="filter_history", label="Moved at or after",
        help_text="ISO date-time: a history row at or after this (inclusive); combines with history_state.",
    )  # fmt: skip
    history_before = UtcIsoDateTimeFilter(
        method="filter_history", label="Moved before",
        help_text="ISO date-time: a history row before this (exclusive); combines with history_state.",
    )  # fmt: skip

    class Meta:
        model = Mission
        fields = ["state", "kind", "resource", "area", "operation", "period"]

    HISTORY = {
        "history_state": "to_state__in",
        "history_from_state": "from_state__in",
        "history_after": "at__gte",
        "history_before": "at__lt",
    }

    def filter_history(self, queryset, name, value):
        return queryset  # applied once for all four, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        moves = {
            lookup: self.form.cleaned_data[name]
            for name, lookup in self.HISTORY.items()
            if self.form.cleaned_data.get(name) not in (None, "", [])
        }
        if moves:
            queryset = queryset.filter(pk__in=MissionTransition.objects.filter(**moves).values("mission_id"))
        return queryset


class TrmMeetingFilterSet(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = TrmMeeting
        fields = ["status", "date"]


class ThreatItemFilterSet(django_filters.FilterSet):
    area = django_filters.CharFilter(field_name="area__code", label="Area code")

    class Meta:
        model = ThreatItem
        fields = ["category", "status", "risk_rating", "area"]


class OperationTargetFilterSet(django_filters.FilterSet):
    operation = django_filters.CharFilter(field_name="operation__code", label="Operation code")
    area = django_filters.CharFilter(field_name="area__code", label="Area code")

    class Meta:
        model = OperationTarget
        fields = ["operation", "area", "status"]


class HotGridFilterSet(django_filters.FilterSet):
    area = django_filters.CharFilter(field_name="area__code", label="Area code")
    operation = django_filters.CharFilter(field_name="operation__code", label="Operation code")
    arm = django_filters.CharFilter(method="filter_arm", label="Trial arm: treatment, control or none")
    active = django_filters.BooleanFilter(method="filter_active", label="Active today")

    class Meta:
        model = HotGrid
        fields = ["area", "operation", "arm"]

    def filter_arm(self, queryset, name, value):
        return queryset.filter(trial_arm="" if value == "none" else value)

    def filter_active(self, queryset, name, value):
        today = timezone.localdate()
        active = Q(active_from__lte=today) & (Q(active_to__isnull=True) | Q(active_to__gte=today))
        return queryset.filter(active) if value else queryset.exclude(active)


class ScheduledPatrolFilterSet(django_filters.FilterSet):
    grid = django_filters.CharFilter(field_name="grid__code", label="Hot grid code")
    area = django_filters.CharFilter(field_name="grid__area__code", label="Area code")
    operation = django_filters.CharFilter(field_name="grid__operation__code", label="Operation code")
    period = django_filters.DateFilter(field_name="period__day", label="Tasking period (start date)")
    period_from = django_filters.DateFilter(field_name="period__day", lookup_expr="gte")
    period_to = django_filters.DateFilter(field_name="period__day", lookup_expr="lte")
    compliant = django_filters.BooleanFilter(field_name="compliant_visit", lookup_expr="isnull", exclude=True)
    gap = django_filters.BooleanFilter(method="filter_gap", label="An announced gap not covered since")
    resource = django_filters.CharFilter(field_name="resource__code", label="Resource code")

    class Meta:
        model = ScheduledPatrol
        fields = ["grid", "area", "operation", "period"]

    def filter_gap(self, queryset, name, value):
        # A late visit can still make a flagged patrol compliant: then it is no longer a gap.
        gap = Q(gap_flagged_at__isnull=False, compliant_visit__isnull=True)
        return queryset.filter(gap) if value else queryset.exclude(gap)


class PatrolVisitFilterSet(django_filters.FilterSet):
    grid = django_filters.CharFilter(field_name="grid__code", label="Hot grid code")
    area = django_filters.CharFilter(field_name="grid__area__code", label="Area code")
    operation = django_filters.CharFilter(field_name="grid__operation__code", label="Operation code")
    resource = django_filters.CharFilter(field_name="resource__code", label="Resource code")
    arrived_after = UtcIsoDateTimeFilter(field_name="arrived_at", lookup_expr="gte")
    arrived_before = UtcIsoDateTimeFilter(field_name="arrived_at", lookup_expr="lt")

    class Meta:
        model = PatrolVisit
        fields = ["grid", "area", "operation", "resource", "source", "officer_reference"]
