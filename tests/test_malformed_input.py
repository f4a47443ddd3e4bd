"""Bad input answers 400/404 or a form's message, never a 500 (DESIGN §6): every address of the
app is opened by every role that may open it, and each parameter it reads is sent malformed —
an id that overflows the database's integer, "²" (``isdigit()`` is true), Arabic-Indic digits,
a NUL byte… — in the query string and in a POST. A page that needs only a log-in (no role: an
invitation, the organization switch, the password change…) is opened signed out and signed in.

The parameters are those the view reads: every read of ``request.GET`` / ``request.POST`` is
recorded while the page is opened, empty, then with the names of its forms' inputs filled, until
no new name is read. Each number in the address (``<int:…>``) is replaced too, in turn, by one
that overflows C's and the database's integers, and by 0: 404, or the log-in page.

Addresses are walked from the URL resolver: one added later is walked too, and the test fails
until it knows which rows fill its path.
"""

import re

import pytest
from django.conf import settings
from django.http import QueryDict
from django.shortcuts import resolve_url
from django.urls import reverse
from django.urls.converters import IntConverter
from django.utils.datastructures import MultiValueDict

from accounts.models import Role
from accounts.templatetags.guard import FIELD as GUARD_FIELD
from tests.walk import PATTERNS, FormDefaults, roles_of

MALFORMED = ["9" * 19, "9" * 30, "²", "-1", "abc", "", "1.5", "١٢", "\x00"]
# Numbers of an address: past C's int (datetime) and PostgreSQL's bigint, and no row's.
MALFORMED_NUMBERS = ["9" * 19, "9" * 30, "0"]


class Reads:
    """The names a view reads from ``request.GET`` or ``request.POST`` (QueryDicts): through a
    form's widgets, or by itself."""

    def __init__(self):
        self.by_forms: set[str] = set()
        self.by_views: set[str] = set()

    @property
    def all(self) -> set[str]:
        return self.by_forms | self.by_views


@pytest.fixture
def reads(monkeypatch):
    import sys

    recorded = Reads()
    for method in ("__getitem__", "get", "getlist", "__contains__"):
        original = getattr(MultiValueDict, method)

        def recording(self, key, *args, _original=original, **kwargs):
            if isinstance(self, QueryDict) and isinstance(key, str):
                caller = sys._getframe(1).f_code.co_filename.replace("\\", "/")
                by_form = "/django/forms/" in caller
                (recorded.by_forms if by_form else recorded.by_views).add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(MultiValueDict, method, recording)
    return recorded


INPUT_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"')
# Sent one at a time only: a form shown for another organization answers 409 before the view
# reads anything else.
NOT_SENT = {"csrfmiddlewaretoken", GUARD_FIELD}
DISCOVERY = "9" * 19


def _walkers(pattern) -> list[tuple[Role | None, bool]]:
    """Who opens the page, and whether with every malformed value: the first role that may open
    it does, the others send the three values that broke pages. A page that only needs a log-in
    is opened signed out and, to get past the log-in, as a counsellor: both with every value."""
    roles = roles_of(pattern)
    if roles == [None]:
        return [(None, True), (Role.COUNSELLOR, True)]
    return [(role, number == 0) for number, role in enumerate(roles)]


def _to_login(response) -> bool:
    login = resolve_url(settings.LOGIN_URL)
    return response.status_code == 302 and response.url.partition("?")[0] == login


def _check(response, what):
    assert response.status_code < 500, f"{what}: {response.status_code}"


def _send(client, url, method, data, role):
    response = getattr(client, method)(url, data)
    _check(response, f"{method.upper()} {url} as {role} with {data!r}")
    if method == "post" and response.status_code == 302:
        # Where the person lands: a filter kept in the session is read there.
        landing = client.get(response.url)
        _check(landing, f"GET {response.url} after POST {url} as {role} with {data!r}")
    return response


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_no_address_answers_500_to_malformed_parameters(client, world, reads, name):
    """Each role that may open the page sends every parameter at once with each malformed value
    (the first role every value, the others the three that broke pages); the parameters the view
    reads itself (not through a form: tests/accounts/test_text_rule.py walks every form's
    fields) are also sent one at a time, so that one refused does not hide another."""
    url = reverse(name, kwargs=world["paths"].get(name))
    for role, thorough in _walkers(PATTERNS[name]):
        if role is None:
            client.logout()
        else:
            client.force_login(world["users"][role])
        parameters, defaults = {}, {}
        for method in ("get", "post"):
            reads.by_forms.clear(), reads.by_views.clear()
            page = _send(client, url, method, {}, role)
            if role is not None and method == "get":
                assert not _to_login(page), f"{url} as {role}: the walk never reaches the view"
            shown = set()
            if page.get("Content-Type", "").startswith("text/html"):
                shown = set(INPUT_NAME.findall(page.content.decode()))
            if method == "get" and page.get("Content-Type", "").startswith("text/html"):
                defaults = FormDefaults(page.content.decode()).data
            if method == "post" and shown - NOT_SENT:
                _send(client, url, method, dict.fromkeys(shown - NOT_SENT, DISCOVERY), role)
            # Only what the view reads; one read only when another is there ("add", then
            # "participant"): sent again until no new name is read.
            names = reads.all - NOT_SENT
            while names:
                _send(client, url, method, dict.fromkeys(names, DISCOVERY), role)
                if reads.all - NOT_SENT <= names:
                    break
                names |= reads.all - NOT_SENT
            parameters[method] = (names, reads.by_views - {"csrfmiddlewaretoken"})
        values = MALFORMED if thorough else ["9" * 19, "²", "\x00"]
        for method, (names, read_by_the_view) in parameters.items():
            if not names:
                continue  # the view reads nothing: nothing to send
            for value in values:
                _send(client, url, method, dict.fromkeys(names, value), role)
            # The page's forms as they are, but for one parameter: the others valid.
            base = {k: v for k, v in defaults.items() if k not in NOT_SENT}
            for parameter in sorted(read_by_the_view) if thorough else []:
                for value in ("9" * 19, "9" * 30, "²", "\x00"):
                    _send(client, url, method, base | {parameter: [value]}, role)


WITH_NUMBERS = sorted(
    name
    for name, pattern in PATTERNS.items()
    if any(isinstance(c, IntConverter) for c in pattern.pattern.converters.values())
)


def test_a_malformed_number_in_an_address_answers_404_never_500(client, world):
    """Each ``<int:…>`` of each address in turn, the others those of real rows: 404 for a role
    that may open the page (the log-in page signed out), never a 500 — a year or a day too large
    for a date, an id too large for the database. A page that answers only POST (405) is posted
    to. One walk for all the addresses: the world is built once, and every failure is listed."""
    failures = []
    for name in WITH_NUMBERS:
        pattern, kwargs = PATTERNS[name], world["paths"][name]
        numbers = [k for k, c in pattern.pattern.converters.items() if isinstance(c, IntConverter)]
        for role, _thorough in _walkers(pattern):
            if role is None:
                client.logout()
            else:
                client.force_login(world["users"][role])
            for key in numbers:
                for value in MALFORMED_NUMBERS:
                    # The int converter writes any number, however large.
                    url = reverse(name, kwargs=kwargs | {key: int(value)})
                    what = f"{url} ({name}, {key}) as {role}"
                    try:
                        response = client.get(url)
                        if response.status_code == 405:
                            response = client.post(url)
                    except Exception as error:  # the test client raises what the view raised
                        failures.append(f"{what}: {error!r}")
                        continue
                    if response.status_code != 404 and not (role is None and _to_login(response)):
                        failures.append(f"{what}: {response.status_code}")
    assert not failures, "\n".join(failures)
