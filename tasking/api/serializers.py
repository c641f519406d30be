"""Tasking API shapes. Serializers validate input types; the services hold every rule."""

from rest_framework import serializers

from operations.dates import OUT_OF_RANGE
from operations.models import Area, OffenceGroup, Operation, OutcomeType, Resource
from tasking.models import (
    Assessment,
    Mission,
    MissionTransition,
    OperationTarget,
    Outcome,
    Request,
    ThreatItem,
    TrmDecision,
    TrmMeeting,
)


def code_field(model, **kwargs):
    return serializers.SlugRelatedField(slug_field="code", queryset=model.objects.all(), **kwargs)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class ConflictSerializer(ErrorSerializer):
    current_state = serializers.CharField(required=False)
    allowed = serializers.ListField(child=serializers.CharField(), required=False)
    current_version = serializers.IntegerField(required=False)
    capacity = serializers.IntegerField(required=False)
    used = serializers.IntegerField(required=False)


class AssessmentSerializer(serializers.ModelSerializer):
    assessor = serializers.CharField(source="assessor.username", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "threat", "threat_rationale", "risk", "risk_rationale", "harm", "harm_rationale",
            "priority_score", "components", "grade", "research_notes", "enhanced_research_done",
            "decision", "rejection_reason", "assessor", "assessed_at",
        ]  # fmt: skip
        read_only_fields = fields


class RequestSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    area = code_field(Area)
    operation = code_field(Operation, required=False, allow_null=True)
    offence_group = code_field(OffenceGroup, required=False, allow_null=True)
    follow_up_of = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    target = serializers.PrimaryKeyRelatedField(
        queryset=OperationTarget.objects.all(), required=False, allow_null=True
    )
    assessment = AssessmentSerializer(read_only=True, allow_null=True)
    mission = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    # As the triage queue shows them: an unassessed request's score and grade as of now.
    priority_score = serializers.DecimalField(
        source="score_now", max_digits=6, decimal_places=2, read_only=True
    )
    grade = serializers.CharField(source="grade_now", read_only=True)

    class Meta:
        model = Request
        fields = [
            "id", "reference", "kind", "state", "area", "operation", "offence_group", "forensic_hit",
            "subject_reference", "subject_name", "location", "latitude", "longitude",
            "intelligence_summary", "requested_by", "received_at", "due_by", "priority_score",
            "grade", "follow_up_of", "target", "assessment", "mission", "at_risk_flagged_at",
            "overdue_flagged_at",
        ]  # fmt: skip
        read_only_fields = ["state", "priority_score", "grade", "at_risk_flagged_at", "overdue_flagged_at"]
        extra_kwargs = {
            "received_at": {"required": False, "error_messages": {"overflow": OUT_OF_RANGE}},
            "due_by": {"required": False, "error_messages": {"overflow": OUT_OF_RANGE}},
        }


class AssessInputSerializer(serializers.Serializer):
    threat = serializers.IntegerField(min_value=1, max_value=5)
    threat_rationale = serializers.CharField()
    risk = serializers.IntegerField(min_value=1, max_value=5)
    risk_rationale = serializers.CharField()
    harm = serializers.IntegerField(min_value=1, max_value=5)
    harm_rationale = serializers.CharField()
    decision = serializers.ChoiceField(choices=Assessment.Decision.choices)
    rejection_reason = serializers.CharField(required=False, allow_blank=True, default="")
    research_notes = serializers.CharField(required=False, allow_blank=True, default="")
    enhanced_research_done = serializers.BooleanField(required=False, default=False)


class AreaCorrectionSerializer(serializers.Serializer):
    area = code_field(Area, help_text="The right NPU's code (or the force's).")
    reason = serializers.CharField(help_text="Why the NPU is being corrected; kept in the audit trail.")


class OutcomeSerializer(serializers.ModelSerializer):
    home_office_outcome = serializers.SlugRelatedField(
        slug_field="code", queryset=OutcomeType.objects.all(), required=False, allow_null=True
    )
    logged_by = serializers.CharField(source="logged_by.username", read_only=True)

    class Meta:
        model = Outcome
        fields = [
            "result", "arrests", "firearms", "ammunition_rounds", "knives_weapons",
            "drugs_class_a_grams", "drugs_class_b_grams", "drugs_class_c_grams", "cash_gbp",
            "vehicles", "other_finds", "home_office_outcome", "completed_at", "notes",
            "logged_by", "logged_at",
        ]  # fmt: skip
        read_only_fields = ["logged_by", "logged_at"]
        extra_kwargs = {"completed_at": {"required": False, "error_messages": {"overflow": OUT_OF_RANGE}}}


class MissionSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    area = serializers.CharField(source="area.code", read_only=True)
    operation = serializers.CharField(source="operation.code", read_only=True, allow_null=True)
    resource = serializers.CharField(source="resource.code", read_only=True, allow_null=True)
    period = serializers.DateField(source="period.day", read_only=True, allow_null=True)
    allowed_transitions = serializers.ListField(child=serializers.CharField(), read_only=True)
    outcome = OutcomeSerializer(read_only=True, allow_null=True)
    request_reference = serializers.CharField(source="request.reference", read_only=True)

    class Meta:
        model = Mission
        fields = [
            "id", "reference", "request", "request_reference", "kind", "area", "operation",
            "resource", "period", "state", "version", "due_by", "carry_overs", "state_reason",
            "created_at", "allocated_at", "started_at", "finished_at", "allowed_transitions", "outcome",
        ]  # fmt: skip
        read_only_fields = fields


class VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, help_text="The version you last read; a stale one is refused with 409."
    )


class AllocateSerializer(VersionedSerializer):
    resource = code_field(Resource)
    period = serializers.DateField(required=False, help_text="Tasking period start date; default: now.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Supervisor: allocate beyond capacity."
    )


class ReasonSerializer(VersionedSerializer):
    reason = serializers.CharField()


class OutcomeInputSerializer(OutcomeSerializer):
    version = serializers.IntegerField(required=False)

    class Meta(OutcomeSerializer.Meta):
        fields = [*OutcomeSerializer.Meta.fields, "version"]


class MissionTransitionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True)

    class Meta:
        model = MissionTransition
        fields = ["from_state", "to_state", "at", "actor", "reason", "details"]


class TrmDecisionSerializer(serializers.ModelSerializer):
    made_by = serializers.CharField(source="made_by.username", read_only=True, allow_null=True)

    class Meta:
        model = TrmDecision
        fields = ["id", "kind", "text", "mission", "made_by", "made_at"]
        read_only_fields = ["made_by", "made_at"]


class TrmMeetingSerializer(serializers.ModelSerializer):
    period = serializers.DateField(source="period.day", read_only=True)
    chair = serializers.CharField(source="chair.username", read_only=True, allow_null=True)
    decisions = TrmDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = TrmMeeting
        fields = ["id", "date", "period", "chair", "attendees", "status", "summary", "closed_at", "decisions"]
        read_only_fields = ["status", "closed_at"]
        # Opening the meeting of a date that already has one returns that meeting (idempotent).
        extra_kwargs = {"date": {"validators": []}}


class ThreatItemSerializer(serializers.ModelSerializer):
    area = code_field(Area)
    raised_by = serializers.CharField(source="raised_by.username", read_only=True, allow_null=True)

    class Meta:
        model = ThreatItem
        fields = [
            "id", "category", "area", "title", "description", "risk_rating", "owner", "actions",
            "status", "raised_at", "raised_by",
        ]  # fmt: skip
        read_only_fields = ["raised_at", "raised_by"]


class OperationTargetSerializer(serializers.ModelSerializer):
    operation = code_field(Operation)
    area = code_field(Area)

    class Meta:
        model = OperationTarget
        fields = [
            "id", "operation", "subject_reference", "subject_name", "location", "area", "rank",
            "reason", "status", "arrested_at", "arrest_mission",
        ]  # fmt: skip
        read_only_fields = ["arrested_at", "arrest_mission"]
