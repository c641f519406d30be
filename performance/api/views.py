"""Indicators, their values, SPC series and NPU benchmark tables."""

from datetime import date

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from operations.dates import day_in_range, day_out_of_range_message
from operations.models import Area, Operation
from operations.roles import Role
from operations.services import reference_create, reference_delete, reference_update
from performance import filters, periods, reporting
from performance.models import Indicator, IndicatorValue

from . import serializers as s


def _date(params, name):
    raw = params.get(name)
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ApiValidationError({name: "Use an ISO date (YYYY-MM-DD)."}) from None
    if not day_in_range(day):
        raise ApiValidationError({name: day_out_of_range_message(day)})
    return day


def _area(params):
    code = (
        params.get("area") or Area.objects.filter(kind=Area.Kind.FORCE).values_list("code", flat=True).first()
    )
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise ApiValidationError({"area": f"No area {code!r}."})
    return area


def _operation_key(params):
    code = params.get("operation")
    if not code:
        return 0
    operation = Operation.objects.filter(code=code).first()
    if operation is None:
        raise ApiValidationError({"operation": f"No operation {code!r}."})
    return operation.pk


class IndicatorViewSet(viewsets.ModelViewSet):
    queryset = Indicator.objects.all()
    serializer_class = s.IndicatorSerializer
    filterset_class = filters.IndicatorFilterSet
    lookup_field = "code"
    read_role = Role.VIEWER
    write_role = Role.ADMINISTRATOR

    def perform_create(self, serializer):
        serializer.instance = reference_create(
            actor=self.request.user, model=Indicator, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = reference_update(
            actor=self.request.user, instance=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        reference_delete(actor=self.request.user, instance=instance)

    @extend_schema(
        parameters=[
            OpenApiParameter("area", str, description="Area code (default: the force)"),
            OpenApiParameter("operation", str, description="Operation code (default: all operations)"),
            OpenApiParameter(
                "period", str, enum=["week", "month"], description="Series period (default month)"
            ),
            OpenApiParameter("from", str, description="First period start (YYYY-MM-DD)"),
            OpenApiParameter("to", str, description="Last period start (YYYY-MM-DD)"),
            OpenApiParameter(
                "breaks", str, description="Comma-separated ISO dates where limits are recalculated"
            ),
            OpenApiParameter("baseline", int, description="Fix limits on the first N points (at least 12)"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def series(self, request, code=None):
        """The indicator as an XmR process chart: points, mean, process limits, 2σ lines, signals.

        Only stored values are read (no empty periods are filled in, unlike the chart page), so the
        answer grows with the history kept, not with the range asked for: the range needs no cap.
        """
        indicator = self.get_object()
        params = request.query_params
        kind = params.get("period", periods.MONTH)
        if kind not in (periods.WEEK, periods.MONTH):
            raise ApiValidationError({"period": "Use week or month."})
        try:
            breaks = [
                date.fromisoformat(part) for part in params.get("breaks", "").split(",") if part.strip()
            ]
        except ValueError:
            raise ApiValidationError({"breaks": "Use comma-separated ISO dates."}) from None
        if outside := next((when for when in breaks if not day_in_range(when)), None):
            raise ApiValidationError({"breaks": day_out_of_range_message(outside)})
        baseline = params.get("baseline")
        if baseline is not None:
            # int() is the judge: "²" passes str.isdigit() but is no number to int().
            try:
                baseline = int(baseline)
            except ValueError:
                baseline = 0
            if baseline < 12:
                raise ApiValidationError({"baseline": "A baseline is a whole number of points, 12 or more."})
        area = _area(params)
        chart = reporting.series(
            indicator=indicator, area=area, operation_key=_operation_key(params), kind=kind,
            start=_date(params, "from"), end=_date(params, "to"), breaks=breaks,
            baseline=baseline,
        )  # fmt: skip
        return Response({"indicator": indicator.code, "area": area.code, "period": kind, **chart.to_dict()})


class IndicatorValueViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = IndicatorValue.objects.select_related("indicator", "area")
    serializer_class = s.IndicatorValueSerializer
    filterset_class = filters.IndicatorValueFilterSet
    ordering_fields = ["period_start", "value"]
    read_role = Role.VIEWER


class BenchmarkView(APIView):
    """NPU benchmark table: each NPU's value for a period against a comparison period."""

    read_role = Role.VIEWER

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "indicator", str, required=True, description="Indicator code, e.g. recorded_crime"
            ),
            OpenApiParameter(
                "period", str, required=True, description="2017, 2017/18, 2017-12 or START..END"
            ),
            OpenApiParameter("compare", str, required=True, description="The period to compare with"),
            OpenApiParameter("offence_group", str, description="Offence group code (recorded crime)"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        params = request.query_params
        missing = [name for name in ("indicator", "period", "compare") if not params.get(name)]
        if missing:
            raise ApiValidationError(dict.fromkeys(missing, "This parameter is required."))
        indicator = Indicator.objects.filter(code=params["indicator"]).first()
        if indicator is None:
            raise ApiValidationError({"indicator": f"No indicator {params['indicator']!r}."})
        parsed, errors = {}, {}  # every mistake at once, each on its parameter
        for name, parse in (
            ("period", reporting.period_parse),
            ("compare", reporting.period_parse),
            ("offence_group", reporting.offence_group_for),
        ):
            try:
                parsed[name] = parse(params.get(name))
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ApiValidationError(errors)
        period, compare, group = parsed["period"], parsed["compare"], parsed["offence_group"]
        return Response(
            reporting.benchmark_table(
                indicator=indicator, period=period, compare=compare, offence_group=group
            )
        )
