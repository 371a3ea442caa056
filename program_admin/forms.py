"""Forms for the program admin's pages; each message a person reads is translated."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from challenges import goals
from challenges.models import Challenge
from cohorts.models import Accelerator, Cohort, Entity
from core.l10n import LocalDecimalField
from core.text import require_one_line, validate_one_line
from members.models import Membership

from .models import CandidateChallenge, DecimalMark, Delimiter, Encoding

SCORE_CHOICES = [(n, str(n)) for n in range(6)]
SEAT_ROLES = [
    (Membership.Role.TEAM_LEAD, _("team lead")),
    (Membership.Role.COACH, _("coach")),
    (Membership.Role.SPONSOR, _("sponsor")),
    (Membership.Role.MEMBER, _("member")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


GOAL_NUMBERS = {
    name: LocalDecimalField for name in ("baseline_value", "target_value", "lower_bound", "upper_bound")
}  # typed by the one rule of core.l10n: "26,5" and "26.5" alike, shown without "100.0000"


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["number", "name", "design_start", "launch_date"]
        widgets = {"design_start": DateInput(), "launch_date": DateInput()}
        help_texts = {"launch_date": _("Day 0: the launch workshop. Day 1 is the day after.")}

    def __init__(self, *args, accelerator: Accelerator, **kwargs):
        super().__init__(*args, **kwargs)
        self.accelerator = accelerator
        require_one_line(self, "name")
        self.fields["number"].min_value = 1
        self.fields["number"].widget.attrs["min"] = 1

    def clean(self):
        data = super().clean()
        design_start, launch_date = data.get("design_start"), data.get("launch_date")
        if design_start and launch_date and design_start > launch_date:
            self.add_error("design_start", _("The design start must be on or before the launch day."))
        number = data.get("number")
        if number and Cohort.objects.filter(accelerator=self.accelerator, number=number).exists():
            self.add_error("number", _("This accelerator already has a cohort with this number."))
        return data


class CloneForm(CohortForm):
    source = forms.ModelChoiceField(
        label=_("Cohort to clone"),
        queryset=Cohort.objects.none(),
        help_text=_("Its settings, and its challenges that were not achieved or sustained, become candidates."),
    )

    class Meta(CohortForm.Meta):
        fields = ["source", "number", "name", "design_start", "launch_date"]

    def __init__(self, *args, accelerator: Accelerator, **kwargs):
        super().__init__(*args, accelerator=accelerator, **kwargs)
        self.fields["source"].queryset = Cohort.objects.filter(accelerator=accelerator)


class CandidateForm(forms.ModelForm):
    class Meta:
        field_classes = GOAL_NUMBERS
        model = CandidateChallenge
        fields = [
            "title",
            "lead_entity",
            "score_clear_goal",
            "score_touches_lives",
            "score_several_organisations",
            "score_achievable",
            "diagnosis_note",
            "metric",
            "unit",
            "unit_kind",
            "lower_bound",
            "upper_bound",
            "direction",
            "baseline_value",
            "baseline_period",
            "target_value",
            "cohort",
        ]
        widgets = {
            "diagnosis_note": forms.Textarea(attrs={"rows": 3}),
            **{
                name: forms.Select(choices=SCORE_CHOICES)
                for name in [
                    "score_clear_goal",
                    "score_touches_lives",
                    "score_several_organisations",
                    "score_achievable",
                ]
            },
        }
        help_texts = {
            "score_clear_goal": _("0 (not at all) to 5 (fully)."),
            "diagnosis_note": _("What the diagnosis found: the problem, its causes, who it touches."),
        }

    def __init__(self, *args, accelerator: Accelerator, **kwargs):
        super().__init__(*args, **kwargs)
        self.accelerator = accelerator
        self.instance.accelerator = accelerator
        require_one_line(self, "title")
        optional_unit_kind(self)
        self.fields["lead_entity"].queryset = Entity.objects.filter(accelerator=accelerator)
        self.fields["cohort"].queryset = Cohort.objects.filter(accelerator=accelerator, status=Cohort.Status.DRAFT)

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        clash = CandidateChallenge.objects.filter(accelerator=self.accelerator, title=title, challenge__isnull=True)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("The list already has an open candidate with this title."))
        return title

    def clean(self):
        return check_goal(self, super().clean())


class PickForm(forms.Form):
    candidates = forms.ModelMultipleChoiceField(
        label=_("Candidates"), queryset=CandidateChallenge.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    cohort = forms.ModelChoiceField(label=_("Draft cohort"), queryset=Cohort.objects.none())

    def __init__(self, *args, accelerator: Accelerator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].queryset = CandidateChallenge.objects.filter(
            accelerator=accelerator, challenge__isnull=True
        )
        self.fields["cohort"].queryset = Cohort.objects.filter(accelerator=accelerator, status=Cohort.Status.DRAFT)


class ChallengeForm(forms.ModelForm):
    class Meta:
        field_classes = GOAL_NUMBERS
        model = Challenge
        fields = [
            "title",
            "goal_statement",
            "lead_entity",
            "partner_entities",
            "metric",
            "unit",
            "unit_kind",
            "lower_bound",
            "upper_bound",
            "direction",
            "baseline_value",
            "baseline_period",
            "target_value",
        ]
        widgets = {
            "goal_statement": forms.Textarea(attrs={"rows": 3}),
            "partner_entities": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.instance.cohort = cohort
        require_one_line(self, "title")
        optional_unit_kind(self)
        entities = Entity.objects.filter(accelerator_id=cohort.accelerator_id)
        self.fields["lead_entity"].queryset = entities
        self.fields["partner_entities"].queryset = entities

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if Challenge.objects.filter(cohort=self.cohort, title=title).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("The cohort already has a challenge with this title."))
        return title

    def clean(self):
        return check_goal(self, super().clean())


def optional_unit_kind(form: forms.ModelForm) -> None:
    """Left empty, the kind follows from the unit ("%" is a percentage), as in the import."""
    field = form.fields["unit_kind"]
    field.required = False
    field.help_text = (
        _("Left empty, a unit of “%” makes a percentage, anything else “other”.") + " " + (str(field.help_text))
    )


def check_goal(form: forms.ModelForm, data: dict) -> dict:
    """The goal's rules (``challenges.goals``) on a form's baseline, target, kind and bounds."""
    kind = data.get("unit_kind") or goals.infer_kind(data.get("unit") or "")
    data["unit_kind"] = form.instance.unit_kind = kind
    low, high = data.get("lower_bound"), data.get("upper_bound")
    if low is not None and high is not None and low >= high:
        form.add_error("upper_bound", goals.MESSAGES[goals.BOUNDS_CROSSED])
        return data
    valid = goals.valid_range(unit_kind=kind, lower_bound=low, upper_bound=high)
    outside = False
    for name in ("baseline_value", "target_value"):
        value = data.get(name)
        if value is not None and value not in valid:
            form.add_error(name, valid.message)
            outside = True
    baseline, target = data.get("baseline_value"), data.get("target_value")
    if not outside and baseline is not None and target is not None:
        problem = goals.goal_problem(
            direction=data.get("direction") or "",
            baseline=baseline,
            target=target,
            unit_kind=kind,
            lower_bound=low,
            upper_bound=high,
        )
        if problem:
            form.add_error("target_value", goals.MESSAGES[problem])
    return data


class SeatForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=SEAT_ROLES)
    person = forms.ModelChoiceField(label=_("Person"), queryset=None, widget=forms.HiddenInput)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].error_messages["invalid_choice"] = _("Pick a person from the search results.")
        self.fields["person"].error_messages["required"] = _("Pick a person from the search results.")


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False, validators=[validate_one_line])
    role = forms.ChoiceField(label=_("Role"), choices=SEAT_ROLES)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept on the challenge's record."),
    )


class ReplaceTeamLeadForm(forms.Form):
    person = forms.ModelChoiceField(label=_("New team lead"), queryset=None, required=False, widget=forms.HiddenInput)
    email = forms.EmailField(
        label=_("…or invite by e-mail"), required=False, help_text=_("They receive a link to set a password.")
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False, validators=[validate_one_line])
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].error_messages["invalid_choice"] = _("Pick a person from the search results.")

    def clean(self):
        data = super().clean()
        if not data.get("person") and not data.get("email") and not self.errors:
            raise forms.ValidationError(_("Pick a person from the search results or give an e-mail address."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Challenge list"),
        help_text=_("A CSV file or an Excel workbook (.xlsx), at most %(limit)s."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {
            "limit": filesizeformat(settings.IMPORT_MAX_BYTES)
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the largest file accepted is %(limit)s."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(settings.IMPORT_MAX_BYTES)},
            )
        return upload


class ImportReadingForm(forms.Form):
    """How to read an uploaded CSV file: the preview's corrections, and what "Import" confirms."""

    encoding = forms.ChoiceField(label=_("Encoding"), choices=Encoding.choices)
    delimiter = forms.ChoiceField(label=_("Columns separated by"), choices=Delimiter.choices)
    decimal_mark = forms.ChoiceField(label=_("Numbers"), choices=DecimalMark.choices)


class LaunchForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have reviewed the cohort: launch it and hand it to the clock."),
        error_messages={"required": _("Tick the box to confirm the launch.")},
    )
