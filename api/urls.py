"""The API under /api/v1/ and the Integrations pages under /manage/.

Every API route declares its policy here (the access matrix reads ``access_policy`` from each
URL's view, as for the pages); a route without one fails at import. Any other address under
/api/ is a 404, answered as Problem Details by ``api.problems.ProblemResponses``.
"""

from django.core.exceptions import ImproperlyConfigured
from django.urls import path

from members import policy

from . import views
from .api import api

API_POLICIES = {
    "api-root": policy.API_ROOT,
    "openapi-json": policy.API_PUBLIC,
    "api_accelerators": policy.API_LIST,
    "api_cohorts": policy.API_LIST,
    "api_challenges": policy.API_LIST,
    "api_checkins": policy.API_LIST,
    "api_accelerator": policy.API_ACCELERATOR,
    "api_cohort": policy.API_COHORT,
    "api_challenge": policy.API_CHALLENGE,
    "api_checkin_post": policy.API_CHECKIN_POST,
}


def _declared(patterns):
    for pattern in patterns:
        if pattern.name not in API_POLICIES:
            raise ImproperlyConfigured(f"the API route {pattern.name!r} declares no policy in api/urls.py")
        pattern.callback.access_policy = API_POLICIES[pattern.name]
    return patterns


# Not named app_name / namespace here: include() would read them as this module's own.
_api_patterns, _api_app, _api_namespace = api.urls
urlpatterns = [
    path("api/v1/", (_declared(_api_patterns), _api_app, _api_namespace)),
    path("manage/<slug:slug>/integrations/", views.integrations, name="api_integrations"),
    path("manage/<slug:slug>/integrations/webhooks/", views.webhook_add, name="api_webhook_add"),
    path("manage/integrations/tokens/<int:token_id>/revoke/", views.token_revoke, name="api_token_revoke"),
    path("manage/integrations/webhooks/<int:endpoint_id>/remove/", views.webhook_remove, name="api_webhook_remove"),
]
