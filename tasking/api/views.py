"""Tasking endpoints: declared querysets, serializers and filtersets; every write is a service."""

from functools import cache

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.response import Response

from operations.dates import day_check
from operations.roles import Role
from operations.security import PersonalDataAuditMixin, audit_personal_data_view
from tasking import filters, selectors, services
from tasking.models import Mission, OperationTarget, ThreatItem, TrmMeeting
from tasking.models.periods import period_read_only

from . import serializers as s

ERRORS = {
    400: OpenApiResponse(description="Invalid input: field errors."),
    401: OpenApiResponse(description="Not authenticated."),
    403: OpenApiResponse(s.ErrorSerializer, description="Your role does not allow this."),
    404: OpenApiResponse(description="Not found."),
    409: OpenApiResponse(s.ConflictSerializer, description="Illegal transition, stale version or full."),
}


@cache
def shared_serializer(serializer_class):
    """One instance of ``serializer_class``, its fields built once per process, for
    ``run_validation(data)`` and ``to_representation(instance)``: both keep no state on the
    serializer, so one instance serves every request (only for serializers that use no context)."""
    return serializer_class()


class ScoreNowOrdering(OrderingFilter):
    """``?ordering=priority_score`` orders by the score the list shows: an unassessed request's
    score as of now (``score_now_cents``), not the one stored when it arrived."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        return [term.replace("priority_score", "score_now_cents") for term in ordering or []] or ordering


def responses(ok_status, serializer):
    return {ok_status: serializer, **ERRORS}


class RequestViewSet(
    PersonalDataAuditMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    queryset = selectors.request_list()
    serializer_class = s.RequestSerializer
    filterset_class = filters.RequestFilterSet
    filter_backends = [DjangoFilterBackend, ScoreNowOrdering, SearchFilter]
    search_fields = ["subject_reference", "location", "intelligence_summary"]
    ordering_fields = ["priority_score", "due_by", "received_at"]
    read_role = Role.VIEWER
    write_role = Role.MISSION_SUPPORT
    action_roles = {"correct_npu": Role.SUPERVISOR}

    @extend_schema(responses=responses(201, s.RequestSerializer))
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.request_receive(actor=request.user, **serializer.validated_data)
        # The answer carries the subject's data back: its view is recorded, as a retrieve's is.
        return self.personal_data_response(created, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AssessInputSerializer, responses=responses(200, s.RequestSerializer))
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        target = self.get_object()
        data = s.AssessInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_assess(actor=request.user, request=target, **data.validated_data)
        return self.personal_data_response(self.get_queryset().get(pk=target.pk))

    @extend_schema(request=s.AreaCorrectionSerializer, responses=responses(200, s.RequestSerializer))
    @action(detail=True, methods=["post"], url_path="correct-npu")
    def correct_npu(self, request, pk=None):
        """Move a request logged against the wrong NPU (with its mission, history and outcome, and
        their figures) to the right one. Supervisor or Administrator; the reason is audited."""
        target = self.get_object()
        data = s.AreaCorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_area_correct(actor=request.user, request=target, **data.validated_data)
        return self.personal_data_response(self.get_queryset().get(pk=target.pk))


@extend_schema_view(
    allocate=extend_schema(request=s.AllocateSerializer, responses=responses(200, s.MissionSerializer)),
    start=extend_schema(request=s.VersionedSerializer, responses=responses(200, s.MissionSerializer)),
    outcome=extend_schema(request=s.OutcomeInputSerializer, responses=responses(200, s.MissionSerializer)),
    not_completed=extend_schema(request=s.ReasonSerializer, responses=responses(200, s.MissionSerializer)),
    cancel=extend_schema(request=s.ReasonSerializer, responses=responses(200, s.MissionSerializer)),
    history=extend_schema(responses=s.MissionTransitionSerializer(many=True)),
)
class MissionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.mission_list()
    serializer_class = s.MissionSerializer
    filterset_class = filters.MissionFilterSet
    ordering_fields = ["created_at", "due_by", "finished_at"]
    read_role = Role.VIEWER
    write_role = Role.MISSION_SUPPORT
    action_roles = {"cancel": Role.SUPERVISOR}

    def _act(self, input_serializer, service, **extra):
        # The busiest writes of the day: the mission is read once, by the service, locked with
        # its related rows (a mission that does not exist is a 404 from there), and the answer
        # is the service's own updated mission and new outcome, not a second read. The input is
        # validated and the answer written by one serializer of each class built once
        # (``shared_serializer``): building a model serializer's fields costs as much as the write.
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise Http404 from None
        fields = dict(shared_serializer(input_serializer).run_validation(self.request.data))
        version = fields.pop("version", None)
        try:
            done = service(
                actor=self.request.user, mission=Mission(pk=pk), expected_version=version, **fields, **extra
            )
        except Mission.DoesNotExist:
            raise Http404 from None
        mission = done if isinstance(done, Mission) else done.mission
        return Response(shared_serializer(s.MissionSerializer).to_representation(mission))

    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        data = s.AllocateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        day = day_check(fields.pop("period", None), "period")
        period = period_read_only(day) if day else None  # created by the service once accepted
        mission = self.get_object()
        services.mission_allocate(
            actor=request.user, mission=mission, period=period,
            expected_version=fields.pop("version", None), **fields,
        )  # fmt: skip
        return Response(self.get_serializer(self.get_queryset().get(pk=mission.pk)).data)

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._act(s.VersionedSerializer, services.mission_start)

    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        return self._act(s.OutcomeInputSerializer, services.mission_log_outcome)

    @action(detail=True, methods=["post"], url_path="not-completed")
    def not_completed(self, request, pk=None):
        return self._act(s.ReasonSerializer, services.mission_not_complete)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(s.ReasonSerializer, services.mission_cancel)

    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        mission = self.get_object()
        rows = mission.history.select_related("actor")
        return Response(s.MissionTransitionSerializer(rows, many=True).data)


class TrmMeetingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):  # fmt: skip
    queryset = selectors.trm_meeting_list().prefetch_related("decisions__made_by")
    serializer_class = s.TrmMeetingSerializer
    filterset_class = filters.TrmMeetingFilterSet
    read_role = Role.VIEWER
    write_role = Role.MISSION_SUPPORT
    action_roles = {"close": Role.SUPERVISOR, "reopen": Role.SUPERVISOR}

    @extend_schema(responses={201: s.TrmMeetingSerializer, 200: s.TrmMeetingSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Open the meeting of a date; if it is already open, that meeting is returned (200)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existed = TrmMeeting.objects.filter(date=data["date"]).exists()
        meeting = services.trm_meeting_open(
            actor=request.user, date=data["date"], attendees=data.get("attendees", "")
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=meeting.pk)).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in ("attendees", "summary")}
        serializer.instance = services.trm_meeting_update(
            actor=self.request.user, meeting=serializer.instance, **data
        )

    def _fresh(self, meeting):
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting.pk)).data)

    @extend_schema(request=s.TrmDecisionSerializer, responses=responses(201, s.TrmDecisionSerializer))
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        meeting = self.get_object()
        data = s.TrmDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.trm_decision_record(actor=request.user, meeting=meeting, **data.validated_data)
        return Response(s.TrmDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=responses(200, s.TrmMeetingSerializer))
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._fresh(services.trm_meeting_close(actor=request.user, meeting=self.get_object()))

    @extend_schema(request=s.ReasonSerializer, responses=responses(200, s.TrmMeetingSerializer))
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.trm_meeting_reopen(
            actor=request.user, meeting=self.get_object(), reason=data.validated_data["reason"]
        )
        return self._fresh(meeting)


class AuditedCrudViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):  # fmt: skip
    read_role = Role.VIEWER
    write_role = Role.MISSION_SUPPORT
    service = None
    instance_arg = None

    def perform_create(self, serializer):
        serializer.instance = type(self).service(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = type(self).service(
            actor=self.request.user, **{self.instance_arg: serializer.instance}, **serializer.validated_data
        )


class ThreatItemViewSet(AuditedCrudViewSet):
    queryset = ThreatItem.objects.select_related("area", "raised_by")
    serializer_class = s.ThreatItemSerializer
    filterset_class = filters.ThreatItemFilterSet
    search_fields = ["title", "description", "owner"]
    service = services.threat_item_save
    instance_arg = "item"


class OperationTargetViewSet(PersonalDataAuditMixin, AuditedCrudViewSet):
    queryset = OperationTarget.objects.select_related("operation", "area")
    serializer_class = s.OperationTargetSerializer
    filterset_class = filters.OperationTargetFilterSet
    search_fields = ["subject_reference", "location"]
    service = services.operation_target_save
    instance_arg = "target"

    # The answer to a create or a change carries the target's subject back: its view is recorded.
    def perform_create(self, serializer):
        super().perform_create(serializer)
        audit_personal_data_view(self.request, serializer.instance)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        audit_personal_data_view(self.request, serializer.instance)
