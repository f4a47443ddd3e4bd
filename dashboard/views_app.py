"""The installable app: its manifest, its service worker and the page it shows without network
when the page asked for was never opened online. Open to everyone: a phone installs the app and
fetches its worker before anyone logs in."""

from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

from accounts.offline import HEADER

# A new worker takes over when this changes, or when the files it names change (their hashed
# names in production).
WORKER_VERSION = "1"


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
    context = {"version": WORKER_VERSION, "header": HEADER}
    return render(request, "sw.js", context, content_type="text/javascript; charset=utf-8")


def offline_fallback(request):
    """What the worker shows for a page never opened online, without network. Nothing personal
    in it: the worker keeps it for everyone."""
    return render(request, "offline.html")
