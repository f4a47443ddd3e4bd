"""The site's icon and web app manifest: a browser asking for /favicon.ico gets an icon, every
page links its icons, theme colour and manifest, and the manifest names icons that exist."""

import json

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
}


def test_favicon_ico_answers_with_an_icon_not_a_404(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/icons/favicon.ico"
    # The static file behind it (served by whitenoise, which tests switch off with DEBUG).
    with open(finders.find("icons/favicon.ico"), "rb") as file:
        assert file.read(4) == b"\x00\x00\x01\x00"  # an ICO file


def test_every_page_links_its_icons_theme_colour_and_manifest(client, db):
    html = client.get("/connexion/").content.decode()
    assert '<link rel="icon" href="/static/icons/favicon.ico"' in html
    assert '<link rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml">' in html
    assert '<meta name="theme-color" content="#0b4f5c">' in html
    assert '<link rel="manifest" href="/static/manifest.webmanifest">' in html


def test_the_manifest_is_valid_json_and_its_icons_exist():
    with open(finders.find("manifest.webmanifest"), encoding="utf-8") as file:
        manifest = json.load(file)
    assert manifest.keys() >= MANIFEST_KEYS
    assert manifest["name"] == "Chantiers & Parcours"
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"])  # relative to the manifest, at the root of static/
        assert path, f"{icon['src']} is missing"
        if icon["type"] == "image/png":
            with Image.open(path) as image:
                assert f"{image.width}x{image.height}" == icon["sizes"]
                sizes.add(image.width)
    assert {192, 512} <= sizes  # what browsers ask for to install an app
