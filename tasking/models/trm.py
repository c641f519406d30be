"""The daily TRM meeting, its decisions, threat items and operations' target lists."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from operations.dates import validate_in_range


class TrmMeeting(models.Model):
    """The daily Threat & Risk Management meeting: reviews the last period, plans the next."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    date = models.DateField(unique=True, validators=[validate_in_range])
    period = models.ForeignKey(
        "tasking.TaskingPeriod", on_delete=models.PROTECT, related_name="trm_meetings",
        help_text="The period this meeting plans; it reviews the one before.",
    )  # fmt: skip
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    attendees = models.TextField(blank=True, help_text="One attendee per line: name, role or unit.")
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    summary = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date"]
        verbose_name = "TRM meeting"

    def __str__(self):
        return f"TRM {self.date:%a %d %b %Y}"

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED


class TrmDecision(models.Model):
    """A decision recorded at a TRM meeting, optionally about one mission or threat item."""

    class Kind(models.TextChoices):
        CARRY_OVER = "carry_over", "Carry over"
        CANCEL = "cancel", "Cancel"
        DIVERT = "divert", "Divert resources"
        PATROL = "patrol", "Patrol cover"
        OTHER = "other", "Other"

    meeting = models.ForeignKey(TrmMeeting, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    text = models.TextField()
    mission = models.ForeignKey(
        "tasking.Mission", null=True, blank=True, on_delete=models.SET_NULL, related_name="trm_decisions"
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["made_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"


class ThreatItem(models.Model):
    """An emerging threat reviewed at the TRM: acquisitive crime, firearms, series, hot spots."""

    class Category(models.TextChoices):
        ACQUISITIVE = "acquisitive", "Acquisitive crime"
        FIREARMS = "firearms", "Firearms"
        EMERGING_TREND = "emerging_trend", "Emerging trend"
        CRIME_SERIES = "crime_series", "Crime series"
        HOT_SPOT = "hot_spot", "Hot spot"
        OTHER = "other", "Other"

    class Rating(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        VERY_HIGH = "very_high", "Very high"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MONITORING = "monitoring", "Monitoring"
        CLOSED = "closed", "Closed"

    category = models.CharField(max_length=16, choices=Category.choices)
    area = models.ForeignKey("operations.Area", on_delete=models.PROTECT, related_name="threat_items")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    risk_rating = models.CharField(max_length=10, choices=Rating.choices, default=Rating.MEDIUM)
    owner = models.CharField(max_length=120, help_text="Who owns the response (name, rank or unit).")
    actions = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    raised_at = models.DateTimeField(default=timezone.now, validators=[validate_in_range])
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["status", "-raised_at"]

    def __str__(self):
        return self.title


class OperationTarget(models.Model):
    """A wanted person or place on an operation's list (e.g. Sceptre's top outstanding suspects)."""

    class Status(models.TextChoices):
        OUTSTANDING = "outstanding", "Outstanding"
        ARRESTED = "arrested", "Arrested"
        CLOSED = "closed", "Closed"

    operation = models.ForeignKey("operations.Operation", on_delete=models.PROTECT, related_name="targets")
    subject_reference = models.CharField(max_length=40, blank=True)
    subject_name = models.CharField(max_length=120, blank=True)
    location = models.CharField(max_length=200, blank=True)
    area = models.ForeignKey("operations.Area", on_delete=models.PROTECT, related_name="targets")
    rank = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1, message="Ranks start at 1, the top of the list.")]
    )
    reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.OUTSTANDING, db_index=True
    )
    arrested_at = models.DateTimeField(null=True, blank=True)
    arrest_mission = models.ForeignKey(
        "tasking.Mission", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["operation", "area", "rank"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(subject_reference="", location=""),
                name="target_has_subject_or_location",
            ),
        ]

    def __str__(self):
        return f"{self.operation.code} #{self.rank} {self.subject_reference or self.location}"

    def clean(self):
        # The check constraint "target_has_subject_or_location", said on a field.
        if not (self.subject_reference or "").strip() and not (self.location or "").strip():
            message = "Give the subject's reference or the location: a target is a person or a place."
            raise ValidationError({"subject_reference": message})
