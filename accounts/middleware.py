from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from accounts.models import Membership
from accounts.two_factor import is_enrolled, two_factor_required


class CurrentOrganizationMiddleware:
    """Sets ``request.memberships``, ``request.membership`` and ``request.organization``, and
    ``request.pending_memberships`` (invitations waiting for the person's answer: they give no
    access, the banner offers to answer them).

    The current organization is the one last chosen with the switcher (kept on the account), if
    the user is still an active member there; otherwise their oldest active membership. Being
    added to a new organization therefore never changes where someone lands after log-in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = []
        request.pending_memberships = []
        request.membership = None
        request.organization = None
        if request.user.is_authenticated:
            # Accepted and pending in one query, told apart here.
            for membership in (
                Membership.objects.open()
                .filter(user=request.user)
                .select_related("organization")
                .order_by("created_at", "pk")
            ):
                if membership.is_pending:
                    request.pending_memberships.append(membership)
                else:
                    request.memberships.append(membership)
            if request.memberships:
                chosen = request.user.current_organization_id
                request.membership = next(
                    (m for m in request.memberships if m.organization_id == chosen),
                    request.memberships[0],
                )
                request.organization = request.membership.organization
        return self.get_response(request)


class LanguageMiddleware:
    """French unless the person chose otherwise: the language cookie (set by the switcher and at
    log-in from the account's preference), else the account's preference, else LANGUAGE_CODE.

    The browser's Accept-Language is ignored on purpose: many work computers in Brussels run an
    English browser, and the interface language of the service is French.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            user = request.user
            language = user.language if user.is_authenticated else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


class PrivateResponsesMiddleware:
    """Every answer to a signed-in person is ``Cache-Control: private, no-store``.

    Nearly every page, export and PDF behind the log-in carries personal data (a participant's
    page, a statement, a sign-in sheet, the team list); a rule per view would miss the next one.
    Neither a shared proxy nor the browser's disk cache keeps them; the static files (served by
    WhiteNoise before this middleware) keep their long cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class TwoFactorMiddleware:
    """A session whose account needs a second factor (accounts.two_factor) reaches nothing but
    the second step until it is done: the code page if the account has a device, else the
    enrolment page. The log-out, the language switch and the static files stay open.

    One rule at the door rather than a decorator per view: a new page cannot forget it.
    """

    OPEN_PATHS = (
        *("/connexion/", "/deconnexion/", "/langue/", "/static/", "/favicon"),
        *("/sw.js", "/manifest.webmanifest", "/hors-ligne/"),  # the installable app's files
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        request.second_step_pending = (
            user.is_authenticated
            and two_factor_required(user=user, memberships=request.memberships)
            and not user.is_verified()
        )
        if request.second_step_pending and not request.path.startswith(self.OPEN_PATHS):
            enrolled = is_enrolled(user)
            step = "accounts:two_factor_verify" if enrolled else "accounts:two_factor_setup"
            url = f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}"
            if request.htmx:
                return HttpResponse(status=204, headers={"HX-Redirect": url})
            return redirect(url)
        return self.get_response(request)
