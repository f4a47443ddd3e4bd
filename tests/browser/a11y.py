"""Accessibility checks for the browser journeys: axe-core on the page as it is at that moment
(after a save, after a refusal, with the menu open), and no sideways scrolling on a narrow phone.

axe-core comes inside the ``axe-playwright-python`` wheel (its ``axe.min.js``) and is injected
through Playwright, outside the page's Content-Security-Policy: nothing is fetched at run time.

Rules: WCAG 2.0, 2.1 and 2.2, levels A and AA, plus axe's best practices. The best practices are
not WCAG requirements, but the ones that fire on this site (a heading level skipped, content
outside any landmark, two navigations with the same name) are what a screen-reader user stumbles
on first, and they cost nothing to keep right once fixed.
"""

import os
import re

from axe_playwright_python.sync_playwright import Axe
from django.urls import Resolver404, resolve

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Violations accepted for now, by page (the URL's name) and axe rule, each with its reason.
# Keep it short: an entry here is a known defect with an owner, not a waiver.
ALLOWED: dict[tuple[str, str], str] = {}

_axe = Axe()


def _page_name(page) -> str:
    """The Django URL name of the page shown (``chantiers:session_attendance``), else its path."""
    path = re.sub(r"^https?://[^/]+", "", page.url).split("?")[0].split("#")[0]
    try:
        return resolve(path).view_name
    except Resolver404:
        return path


def _report(violations, *, where: str) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {where}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" — {violation['helpUrl'].split('?')[0]}"
        )
        for node in violation["nodes"][:8]:
            target = " ".join(str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}  {summary[:240]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def _settled(page) -> None:
    """The page as a person sees it once it stops moving: colours measured while a button's
    transition (Bootstrap's 0.15 s fade of a choice just ticked) is half-way are neither the
    before's nor the after's. Infinite animations (a spinner) are not waited for."""
    page.wait_for_function(
        """() => document.getAnimations().every(
            (a) => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity
        )""",
        timeout=5000,
    )


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now, minus the allowed ones."""
    _settled(page)
    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    results = _axe.run(page, options=options).response
    name = _page_name(page)
    return [v for v in results["violations"] if (name, v["id"]) not in ALLOWED]


def _record(report: str) -> bool:
    """A11Y_COLLECT=<file> writes the reports there instead of failing (to survey a change)."""
    target = os.environ.get("A11Y_COLLECT")
    if not target:
        return False
    with open(target, "a", encoding="utf-8") as file:
        file.write(report + "\n\n")
    return True


# Every state is checked on a phone and on a desktop (issue 25), whatever the journey's own width.
WIDTHS = (360, 1280)


def assert_accessible(page, state: str, *, widths=WIDTHS) -> None:
    """No axe violation on the page in this state, at its current width and at each of ``widths``
    (the height kept; the page's own width restored afterwards)."""
    viewport = page.viewport_size
    reports = []
    for width in (viewport["width"], *[w for w in widths if w != viewport["width"]]):
        if width != viewport["width"]:
            page.set_viewport_size({"width": width, "height": viewport["height"]})
        violations = axe_violations(page)
        if violations:
            where = f"{_page_name(page)} ({state}, {width} px)"
            reports.append(_report(violations, where=where))
    if page.viewport_size != viewport:
        page.set_viewport_size(viewport)
    if reports and not _record("\n".join(reports)):
        raise AssertionError("\n".join(reports))


def assert_no_sideways_scroll(page, state: str, *, widths=(320, 360)) -> None:
    """At each width, the page fits the screen: nothing to scroll to sideways (WCAG 1.4.10)."""
    viewport = page.viewport_size
    too_wide = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": viewport["height"]})
        scroll = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate("window.innerWidth")
        if scroll > inner:
            too_wide.append(f"{width} px: {scroll} px wide")
    page.set_viewport_size(viewport)
    assert not too_wide, f"{_page_name(page)} ({state}) scrolls sideways: {', '.join(too_wide)}"


def check_state(page, state: str, *, prefix: str) -> None:
    """A journey's state checked: axe, and nothing to scroll sideways. With ``SCREENSHOTS=folder``
    the state is also saved at its own width, 360 and 1280 px, to look at as a person would."""
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state)
    if folder := os.environ.get("SCREENSHOTS"):
        os.makedirs(folder, exist_ok=True)
        name = state.replace(" ", "-").replace("'", "")
        viewport = page.viewport_size
        for width in dict.fromkeys((viewport["width"], 360, 1280)):  # its own width first
            page.set_viewport_size({"width": width, "height": viewport["height"]})
            page.screenshot(path=f"{folder}/{prefix}-{name}-{width}.png", full_page=True)
        page.set_viewport_size(viewport)
