"""The form of one artifact, built from its spec (``journey.artifacts``): the service does the cleaning."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .artifacts import ArtifactSpec, FieldType


def _initial_text(spec_field, value) -> str:
    if value is None:
        return ""
    if spec_field.type == FieldType.ROWS:
        return "\n".join(" | ".join(cells) for cells in value)
    return str(value)


class ArtifactForm(forms.Form):
    """One field per spec field; every value arrives as text and ``clean_content`` reads it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, spec: ArtifactSpec, team=(), content=None, **kwargs):
        super().__init__(*args, prefix=spec.kind, **kwargs)
        self.spec = spec
        content = content or {}
        for spec_field in spec.fields:
            self.fields[spec_field.name] = self._field(spec_field, team)
            self.fields[spec_field.name].initial = _initial_text(spec_field, content.get(spec_field.name))

    @staticmethod
    def _field(spec_field, team) -> forms.Field:
        common = {"label": spec_field.label, "help_text": spec_field.help, "required": spec_field.required}
        attrs = {"dir": "auto"}
        if spec_field.required:
            attrs["aria-required"] = "true"
        if spec_field.type == FieldType.CHOICE:
            return forms.ChoiceField(choices=[("", "—"), *spec_field.choices], **common)
        if spec_field.type == FieldType.PERSON:
            people = [(seat.user_id, seat.user.get_full_name()) for seat in team]
            return forms.ChoiceField(choices=[("", "—"), *people], **common)
        if spec_field.type in (FieldType.LONG_TEXT, FieldType.ROWS):
            return forms.CharField(widget=forms.Textarea(attrs={**attrs, "rows": 4}), strip=False, **common)
        if spec_field.type in (FieldType.SCORE, FieldType.NUMBER, FieldType.DECIMAL):
            return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
        return forms.CharField(widget=forms.TextInput(attrs=attrs), max_length=500, **common)


class PledgeForm(forms.Form):
    text = forms.CharField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label=_("I have read this pledge and sign it in my own name."))
