"""Forms of the Mission Support screens. They check input types and shape; every rule about what
may happen lives in ``tasking.services``, whose ValidationErrors come back here as field errors."""

from datetime import UTC

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from operations.models import Area, Operation, OutcomeType, Resource

from .models import Assessment, Outcome, Request

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


class LocalDateTimeField(forms.DateTimeField):
    """A London wall-clock time to the minute. In the hour the clocks go back each time happens
    twice; the first (still BST) is taken, so the form accepts its own default of "now" then and a
    time typed in that hour is never later than it could have been. A time the clocks skip in the
    spring still gets Django's error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as exc:
            naive = (exc.params or {}).get("datetime") if exc.code == "ambiguous_timezone" else None
            if naive is None:
                raise
            zone = timezone.get_current_timezone()
            first = naive.replace(tzinfo=zone, fold=0)
            if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
                raise  # skipped by the clocks: no such time
            return first


def now_local():
    """Now, to the minute, in the form a datetime-local field shows."""
    return timezone.localtime().replace(second=0, microsecond=0)


def date_input():
    """A browser date picker: ``<input type=date>`` only takes YYYY-MM-DD, so the value is written
    that way whatever the display format (en-GB's 01/01/2020 would show as an empty field)."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class KeyboardFormMixin:
    """Autofocus the first field, or the first field in error once the form has been checked."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self._focus(self._first_visible())

    def _first_visible(self):
        return next((name for name, field in self.fields.items() if not field.widget.is_hidden), None)

    def _focus(self, name):
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)
        if name:
            self.fields[name].widget.attrs["autofocus"] = True

    def full_clean(self):
        super().full_clean()
        self._focus_first_error()

    def add_error(self, field, error):
        super().add_error(field, error)
        self._focus_first_error()

    def _focus_first_error(self):
        if not self._errors:
            return
        invalid = [
            name for name in self.fields if name in self._errors and not self.fields[name].widget.is_hidden
        ]
        self._focus(invalid[0] if invalid else self._first_visible())


class VersionedForm(KeyboardFormMixin, forms.Form):
    """Every mission action posts the version the user saw, so a stale page is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class StartForm(VersionedForm):
    pass


# A field the service requires but checks itself (its message says why it is needed): not marked
# optional, and the browser asks for it before posting.
NEEDED = {"required": True}


class ReasonForm(VersionedForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, **NEEDED}), required=False)


def deadline_help():
    defaults = ", ".join(
        f"{kind.replace('_', ' ')}s {hours} h" for kind, hours in settings.TASKING_DEADLINE_HOURS.items()
    )
    return (
        "Optional. Left empty, the kind's default applies: forensic arrests default to 48 h after "
        f"receipt ({defaults})."
    )


class RequestForm(KeyboardFormMixin, forms.ModelForm):
    class Meta:
        model = Request
        # In the order the form shows them, so the first field in error is the first one the eye meets.
        fields = [
            "kind", "forensic_hit", "area", "operation", "offence_group", "requested_by",
            "subject_reference", "subject_name", "location", "latitude", "longitude",
            "intelligence_summary", "received_at", "due_by",
        ]  # fmt: skip
        labels = {
            "area": "Source NPU",
            "forensic_hit": "Forensic hit",
            "subject_reference": "Subject reference",
            "received_at": "Received at",
            "due_by": "Due by",
        }
        field_classes = {"received_at": LocalDateTimeField, "due_by": LocalDateTimeField}
        widgets = {
            "received_at": DateTimeLocalInput(),
            "due_by": DateTimeLocalInput(),
            "intelligence_summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(kind__in=[Area.Kind.NPU, Area.Kind.FORCE])
        self.fields["operation"].queryset = Operation.objects.exclude(status=Operation.Status.CLOSED)
        self.fields["forensic_hit"].help_text = "Forensic-hit arrests only: fingerprint, DNA or footwear."
        self.fields["received_at"].initial = now_local
        self.fields["received_at"].show_hidden_initial = False
        self.fields["due_by"].help_text = deadline_help()
        self.fields["latitude"].help_text = "Optional, WGS84 (e.g. 52.4862). Give both or neither."


SCORE_CHOICES = [
    (1, "1 – very low"),
    (2, "2 – low"),
    (3, "3 – medium"),
    (4, "4 – high"),
    (5, "5 – very high"),
]


class AssessmentForm(KeyboardFormMixin, forms.Form):
    threat = forms.TypedChoiceField(choices=SCORE_CHOICES, coerce=int, initial=3)
    threat_rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Why this threat score"
    )
    risk = forms.TypedChoiceField(choices=SCORE_CHOICES, coerce=int, initial=3)
    risk_rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why this risk score")
    harm = forms.TypedChoiceField(choices=SCORE_CHOICES, coerce=int, initial=3)
    harm_rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why this harm score")
    research_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    enhanced_research_done = forms.BooleanField(required=False, label="Enhanced intelligence research done")
    decision = forms.ChoiceField(
        choices=[
            (Assessment.Decision.APPROVE, "Approve – create a mission"),
            (Assessment.Decision.REJECT, "Reject (Supervisor)"),
        ],
        initial=Assessment.Decision.APPROVE,
    )
    rejection_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Required when rejecting."
    )


class AllocateForm(VersionedForm):
    resource = forms.ModelChoiceField(queryset=Resource.objects.filter(active=True), empty_label="Choose…")
    reason = forms.CharField(
        required=False, help_text="Required when re-allocating to another resource within the period."
    )
    override_reason = forms.CharField(
        required=False,
        label="Capacity override reason",
        help_text="Supervisor only: allocate even though the resource is full.",
    )
    period = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, usage=None, can_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        if usage:
            free = {resource.pk: capacity - used for resource, used, capacity in usage}
            self.fields["resource"].label_from_instance = lambda r: f"{r} ({free.get(r.pk, 0)} free)"
        if not can_override:
            del self.fields["override_reason"]


class OutcomeForm(KeyboardFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Outcome
        fields = [
            "result", "arrests", "firearms", "ammunition_rounds", "knives_weapons",
            "drugs_class_a_grams", "drugs_class_b_grams", "drugs_class_c_grams", "cash_gbp", "vehicles",
            "other_finds", "home_office_outcome", "completed_at", "notes",
        ]  # fmt: skip
        labels = {
            "drugs_class_a_grams": "Class A drugs (g)",
            "drugs_class_b_grams": "Class B drugs (g)",
            "drugs_class_c_grams": "Class C drugs (g)",
            "knives_weapons": "Knives / weapons",
            "home_office_outcome": "Home Office outcome type",
        }
        field_classes = {"completed_at": LocalDateTimeField}
        widgets = {
            "completed_at": DateTimeLocalInput(),
            "other_finds": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_office_outcome"].queryset = OutcomeType.objects.all()
        self.fields["home_office_outcome"].required = False
        self.fields["completed_at"].initial = now_local

    def service_fields(self):
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class AreaCorrectionForm(KeyboardFormMixin, forms.Form):
    area = forms.ModelChoiceField(
        queryset=Area.objects.filter(kind__in=Request.SOURCE_AREA_KINDS).order_by("code"),
        label="Right NPU",
        empty_label=None,
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, **NEEDED}),
        required=False,  # the service says what is missing, with the other errors
        help_text="Recorded in the audit trail with the change.",
    )
