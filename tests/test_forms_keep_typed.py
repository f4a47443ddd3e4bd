"""A refused form loses nothing typed (DESIGN §7, issue 25): every form of every page, posted by
every role that may open the page, comes back refused — on the page, not a redirect that drops
it — with each field as it was typed, in its own input.

Each field is given a value of its type that differs from what the page showed (a text, an
e-mail, a date, a number within its bounds, another option of a select, another radio, a box
ticked or unticked) and one field is made invalid: a control character in a text field (refused
by the text rule on every way in, tests/accounts/test_text_rule.py), else an impossible date, a
number out of bounds, an option that is not offered. The refused page is then read like a
browser would: an input's value, a textarea's text, the option selected, the box checked.

Not compared: a file input (a browser never sends a chosen file back, so the page asks for it
again: tests/chantiers/test_year_change_pages.py), a password (never written back, by design),
hidden and read-only inputs (nobody types them), the invalid field itself. Not posted: a button
alone, or a box to tick to confirm (nothing typed). The pages are those the URL resolver lists
(tests/walk.py), opened by every role that may open them in a world where each form is shown
(tests/forms_world.py): a form added later is checked too.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from accounts.models import Role
from tests.forms_world import url_of, world_in_transaction
from tests.walk import PATTERNS, roles_of

# Forms that are not records typed by someone: the header's (language, organization, log-out),
# and the searches and filters kept in the session, which redirect to their list by design (a
# search refused is said there, the other filters kept: tests/participants/
# test_participant_pages.py).
NOT_RECORDS = {
    "accounts:logout",
    "accounts:switch_organization",
    "accounts:language_set",
    "set_language",
    "participants:list",
    "partners:employer_list",
    "partners:referral_list",
    "partners:inbox",
    "chantiers:group_add",
}
# A page open to anyone but that asks for a log-in is opened by someone with no second factor.
LOGGED_IN = Role.COUNSELLOR
BUTTONS = {"submit", "button", "reset", "image"}
NOT_TYPED = {"hidden", "file", "password"}
FREE_TEXT = {"text", "search", "email", "tel", "url"}
BAD_TEXT = "Texte\x07 invisible"
BAD_DATE = "31/02/2026"
NOT_OFFERED = "9" * 19


@dataclass
class Field:
    tag: str  # input, select, textarea
    type: str  # input's type; "select", "select-multiple", "textarea"
    name: str
    attrs: dict
    value: str = ""
    checked: bool = False
    options: list = field(default_factory=list)  # (value, selected, disabled)

    @property
    def typed(self) -> bool:
        """Given a value by the person: sent by the browser and not of NOT_TYPED."""
        return self.type not in NOT_TYPED and "readonly" not in self.attrs

    @property
    def free_text(self) -> bool:
        numeric = self.attrs.get("inputmode") in ("decimal", "numeric")
        return self.type == "textarea" or (self.type in FREE_TEXT and not numeric)

    def shown(self):
        """What a browser shows: the value, the box checked, the options selected (the first
        when none is)."""
        if self.type in ("checkbox", "radio"):
            return self.checked
        if self.tag == "select":
            chosen = [value for value, selected, _disabled in self.options if selected]
            if not chosen and self.type == "select" and self.options:
                chosen = [self.options[0][0]]
            return sorted(chosen)
        return self.value


@dataclass
class Form:
    action: str | None
    post: bool
    fields: list = field(default_factory=list)
    submit: tuple | None = None  # the first submit button: (name, value), pressed by Enter

    def keyed(self) -> dict:
        """Each field by a key that finds it again on the refused page: (name, value) for a box
        or a radio, (name, rank among the inputs of that name) for the others."""
        keys, ranks = {}, {}
        for f in self.fields:
            if f.type in ("checkbox", "radio"):
                keys[(f.name, f.value)] = f
            else:
                ranks[f.name] = ranks.get(f.name, -1) + 1
                keys[(f.name, ranks[f.name])] = f
        return keys


class Forms(HTMLParser):
    """The forms of a page and their fields as a browser reads them (disabled ones left out: a
    browser does not send them)."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[Form] = []
        self._form = self._select = self._textarea = None
        self._disabled_fieldsets = 0
        self._option = None
        self.feed(html)
        self.close()

    def _add(self, f: Field) -> None:
        if self._form is not None and not self._disabled_fieldsets and "disabled" not in f.attrs:
            self._form.fields.append(f)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self._form = Form(action=attrs.get("action"), post=method == "post")
            self.forms.append(self._form)
        elif tag == "fieldset" and "disabled" in attrs:
            self._disabled_fieldsets += 1
        elif tag in ("input", "button"):
            kind = (attrs.get("type") or ("text" if tag == "input" else "submit")).lower()
            if kind in ("submit", "image") and self._form and self._form.submit is None:
                self._form.submit = (name, attrs.get("value") or "")
            if name and tag == "input" and kind not in BUTTONS:
                value = attrs.get("value")
                if kind in ("checkbox", "radio") and value is None:
                    value = "on"
                self._add(Field(tag, kind, name, attrs, value or "", "checked" in attrs))
        elif tag == "select" and name:
            kind = "select-multiple" if "multiple" in attrs else "select"
            self._select = Field(tag, kind, name, attrs)
            self._add(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), "selected" in attrs, "disabled" in attrs, ""]
            self._select.options.append(self._option)
        elif tag == "textarea" and name:
            self._textarea = Field(tag, "textarea", name, attrs)
            self._add(self._textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "fieldset" and self._disabled_fieldsets:
            self._disabled_fieldsets -= 1
        elif tag == "select" and self._select is not None:
            self._select.options = [
                (text.strip() if value is None else value, selected, disabled)
                for value, selected, disabled, text in self._select.options
            ]
            self._select = self._option = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            # The newline after <textarea> is not part of its text (HTML's parsing rule).
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None:
            self._option[3] += data


# --- Typing ---------------------------------------------------------------------------------


def _number(f: Field, n: int) -> str:
    """A number within the input's bounds and step, other than the one shown."""
    step = f.attrs.get("step") or "1"
    step = Decimal("1") if step == "any" else Decimal(step)
    low, high = (_decimal(f.attrs.get(bound)) for bound in ("min", "max"))
    shown = _decimal(f.value)
    start = shown if shown is not None else (low if low is not None else Decimal(0))
    value = start + step * (n + 1)
    if high is not None and value > high:
        value = start - step * (n + 1)
    places = max(0, -step.as_tuple().exponent)
    return f"{value:.{places}f}"


def _decimal(text):
    try:
        return Decimal(text.replace(",", ".")) if text else None
    except InvalidOperation:
        return None


def _date(f: Field, n: int) -> str:
    try:
        start = dt.date.fromisoformat(f.value)
    except ValueError:
        start = dt.date(2026, 3, 2)
    value = start + dt.timedelta(days=n + 1)
    if f.attrs.get("max") and value.isoformat() > f.attrs["max"]:
        value = start - dt.timedelta(days=n + 1)
    if f.attrs.get("min") and value.isoformat() < f.attrs["min"]:
        value = dt.date.fromisoformat(f.attrs["min"]) + dt.timedelta(days=n + 1)
    return value.isoformat()


def _text(f: Field, n: int) -> str:
    mode = f.attrs.get("inputmode")
    if mode == "decimal":
        value = f"{n + 1},25"  # as the French page writes them (USE_L10N, "4,00")
    elif mode == "numeric":
        value = str(n + 3)
    elif f.type == "email":
        value = f"garde{n}@example.org"
    elif f.type == "tel":
        value = f"+32 470 00 00 {n:02d}"
    elif f.type == "url":
        value = f"https://example.org/{n}"
    else:
        value = f"Gardé {n} {f.name}"
    maxlength = f.attrs.get("maxlength")
    return value[: int(maxlength)] if maxlength and maxlength.isdigit() else value


def _other_option(f: Field) -> list[str]:
    shown = f.shown()
    others = [
        value for value, _selected, disabled in f.options if value not in shown and not disabled
    ]
    if not others:
        return shown
    return [next((value for value in others if value), others[0])]


def typed_values(form: Form) -> dict:
    """What the person types: each field a value of its type other than the one shown."""
    sent: dict[str, list[str]] = {}
    chosen_radio: dict[str, str] = {}
    for n, f in enumerate(form.fields):
        if f.type == "file":
            continue  # a file chosen is not sent back by the browser, nor compared
        if f.type == "radio":
            group = [r for r in form.fields if r.type == "radio" and r.name == f.name]
            if f.name not in chosen_radio:
                other = next((r.value for r in group if not r.checked), group[0].value)
                chosen_radio[f.name] = other
                sent.setdefault(f.name, []).append(other)
            continue
        if f.type == "password":
            value = ["Mot de passe 2026 !"]  # sent, never shown back
        elif not f.typed:
            value = [f.value]  # hidden or read-only: sent as shown
        elif f.type == "checkbox":
            value = [] if f.checked else [f.value]
        elif f.tag == "select":
            value = _other_option(f)
        elif f.type in ("number", "range"):
            value = [_number(f, n)]
        elif f.type == "date":
            value = [_date(f, n)]
        elif f.type == "time":
            value = [f"{(7 + n) % 24:02d}:45"]
        elif f.type == "datetime-local":
            value = [f"{_date(f, n)}T{(7 + n) % 24:02d}:45"]
        elif f.type == "month":
            value = [f"2026-{(n % 12) + 1:02d}"]
        else:
            value = [_text(f, n)]
        sent.setdefault(f.name, []).extend(value)
    return sent


def one_invalid(form: Form) -> tuple[Field, list[str]] | None:
    """The field made invalid and what is sent for it: a text field if there is one (an e-mail,
    a phone, an address only when there is no other), else a date, a number, a select, a radio
    group. None for boxes alone: a confirmation, nothing typed to lose."""
    typed = [f for f in form.fields if f.typed]
    for test, bad in (
        (lambda f: f.free_text and f.type in ("text", "search", "textarea"), lambda f: BAD_TEXT),
        (lambda f: f.free_text, lambda f: BAD_TEXT),
        (lambda f: f.type == "date", lambda f: BAD_DATE),
        (lambda f: f.type in ("number", "range"), _out_of_bounds),
        (lambda f: f.attrs.get("inputmode") in ("decimal", "numeric"), lambda f: "douze"),
        (lambda f: f.tag == "select" or f.type == "radio", lambda f: NOT_OFFERED),
    ):
        chosen = next((f for f in typed if test(f)), None)
        if chosen is not None:
            return chosen, [bad(chosen)]
    return None


def _out_of_bounds(f: Field) -> str:
    if f.attrs.get("max"):
        return str(Decimal(f.attrs["max"]) + 1)
    if f.attrs.get("min"):
        return str(Decimal(f.attrs["min"]) - 1)
    return "douze"


def expected_back(form: Form, sent: dict, bad: Field) -> dict:
    """How each typed field must look on the refused page, by its key (``Form.keyed``)."""
    expected = {}
    for key, f in form.keyed().items():
        if not f.typed or f.name == bad.name:
            continue
        values = sent.get(f.name, [])
        if f.type in ("checkbox", "radio"):
            expected[key] = f.value in values
        elif f.tag == "select":
            expected[key] = sorted(values)
        else:
            expected[key] = values[key[1]]
    return expected


# --- The pages ------------------------------------------------------------------------------


def _open(client, world, url, role):
    if role is not None:
        client.force_login(world["users"][role])
    page = client.get(url)
    if role is None and page.status_code == 302 and "/connexion/" in page.url:
        client.force_login(world["users"][LOGGED_IN])
        page = client.get(url)
    return page


def _target(url: str, form: Form) -> tuple[str, str | None]:
    action = urlsplit(urljoin(url, form.action or url))
    path = action.path + (f"?{action.query}" if action.query else "")
    try:
        return path, resolve(action.path).view_name
    except Resolver404:
        return path, None


def _same_form(forms: list[Form], posted: Form) -> Form | None:
    """The posted form on the refused page: the one holding most of its fields."""
    names = {f.name for f in posted.fields if f.typed}
    best = max(forms, key=lambda f: len(names & {x.name for x in f.fields}), default=None)
    if best is None or not names & {x.name for x in best.fields}:
        return None
    return best


def _check(client, url, form: Form, where: str) -> list[str]:
    """Post ``form`` typed with one field invalid; what the refused page lost, if anything."""
    bad, bad_value = one_invalid(form)
    action, _view = _target(url, form)
    sent = typed_values(form) | {bad.name: bad_value}
    if form.submit and form.submit[0]:
        sent.setdefault(form.submit[0], []).append(form.submit[1])
    response = client.post(action, sent)
    where = f"{where} ({bad.name}={bad_value[0]!r})"
    if response.status_code != 200:
        location = f" to {response.get('Location')}" if response.status_code == 302 else ""
        return [
            f"{where}: answered {response.status_code}{location}, not the refused form "
            "(what was typed is lost)"
        ]
    if not response["Content-Type"].startswith("text/html"):
        return [f"{where}: answered {response['Content-Type']}, not the refused form"]
    back = _same_form(Forms(response.content.decode()).forms, form)
    if back is None:
        return [f"{where}: the refused page does not show the form again"]
    shown = back.keyed()
    lost = []
    for key, value in expected_back(form, sent, bad).items():
        label = f"{key[0]}={key[1]}" if isinstance(key[1], str) else key[0]  # a box: its value
        if key not in shown:
            lost.append(f"{label} is no longer in the form (typed {_said(value)})")
        elif shown[key].shown() != value:
            lost.append(f"{label} typed {_said(value)}, shown {_said(shown[key].shown())}")
    return [f"{where}: {problem}" for problem in lost]


def _said(value) -> str:
    if isinstance(value, bool):
        return "ticked" if value else "not ticked"
    return repr(value)


CASES = [(name, role) for name in sorted(PATTERNS) for role in roles_of(PATTERNS[name])]


@pytest.fixture(scope="module")
def world_once(django_db_setup, django_db_blocker, tmp_path_factory):
    with world_in_transaction(django_db_blocker, tmp_path_factory.mktemp("media")) as world:
        yield world


@pytest.mark.parametrize(
    ("name", "role"), CASES, ids=[f"{name}-{role or 'anyone'}" for name, role in CASES]
)
def test_a_refused_form_comes_back_with_everything_typed(
    client, db, settings, world_once, name, role
):
    settings.MEDIA_ROOT = world_once["media_root"]  # where the world's receipt was written
    url = url_of(world_once, name)
    page = _open(client, world_once, url, role)
    expected = WITH_FORMS.get((name, role), set())
    if page.status_code != 200 or not page["Content-Type"].startswith("text/html"):
        assert not expected, f"{name} as {role}: answered {page.status_code}"
        return
    problems, posted = [], set()
    for form in Forms(page.content.decode()).forms:
        _action, target = _target(url, form)
        if not form.post or target is None or target in NOT_RECORDS:
            continue
        if one_invalid(form) is None:
            continue  # a button, or a box to confirm: nothing typed
        posted.add(target)
        problems += _check(client, url, form, f"{name} as {role}: the form posted to {target}")
    assert expected <= posted, f"{name} as {role}: no form posted to {expected - posted} found"
    assert not problems, "\n".join(problems)


def _seen_by_all(name: str, *targets: str) -> dict:
    """A page whose forms every role that may open it sees, by where they post (the page
    itself unless said)."""
    return {(name, role): set(targets or [name]) for role in roles_of(PATTERNS[name])}


# The forms the walk must reach, by page and role, by where they post (so that a change of
# markup or of the test's world cannot silently skip one).
WITH_FORMS = {
    **_seen_by_all("accounts:login"),
    **_seen_by_all("agenda:book"),
    **_seen_by_all("agenda:consent"),
    **_seen_by_all("agenda:detail", "agenda:outcome", "agenda:cancel"),
    **_seen_by_all("agenda:move"),
    **_seen_by_all("workshops:module_create"),
    **_seen_by_all("workshops:module_edit"),
    **_seen_by_all("workshops:session_plan"),
    **_seen_by_all("workshops:session_edit"),
    **_seen_by_all(
        "workshops:session",
        "workshops:session_enrol",
        "workshops:visit_add",
        "workshops:session_cancel",
    ),
    **_seen_by_all("workshops:attendance"),
    **_seen_by_all("workshops:enrol"),
    **_seen_by_all("accounts:member_edit"),
    **_seen_by_all("accounts:member_invite"),
    **_seen_by_all("accounts:organization_settings"),
    **_seen_by_all("accounts:password_reset"),
    **_seen_by_all("chantiers:agreement_edit"),
    **_seen_by_all("chantiers:agreement_new"),
    **_seen_by_all("chantiers:create"),
    **_seen_by_all("chantiers:declarations"),
    **_seen_by_all("chantiers:edit"),
    **_seen_by_all("chantiers:group", "chantiers:enrolment_safety", "chantiers:enrolment_leave"),
    **_seen_by_all("chantiers:incident_create"),
    **_seen_by_all("chantiers:incident_edit"),
    **_seen_by_all("chantiers:real_costs"),
    **_seen_by_all("chantiers:session_attendance"),
    **_seen_by_all("chantiers:session_cancel"),
    **_seen_by_all("chantiers:session_create"),
    **_seen_by_all("chantiers:sessions_weekly"),
    **_seen_by_all("chantiers:week_entry"),
    **_seen_by_all("documents:add"),
    **_seen_by_all("participants:create"),
    **_seen_by_all("privacy:subject_access"),
    **_seen_by_all(
        "participants:detail",
        "participants:income_change",
        "participants:need_add",
        "participants:event_add",
        "participants:goal_add",
        "participants:pathway_phase",
        "participants:pathway_close",
        "participants:pathway_reopen",
        "participants:pathway_open",
        "participants:training_add",
        "participants:training_update",
        "participants:certification_add",
    ),
    **_seen_by_all("participants:edit"),
    **_seen_by_all("participants:follow_up_record"),
    **_seen_by_all("partners:answer"),
    **_seen_by_all("partners:employer_create"),
    **_seen_by_all("partners:employer_detail"),
    **_seen_by_all("partners:link_answer"),
    **_seen_by_all("partners:matching_create"),
    **_seen_by_all("partners:matching_update"),
    **_seen_by_all("partners:referral_create"),
    **_seen_by_all(
        "partners:referral_trainings",
        "partners:referral_training_add",
        "partners:referral_certification_add",
    ),
    **_seen_by_all("reporting:index", "reporting:request"),
    # Volunteers (issue 21): the volunteer's own sheet, the coordinators' pages.
    **_seen_by_all("volunteers:sheet_new"),
    **_seen_by_all("volunteers:sheet_edit"),
    **_seen_by_all("volunteers:new"),
    **_seen_by_all("volunteers:list", "volunteers:sheet_review"),
    **_seen_by_all("volunteers:detail", "volunteers:sheet_review", "volunteers:end"),
    **_seen_by_all("volunteers:month", "volunteers:sheet_review"),
    **_seen_by_all("volunteers:agreement_new"),
    # The walk's volunteer is followed in a pathway too: their details are the caseload's, so
    # the coordinator is refused (tests/volunteers/test_volunteer_details.py).
    ("volunteers:details", Role.DIRECTION): {"volunteers:details"},
    **_seen_by_all("volunteers:paper_sheet"),
    **_seen_by_all("volunteers:agreement_edit"),
    **_seen_by_all("volunteers:outreach_new"),
    **_seen_by_all("volunteers:outreach_edit"),
    **_seen_by_all("volunteers:contact_point_new"),
    **_seen_by_all("volunteers:contact_point_edit"),
    **_seen_by_all("volunteers:signal_new"),
    **_seen_by_all("volunteers:signal", "volunteers:signal_close"),
    ("volunteers:my_signals", Role.VOLUNTEER): {"volunteers:my_signals"},
    # The rota (issue 21, point 4): the coordination's and the direction's.
    **_seen_by_all("volunteers:shift_new"),
    **_seen_by_all("volunteers:shift_edit"),
    ("volunteers:shift", Role.COORDINATOR): {"volunteers:shift_assign"},
    ("volunteers:shift", Role.DIRECTION): {"volunteers:shift_assign"},
    # Direction's and the administration's own.
    ("chantiers:corrections", Role.DIRECTION): {
        "chantiers:corrections",
        "chantiers:correction_settle",
    },
    ("chantiers:corrections", Role.COORDINATOR): {"chantiers:corrections"},
    ("chantiers:excess", Role.DIRECTION): {"chantiers:excess"},
    ("chantiers:month_statements", Role.ADMIN): {"chantiers:statement_unlock"},
    ("chantiers:payment_batch_new", Role.DIRECTION): {"chantiers:payment_batch_new"},
}
# The world's person has a confidential address (tests/forms_world.py): direction, who may see
# it, is offered the form that shows it with a reason; a counsellor is not.
WITH_FORMS[("participants:detail", Role.DIRECTION)] |= {"participants:address_reveal"}
