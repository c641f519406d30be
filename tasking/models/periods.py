"""The 24-hour tasking period and each resource's capacity in it."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from operations.dates import day_out_of_range_message
from operations.models.reference import CAPACITY_LIMIT

LONDON = ZoneInfo("Europe/London")


def period_bounds(moment):
    """Start and end of the tasking period containing ``moment``.

    Periods start at ``TASKING_PERIOD_START_HOUR`` local (Europe/London) time, so a period that
    spans a daylight-saving change is 23 or 25 hours long.
    """
    hour = settings.TASKING_PERIOD_START_HOUR
    local = moment.astimezone(LONDON)
    day = local.date() if local.hour >= hour else local.date() - timedelta(days=1)
    return period_bounds_for_day(day)


def period_bounds_for_day(day):
    """Start and end of the tasking period starting on local date ``day``.

    A day at the very end (or start) of the calendar has no such period: that is a ValidationError
    saying which dates the app accepts (``operations.dates``), never an overflow.
    """
    hour = settings.TASKING_PERIOD_START_HOUR
    # In UTC: subtracting two datetimes that share the London tzinfo gives wall-clock time, so a
    # freshly created period across a clock change would claim to be 24 h long.
    try:
        start = datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(hour), tzinfo=LONDON).astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValidationError(day_out_of_range_message(day), code="date_out_of_range") from None
    return start, end


def period_read_only(day):
    """The tasking period starting on ``day``, for a page that only reads: the stored one, or, when
    nothing has created it yet, an unsaved one with the bounds it will have (nothing is written)."""
    period = TaskingPeriod.objects.filter(day=day).first()
    if period is None:
        starts_at, ends_at = period_bounds_for_day(day)
        period = TaskingPeriod(day=day, starts_at=starts_at, ends_at=ends_at)
    return period


def period_read_only_at(moment):
    """The tasking period containing ``moment``, read only like ``period_read_only``."""
    starts_at, _ = period_bounds(moment)
    return period_read_only(starts_at.astimezone(LONDON).date())


class TaskingPeriod(models.Model):
    """The 24 h window (23 or 25 h across a clock change) that one TRM meeting plans."""

    day = models.DateField(unique=True, help_text="Local date on which the period starts.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="period_positive"),
        ]

    def __str__(self):
        start = self.starts_at.astimezone(LONDON)
        return f"{self.day:%a %d %b %Y} from {start:%H:%M}"

    @property
    def hours(self):
        return (self.ends_at - self.starts_at) / timedelta(hours=1)

    def contains(self, moment):
        return self.starts_at <= moment < self.ends_at


class ResourcePeriod(models.Model):
    """A resource in one tasking period: its capacity override, and the row allocations lock."""

    resource = models.ForeignKey("operations.Resource", on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(TaskingPeriod, on_delete=models.CASCADE, related_name="resource_periods")
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Overrides the resource's usual capacity for this period.",
        validators=[MaxValueValidator(CAPACITY_LIMIT)],
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "period"], name="resource_period_once"),
        ]

    def __str__(self):
        return f"{self.resource} in {self.period}"

    @property
    def effective_capacity(self):
        return self.capacity if self.capacity is not None else self.resource.capacity_per_period
