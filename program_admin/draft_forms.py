"""Forms for fixing drafts and correcting launched challenges (``program_admin.drafts``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge
from cohorts.models import Cohort
from cohorts.services import edit_token
from core.text import require_one_line
from members.models import Membership

from .forms import ChallengeForm, DateInput, check_goal


class CohortEditForm(forms.ModelForm):
    """A draft's name and dates, checked as a new cohort's are; ``token`` is the row's version as shown."""

    token = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = Cohort
        fields = ["name", "design_start", "launch_date"]
        widgets = {"design_start": DateInput(), "launch_date": DateInput()}
        help_texts = {"launch_date": _("Day 0: the launch workshop. Day 1 is the day after.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require_one_line(self, "name")
        self.fields["token"].initial = edit_token(self.instance.updated_at)

    def clean(self):
        data = super().clean()
        design_start, launch_date = data.get("design_start"), data.get("launch_date")
        if design_start and launch_date and design_start > launch_date:
            self.add_error("design_start", _("The design start must be on or before the launch day."))
        return data


class ConfirmForm(forms.Form):
    """A deletion's confirm step: the box must be ticked (it works without JavaScript)."""

    confirm = forms.BooleanField(
        label=_("Yes, delete it."), error_messages={"required": _("Tick the box to confirm the deletion.")}
    )


class ChallengeCorrectionForm(ChallengeForm):
    """After launch: the wording, the unit and the goal's numbers, partner entities, coach and sponsor.

    The direction and the valid range stay as launched; the goal's rules are checked against them.
    """

    token = forms.CharField(widget=forms.HiddenInput)
    coach = forms.EmailField(
        label=_("Coach (e-mail address)"),
        required=False,
        help_text=_("Someone new is invited and told at once."),
    )
    sponsor = forms.EmailField(label=_("Sponsor (e-mail address)"), required=False)
    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        max_length=100,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the baseline or the target changes; kept in the history and shown on the chart."),
    )

    class Meta(ChallengeForm.Meta):
        fields = [
            "title",
            "goal_statement",
            "lead_entity",
            "partner_entities",
            "metric",
            "unit",
            "unit_kind",
            "baseline_value",
            "baseline_period",
            "target_value",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        challenge = self.instance
        self.fields["token"].initial = edit_token(challenge.updated_at)
        for role in ("coach", "sponsor"):
            seat = next((s for s in challenge.memberships.all() if s.role == role), None)
            self.fields[role].initial = seat.user.email if seat else ""
            self.fields[role].widget.attrs["dir"] = "ltr"

    def clean(self):
        data = forms.ModelForm.clean(self)
        launched = Challenge.objects.only("direction", "lower_bound", "upper_bound").get(pk=self.instance.pk)
        for name in ("direction", "lower_bound", "upper_bound"):
            data[name] = getattr(launched, name)
        return check_goal(self, data)

    def seats(self) -> dict[str, str]:
        return {
            Membership.Role.COACH: self.cleaned_data.get("coach") or "",
            Membership.Role.SPONSOR: self.cleaned_data.get("sponsor") or "",
        }
