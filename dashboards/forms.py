"""The cohort board's filters: GET parameters, validated, so a shared link reopens the same view."""

from django import forms
from django.utils.translation import gettext_lazy as _

from challenges.models import Status
from cohorts.calendar import Phase
from dashboards.selectors import DEFAULT_SORT, SORTS, BoardFilters

SORT_CHOICES = [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]


class BoardFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search titles"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto", "autocomplete": "off"}),
    )
    entity = forms.TypedChoiceField(label=_("Lead entity"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    phase = forms.ChoiceField(label=_("Phase"), required=False)
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, widget=forms.HiddenInput)

    def __init__(self, data=None, *, entities: list[tuple[int, str]]):
        super().__init__(data)
        self.fields["entity"].choices = [("", _("All entities")), *entities]
        self.fields["status"].choices = [("", _("All statuses")), *Status.choices]
        self.fields["phase"].choices = [("", _("All phases")), *Phase.choices]
        self.fields["sort"].error_messages["invalid_choice"] = _("Choose a column to sort by.")

    def filters(self) -> BoardFilters:
        """The valid part of the input: a field that fails validation is shown and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return BoardFilters(
            entity=data.get("entity"),
            status=data.get("status") or "",
            phase=data.get("phase") or "",
            q=(data.get("q") or "").strip(),
            sort=data.get("sort") or DEFAULT_SORT,
        )
