from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from accounts.navigation import navigation_for

# The navigation's addresses, reversed once per URLconf rather than on every page.
_urls: dict[tuple, str] = {}


def _url(name: str) -> str:
    key = (settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), name)
    url = _urls.get(key)
    if url is None:
        url = _urls[key] = reverse(name)
    return url


def navigation(request):
    if getattr(request, "second_step_pending", False):
        # The password alone opens nothing: no menu leads anywhere until the code is typed.
        return {"second_step_pending": True}
    membership = getattr(request, "membership", None)
    path = request.path
    nav_items, user_menu_items = [], []
    for item in navigation_for(membership.role if membership else None):
        url = _url(item.url_name)
        entries = user_menu_items if item.in_user_menu else nav_items
        entries.append({"url": url, "label": item.label, "active": url == path})
    return {
        "nav_items": nav_items,
        "user_menu_items": user_menu_items,
        "current_membership": membership,
        "user_memberships": getattr(request, "memberships", []),
        "pending_invitations": getattr(request, "pending_memberships", []),
        "second_step_pending": False,
    }
