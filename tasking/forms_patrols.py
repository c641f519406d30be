"""Forms of the hot-grid and patrol screens (the visit forms are in ``forms_patrol_visits``). They
check input shape (GeoJSON, windows written as text, dates); the rules about grids live in
``tasking.services`` and come back as field errors."""

import json
import re
from datetime import time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from operations.models import Area, OffenceGroup, Operation

from .forms import KeyboardFormMixin, date_input
from .geo import CELL_SIZE_M, square_cell
from .models import HotGrid, PatrolWindow

DAY_WORDS = {"daily": list(range(7)), "weekdays": list(range(5)), "weekends": [5, 6]}
TIMES = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")
WINDOWS_HELP = (
    'Days and local times, windows separated by ";": "Mon-Fri 18:00-22:00; Sat 10:00-14:00". Days are '
    "Mon … Sun, ranges (Fri-Sun), lists (Mon,Wed) or Daily / Weekdays / Weekends. An end earlier than "
    "the start runs past midnight."
)


FULL_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _day(word, part):
    for number, name in enumerate(FULL_DAYS):
        if len(word) >= 3 and name.startswith(word.lower()):
            return number
    raise ValidationError(f"{part}: “{word}” is not a day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun).")


def _days(text, part):
    if text.lower() in DAY_WORDS:
        return DAY_WORDS[text.lower()]
    days = []
    for item in filter(None, (i.strip() for i in text.split(","))):
        if "-" in item or "–" in item:
            first, last = (_day(w.strip(), part) for w in re.split(r"[-–]", item, maxsplit=1))
            days += [(first + i) % 7 for i in range((last - first) % 7 + 1)]  # Fri-Mon wraps the week
        else:
            days.append(_day(item, part))
    if not days:
        raise ValidationError(f"{part}: give the days first, e.g. “Mon-Fri 18:00-22:00”.")
    return sorted(set(days))


def _clock(hours, minutes, part):
    if int(hours) > 23 or int(minutes) > 59:
        raise ValidationError(f"{part}: {hours}:{minutes} is not a time of day (00:00 to 23:59).")
    return time(int(hours), int(minutes))


def parse_windows(text):
    """ "Mon-Fri 18:00-22:00; Sat 10:00-14:00" → [{weekdays, start_time, end_time}], or a
    ValidationError naming each part that cannot be read."""
    windows, errors = [], []
    parts = [p.strip() for p in (text or "").replace("\n", ";").split(";") if p.strip()]
    if not parts:
        raise ValidationError("Give at least one patrol window, e.g. “Mon-Fri 18:00-22:00”.")
    for n, part in enumerate(parts, 1):
        label = f"Window {n} (“{part}”)"
        try:
            days_text, _, times_text = part.partition(" ")
            match = TIMES.match(times_text.strip().replace(" ", "")) if times_text else None
            if match is None:
                raise ValidationError(
                    f"{label}: give days then times as HH:MM-HH:MM, e.g. “Sat 10:00-14:00”."
                )
            weekdays = _days(days_text, label)
            start, end = _clock(*match.groups()[:2], label), _clock(*match.groups()[2:], label)
            if start == end:
                raise ValidationError(f"{label}: the start and end are the same time.")
            windows.append({"weekdays": weekdays, "start_time": start, "end_time": end})
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return windows


def days_text(weekdays, dash="-"):
    """[0, 1, 2, 3, 4] → "Mon-Fri"; every day → "Daily"; [0, 2, 5, 6] → "Mon,Wed,Sat-Sun"."""
    days = sorted(set(weekdays))
    if days == list(range(7)):
        return "Daily"
    runs = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    names = PatrolWindow.WEEKDAYS
    return ",".join(
        names[r[0]] if len(r) == 1 else f"{names[r[0]]}{dash if len(r) > 2 else ','}{names[r[-1]]}"
        for r in runs
    )


def window_text(window, dash="-"):
    return f"{days_text(window.weekdays, dash)} {window.start_time:%H:%M}{dash}{window.end_time:%H:%M}"


def format_windows(windows):
    """The text ``parse_windows`` reads back, for a grid's stored windows."""
    return "; ".join(window_text(w) for w in windows)


class WindowsField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 2})

    def clean(self, value):
        return parse_windows(super().clean(value))


class HotGridForm(KeyboardFormMixin, forms.Form):
    """A hot grid with its outline given as GeoJSON or as a square cell around a point."""

    code = forms.CharField(max_length=30)
    name = forms.CharField(max_length=120)
    area = forms.ModelChoiceField(queryset=Area.objects.filter(kind=Area.Kind.NPU), label="NPU")
    operation = forms.ModelChoiceField(queryset=Operation.objects.all(), required=False)
    offence_groups = forms.ModelMultipleChoiceField(
        queryset=OffenceGroup.objects.all(), required=False, label="Crime focus",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    trial_arm = forms.ChoiceField(choices=[("", "None"), *HotGrid.Arm.choices], required=False)
    geometry = forms.CharField(
        required=False, label="Outline (GeoJSON)", widget=forms.Textarea(attrs={"rows": 5}),
        help_text='A GeoJSON Polygon or MultiPolygon in longitude, latitude: {"type": "Polygon", '
        '"coordinates": [[[-1.9, 52.48], …]]}. Or leave empty and give a square cell below.',
    )  # fmt: skip
    cell_lon = forms.FloatField(
        required=False, min_value=-180, max_value=180, label="Cell centre longitude", help_text="e.g. -1.8904"
    )
    cell_lat = forms.FloatField(
        required=False, min_value=-90, max_value=90, label="Cell centre latitude", help_text="e.g. 52.4862"
    )
    cell_size_m = forms.IntegerField(
        required=False, min_value=CELL_SIZE_M[0], max_value=CELL_SIZE_M[1], label="Cell size (metres)",
        help_text="e.g. 250",
    )  # fmt: skip
    windows = WindowsField(label="Patrol windows", help_text=WINDOWS_HELP)
    daily_dose_minutes = forms.IntegerField(
        min_value=1, max_value=1440, initial=15, label="Daily dose (minutes)",
        help_text="Once today's visits reach this many minutes the grid drops off the list to patrol.",
    )  # fmt: skip
    crime_share = forms.DecimalField(
        required=False, min_value=0, max_value=100, decimal_places=2, label="Share of crime (%)"
    )
    harm_share = forms.DecimalField(
        required=False, min_value=0, max_value=100, decimal_places=2, label="Share of harm (%)"
    )
    active_from = forms.DateField(widget=date_input(), initial=timezone.localdate)
    active_to = forms.DateField(widget=date_input(), required=False)
    ftdb_date = forms.DateField(widget=date_input(), required=False, label="FTDB date agreed")

    CELL = ("cell_lon", "cell_lat", "cell_size_m")
    used_cell = False

    @classmethod
    def initial_for(cls, grid):
        initial = {name: getattr(grid, name) for name in cls.base_fields if hasattr(grid, name)}
        initial.update(
            geometry=json.dumps(grid.geometry),
            offence_groups=list(grid.offence_groups.all()),
            windows=format_windows(grid.windows.all()),
        )
        return initial

    def clean_geometry(self):
        text = self.cleaned_data["geometry"].strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ValidationError(
                f"This is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
            ) from None
        if isinstance(value, dict) and value.get("type") == "Feature":
            value = value.get("geometry")
        return value

    def clean(self):
        data = super().clean()
        if "geometry" in self.errors:
            return data
        given = [name for name in self.CELL if str(self.data.get(name, "")).strip()]
        self.used_cell = bool(given)
        if data.get("geometry") is not None:
            if given:
                raise ValidationError("Give the outline as GeoJSON or as a square cell, not both.")
            return data
        if not given:
            self.add_error("geometry", "Give the outline as GeoJSON, or a square cell below.")
            return data
        for name in self.CELL:
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, "Needed for a square cell.")
        if not any(name in self.errors for name in self.CELL):
            data["geometry"] = square_cell(
                lon=data["cell_lon"], lat=data["cell_lat"], size_m=data["cell_size_m"]
            )
        return data

    def service_fields(self):
        """The keyword arguments of ``services.hot_grid_save``."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.CELL}
        data["trial_arm"] = data.get("trial_arm") or ""
        return data


class ComplianceFilterForm(forms.Form):
    """The compliance page's date range and operation, read from the URL."""

    operation = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["from"] = forms.DateField(
            required=False, widget=date_input(), label="From", initial=today - timedelta(days=27)
        )
        self.fields["to"] = forms.DateField(required=False, widget=date_input(), label="To", initial=today)
        self.fields["operation"].choices = [("", "Any"), *Operation.objects.values_list("code", "name")]
        self.order_fields(["from", "to", "operation"])

    def range(self):
        """(first day, last day, operation code) — the defaults where a value is missing or bad."""
        data = self.cleaned_data if self.is_valid() else {}
        first = data.get("from") or self.fields["from"].initial
        last = data.get("to") or self.fields["to"].initial
        return first, last, data.get("operation") or ""

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["to"] < data["from"]:
            self.add_error("to", "Must be on or after the start.")
        return data


class RandomiseForm(KeyboardFormMixin, forms.Form):
    seed = forms.IntegerField(min_value=0, max_value=2**62, help_text="Same seed, same assignment.")
    starts_on = forms.DateField(
        widget=date_input(), required=False, label="Trial starts on",
        help_text="Today or later: from this day the assignment is locked. Empty means today.",
    )  # fmt: skip
