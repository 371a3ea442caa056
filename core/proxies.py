"""The client's address, as far as the proxies we trust can vouch for it (issue 15, points 8 and 9).

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each appending the address it received the request
from to ``X-Forwarded-For``, the client is the entry that many places from the end (counting
``REMOTE_ADDR``, the nearest proxy, as the last). Entries further left were written by the client
and prove nothing. With no trusted proxy the header is ignored: ``REMOTE_ADDR`` is the client.
"""

from ipaddress import ip_address

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    chain = [*forwarded, remote]
    candidate = chain[-(proxies + 1)] if len(chain) > proxies else chain[0]
    try:
        return str(ip_address(candidate))
    except ValueError:  # a proxy of ours never writes this: something is misconfigured, count the proxy
        return remote
