"""The installable app: its manifest, its service worker and the page it shows without network
when the page asked for was never opened online. Open to everyone: a phone installs the app and
fetches its worker before anyone logs in."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control

from accounts.offline import HEADER

# The files the worker keeps at once, for the grid to open without network: the page shown
# for a page never opened online, then the static files of every page (their hashed names in
# production).
KEPT_STATIC = (
    "vendor/bootstrap/bootstrap.min.css",
    "css/app.css",
    "vendor/htmx/htmx.min.js",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "js/app.js",
    "js/offline-queue.js",
    "js/offline.js",
    "icons/favicon.svg",
    "icons/icon-192.png",
)


def _modified(name: str) -> float:
    path = finders.find(name)
    return Path(path).stat().st_mtime if path else 0


@cache_control(max_age=3600)
def manifest(request):
    """``/manifest.webmanifest``: the app's name, icons and colours, at the root with the app."""
    icons = [
        {"src": static("icons/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
    ]
    content = {
        "name": "Chantiers & Parcours",
        "short_name": "Chantiers",
        "description": (
            "Chantiers participatifs, bénévolat indemnisé et parcours d'insertion "
            "socioprofessionnelle"
        ),
        "lang": "fr",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": "#0b4f5c",
        "background_color": "#ffffff",
        "icons": icons,
    }
    return JsonResponse(
        content,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


@cache_control(no_cache=True)
def service_worker(request):
    """``/sw.js``, at the root so that its scope is the whole site. Always checked with the
    server (no-cache): a fixed worker reaches every phone at its next visit."""
    fallback = reverse("dashboard:offline")
    kept_files = [fallback, *(static(name) for name in KEPT_STATIC)]
    # The worker's caches are named after what they hold (a changed file, a new worker; in
    # development, where names carry no hash, after the files' times).
    stamp = "".join(kept_files)
    if settings.DEBUG:
        stamp += "".join(str(_modified(name)) for name in KEPT_STATIC)
    version = hashlib.sha256(stamp.encode()).hexdigest()[:12]
    context = {"version": version, "header": HEADER, "fallback": fallback, "kept_files": kept_files}
    return render(request, "sw.js", context, content_type="text/javascript; charset=utf-8")


def offline_fallback(request):
    """What the worker shows for a page never opened online, without network. Nothing personal
    in it: the worker keeps it for everyone."""
    return render(request, "offline.html")
