"""Recorded crime: police.uk street-level records, the LSOA → NPU lookup and aggregated counts."""

from django.db import models
from django.db.models import Q

from .reference import Area, OffenceGroup


class LsoaArea(models.Model):
    """An LSOA and the NPU it belongs to, so a police.uk crime finds its NPU."""

    lsoa_code = models.CharField(max_length=16, unique=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="lsoas", limit_choices_to={"kind": Area.Kind.NPU}
    )
    source = models.TextField(blank=True, help_text="The lookup file this mapping came from.")

    class Meta:
        ordering = ["lsoa_code"]
        verbose_name = "LSOA area"
        verbose_name_plural = "LSOA areas"

    def __str__(self):
        return f"{self.lsoa_code} → {self.area_id and self.area.code}"


class CrimeRecord(models.Model):
    """One data.police.uk street-level crime, or anti-social behaviour incident (blank crime ID)."""

    key = models.CharField(
        max_length=64,
        unique=True,
        help_text="Stable identity: a hash of month and crime ID, or of an ASB row's content and "
        "its occurrence number among identical rows of its file.",
    )
    crime_id = models.CharField(max_length=100, blank=True, help_text="Blank for anti-social behaviour.")
    month = models.DateField(help_text="The first day of the month the crime was recorded in.")
    reported_by = models.CharField(max_length=120, blank=True)
    falls_within = models.CharField(max_length=120, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    location = models.CharField(max_length=255, blank=True)
    lsoa_code = models.CharField(max_length=16, blank=True, db_index=True)
    lsoa_name = models.CharField(max_length=120, blank=True)
    crime_type = models.CharField(max_length=80, help_text="The police.uk crime type, as in the file.")
    offence_group = models.ForeignKey(OffenceGroup, on_delete=models.PROTECT, related_name="crime_records")
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="crime_records",
        help_text="The NPU, through the LSOA lookup; empty when unmapped (blank or unknown LSOA).",
    )
    last_outcome_category = models.CharField(max_length=255, blank=True)
    context = models.TextField(blank=True)
    source_file = models.CharField(max_length=255)
    line = models.PositiveIntegerField(help_text="Line number in the source file.")

    class Meta:
        ordering = ["month", "id"]
        indexes = [
            models.Index(fields=["month", "area", "offence_group"], name="crime_month_area_group_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(longitude__isnull=True) & Q(latitude__isnull=True))
                | (
                    Q(longitude__gte=-180)
                    & Q(longitude__lte=180)
                    & Q(latitude__gte=-90)
                    & Q(latitude__lte=90)
                ),
                name="crime_coordinates_valid",
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.crime_type} {self.location}".strip()

    @property
    def is_unmapped(self):
        return self.area_id is None


class CrimeCount(models.Model):
    """An aggregated count of recorded crime for an area, offence group and inclusive date range.

    ``offence_group`` empty means all recorded crime (the CSV value ``all``), e.g. seed 000 figure 3.
    """

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="crime_counts")
    offence_group = models.ForeignKey(
        OffenceGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="crime_counts",
        help_text="Empty means all recorded crime.",
    )
    period_start = models.DateField()
    period_end = models.DateField(help_text="Inclusive.")
    count = models.PositiveIntegerField()
    source_file = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["period_start", "area", "offence_group"]
        constraints = [
            # Two partial constraints so that "all crime" (a NULL group) is unique too.
            models.UniqueConstraint(
                fields=["area", "offence_group", "period_start", "period_end"],
                condition=Q(offence_group__isnull=False),
                name="crime_count_unique_group",
            ),
            models.UniqueConstraint(
                fields=["area", "period_start", "period_end"],
                condition=Q(offence_group__isnull=True),
                name="crime_count_unique_all",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="crime_count_period_range"
            ),
        ]

    def __str__(self):
        group = self.offence_group.code if self.offence_group_id else "all"
        return (
            f"{self.area_id and self.area.code} {group} {self.period_start}..{self.period_end}: {self.count}"
        )
