"""The site's icon and web app manifest: a browser asking for /favicon.ico gets an icon, every
page links its icons, theme colour and manifest, and the manifest — served at the root by
dashboard.views_app.manifest, so that the installed app's scope is the whole site — names icons
that exist."""

import json

from django.conf import settings
from django.contrib.staticfiles import finders
from PIL import Image

MANIFEST_KEYS = {
    "name",
    "short_name",
    "icons",
    "theme_color",
    "background_color",
    "start_url",
    "display",
    "scope",
}


def test_favicon_ico_answers_with_an_icon_not_a_404(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/icons/favicon.ico"
    # The static file behind it (served by whitenoise, which tests switch off with DEBUG).
    with open(finders.find("icons/favicon.ico"), "rb") as file:
        assert file.read(4) == b"\x00\x00\x01\x00"  # an ICO file


def test_every_page_links_its_icons_theme_colour_and_manifest(client, db, coordinator):
    pages = [client.get("/connexion/").content.decode()]
    client.force_login(coordinator)
    pages.append(client.get("/").content.decode())
    for html in pages:
        assert '<link rel="icon" href="/static/icons/favicon.ico"' in html
        assert '<link rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml">' in html
        assert '<meta name="theme-color" content="#0b4f5c">' in html
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html
        assert "/static/manifest.webmanifest" not in html  # the old static file, gone


def test_the_manifest_is_served_at_the_root_as_valid_json_and_its_icons_exist(client, db):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content.decode("utf-8"))
    assert manifest.keys() >= MANIFEST_KEYS
    assert manifest["name"] == "Chantiers & Parcours"
    assert manifest["lang"] == "fr"
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert settings.STATIC_URL == "/static/"
    sizes = set()
    for icon in manifest["icons"]:
        assert icon["src"].startswith(settings.STATIC_URL), icon["src"]
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        assert path, f"{icon['src']} is missing"
        if icon["type"] == "image/png":
            with Image.open(path) as image:
                assert image.format == "PNG"
                assert f"{image.width}x{image.height}" == icon["sizes"]
                sizes.add(image.width)
    assert {192, 512} <= sizes  # what browsers ask for to install an app


def test_the_manifest_is_the_same_for_everyone(client, db, coordinator):
    """Nothing personal in it: the browser fetches it without the session too."""
    anonymous = client.get("/manifest.webmanifest").json()
    client.force_login(coordinator)
    assert client.get("/manifest.webmanifest").json() == anonymous
