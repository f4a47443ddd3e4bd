"""Personal data is never kept by a cache: every answer to a signed-in person — page, export,
PDF, sign-in sheet — says ``Cache-Control: private, no-store`` (issue 24, item 5).

Tested generally: each demo account walks the site from its home page, following every link on
the pages it can open (a few of each URL name), and every answer is checked; the pages and files
the probe named are in the walk (the test says so, so that a renamed URL cannot silently drop them).
"""

from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

from accounts.models import User
from chantiers.models import MonthlyStatement

PER_URL_NAME = 2
# Links whose following changes something or leaves the session.
SKIPPED = {"accounts:logout", "accounts:switch_organization", "set_language"}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _url_name(path):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _walk(client, start):
    """(path, response) of every page reached from ``start``, PER_URL_NAME per URL name."""
    seen, per_name, queue, answers = set(), Counter(), list(start), []
    while queue:
        path = queue.pop(0)
        name = _url_name(urlsplit(path).path)
        if path in seen or name is None or name in SKIPPED or name.startswith("admin:"):
            continue
        if per_name[name] >= PER_URL_NAME:
            continue
        seen.add(path)
        per_name[name] += 1
        response = client.get(path)
        answers.append((path, name, response))
        if response.get("Content-Type", "").startswith("text/html") and response.status_code == 200:
            parser = _Links()
            parser.feed(response.content.decode())
            for href in parser.hrefs:
                url = urlsplit(urljoin(path, href))
                if not url.netloc or url.netloc == "testserver":
                    queue.append(url.path + (f"?{url.query}" if url.query else ""))
    return answers


# What each demo account's walk must reach, besides its other pages: the probe's examples.
EXPECTED = {
    "conseil@demo.local": {"participants:detail", "participants:export"},
    "chantier@demo.local": {
        "chantiers:signin_sheet_week",
        "chantiers:agreement_pdf",
        "chantiers:statement_pdf",
    },
    "direction@demo.local": {"participants:detail", "chantiers:payment_batch_csv"},
    "admin@demo.local": {"accounts:member_list", "accounts:access_log"},
    "partenaire@demo.local": {"partners:answer", "dashboard:hosting_detail"},
}


def test_every_answer_to_a_signed_in_person_is_private_and_not_stored(client, db):
    call_command("seed_demo", verbosity=0)  # once: the five accounts walk the same data
    for email, expected in EXPECTED.items():
        user = User.objects.get(email=email)
        client.force_login(user)
        # A statement of the person's organization: its PDF is linked from a past month.
        statement = MonthlyStatement.objects.filter(organization__memberships__user=user).first()
        start = ["/"]
        if statement:
            start.append(reverse("chantiers:statement_pdf", args=[statement.pk]))
        answers = _walk(client, start)
        names = {name for _path, name, _response in answers}
        assert expected <= names, f"{email}: the walk no longer reaches {expected - names}"
        for path, _name, response in answers:
            assert response.status_code < 500, path
            directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
            assert {"private", "no-store"} <= directives, (path, response.get("Cache-Control"))
        client.logout()


def test_an_anonymous_page_keeps_its_own_caching(client, db):
    """The sign-in page is not personal: the rule is about signed-in answers only."""
    response = client.get("/comptes/connexion/")
    assert "private" not in response.get("Cache-Control", "")
