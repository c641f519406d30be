"""Hot grids (Supervisors keep them), scheduled patrols and visits (Mission Support logs them)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from operations.dates import day_check
from operations.roles import Role
from tasking import filters, patrol_stats, services
from tasking.geo import square_cell
from tasking.models import HotGrid, PatrolVisit, ScheduledPatrol
from tasking.services.hot_grids import hot_grid_delete

from . import patrol_serializers as ps
from .views import ERRORS, responses

# Real UTC offsets run from -12:00 (Baker Island) to +14:00 (Kiribati); the API takes up to 14 hours
# either way. Python holds any offset under 24 hours, PostgreSQL none beyond 15:59.
OFFSET_LIMIT = timedelta(hours=14)


class ComplianceMomentField(filters.UtcIsoDateTimeField):
    """A bound of a grid's compliance: an ISO 8601 date-time, or a date meaning its start in London
    time, whose day (as written) the app covers and whose UTC offset is at most 14 hours."""

    default_error_messages = {"invalid": "Use an ISO 8601 date or date-time."}

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None:
            day_check(moment.date())
            if abs(moment.utcoffset()) > OFFSET_LIMIT:
                raise ValidationError("Use a UTC offset from -14:00 to +14:00.", code="invalid")
        return moment


MOMENT = ComplianceMomentField(required=False)


@extend_schema_view(
    destroy=extend_schema(
        description=(
            "Delete a hot grid with no history. A grid with scheduled patrols or visits is refused "
            "(409): retire it instead by setting its last active day, `active_to`."
        ),
        responses=responses(204, None),
    )
)
class HotGridViewSet(viewsets.ModelViewSet):
    queryset = HotGrid.objects.select_related("area", "operation").prefetch_related(
        "offence_groups", "windows"
    )
    serializer_class = ps.HotGridSerializer
    filterset_class = filters.HotGridFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "area__code"]
    read_role = Role.VIEWER
    write_role = Role.SUPERVISOR

    def _save(self, serializer, grid=None):
        data = dict(serializer.validated_data)
        cell = data.pop("cell", None)
        if cell:
            data["geometry"] = square_cell(**cell)
        serializer.instance = services.hot_grid_save(
            actor=self.request.user, grid=grid, offence_groups=data.pop("offence_groups", None),
            windows=data.pop("windows", None), **data,
        )  # fmt: skip

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, grid=serializer.instance)

    def perform_destroy(self, instance):
        hot_grid_delete(actor=self.request.user, grid=instance)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="ISO date-time: scheduled from (inclusive)"),
            OpenApiParameter("to", str, description="ISO date-time: scheduled before (exclusive)"),
        ],
        description=(
            "A plain date means its start in London time. Days run from 2000-01-01 to 2100-12-31 and "
            "UTC offsets from -14:00 to +14:00; others are a 400 on the parameter."
        ),
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def compliance(self, request, pk=None):
        grid = self.get_object()
        patrols = ScheduledPatrol.objects.filter(grid=grid)
        visits = PatrolVisit.objects.filter(grid=grid)
        bounds = {}
        for name in ("from", "to"):
            try:
                moment = MOMENT.clean(request.query_params.get(name))
            except ValidationError as exc:
                raise serializers.ValidationError({name: exc.messages}) from None
            if moment is not None:
                bounds[name] = moment
        if "from" in bounds:
            patrols, visits = (
                patrols.filter(starts_at__gte=bounds["from"]),
                visits.filter(arrived_at__gte=bounds["from"]),
            )
        if "to" in bounds:
            patrols, visits = (
                patrols.filter(starts_at__lt=bounds["to"]),
                visits.filter(arrived_at__lt=bounds["to"]),
            )
        dosage = patrol_stats.dosage_rows(visits, by="grid")
        return Response(
            {
                "grid": grid.code, "from": bounds.get("from"), "to": bounds.get("to"),
                **patrol_stats.compliance_total(patrols),
                "visits": dosage[0]["visits"] if dosage else 0,
                "minutes": dosage[0]["minutes"] if dosage else 0,
                "effective_visits": dosage[0]["effective_visits"] if dosage else 0,
                "patrols": ps.ScheduledPatrolSerializer(
                    patrols.select_related("grid__area", "period", "resource"), many=True
                ).data,
            }
        )  # fmt: skip


@extend_schema_view(cover=extend_schema(request=None, responses=responses(201, OpenApiTypes.OBJECT)))
class ScheduledPatrolViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ScheduledPatrol.objects.select_related("grid", "grid__area", "period", "resource")
    serializer_class = ps.ScheduledPatrolSerializer
    filterset_class = filters.ScheduledPatrolFilterSet
    ordering_fields = ["starts_at"]
    read_role = Role.VIEWER
    write_role = Role.MISSION_SUPPORT

    @action(detail=True, methods=["post"])
    def cover(self, request, pk=None):
        """Raise a request for force resources to cover this patrol gap."""
        cover = services.patrol_gap_cover(actor=request.user, patrol=self.get_object())
        return Response({"request": cover.pk, "reference": cover.reference}, status=status.HTTP_201_CREATED)


class PatrolVisitViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = PatrolVisit.objects.select_related("grid", "resource")
    serializer_class = ps.PatrolVisitSerializer
    filterset_class = filters.PatrolVisitFilterSet
    ordering_fields = ["arrived_at"]
    read_role = Role.VIEWER
    write_role = Role.MISSION_SUPPORT

    def perform_create(self, serializer):
        serializer.instance = services.patrol_visit_log(
            actor=self.request.user, source=PatrolVisit.Source.API, **serializer.validated_data
        )

    @extend_schema(request=ps.ImportUploadSerializer, responses={200: OpenApiTypes.OBJECT, **ERRORS})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_points(self, request):
        """Upload a GPS CSV (resource, officer, timestamp, lat, lon): visits are merged from points."""
        upload = ps.ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            report = services.patrol_points_import(
                actor=request.user, data=upload.validated_data["file"].read(),
                tolerance_minutes=upload.validated_data.get("tolerance"),
                skip_bad_rows=upload.validated_data["skip_bad_rows"],
            )  # fmt: skip
        except services.ImportRejected as exc:
            body = {"detail": exc.message, "code": "import_rejected"}
            if exc.report:
                body.update(exc.report.as_dict())
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(report.as_dict())
