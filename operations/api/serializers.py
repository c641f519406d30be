"""Reference-data serializers: shape only; writes go through ``operations.services``."""

from rest_framework import serializers

from operations.models import Area, OffenceGroup, Operation, Resource, TacticalPriority


class AreaSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Area
        fields = [
            "id", "code", "name", "kind", "parent", "population", "population_year",
            "population_source", "boundary", "active_from", "active_to",
        ]  # fmt: skip


class OffenceGroupSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", queryset=OffenceGroup.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = OffenceGroup
        fields = [
            "id", "code", "name", "parent", "police_uk_crime_type", "is_crime",
            "severity_weight", "severity_source", "harm_weight", "harm_source",
        ]  # fmt: skip


class OperationSerializer(serializers.ModelSerializer):
    focus_offence_groups = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=OffenceGroup.objects.all(), required=False
    )
    areas = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Area.objects.all(), required=False
    )

    class Meta:
        model = Operation
        fields = [
            "id", "code", "name", "kind", "lead_rank", "lead_name", "objectives",
            "focus_offence_groups", "areas", "start_date", "end_date", "status",
            "patrol_arrival_rule", "patrol_arrival_hours", "effective_dose_minutes", "source",
        ]  # fmt: skip


class TacticalPrioritySerializer(serializers.ModelSerializer):
    offence_groups = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=OffenceGroup.objects.all(), required=False
    )
    areas = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Area.objects.all(), required=False
    )

    class Meta:
        model = TacticalPriority
        fields = [
            "id", "title", "offence_groups", "areas", "effective_from", "effective_to",
            "ftdb_date", "source",
        ]  # fmt: skip


class ResourceSerializer(serializers.ModelSerializer):
    home_area = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Resource
        fields = ["id", "code", "name", "kind", "home_area", "capacity_per_period", "active"]
