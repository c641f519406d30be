"""Hot grids agreed at the FTDB, their patrol windows, scheduled patrols and the visits made."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from operations.dates import validate_in_range

# A clock a few minutes fast (a handset, a GPS unit) is not a visit in the future.
FUTURE_ALLOWANCE = timedelta(minutes=5)


# A share of an area's crime or harm, in per cent.
SHARE = [MinValueValidator(0), MaxValueValidator(100)]


class HotGrid(models.Model):
    """A patrol area (polygon or square grid cell) with patrol windows, an NPU and a crime focus."""

    class Arm(models.TextChoices):
        TREATMENT = "treatment", "Treatment (patrolled)"
        CONTROL = "control", "Control (business as usual)"

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    area = models.ForeignKey("operations.Area", on_delete=models.PROTECT, related_name="hot_grids")
    geometry = models.JSONField(help_text="GeoJSON Polygon or MultiPolygon, WGS84 (lon, lat).")
    # Bounding box, kept with the geometry: a cheap first filter before point-in-polygon.
    min_lon = models.FloatField(editable=False)
    min_lat = models.FloatField(editable=False)
    max_lon = models.FloatField(editable=False)
    max_lat = models.FloatField(editable=False)
    offence_groups = models.ManyToManyField("operations.OffenceGroup", blank=True, related_name="hot_grids")
    operation = models.ForeignKey(
        "operations.Operation", null=True, blank=True, on_delete=models.PROTECT, related_name="hot_grids"
    )
    crime_share = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="% of the area's crime it covers.",
        validators=SHARE,
    )  # fmt: skip
    harm_share = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="% of the area's harm it covers.",
        validators=SHARE,
    )  # fmt: skip
    # At least a minute: a dose of 0 would count every grid as patrolled enough before any visit.
    daily_dose_minutes = models.PositiveSmallIntegerField(
        default=15,
        help_text="Patrol cap: once today's visits reach this many minutes it drops off the list.",
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    active_from = models.DateField(validators=[validate_in_range])
    active_to = models.DateField(null=True, blank=True, validators=[validate_in_range])
    ftdb_date = models.DateField("FTDB date agreed", null=True, blank=True, validators=[validate_in_range])
    trial_arm = models.CharField(max_length=10, choices=Arm.choices, blank=True)

    class Meta:
        ordering = ["area__code", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="hot_grid_active_range",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        if self.active_to and self.active_from and self.active_to < self.active_from:
            raise ValidationError({"active_to": "Must be on or after the start."})
        if self.area_id and self.area.kind != "npu":
            raise ValidationError({"area": "A hot grid belongs to an NPU."})


class PatrolWindow(models.Model):
    """When a hot grid must be patrolled: weekdays and local start/end times."""

    WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    grid = models.ForeignKey(HotGrid, on_delete=models.CASCADE, related_name="windows")
    weekdays = models.JSONField(default=list, help_text="Days of the week, 0 = Monday … 6 = Sunday.")
    start_time = models.TimeField()
    end_time = models.TimeField(help_text="Earlier than the start means the window runs past midnight.")

    class Meta:
        ordering = ["grid", "start_time"]

    def __str__(self):
        days = ",".join(self.WEEKDAYS[d] for d in sorted(self.weekdays))
        return f"{days} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self):
        if not self.weekdays or any(not isinstance(d, int) or not 0 <= d <= 6 for d in self.weekdays):
            raise ValidationError({"weekdays": "Give weekdays as numbers 0 (Monday) to 6 (Sunday)."})
        if self.start_time == self.end_time:
            raise ValidationError({"end_time": "A window needs a length."})


class ScheduledPatrol(models.Model):
    """A hot grid's window in one tasking period, and whether a compliant visit was made."""

    # A grid with patrols is retired (``active_to``), never deleted: its compliance and gaps are history.
    grid = models.ForeignKey(HotGrid, on_delete=models.PROTECT, related_name="scheduled_patrols")
    # A patrol outlives a later change to its grid's windows: its history must not be lost.
    window = models.ForeignKey(
        PatrolWindow, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    period = models.ForeignKey("tasking.TaskingPeriod", on_delete=models.CASCADE, related_name="patrols")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    arrive_by = models.DateTimeField(help_text="The latest arrival that counts, by the operation's rule.")
    resource = models.ForeignKey(
        "operations.Resource", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    compliant_visit = models.ForeignKey(
        "tasking.PatrolVisit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    gap_flagged_at = models.DateTimeField(null=True, blank=True)
    cover_request = models.ForeignKey(
        "tasking.Request", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "grid__code"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "window", "starts_at"], name="scheduled_patrol_once"),
        ]
        indexes = [
            models.Index(fields=["grid", "starts_at"], name="patrol_grid_start_idx"),
            models.Index(fields=["starts_at"], name="patrol_start_idx"),  # a day's patrols, for indicators
        ]

    def __str__(self):
        return f"{self.grid.code} {timezone.localtime(self.starts_at):%d %b %H:%M}"

    @property
    def is_compliant(self):
        return self.compliant_visit_id is not None


class PatrolVisit(models.Model):
    """An officer's visit to a hot grid: arrival, departure and minutes in the grid."""

    class Source(models.TextChoices):
        FORM = "form", "Form"
        API = "api", "API"
        GPS = "gps", "GPS import"

    grid = models.ForeignKey(HotGrid, on_delete=models.PROTECT, related_name="visits")
    resource = models.ForeignKey("operations.Resource", on_delete=models.PROTECT, related_name="+")
    officer_reference = models.CharField(max_length=40, help_text="Collar number or call sign.")
    arrived_at = models.DateTimeField(db_index=True)
    left_at = models.DateTimeField()
    dwell_minutes = models.DecimalField(max_digits=7, decimal_places=2, editable=False)
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.FORM)
    import_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-arrived_at"]
        indexes = [models.Index(fields=["grid", "arrived_at"], name="visit_grid_arrival_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_at__gte=models.F("arrived_at")), name="visit_left_after_arrival"
            ),
        ]

    def __str__(self):
        return f"{self.grid.code} {self.officer_reference} {timezone.localtime(self.arrived_at):%d %b %H:%M}"

    def clean(self):
        # Compare instants: two times in the London zone compare by wall clock, wrong across a clock change.
        if self.left_at and self.arrived_at and self.left_at.timestamp() < self.arrived_at.timestamp():
            raise ValidationError({"left_at": "Must be after the arrival."})
        if self.arrived_at and self.arrived_at > timezone.now() + FUTURE_ALLOWANCE:
            raise ValidationError({"arrived_at": "Cannot be in the future."})


class PatrolTrial(models.Model):
    """A randomised controlled trial over an operation's hot grids (e.g. Targeted Guardian Patrols)."""

    operation = models.OneToOneField("operations.Operation", on_delete=models.PROTECT, related_name="trial")
    seed = models.BigIntegerField()
    starts_on = models.DateField(help_text="From this day the assignment is locked.")
    randomised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    randomised_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.operation} trial (seed {self.seed})"

    def has_started(self, today=None):
        return (today or timezone.localdate()) >= self.starts_on
