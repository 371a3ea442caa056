from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from .provider import UAEPassProvider

urlpatterns = default_urlpatterns(UAEPassProvider)
