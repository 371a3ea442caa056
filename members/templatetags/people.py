"""How a person is named on an accelerator's pages: ``{{ seat.user|shown:masked }}``."""

from django import template

register = template.Library()


@register.filter
def shown(user, masked) -> str:
    """The name the invitation gave someone only invited (``masked``, from
    ``members.invitations.masked_names``), else the person's own name."""
    if user is None:
        return ""
    return (masked or {}).get(user.pk) or user.get_full_name()
