"""Finding an API token or a webhook endpoint for the person asking: its accelerator's admin rules."""

from django.http import Http404

from members.access import get_accelerator_for_admin
from members.policy import Scope

from .models import ApiToken, WebhookEndpoint


def _for_admin(model, user, pk: int):
    row = model.objects.select_related("accelerator").filter(pk=pk).first()
    if row is None:
        raise Http404
    # 404 unless the accelerator is visible to them, 403 unless they administer it.
    row.accelerator = get_accelerator_for_admin(user, row.accelerator.slug)
    return row


TOKEN_ADMIN = Scope("token_id", "token", lambda user, pk: _for_admin(ApiToken, user, pk))
ENDPOINT_ADMIN = Scope("endpoint_id", "endpoint", lambda user, pk: _for_admin(WebhookEndpoint, user, pk))
