"""FilterSets for indicators and their values (API and dashboards)."""

import django_filters

from . import periods
from .models import Indicator, IndicatorValue


class IndicatorFilterSet(django_filters.FilterSet):
    class Meta:
        model = Indicator
        fields = ["code", "unit", "calculator", "key", "active"]


class IndicatorValueFilterSet(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code", label="Indicator code")
    area = django_filters.CharFilter(field_name="area__code", label="Area code")
    operation = django_filters.NumberFilter(field_name="operation_key", label="Operation id (0 = all)")
    period_kind = django_filters.ChoiceFilter(choices=periods.KINDS)
    start_from = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    start_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "area", "operation", "period_kind", "period_start"]
