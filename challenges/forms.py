"""Forms for what team leads and coaches post. They check the input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cohorts.models import User
from core.l10n import LocalDecimalField, format_number
from members.invitations import masked_names

from .goals import METRIC_DIGITS, PLAUSIBLE_SPAN_FACTOR, plausible_range, range_of, value_problem
from .models import Blocker

CONFIDENCE_CHOICES = [
    (1, _("1 – very low")),
    (2, _("2 – low")),
    (3, _("3 – medium")),
    (4, _("4 – high")),
    (5, _("5 – very high")),
]


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)


class CheckInForm(forms.Form):
    value = LocalDecimalField(
        label=_("Metric value"),
        error_messages={
            "required": _("Enter this period's value of the metric."),
            "invalid": _("Enter a number, such as 42 or 12.5."),
            "max_digits": _("Enter a number with at most 14 digits before the decimal point."),
            "max_decimal_places": _("Enter at most 4 digits after the decimal point."),
            "max_whole_digits": _("Enter a number with at most 14 digits before the decimal point."),
        },
        **METRIC_DIGITS,
    )
    done = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        max_length=5000,
        error_messages={"required": _("Say what the team did in this period.")},
    )
    next_steps = forms.CharField(
        label=_("Next steps"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )
    confidence = forms.TypedChoiceField(
        label=_("Confidence of reaching the target"),
        choices=CONFIDENCE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how confident the team is, from 1 to 5.")},
    )
    version = VersionField(required=False)

    def __init__(self, *args, challenge, **kwargs):
        super().__init__(*args, **kwargs)
        self.challenge = challenge
        unit = challenge.unit
        self.fields["value"].help_text = (
            _("In %(unit)s. Baseline %(baseline)s, target %(target)s.")
            if unit
            else _("Baseline %(baseline)s, target %(target)s.")
        ) % {
            "unit": unit,
            "baseline": format_number(challenge.baseline_value),
            "target": format_number(challenge.target_value),
        }
        self.fields["value"].help_text += " " + range_of(challenge).hint

    def clean_value(self):
        value = self.cleaned_data["value"]
        low, high = plausible_range(baseline=self.challenge.baseline_value, target=self.challenge.target_value)
        if not low <= value <= high:
            raise forms.ValidationError(
                _(
                    "This value is far outside the goal's range (more than %(factor)s times the distance from "
                    "baseline to target); check it for a typing mistake."
                ),
                code="implausible",
                params={"factor": PLAUSIBLE_SPAN_FACTOR},
            )
        outside = value_problem(goal=self.challenge, value=value)
        if outside:
            raise forms.ValidationError(outside, code="outside_range")
        return value

    def clean_done(self):
        done = self.cleaned_data["done"].strip()
        if not done:
            raise forms.ValidationError(_("Say what the team did in this period."), code="required")
        return done


class BlockerForm(forms.Form):
    description = forms.CharField(
        label=_("What is blocking the team"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        error_messages={"required": _("Say what is blocking the team.")},
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Blocker.Severity.choices, initial=Blocker.Severity.MEDIUM, widget=forms.RadioSelect
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        help_text=_("The team member who chases it until it is removed."),
        error_messages={
            "required": _("Choose who on the team owns this blocker."),
            "invalid_choice": _("Choose a member of this challenge's team."),
        },
    )
    decision_needed_by = forms.DateField(
        label=_("Due date"),
        help_text=_("The day a decision is needed by. If the blocker is still open after it, the sponsor is told."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the day a decision is needed by."),
            "invalid": _("Enter a date, such as 2026-05-31."),
        },
    )

    def __init__(self, *args, challenge, by=None, **kwargs):
        super().__init__(*args, **kwargs)
        team = User.objects.filter(memberships__challenge=challenge).distinct().order_by("full_name", "email")
        self.fields["owner"].queryset = team
        # Someone only invited to the accelerator is named as the invitation named them.
        masked: dict[int, str] = {}

        def label(person) -> str:
            if not masked:  # read once, when the choices are first drawn
                masked.update(masked_names(challenge.cohort.accelerator, team.values("pk")) or {0: ""})
            return masked.get(person.pk) or person.get_full_name()

        self.fields["owner"].label_from_instance = label
        if by is not None and not self.is_bound and team.filter(pk=by.pk).exists():
            self.fields["owner"].initial = by.pk

    def clean_description(self):
        description = self.cleaned_data["description"].strip()
        if not description:
            raise forms.ValidationError(_("Say what is blocking the team."), code="required")
        return description


class BlockerResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("How was it resolved?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        error_messages={"required": _("Say how the blocker was removed.")},
    )
    version = VersionField(error_messages={"required": _("Reload the page and try again.")})


class StationDoneForm(forms.Form):
    done_on = forms.DateField(
        label=_("Done on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date it was done."),
            "invalid": _("Enter a date, such as 2026-05-31."),
        },
    )
