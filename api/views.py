"""The Integrations page of an accelerator: API tokens and webhook endpoints, for its program admins.

A new token's secret (and a new endpoint's signing secret) is shown on the page that made it,
once: only its digest (the token) is kept where it could be shown again.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from members.access import ACCELERATOR_ADMIN
from members.policy import ADMIN, ADMIN_POST, access

from . import services, tokens
from .access import ENDPOINT_ADMIN, TOKEN_ADMIN
from .forms import TokenForm, WebhookForm
from .models import ApiToken, WebhookDelivery, WebhookEndpoint

TEMPLATE = "api/integrations.html"


def _page(request, accelerator, *, token_form=None, webhook_form=None, issued=None, new_endpoint=None):
    delivered = Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.DELIVERED))
    pending = Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.PENDING))
    failed = Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.FAILED))
    context = {
        "accelerator": accelerator,
        "theme_accelerator": accelerator,
        "api_tokens": ApiToken.objects.filter(accelerator=accelerator).select_related("created_by"),
        "endpoints": WebhookEndpoint.objects.filter(accelerator=accelerator, removed_at__isnull=True).annotate(
            delivered=delivered, pending=pending, failed=failed
        ),
        "token_form": token_form or TokenForm(),
        "webhook_form": webhook_form or WebhookForm(),
        "issued": issued,
        "new_endpoint": new_endpoint,
    }
    return render(request, TEMPLATE, context)


@access(ADMIN, ACCELERATOR_ADMIN)
def integrations(request, accelerator):
    """The page; a POST makes a token and shows it this once."""
    if request.method != "POST":
        return _page(request, accelerator)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, accelerator, token_form=form)
    try:
        issued = tokens.token_create(accelerator=accelerator, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, accelerator, token_form=form)
    return _page(request, accelerator, issued=issued)


@access(ADMIN_POST, ACCELERATOR_ADMIN)
def webhook_add(request, accelerator):
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _page(request, accelerator, webhook_form=form)
    added = services.endpoint_add(accelerator=accelerator, by=request.user, url=form.cleaned_data["url"])
    return _page(request, accelerator, new_endpoint=added)


@access(ADMIN_POST, TOKEN_ADMIN)
def token_revoke(request, token):
    if tokens.token_revoke(token=token):
        messages.success(request, _("The token “%(name)s” was revoked; it no longer works.") % {"name": token.name})
    return redirect("api_integrations", slug=token.accelerator.slug)


@access(ADMIN_POST, ENDPOINT_ADMIN)
def webhook_remove(request, endpoint):
    if services.endpoint_remove(endpoint=endpoint):
        messages.success(request, _("The webhook endpoint was removed; it will not be notified any more."))
    return redirect("api_integrations", slug=endpoint.accelerator.slug)
