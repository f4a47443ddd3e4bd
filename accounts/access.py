"""The one access pattern every view uses.

A view is decorated with ``role_required(...)``: the user must be logged in, have a current
organization, and hold one of the roles there (otherwise 403). Objects are then fetched with
``get_scoped_or_404``, through the current organization, so another organization's record
answers 404 and its existence is not revealed.
"""

from functools import wraps
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import Role
from accounts.templatetags.guard import FIELD as GUARD_FIELD

M = TypeVar("M", bound=Model)

ALL_ROLES = frozenset(Role)


def role_required(*roles: Role):
    allowed = frozenset(roles) or ALL_ROLES

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if request.membership is None:
                return redirect("accounts:no_organization")
            if request.membership.role not in allowed:
                raise PermissionDenied
            if request.method == "POST" and _shown_for_another_organization(request):
                return render(request, "organization_changed.html", status=409)
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed
        return wrapper

    return decorator


def _shown_for_another_organization(request) -> bool:
    """The form (or htmx request) says which organization it was shown for: is it another?"""
    claimed = request.POST.get(GUARD_FIELD) or request.headers.get("X-Organization")
    return bool(claimed) and claimed != str(request.organization.pk)


def get_scoped_or_404(request, queryset: QuerySet[M], *, via: str = "organization", **lookup) -> M:
    """One object of ``queryset`` that belongs to the current organization, or 404."""
    return get_object_or_404(queryset.filter(**{via: request.organization}), **lookup)


# A page whose address is a key (a signed link in the query string): the browser passes on the
# site's origin only, never the address. Not "no-referrer": a browser told so posts the page's
# own form with "Origin: null", which Django's CSRF check refuses (tests/browser/
# test_referral_link_journey.py). Not "same-origin" either: the page's own styles and scripts
# would be fetched with the key in their Referer.
LINK_REFERRER_POLICY = "strict-origin"


def keep_link_private(response):
    response["Referrer-Policy"] = LINK_REFERRER_POLICY
    return response
