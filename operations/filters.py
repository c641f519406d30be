"""One FilterSet per reference model, shared by the API and the list pages."""

import django_filters

from .models import Area, OffenceGroup, Operation, Resource, TacticalPriority


class AreaFilterSet(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code", label="Parent area code")
    active_on = django_filters.DateFilter(method="filter_active_on", label="Active on (date)")

    class Meta:
        model = Area
        fields = ["code", "kind", "parent"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class OperationFilterSet(django_filters.FilterSet):
    area = django_filters.CharFilter(field_name="areas__code", label="Area code", distinct=True)
    offence_group = django_filters.CharFilter(
        field_name="focus_offence_groups__code", label="Focus offence group code", distinct=True
    )

    class Meta:
        model = Operation
        fields = ["code", "kind", "status"]


class TacticalPriorityFilterSet(django_filters.FilterSet):
    in_force_on = django_filters.DateFilter(method="filter_in_force_on", label="In force on (date)")
    area = django_filters.CharFilter(field_name="areas__code", label="Area code", distinct=True)
    offence_group = django_filters.CharFilter(
        field_name="offence_groups__code", label="Offence group code", distinct=True
    )

    class Meta:
        model = TacticalPriority
        fields = []

    def filter_in_force_on(self, queryset, name, value):
        return queryset.active_on(value)


class OffenceGroupFilterSet(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code", label="Parent group code")
    top_level = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull")

    class Meta:
        model = OffenceGroup
        fields = ["code", "police_uk_crime_type", "is_crime"]


class ResourceFilterSet(django_filters.FilterSet):
    home_area = django_filters.CharFilter(field_name="home_area__code", label="Home area code")

    class Meta:
        model = Resource
        fields = ["code", "kind", "active"]
