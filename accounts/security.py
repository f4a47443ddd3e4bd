"""Who is knocking: the client address behind our proxies, and the log-in name, one way for all.

Used by django-axes (throttling) and by the audit log, so both see the same person.
"""

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings


def client_ip(request) -> str:
    """The client address as our own proxies saw it.

    With ``PROXY_COUNT`` trusted proxies in front, the address is the one that many entries from
    the right of X-Forwarded-For: entries further left were written by the client and can be
    forged. Without proxies, X-Forwarded-For is ignored altogether.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if settings.PROXY_COUNT <= 0:
        return remote
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < settings.PROXY_COUNT:
        return remote
    return forwarded[-settings.PROXY_COUNT]


def axes_username(request, credentials) -> str:
    """Log-in is case-insensitive, so the throttling counter must be too."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().lower()


class ClientAddressAuditlogMiddleware(AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request) or None
