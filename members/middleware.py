"""Speak the signed-in reader's chosen language when the browser has not picked one for us."""

from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Runs after authentication: a saved preference beats Accept-Language, a cookie beats both."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.preferred_language
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)
