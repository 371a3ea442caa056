"""The team member's own pages: accepting an invitation (set a password, signed in)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.ids import posted_id

from .invitations import invitation_accept as accept_invitation
from .invitations import user_from_link
from .policy import PUBLIC, access


@access(PUBLIC)
def invitation_accept(request, uidb64: str, token: str):
    """Set a password from an invitation link; the link stops working once it has been used."""
    user = user_from_link(uidb64, token)
    if user is None:
        return render(request, "members/invitation_accept.html", {"valid": False}, status=200)
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        accept_invitation(
            user=user,
            password=form.cleaned_data["new_password1"],
            invitation_id=posted_id(request.GET.get("invitation")),
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your password is set. Welcome!"))
        return redirect("home")
    return render(request, "members/invitation_accept.html", {"valid": True, "form": form, "invitee": user})
