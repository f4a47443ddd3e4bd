"""Contrast of every state of the controls the site uses, measured on the colours Chromium
computes with the site's own stylesheets (WCAG 2.2: text 4.5:1, 1.4.3; focus indicator and the
border that shows where a field is 3:1 against what surrounds it, 1.4.11). axe-core checks text
at rest only: hover, checked and focused states, and fields' borders, are measured here."""

import random
import re

import pytest

from demo.accounts import seed_accounts
from tests.browser.conftest import log_in

# The button colours the templates use (the attendance grid's statuses included).
VARIANTS = ["primary", "secondary", "success", "danger", "warning"]
KINDS = [f"btn-{v}" for v in VARIANTS] + [f"btn-outline-{v}" for v in VARIANTS]

CONTROLS = "".join(
    f'<button type="button" class="btn {kind}" data-kind="{kind}">Retard</button>'
    f'<input type="radio" class="btn-check" name="r-{kind}" id="r-{kind}" checked>'
    f'<label class="btn {kind}" for="r-{kind}" data-checked="{kind}">Parti tôt</label>'
    for kind in KINDS
)
# The form fields: a text input, a select, a checkbox and a radio button, small and normal.
FIELDS = {
    "input": '<input class="form-control" aria-label="Nom">',
    "small input": '<input class="form-control form-control-sm" aria-label="Heures">',
    "select": '<select class="form-select" aria-label="Statut"><option>Présent</option></select>',
    "small select": (
        '<select class="form-select form-select-sm" aria-label="Statut"><option>—</option></select>'
    ),
    "checkbox": '<input type="checkbox" class="form-check-input" aria-label="Signée">',
    "radio": '<input type="radio" class="form-check-input" name="f-radio" aria-label="Vélo">',
}
FIELD_SAMPLES = "".join(f'<span data-field="{name}">{html}</span>' for name, html in FIELDS.items())
BORDER = """(element) => {
  const style = getComputedStyle(element);
  const backgrounds = [];
  for (let node = element.parentElement; node; node = node.parentElement) {
    backgrounds.push(getComputedStyle(node).backgroundColor);
  }
  return {border: style.borderTopColor, width: style.borderTopWidth, backgrounds};
}"""
INJECT = """(html) => {
  const style = document.createElement('style');
  style.textContent = '*, *::before, *::after { transition: none !important; }';
  document.head.append(style);
  const box = document.createElement('div');
  box.id = 'contrast-sample';
  box.className = 'd-flex flex-wrap gap-3 p-3';
  box.innerHTML = html;
  document.querySelector('main').prepend(box);
}"""
STYLE = """(element) => {
  const style = getComputedStyle(element);
  const backgrounds = [];
  for (let node = element; node; node = node.parentElement) {
    backgrounds.push(getComputedStyle(node).backgroundColor);
  }
  return {color: style.color, backgrounds, outline: style.outlineColor,
          outlineStyle: style.outlineStyle, shadow: style.boxShadow};
}"""


def _rgba(text: str) -> tuple[float, float, float, float]:
    parts = [float(x) for x in re.findall(r"[\d.]+", text)[:4]]
    return (*parts[:3], parts[3] if len(parts) == 4 else 1.0)


def _over(top, bottom):
    """``top`` (with its alpha) painted over the opaque ``bottom``."""
    alpha = top[3]
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(top[:3], bottom[:3], strict=True))


def _background(backgrounds: list[str]):
    """The opaque colour behind an element: its ancestors' backgrounds composed from the page up."""
    colour = (255.0, 255.0, 255.0)
    for layer in reversed(backgrounds):
        colour = _over(_rgba(layer), colour)
    return colour


def luminance(rgb) -> float:
    def channel(value):
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    """The WCAG contrast ratio of two opaque colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _text_contrast(page, locator) -> float:
    style = locator.evaluate(STYLE)
    background = _background(style["backgrounds"])
    return contrast(_over(_rgba(style["color"]), background), background)


def _focus_contrast(page, locator, *, ring_target=None) -> float:
    """The better of the focus ring's two colours against what surrounds the control."""
    page.keyboard.press("Shift")  # the last input was the keyboard: focus shows as it would
    locator.focus()
    shown = (ring_target or locator).evaluate(STYLE)
    surround = _background(shown["backgrounds"][1:])
    ratios = [1.0]
    if shown["outlineStyle"] != "none":
        ratios.append(contrast(_over(_rgba(shown["outline"]), surround), surround))
    if "rgb" in shown["shadow"]:  # Bootstrap's focus halo, or ours
        ratios.append(contrast(_over(_rgba(shown["shadow"]), surround), surround))
    return max(ratios)


@pytest.fixture
def sample(desktop, live_server, transactional_db):
    seed_accounts(rng=random.Random(2026))
    log_in(desktop, live_server, "chantier@demo.local")
    desktop.evaluate(INJECT, CONTROLS + FIELD_SAMPLES)
    desktop.mouse.move(0, 0)
    return desktop


def test_every_button_state_has_readable_text_and_a_visible_focus_ring(sample):
    page = sample
    measured = {}
    for kind in KINDS:
        button = page.locator(f"[data-kind={kind}]")
        checked = page.locator(f"[data-checked={kind}]")
        measured[f"{kind} at rest"] = _text_contrast(page, button)
        measured[f"{kind} checked"] = _text_contrast(page, checked)
        button.hover()
        measured[f"{kind} hovered"] = _text_contrast(page, button)
        page.mouse.move(0, 0)
        focus = _focus_contrast(page, button)
        measured[f"{kind} focus ring"] = focus
        radio = page.locator(f"#r-{kind}")
        measured[f"{kind} checked, focus ring"] = _focus_contrast(page, radio, ring_target=checked)
    failing = {
        state: round(ratio, 2)
        for state, ratio in measured.items()
        if ratio < (3 if "focus" in state else 4.5)
    }
    assert not failing, failing


def _border_contrast(locator) -> float:
    """The field's border against what is around it (the page behind the field)."""
    style = locator.evaluate(BORDER)
    assert float(style["width"].removesuffix("px")) >= 1, style
    surround = _background(style["backgrounds"])
    return contrast(_over(_rgba(style["border"]), surround), surround)


def test_every_field_shows_its_edge_at_rest_focused_and_checked(sample):
    """Bootstrap's grey border (#dee2e6, 1.3:1 on white) hardly shows where a field is."""
    page = sample
    measured = {}
    for name in FIELDS:
        field = page.locator(f"[data-field='{name}'] > :first-child")
        measured[f"{name} at rest"] = _border_contrast(field)
        page.keyboard.press("Shift")
        field.focus()
        measured[f"{name} focused"] = _border_contrast(field)
        if name in ("checkbox", "radio"):
            field.check()
            measured[f"{name} checked"] = _border_contrast(field)
        field.blur()
    failing = {state: round(ratio, 2) for state, ratio in measured.items() if ratio < 3}
    assert not failing, failing


def test_the_navigation_bar_keeps_its_text_and_focus_readable(sample):
    page = sample
    link = page.get_by_test_id("main-nav").get_by_role("link").first
    ratios = {"link at rest": _text_contrast(page, link)}
    link.hover()
    ratios["link hovered"] = _text_contrast(page, link)
    page.mouse.move(0, 0)
    ratios["link focus ring"] = _focus_contrast(page, link)
    menu = page.locator("#user-menu")
    ratios["user menu focus ring"] = _focus_contrast(page, menu)
    menu.click()
    item = page.locator("[aria-labelledby=user-menu] a").first
    ratios["menu entry focus ring"] = _focus_contrast(page, item)
    failing = {k: round(v, 2) for k, v in ratios.items() if v < (3 if "focus" in k else 4.5)}
    assert not failing, failing
