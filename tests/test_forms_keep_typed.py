"""A refused form loses nothing typed (DESIGN §7, issue 25): every form of every page, posted by a
role that may open it, with each text input typed and one of them holding a control character
(refused by the text rule on every way in, tests/accounts/test_text_rule.py), comes back on the
page — not a redirect that drops it — with every other typed value in its input.

The forms are those of the pages the URL resolver lists (tests/walk.py), as each page draws
them: a form added later is checked too.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from accounts.templatetags.guard import FIELD as GUARD_FIELD
from tests.walk import PATTERNS, FormDefaults, roles_of

TYPED = {"text", "email", "tel", "search", None}
# Forms that are not records typed by someone: the header's (language, organization, log-out),
# and the searches kept in the session, which redirect to their list by design (a search refused
# is said there, the other filters kept: tests/participants/test_participant_pages.py).
NOT_RECORDS = {
    "accounts:logout",
    "accounts:switch_organization",
    "accounts:language_set",
    "set_language",
    "participants:list",
    "partners:employer_list",
    "chantiers:group_add",
}


class _Forms(HTMLParser):
    """Each POST form of a page: its action and its typed inputs (text, e-mail, phone, areas)."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self.forms.append(
                {"action": attrs.get("action"), "post": method == "post", "typed": []}
            )
        elif self.forms and attrs.get("name") and "disabled" not in attrs:
            typed = tag == "textarea" or (tag == "input" and attrs.get("type") in TYPED)
            if typed and attrs.get("type") != "hidden":
                self.forms[-1]["typed"].append((attrs["name"], tag == "textarea"))


def _value(name: str, number: int) -> str:
    if "email" in name:
        return f"garde{number}@example.org"
    return f"Gardé {number} {name}"


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_a_refused_form_comes_back_with_everything_typed(client, world, name):
    url = reverse(name, kwargs=world["paths"].get(name))
    role = roles_of(PATTERNS[name])[-1]  # one role that may open it is enough here
    if role is not None:
        client.force_login(world["users"][role])
    page = client.get(url)
    if page.status_code != 200 or not page["Content-Type"].startswith("text/html"):
        return
    html = page.content.decode()
    posted = 0
    for form in _Forms(html).forms:
        action = urlsplit(urljoin(url, form["action"] or url)).path
        try:
            target = resolve(action).view_name
        except Resolver404:
            continue
        if not form["post"] or target in NOT_RECORDS or not form["typed"]:
            continue
        data = {k: v for k, v in FormDefaults(html).data.items() if k != GUARD_FIELD}
        typed = {
            field: _value(field, number) for number, (field, _area) in enumerate(form["typed"])
        }
        bad = form["typed"][0][0]
        sent = data | typed | {bad: "Texte\x07 invisible"}
        response = client.post(action, sent)
        posted += 1
        where = f"{name}: the form posted to {target} as {role}"
        assert response.status_code == 200, f"{where} answered {response.status_code}"
        shown = response.content.decode()
        for field, value in typed.items():
            if field != bad:
                assert value in shown, f"{where} lost {field}={value!r}"
    assert posted or name not in WITH_FORMS, f"{name}: its form is no longer found"


# Pages whose forms the walk must reach (so that a change of markup cannot silently skip them).
WITH_FORMS = {
    "participants:create",
    "participants:edit",
    "participants:detail",
    "chantiers:create",
    "chantiers:session_attendance",
    "chantiers:incident_create",
    "accounts:member_invite",
    "partners:referral_create",
    "partners:answer",
}
