"""Indicators, their stored values per bucket, and the buckets waiting to be recomputed."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from . import periods


class Indicator(models.Model):
    """A defined measure: what it counts (a registered calculator and its parameters), its unit,
    which direction is good, its target or milestone and baseline."""

    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        RATE = "rate_per_1000", "Rate per 1,000 residents"
        PERCENT = "percent", "Percent"
        GBP = "gbp", "£"
        MINUTES = "minutes", "Minutes"

    class Direction(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"

    class TargetKind(models.TextChoices):
        NONE = "", "No target"
        ABSOLUTE = "absolute", "Absolute value"
        CHANGE = "change", "% change on the comparison period"

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=14, choices=Unit.choices, default=Unit.COUNT)
    good_direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    calculator = models.CharField(
        max_length=40, help_text="A calculator registered in performance.calculators."
    )
    parameters = models.JSONField(default=dict, blank=True)
    target_kind = models.CharField(max_length=10, choices=TargetKind.choices, blank=True)
    target_value = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="The value to reach, or the % change (e.g. -8 for 'reduce by 8 %').",
    )  # fmt: skip
    target_comparison = models.CharField(
        max_length=20, blank=True, default="previous_year",
        help_text="For a % change target: previous_year or baseline.",
    )  # fmt: skip
    baseline_start = models.DateField(null=True, blank=True)
    baseline_end = models.DateField(null=True, blank=True, help_text="E.g. year ending June 2019.")
    key = models.BooleanField(default=False, help_text="Shown as a tile on the force scorecard.")
    sort_order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name

    def clean(self):
        from .calculators import CALCULATORS, parameters_problem, unit_problem

        if self.calculator not in CALCULATORS:
            raise ValidationError({"calculator": f"Choose one of: {', '.join(sorted(CALCULATORS))}."})
        problem = parameters_problem(self.calculator, self.parameters)
        if problem:
            raise ValidationError({"parameters": problem})
        problem = unit_problem(self.calculator, self.parameters or {}, self.unit)
        if problem:
            raise ValidationError({"unit": problem})
        if self.target_kind and self.target_value is None:
            raise ValidationError({"target_value": "A target needs a value."})
        if self.baseline_start and self.baseline_end and self.baseline_end < self.baseline_start:
            raise ValidationError({"baseline_end": "Must be after the baseline start."})


class BucketFields(models.Model):
    """indicator × area × operation × period. ``operation_key`` is the operation's id, or 0 for
    all operations together, so a bucket is unique without nullable columns in the key."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey("operations.Area", on_delete=models.CASCADE, related_name="+")
    operation_key = models.PositiveIntegerField(default=0)
    period_kind = models.CharField(max_length=14, choices=periods.KINDS)
    period_start = models.DateField()

    class Meta:
        abstract = True


class IndicatorValue(BucketFields):
    """One computed number of an indicator for an area (force or NPU), operation and period."""

    value = models.DecimalField(
        max_digits=16, decimal_places=4, null=True, help_text="Empty when undefined (0 of 0)."
    )
    numerator = models.DecimalField(max_digits=16, decimal_places=4)
    denominator = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "operation_key", "period_kind", "period_start"],
                name="indicator_value_bucket",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "period_kind", "area", "operation_key", "period_start"],
                         name="indicator_value_series_idx"),
            # One period's values across areas and operations: what a drain re-reads for the day
            # it recomputes, whatever the length of the history.
            models.Index(
                fields=["period_kind", "period_start", "indicator"], name="indicator_value_period_idx"
            ),
        ]  # fmt: skip
        ordering = ["indicator", "area", "operation_key", "period_kind", "period_start"]

    def __str__(self):
        when = periods.label(self.period_kind, self.period_start)
        return f"{self.indicator.code} {self.area.code} {when}: {self.value}"


class DirtyBucket(BucketFields):
    """A base bucket (day or month) to recompute. Many events on one bucket make one row."""

    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "operation_key", "period_kind", "period_start"],
                name="dirty_bucket_once",
            ),
        ]

    def __str__(self):
        return f"dirty {self.indicator_id} {self.area_id} {self.operation_key} {self.period_start}"


__all__ = ["DirtyBucket", "Indicator", "IndicatorValue"]
