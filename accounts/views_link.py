"""The sign-in link's page (``accounts.signin_links``): public, no password.

GET shows "Se connecter comme <first name>" and a button, and spends nothing: a messaging app
that previews the link opens it too. POST spends the link and signs the person in.

The token rides in the query string and the form's body, never in the path: the access log keeps
the path only (Dockerfile, docker-compose), as do Django's request log and django-axes' log-in
records. The pages are never cached, and tell the browser to pass on the site's origin only,
never the address (``accounts.access.keep_link_private``).
"""

from django.conf import settings
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts import signin_links
from accounts.access import keep_link_private

TOKEN_FIELD = "t"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _unusable(request):
    """One answer for every link that cannot sign in (unknown, tampered, used, expired,
    revoked): nothing to learn from it but "ask for a new one"."""
    return keep_link_private(render(request, "accounts/signin_link_unusable.html", status=400))


@never_cache
def signin_link(request):
    source = request.POST if request.method == "POST" else request.GET
    token = source.get(TOKEN_FIELD, "")
    if request.method != "POST":
        try:
            link = signin_links.signin_link_peek(token=token)
        except signin_links.LinkUnusable:
            return _unusable(request)
        context = {"person": link.user, "token": token, "token_field": TOKEN_FIELD}
        return keep_link_private(render(request, "accounts/signin_link.html", context))
    try:
        user = signin_links.signin_link_use(token=token)
    except signin_links.LinkUnusable:
        return _unusable(request)
    # A new session (login() rotates the key; another account's session is flushed), recorded
    # by django-axes' log-in log as every log-in is.
    login(request, user, backend=BACKEND)
    response = redirect("volunteers:mine")
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
    return keep_link_private(response)
