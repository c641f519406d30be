"""Forms that log patrol visits: one typed in by hand, or a GPS file of points that become visits.
They check input shape; the bounds of a visit (its length, its dates, the grid's active days) live
in ``tasking.services.patrols`` and come back as field errors."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from operations.models import Resource

from .forms import DATETIME_FORMAT, DateTimeLocalInput, KeyboardFormMixin
from .models import HotGrid
from .services.patrol_visits import MAX_VISIT_LENGTH


class PatrolVisitForm(KeyboardFormMixin, forms.Form):
    """A visit typed in by hand."""

    grid = forms.ModelChoiceField(queryset=HotGrid.objects.all(), label="Hot grid", empty_label="Choose…")
    resource = forms.ModelChoiceField(queryset=Resource.objects.filter(active=True), empty_label="Choose…")
    officer_reference = forms.CharField(max_length=40, help_text="Collar number or call sign, e.g. PC 4521.")
    arrived_at = forms.DateTimeField(widget=DateTimeLocalInput(), label="Arrived at")
    left_at = forms.DateTimeField(
        widget=DateTimeLocalInput(), label="Left at",
        help_text=f"At most {MAX_VISIT_LENGTH // timedelta(hours=1)} hours after the arrival.",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        self.fields["arrived_at"].input_formats = formats
        self.fields["left_at"].input_formats = formats
        self.fields["grid"].label_from_instance = lambda grid: f"{grid.code} – {grid.name}"

    def clean(self):
        data = super().clean()
        arrived, left = data.get("arrived_at"), data.get("left_at")
        if arrived and left and left.timestamp() < arrived.timestamp():
            self.add_error("left_at", "Must be after the arrival.")
        return data


class GpsImportForm(KeyboardFormMixin, forms.Form):
    MAX_BYTES = 20 * 1024 * 1024

    file = forms.FileField(
        label="GPS points (CSV)",
        help_text="UTF-8 CSV with a header row: resource, officer, timestamp (ISO 8601), lat, lon.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    tolerance = forms.IntegerField(
        required=False, min_value=0, max_value=240, label="Merge tolerance (minutes)",
        help_text="Points of one officer in one grid closer together than this make one visit.",
    )  # fmt: skip
    skip_bad_rows = forms.BooleanField(
        required=False, label="Skip bad rows",
        help_text="Import the good rows and report the bad ones. Unticked, one bad row rejects the file.",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tolerance"].initial = settings.GPS_MERGE_TOLERANCE_MINUTES

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(
                "The file is larger than 20 MB: split it or use manage.py import_patrol_points."
            )
        return upload
