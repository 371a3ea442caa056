"""Project-level pages: the home page and a health check."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    return render(request, "home.html")


@require_GET
def healthz(request):
    """Liveness for load balancers and the benchmark's trivial baseline view."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


@require_GET
def ping(request):
    return HttpResponse("ok", content_type="text/plain")
