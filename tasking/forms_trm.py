"""Forms of the TRM meeting's page (opening a meeting, its decisions, attendees and summary, the
carry-over or cancel of a mission not completed, reopening) and of its threat items."""

from django import forms

from operations.dates import day_check
from operations.models import Resource

from .forms import NEEDED, KeyboardFormMixin, VersionedForm, date_input
from .models import ThreatItem, TrmDecision
from .services.trm import DECISION_MAX_LENGTH


class MeetingOpenForm(KeyboardFormMixin, forms.Form):
    date = forms.DateField(widget=date_input(), label="Meeting date")

    def clean_date(self):
        return day_check(self.cleaned_data["date"])


class DecisionForm(KeyboardFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=TrmDecision.Kind.choices, initial=TrmDecision.Kind.OTHER)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, **NEEDED}), label="Decision", required=False,
        max_length=DECISION_MAX_LENGTH,
    )  # fmt: skip


class MeetingUpdateForm(KeyboardFormMixin, forms.Form):
    attendees = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One per line: name, role or unit.",
    )
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class CarryOverForm(VersionedForm):  # the version the TRM page showed: a stale page decides nothing
    resource = forms.ModelChoiceField(
        queryset=Resource.objects.filter(active=True), label="Resource",
        error_messages={"required": "choose the resource to carry it over to.",
                        "invalid_choice": "choose a resource that is in service."},
    )  # fmt: skip
    reason = forms.CharField(required=False, max_length=DECISION_MAX_LENGTH)
    override_reason = forms.CharField(required=False, label="Capacity override reason")


class MissionReasonForm(VersionedForm):
    reason = forms.CharField(
        required=False, max_length=DECISION_MAX_LENGTH, widget=forms.TextInput(attrs=NEEDED)
    )


class ReopenForm(KeyboardFormMixin, forms.Form):
    reason = forms.CharField(required=False, label="Why reopen", widget=forms.TextInput(attrs=NEEDED))


class ThreatItemForm(KeyboardFormMixin, forms.ModelForm):
    class Meta:
        model = ThreatItem
        fields = ["title", "category", "area", "risk_rating", "owner", "description", "actions", "status"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "actions": forms.Textarea(attrs={"rows": 3}),
        }
