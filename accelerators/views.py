"""Project-level pages: the home page, the language switch and a health check."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views import i18n

from members.policy import PUBLIC_ACTION, PUBLIC_PAGE, access


@access(PUBLIC_PAGE)
def home(request):
    return render(request, "home.html")


@access(PUBLIC_PAGE)
def healthz(request):
    """Liveness for load balancers and the benchmarks' trivial baseline view."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


@access(PUBLIC_ACTION)
def set_language(request):
    """Django's language switch, which also remembers the choice for a signed-in reader."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(user._meta.get_field("preferred_language").choices):
        if user.preferred_language != language:
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
    return response
