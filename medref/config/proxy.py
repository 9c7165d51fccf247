"""Believe X-Forwarded-* headers only from the reverse proxies the operator names.

Any client can send X-Forwarded-Proto or X-Forwarded-For. Unless the request comes straight from
an address in MEDREF_TRUSTED_PROXIES, this middleware deletes those headers, so nothing later
(Django's HTTPS detection, the sign-in and email throttles) can be fooled by them. When it does
come from a trusted proxy, the client's address is taken from X-Forwarded-For and put in
REMOTE_ADDR, so the rest of medref sees the real client, not the proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from medref.config.env import Network

# Headers a proxy sets and a client can forge (as they appear in request.META).
FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted(address: str | None, proxies: Sequence[Network]) -> bool:
    found = _address(address or "")
    return found is not None and any(found in network for network in proxies)


def client_from_forwarded_for(header: str, proxies: Sequence[Network]) -> str | None:
    """The client's address: the right-most X-Forwarded-For entry that is not one of our proxies.

    Entries to the left of it were written by whoever sent the request and prove nothing. None
    when the header holds no usable address.
    """
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        found = _address(hop)
        if found is None:
            return None  # a malformed hop: nothing to its left can be believed either
        if not any(found in network for network in proxies):
            return str(found)
    return str(_address(hops[0])) if hops else None  # every hop is ours: the first one


class TrustedProxyMiddleware:
    """First in MIDDLEWARE: drops forged forwarding headers, or unwraps a trusted proxy's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.proxies: tuple[Network, ...] = tuple(settings.MEDREF_TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if self.proxies and is_trusted(meta.get("REMOTE_ADDR"), self.proxies):
            client = client_from_forwarded_for(meta.get("HTTP_X_FORWARDED_FOR", ""), self.proxies)
            if client:
                meta["REMOTE_ADDR"] = client
        else:
            for header in FORWARDING_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)
