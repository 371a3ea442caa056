"""Signed-in pages are never stored by a browser's cache or a proxy (issue 15, point 7).

Pages show personal and government data; without a ``Cache-Control`` header a shared proxy may
keep them and a browser may show them again from its history after sign-out. A response that
sets ``Cache-Control`` itself (the per-accelerator theme stylesheet, the exports) keeps its own.
"""

from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
