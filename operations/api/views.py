"""Reference-data endpoints: every role reads, only Administrators write."""

from rest_framework import viewsets

from operations import filters, services
from operations.models import Area, OffenceGroup, Operation, Resource, TacticalPriority
from operations.roles import Role

from . import serializers


class ReferenceViewSet(viewsets.ModelViewSet):
    """CRUD whose writes go through the audited reference-data services."""

    read_role = Role.VIEWER
    write_role = Role.ADMINISTRATOR

    def perform_create(self, serializer):
        serializer.instance = services.reference_create(
            actor=self.request.user, model=self.queryset.model, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.reference_update(
            actor=self.request.user, instance=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.reference_delete(actor=self.request.user, instance=instance)


class AreaViewSet(ReferenceViewSet):
    queryset = Area.objects.select_related("parent")
    serializer_class = serializers.AreaSerializer
    filterset_class = filters.AreaFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "population"]


class OperationViewSet(ReferenceViewSet):
    queryset = Operation.objects.prefetch_related("focus_offence_groups", "areas")
    serializer_class = serializers.OperationSerializer
    filterset_class = filters.OperationFilterSet
    search_fields = ["code", "name", "lead_name"]
    ordering_fields = ["code", "name", "start_date"]


class TacticalPriorityViewSet(ReferenceViewSet):
    queryset = TacticalPriority.objects.prefetch_related("offence_groups", "areas")
    serializer_class = serializers.TacticalPrioritySerializer
    filterset_class = filters.TacticalPriorityFilterSet
    search_fields = ["title"]
    ordering_fields = ["effective_from", "title"]


class OffenceGroupViewSet(ReferenceViewSet):
    queryset = OffenceGroup.objects.select_related("parent")
    serializer_class = serializers.OffenceGroupSerializer
    filterset_class = filters.OffenceGroupFilterSet
    search_fields = ["code", "name", "police_uk_crime_type"]
    ordering_fields = ["code", "name", "severity_weight", "harm_weight"]


class ResourceViewSet(ReferenceViewSet):
    queryset = Resource.objects.select_related("home_area")
    serializer_class = serializers.ResourceSerializer
    filterset_class = filters.ResourceFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "capacity_per_period"]
