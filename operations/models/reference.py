"""Reference data that administrators keep in the admin site."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from ..dates import validate_in_range


def _check_dates(start, end, start_name, end_name):
    if start and end and end < start:
        raise ValidationError({end_name: f"Must be on or after {start_name.replace('_', ' ')}."})


def _check_code(instance):
    """A code is typed without surrounding spaces and names one row whatever its letter case: "be"
    or "BE " beside "BE" would be a second NPU (or operation, or resource) that reads the same."""
    if not isinstance(instance.code, str):
        return
    instance.code = instance.code.strip()
    same = type(instance).objects.filter(code__iexact=instance.code).exclude(pk=instance.pk)
    other = same.values_list("code", flat=True).first()
    if other is not None and other != instance.code:  # the very same code is the unique check's
        raise ValidationError({"code": f"{other} already exists: a code names one row, whatever its case."})


class ActiveOnQuerySet(models.QuerySet):
    """Rows whose [from, to] date range covers a day; open ends count as covering."""

    from_field = "active_from"
    to_field = "active_to"

    def active_on(self, day):
        return self.filter(
            Q(**{f"{self.from_field}__isnull": True}) | Q(**{f"{self.from_field}__lte": day}),
            Q(**{f"{self.to_field}__isnull": True}) | Q(**{f"{self.to_field}__gte": day}),
        )


class Area(models.Model):
    """A node of the force's geography: force → NPU → neighbourhood, or a tagged impact area."""

    class Kind(models.TextChoices):
        FORCE = "force", "Force"
        NPU = "npu", "NPU / LPA"
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"
        IMPACT_AREA = "impact_area", "Impact / priority area"

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Bounded by the largest place the force could hold (Birmingham has about 1.1 million).
    population = models.PositiveIntegerField(
        null=True, blank=True, help_text="Usual residents.", validators=[MaxValueValidator(20_000_000)]
    )
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)
    population_source = models.TextField(blank=True)
    boundary = models.JSONField(
        null=True, blank=True, help_text="GeoJSON Polygon or MultiPolygon geometry, WGS84."
    )
    active_from = models.DateField(null=True, blank=True, validators=[validate_in_range])
    active_to = models.DateField(null=True, blank=True, validators=[validate_in_range])

    objects = ActiveOnQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_to__gte=models.F("active_from")),
                name="area_active_range",
            ),
        ]

    def __str__(self):
        return f"{self.code} – {self.name}"

    def clean(self):
        _check_code(self)
        _check_dates(self.active_from, self.active_to, "active_from", "active_to")
        if self.kind == self.Kind.FORCE and self.parent_id:
            raise ValidationError({"parent": "The force is the top of the geography: no parent."})
        if self.kind != self.Kind.FORCE and not self.parent_id:
            raise ValidationError({"parent": "Every area below the force needs a parent."})
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": "An area cannot be its own parent."})
        if self.population is not None and self.population_year is None:
            raise ValidationError({"population_year": "Say which year the population is for."})
        if self.boundary is not None:
            geometry_type = self.boundary.get("type") if isinstance(self.boundary, dict) else None
            if geometry_type not in {"Polygon", "MultiPolygon"}:
                raise ValidationError(
                    {"boundary": "Must be a GeoJSON geometry of type Polygon or MultiPolygon."}
                )


class OffenceGroup(models.Model):
    """A recorded-crime category with the weights that turn counts into severity and harm."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    police_uk_crime_type = models.CharField(
        max_length=80, help_text="The data.police.uk crime type this group rolls up to."
    )
    is_crime = models.BooleanField(
        default=True, help_text="Off for incidents that are not crimes (anti-social behaviour)."
    )
    severity_weight = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    severity_source = models.TextField(blank=True)
    harm_weight = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    harm_source = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(severity_weight__gte=0), name="offence_severity_gte_0"),
            models.CheckConstraint(condition=Q(harm_weight__gte=0), name="offence_harm_gte_0"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        _check_code(self)
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": "A group cannot be its own parent."})


class OutcomeType(models.Model):
    """A Home Office crime outcome type (0–22)."""

    code = models.PositiveSmallIntegerField(unique=True)
    label = models.CharField(max_length=200)
    group = models.CharField(max_length=80, blank=True)
    is_positive = models.BooleanField(
        default=False, help_text="Counts towards the positive outcome rate (charge, caution, …)."
    )

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code}: {self.label}"


class Operation(models.Model):
    """A named, led, dated effort with objectives and focus crime types."""

    class Kind(models.TextChoices):
        STANDING = "standing", "Standing operation"
        WEEK_OF_ACTION = "week_of_action", "Week of action"
        TASKFORCE = "taskforce", "Taskforce"
        PROJECT = "project", "Project"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    class ArrivalRule(models.TextChoices):
        WITHIN_HOURS = "within_hours", "Arrive within N hours after the scheduled start"
        IN_WINDOW = "in_window", "Arrive inside the patrol window"

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    lead_rank = models.CharField(max_length=60, blank=True)
    lead_name = models.CharField(max_length=120, blank=True)
    objectives = models.TextField(blank=True)
    focus_offence_groups = models.ManyToManyField(OffenceGroup, blank=True, related_name="operations")
    areas = models.ManyToManyField(Area, blank=True, related_name="operations")
    start_date = models.DateField(null=True, blank=True, validators=[validate_in_range])
    end_date = models.DateField(null=True, blank=True, validators=[validate_in_range])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    patrol_arrival_rule = models.CharField(
        max_length=14, choices=ArrivalRule.choices, default=ArrivalRule.IN_WINDOW,
        help_text="When a hot-grid patrol counts as compliant.",
    )  # fmt: skip
    # At most a week to arrive, and a dose of at most a day: beyond them a rule means nothing.
    patrol_arrival_hours = models.PositiveSmallIntegerField(
        default=24,
        help_text="For 'within N hours': N (Guardian: 24, seed 001 §17).",
        validators=[MaxValueValidator(7 * 24)],
    )
    effective_dose_minutes = models.PositiveSmallIntegerField(
        default=15, help_text="A visit at least this long counts as an effective dose (after Koper).",
        validators=[MaxValueValidator(24 * 60)],
    )  # fmt: skip
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="operation_date_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def lead(self):
        return " ".join(part for part in (self.lead_rank, self.lead_name) if part)

    def closed_why(self, day):
        """Why the operation takes no new work on ``day`` ("is closed", "ended on 3 Mar 2026"), or
        "" while it does: closed is its status, or an end date before ``day``."""
        if self.status == self.Status.CLOSED:
            return "is closed"
        if self.end_date is not None and self.end_date < day:
            return f"ended on {self.end_date.day} {self.end_date:%b %Y}"
        return ""

    def clean(self):
        _check_code(self)
        _check_dates(self.start_date, self.end_date, "start_date", "end_date")


class TacticalPriorityQuerySet(ActiveOnQuerySet):
    from_field = "effective_from"
    to_field = "effective_to"


class TacticalPriority(models.Model):
    """A force priority agreed at the FTDB for a date range."""

    title = models.CharField(max_length=200)
    offence_groups = models.ManyToManyField(OffenceGroup, blank=True, related_name="priorities")
    areas = models.ManyToManyField(
        Area, blank=True, related_name="priorities", help_text="Empty means force-wide."
    )
    effective_from = models.DateField(validators=[validate_in_range])
    effective_to = models.DateField(null=True, blank=True, validators=[validate_in_range])
    ftdb_date = models.DateField("FTDB date", null=True, blank=True, validators=[validate_in_range])
    source = models.TextField(blank=True)

    objects = TacticalPriorityQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from", "title"]
        verbose_name_plural = "tactical priorities"
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="priority_date_range",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        _check_dates(self.effective_from, self.effective_to, "effective_from", "effective_to")


# The most missions a resource can carry in one period: a whole unit on one tasking is a few dozen;
# this only stops a slip of extra digits from making a resource look as if it could never fill.
CAPACITY_LIMIT = 500


class Resource(models.Model):
    """A unit that can carry missions, with a capacity per tasking period."""

    class Kind(models.TextChoices):
        FORCE_SUPPORT = "force_support", "Force Support"
        OSU = "osu", "Operational Support Unit"
        CMPG = "cmpg", "Central Motorway Police Group"
        FORCE_RESPONSE = "force_response", "Force Response"
        NPU_TEAM = "npu_team", "NPU team"
        HHVT = "hhvt", "High Harm Violence Team"
        TASKFORCE = "taskforce", "Taskforce"

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    home_area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="resources"
    )
    capacity_per_period = models.PositiveIntegerField(
        default=10, help_text="Missions it can carry in one tasking period.",
        validators=[MaxValueValidator(CAPACITY_LIMIT)],
    )  # fmt: skip
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name

    def clean(self):
        _check_code(self)
        if self.kind == self.Kind.NPU_TEAM and not self.home_area_id:
            raise ValidationError({"home_area": "An NPU team needs its home NPU."})
