"""Where a page sends a person back to: one rule for a ``next`` or a referer."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def local_url(request: HttpRequest, candidate: str, default: str) -> str:
    """``candidate`` when it is an address on this site (this host, and over HTTPS when
    the request came that way), else ``default``: a ``next`` or a referer never sends
    anyone to another site."""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
