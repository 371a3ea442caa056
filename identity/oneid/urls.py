from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from .provider import OneIDProvider

urlpatterns = default_urlpatterns(OneIDProvider)
