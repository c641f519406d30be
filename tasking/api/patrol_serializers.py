"""Hot grids, scheduled patrols and visits in the API."""

from rest_framework import serializers

from operations.models import Area, OffenceGroup, Operation, Resource
from tasking.geo import CELL_SIZE_M
from tasking.models import HotGrid, PatrolVisit, PatrolWindow, ScheduledPatrol


def code_field(model, **kwargs):
    return serializers.SlugRelatedField(slug_field="code", queryset=model.objects.all(), **kwargs)


class PatrolWindowSerializer(serializers.ModelSerializer):
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), allow_empty=False
    )

    class Meta:
        model = PatrolWindow
        fields = ["weekdays", "start_time", "end_time"]


class CellSerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    size_m = serializers.IntegerField(min_value=CELL_SIZE_M[0], max_value=CELL_SIZE_M[1])


class HotGridSerializer(serializers.ModelSerializer):
    area = code_field(Area)
    operation = code_field(Operation, required=False, allow_null=True)
    offence_groups = code_field(OffenceGroup, many=True, required=False)
    windows = PatrolWindowSerializer(many=True, required=False)
    geometry = serializers.JSONField(required=False, help_text="GeoJSON Polygon or MultiPolygon (WGS84).")
    cell = CellSerializer(
        write_only=True, required=False, help_text="Instead of a geometry: a square cell around a point."
    )

    class Meta:
        model = HotGrid
        fields = [
            "id", "code", "name", "area", "geometry", "cell", "offence_groups", "operation",
            "crime_share", "harm_share", "daily_dose_minutes", "windows", "active_from", "active_to",
            "ftdb_date", "trial_arm",
        ]  # fmt: skip

    def validate(self, attrs):
        if self.instance is None and not attrs.get("geometry") and not attrs.get("cell"):
            raise serializers.ValidationError({"geometry": "Give a geometry or a cell."})
        return attrs


class ScheduledPatrolSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code", read_only=True)
    area = serializers.CharField(source="grid.area.code", read_only=True)
    period = serializers.DateField(source="period.day", read_only=True)
    resource = serializers.CharField(source="resource.code", read_only=True, allow_null=True)
    compliant = serializers.BooleanField(source="is_compliant", read_only=True)

    class Meta:
        model = ScheduledPatrol
        fields = [
            "id", "grid", "area", "period", "starts_at", "ends_at", "arrive_by", "resource", "compliant",
            "compliant_visit", "gap_flagged_at", "cover_request",
        ]  # fmt: skip
        read_only_fields = fields


class PatrolVisitSerializer(serializers.ModelSerializer):
    grid = code_field(HotGrid)
    resource = code_field(Resource)

    class Meta:
        model = PatrolVisit
        fields = [
            "id", "grid", "resource", "officer_reference", "arrived_at", "left_at", "dwell_minutes",
            "source", "logged_at",
        ]  # fmt: skip
        read_only_fields = ["dwell_minutes", "source", "logged_at"]

    def validate(self, attrs):
        # Compare instants: two times in the London zone compare by wall clock, wrong across a clock change.
        if attrs["left_at"].timestamp() < attrs["arrived_at"].timestamp():
            raise serializers.ValidationError({"left_at": "Must be after the arrival."})
        return attrs


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    tolerance = serializers.FloatField(required=False, min_value=0, max_value=120)
    skip_bad_rows = serializers.BooleanField(required=False, default=False)


class RandomiseSerializer(serializers.Serializer):
    seed = serializers.IntegerField()
    starts_on = serializers.DateField(required=False)
