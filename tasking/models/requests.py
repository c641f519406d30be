"""Requests to Mission Support and their threat, risk and harm assessment."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from operations.dates import validate_in_range

from ..scoring import grade_for, points

RECEIVED_AHEAD = timedelta(minutes=5)


class RequestKind(models.TextChoices):
    WARRANT_FIREARMS = "warrant_firearms", "Warrant – firearms"
    WARRANT_DRUGS = "warrant_drugs", "Warrant – drugs"
    WARRANT_OTHER = "warrant_other", "Warrant – other"
    NPU_ARREST = "npu_arrest", "NPU arrest"
    VIBRANT_ARREST = "vibrant_arrest", "Operation Vibrant arrest"
    FORENSIC_ARREST = "forensic_arrest", "Forensic-hit arrest"
    CURFEW_CHECK = "curfew_check", "Curfew check"
    CAPTIVA_VISIT = "captiva_visit", "Captiva firearms visit"
    WEAPONS_SWEEP = "weapons_sweep", "Weapons sweep"
    PATROL_SUPPORT = "patrol_support", "Patrol support"
    OTHER = "other", "Other"


WARRANT_KINDS = {RequestKind.WARRANT_FIREARMS, RequestKind.WARRANT_DRUGS, RequestKind.WARRANT_OTHER}
ARREST_KINDS = {RequestKind.NPU_ARREST, RequestKind.VIBRANT_ARREST, RequestKind.FORENSIC_ARREST}


# The triage order: the highest priority first, then the nearest deadline (a request without one
# after those with one, on SQLite as on PostgreSQL), then the longest waiting.
TRIAGE_ORDER = ["-priority_score", models.F("due_by").asc(nulls_last=True), "received_at"]


class Request(models.Model):
    """Something asked of Mission Support, before and after its assessment."""

    TRIAGE_ORDER = TRIAGE_ORDER

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    class ForensicHit(models.TextChoices):
        FINGERPRINT = "fingerprint", "Fingerprint"
        DNA = "dna", "DNA"
        FOOTWEAR = "footwear", "Footwear"

    kind = models.CharField(max_length=20, choices=RequestKind.choices, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED, db_index=True)
    area = models.ForeignKey(
        "operations.Area", on_delete=models.PROTECT, related_name="requests",
        help_text="The NPU that asked (or the force): the request, its mission and outcome count there.",
    )  # fmt: skip
    operation = models.ForeignKey(
        "operations.Operation", null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    offence_group = models.ForeignKey(
        "operations.OffenceGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    forensic_hit = models.CharField(max_length=12, choices=ForensicHit.choices, blank=True)
    subject_reference = models.CharField(
        max_length=40, blank=True, help_text="Nominal reference (PNC/intelligence system), not a name."
    )
    subject_name = models.CharField(max_length=120, blank=True)
    location = models.CharField(max_length=200, blank=True)
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )  # fmt: skip
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )  # fmt: skip
    intelligence_summary = models.TextField(blank=True)
    requested_by = models.CharField(max_length=120, help_text="Officer or unit asking.")
    received_at = models.DateTimeField(default=timezone.now, db_index=True, validators=[validate_in_range])
    due_by = models.DateTimeField(null=True, blank=True, db_index=True, validators=[validate_in_range])
    # Provisional until assessed (as of receipt: the triage queue scores it again as of now, see
    # ``score_now``), then final.
    priority_score = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    grade = models.CharField(max_length=2, blank=True)
    follow_up_of = models.ForeignKey(
        "tasking.Mission", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    target = models.ForeignKey(
        "tasking.OperationTarget", null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    at_risk_flagged_at = models.DateTimeField(null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = TRIAGE_ORDER
        indexes = [
            models.Index(fields=["state", "-priority_score", "due_by"], name="request_triage_idx"),
            # The TRM agenda lists flagged deadlines, soonest first, without reading every request.
            models.Index(
                fields=["due_by", "id"],
                condition=Q(at_risk_flagged_at__isnull=False) | Q(overdue_flagged_at__isnull=False),
                name="request_deadline_flagged_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_by__isnull=True) | Q(due_by__gt=models.F("received_at")),
                name="request_due_after_received",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.get_kind_display()}"

    SOURCE_AREA_KINDS = ("npu", "force")
    SOURCE_AREA_RULE = "The source area must be an NPU (or the force)."

    @property
    def reference(self):
        return f"REQ-{self.pk:06d}" if self.pk else "REQ-new"

    @property
    def score_now(self):
        """The priority score as of when the request was read, where the query computed it
        (``tasking.selectors.request_list``): a request awaiting assessment is scored as of now.
        Otherwise the stored score (as of receipt, or the assessment's)."""
        cents = getattr(self, "score_now_cents", None)
        return self.priority_score if cents is None else points(cents)

    @property
    def grade_now(self):
        """The grade of ``score_now``."""
        if getattr(self, "score_now_cents", None) is None:
            return self.grade
        return grade_for(self.score_now)

    def clean(self):
        # Every mistake at once: the form names them all in one submission.
        errors = {}
        # A request is logged when it arrives, never ahead of it (a few minutes allow for a
        # device's clock): a request received later than now could never be completed.
        if self.received_at and self.received_at > timezone.now() + RECEIVED_AHEAD:
            errors["received_at"] = "Cannot be later than now."
        if self.due_by and self.received_at and self.due_by <= self.received_at:
            errors["due_by"] = "The deadline must be after the time received."
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = "Give both latitude and longitude, or neither."
        if self.kind == RequestKind.FORENSIC_ARREST and not self.forensic_hit:
            errors["forensic_hit"] = "Say which forensic hit (fingerprint, DNA, footwear)."
        if self.area_id and self.area.kind not in self.SOURCE_AREA_KINDS:
            errors["area"] = self.SOURCE_AREA_RULE
        if errors:
            raise ValidationError(errors)


class Assessment(models.Model):
    """Threat, risk and harm scores, the priority they give, and the decision."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"

    class Grade(models.TextChoices):
        P1 = "P1", "P1 – immediate"
        P2 = "P2", "P2 – high"
        P3 = "P3", "P3 – medium"
        P4 = "P4", "P4 – low"

    score_validators = [MinValueValidator(1), MaxValueValidator(5)]

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="assessment")
    threat = models.PositiveSmallIntegerField(validators=score_validators)
    threat_rationale = models.TextField()
    risk = models.PositiveSmallIntegerField(validators=score_validators)
    risk_rationale = models.TextField()
    harm = models.PositiveSmallIntegerField(validators=score_validators)
    harm_rationale = models.TextField()
    priority_score = models.DecimalField(max_digits=6, decimal_places=2)
    components = models.JSONField(default=dict, help_text="Each part of the priority score and why.")
    grade = models.CharField(max_length=2, choices=Grade.choices)
    research_notes = models.TextField(blank=True)
    enhanced_research_done = models.BooleanField(default=False)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    rejection_reason = models.TextField(blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(threat__range=(1, 5)) & Q(risk__range=(1, 5)) & Q(harm__range=(1, 5)),
                name="assessment_scores_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(decision="reject") | ~Q(rejection_reason=""),
                name="assessment_rejection_has_reason",
            ),
        ]

    def __str__(self):
        return f"Assessment of {self.request.reference}: {self.grade} {self.decision}"
