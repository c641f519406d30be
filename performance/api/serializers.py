from rest_framework import serializers

from performance.calculators import CALCULATORS
from performance.models import Indicator, IndicatorValue


class IndicatorSerializer(serializers.ModelSerializer):
    calculator = serializers.ChoiceField(choices=sorted(CALCULATORS))

    class Meta:
        model = Indicator
        fields = [
            "id", "code", "name", "description", "unit", "good_direction", "calculator", "parameters",
            "target_kind", "target_value", "target_comparison", "baseline_start", "baseline_end", "key",
            "sort_order", "active",
        ]  # fmt: skip

    def validate_parameters(self, value):
        # A form field of "null" parses to None, which the NOT NULL column would refuse with a 500.
        if not isinstance(value, dict):
            raise serializers.ValidationError("Give the calculator's parameters as a JSON object.")
        return value


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    area = serializers.CharField(source="area.code", read_only=True)

    class Meta:
        model = IndicatorValue
        fields = [
            "indicator", "area", "operation_key", "period_kind", "period_start", "value", "numerator",
            "denominator", "computed_at",
        ]  # fmt: skip
        read_only_fields = fields
