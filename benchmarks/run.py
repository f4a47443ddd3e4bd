"""The benchmark of issue 7 (``make bench``).

    python -m benchmarks.run [--scale small|large] [--repeat N] [--import-rows N] [--json FILE]

On the database of ``DATABASE_URL`` (PostgreSQL; seeded with ``seed_demo --scale SCALE`` first
when it holds no organization), it measures, in one run:

- the main pages, requested through Django's test client as the demo logins (the whole Django
  stack: middleware, view, template; no network, no web server), with two baselines — a minimal
  view rendering a template with one query, and Django's admin change list of participants (on an
  admin site of the benchmark's own: the site's admin does not list participants). The pages
  are requested in turns (one request per page per round) so that a change of machine load hits
  every page alike; median and p95 over ``--repeat`` rounds after warm-up rounds; the number of
  queries from one more request;
- saving the attendance of the 15-person session of today (the coordinator's form, posted), and
  the same marks sent as the phone sends them when the network comes back (issue 19: one JSON
  sending of the marks taken offline, until the server answers that all are saved);
- the activity report of last year: building the figures, the PDF, the XLSX; one hand-written
  SQL query computing the key figures (the lower bound) and the ORM query of the same figures;
- importing a generated participant file (10 000 rows at the large scale).

The attendance save, the offline sync and the import run inside a transaction rolled back
afterwards: the database keeps its data (the pages leave their access-log entries, as any visit
does). Budgets are printed beside the measures, never asserted: absolute times depend on the
machine, the ratios less so.
"""

from __future__ import annotations

import os

import django
from django.apps import apps

if not apps.ready:  # run as ``python -m benchmarks.run``, not imported by the tests
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

import argparse
import copy
import csv
import datetime as dt
import io
import json
import logging
import math
import platform
import random
import statistics
import sys
import time
import uuid
import warnings
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, Organization, User
from chantiers.models import Attendance, Chantier, WorkSession
from chantiers.selectors import group_on
from demo import large as demo_large
from demo import participants as people_demo
from participants.importing import participants_import
from participants.models import (
    POSITIVE_OUTCOMES,
    EducationLevel,
    ExitOutcome,
    IncomeKind,
    NationalityGroup,
    Participant,
    Pathway,
)
from partners.models import Referral

HERE = Path(__file__).resolve().parent

# The demo logins (DESIGN §6) the pages are requested as.
LOGINS = {
    "direction": "direction@demo.local",
    "counsellor": "conseil@demo.local",
    "coordinator": "chantier@demo.local",
    "admin": "admin@demo.local",
}
# Per scale: measured rounds, warm-up rounds, report builds, import rows.
SCALES = {
    "small": {"repeat": 5, "warmup": 1, "report_repeat": 1, "import_rows": 1_000},
    "large": {"repeat": 30, "warmup": 3, "report_repeat": 3, "import_rows": 10_000},
}
SQL_REPEAT = 10
MINIMAL, ADMIN, LAYOUT = "minimal view", "admin change list", "empty page in the layout"

# Issue 7's budgets (large data, PostgreSQL): informative, never asserted.
PAGE_RATIO_TO_MINIMAL = 3
PAGE_P95_MS = 250
ATTENDANCE_SAVE_MS = 150
REPORT_TOTAL_S = 20
REPORT_FIGURES_RATIO = 5
IMPORT_S = 60


class BenchmarkError(Exception):
    """The benchmark cannot run (missing demo data, a page that does not answer 200)."""


# --- measuring ----------------------------------------------------------------------------------


def stats(samples: list[float]) -> dict:
    """Median and p95 (nearest rank) in milliseconds of durations in seconds."""
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "samples": len(ordered),
    }


def slowest(captured: CaptureQueriesContext, count: int = 3) -> list[dict]:
    """The slowest queries of a captured request, for whoever fixes what the benchmark shows."""
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:count]
    return [{"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:4000]} for q in queries]


@dataclass
class Page:
    name: str
    login: str  # a key of LOGINS
    path: str
    method: str = "get"
    data: dict | None = None
    headers: dict = field(default_factory=dict)
    prepare: Callable[[Client], None] | None = None  # untimed, once, before the warm-up
    baseline: bool = False


def _request(client: Client, page: Page):
    response = getattr(client, page.method)(page.path, data=page.data, headers=page.headers)
    if response.status_code != 200:
        raise BenchmarkError(
            f"{page.name}: {page.method.upper()} {page.path} answered {response.status_code}."
        )
    return response


def logged_in(user: User) -> Client:
    """A client logged in as ``user``, the second step done with the account's app (the demo's
    administration and direction have one): the pages measured are the pages, not the redirect
    to the code page."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def measure_pages(pages: list[Page], users: dict, *, repeat: int, warmup: int) -> dict:
    """Each page ``warmup`` + ``repeat`` times, in rounds; then once more to count its queries."""
    clients = {}
    for page in pages:
        client = logged_in(users[page.login])
        if page.prepare:
            page.prepare(client)
        clients[page.name] = client
    samples = {page.name: [] for page in pages}
    for round_ in range(warmup + repeat):
        for page in pages:
            started = time.perf_counter()
            _request(clients[page.name], page)
            elapsed = time.perf_counter() - started
            if round_ >= warmup:
                samples[page.name].append(elapsed)
    results = {}
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            _request(clients[page.name], page)
        results[page.name] = {
            "path": page.path,
            "method": page.method.upper(),
            "login": LOGINS[page.login],
            "baseline": page.baseline,
            **stats(samples[page.name]),
            "queries": len(queries),
            # The database's share, from the counted request (millisecond resolution).
            "db_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1),
            "slowest_queries": slowest(queries),
        }
    for client in clients.values():
        client.logout()
    return results


def add_ratios(results: dict) -> None:
    minimal, admin = results[MINIMAL]["median_ms"], results[ADMIN]["median_ms"]
    for result in results.values():
        result["ratio_minimal"] = round(result["median_ms"] / minimal, 2) if minimal else None
        result["ratio_admin"] = round(result["median_ms"] / admin, 2) if admin else None


class _Undo(Exception):
    """Raised to roll a measured write back."""


def _written_rounds(
    what: str, post: Callable[[], object], session: WorkSession, wanted: dict[int, str], **plan
) -> tuple[list[float], int, list[dict]]:
    """The marks ``wanted`` written round after round by ``post`` (which sends them and checks
    the answer), each round undone in a savepoint so that every round is the same write:
    (samples, queries, slowest queries). Every mark must have been written."""
    repeat, warmup = plan["repeat"], plan["warmup"]
    samples, queries, saved, slow = [], 0, 0, []
    try:
        with transaction.atomic():
            for round_ in range(warmup + repeat + 1):
                point = transaction.savepoint()
                counting = round_ == warmup + repeat
                # Queries are counted in one more round, so that no timed round logs them.
                capture = CaptureQueriesContext(connection) if counting else nullcontext([])
                with capture as captured:
                    started = time.perf_counter()
                    post()
                    elapsed = time.perf_counter() - started
                saved = sum(
                    1 for a in session.attendances.all() if a.status == wanted[a.participant_id]
                )
                transaction.savepoint_rollback(point)
                if counting:
                    queries, slow = len(captured), slowest(captured)
                elif round_ >= warmup:
                    samples.append(elapsed)
            raise _Undo
    except _Undo:
        pass
    if saved != len(wanted):
        raise BenchmarkError(f"The {what} wrote {saved} marks of {len(wanted)}.")
    return samples, queries, slow


def _group_marks(session: WorkSession) -> tuple[list, dict[int, str], dict[int, Attendance]]:
    """The group of the session, and for each person a status other than the recorded one (so
    that every mark is written and its indemnities recomputed)."""
    group = group_on(session=session)
    if not group:
        raise BenchmarkError(f"The session {session.pk} has nobody in its group.")
    recorded = {a.participant_id: a for a in session.attendances.all()}
    wanted = {}
    for enrolment in group:
        mark = recorded.get(enrolment.participant_id)
        present = mark is not None and mark.status == Attendance.Status.PRESENT
        wanted[enrolment.participant_id] = (
            Attendance.Status.LATE if present else Attendance.Status.PRESENT
        )
    return group, wanted, recorded


def measure_attendance_save(user: User, session: WorkSession, *, repeat: int, warmup: int) -> dict:
    """The coordinator posts the grid with a mark for every person of the group, each mark
    different from the one recorded. Each post is undone in a savepoint: every round is the
    same save."""
    group, wanted, recorded = _group_marks(session)
    data = {"_organization": str(session.chantier.organization_id)}
    for pk, status in wanted.items():
        data[f"status-{pk}"] = status
        data[f"version-{pk}"] = str(recorded[pk].version) if pk in recorded else ""
    path = reverse("chantiers:session_attendance", args=[session.pk])
    client = logged_in(user)

    def post():
        response = client.post(path, data)
        if response.status_code != 302:
            raise BenchmarkError(f"Attendance save answered {response.status_code}.")

    plan = {"repeat": repeat, "warmup": warmup}
    samples, queries, slow = _written_rounds("attendance save", post, session, wanted, **plan)
    client.logout()
    return {
        "path": path,
        "session_date": session.date.isoformat(),
        "people": len(group),
        **stats(samples),
        "queries": queries,
        "slowest_queries": slow,
    }


def measure_offline_sync(user: User, session: WorkSession, *, repeat: int, warmup: int) -> dict:
    """What the phone sends when the network comes back (issue 19): the day's marks taken
    offline, one per person of the group, in one sending to the offline endpoint, until the
    server answers that all are saved. New client ids each round (a known one is not saved
    again); each round undone in a savepoint."""
    group, wanted, recorded = _group_marks(session)
    path = reverse("chantiers:offline_marks", args=[session.pk])
    client = logged_in(user)

    def post():
        marks = [
            {
                "client_id": str(uuid.uuid4()),
                "participant": pk,
                "status": status,
                "version": recorded[pk].version if pk in recorded else None,
            }
            for pk, status in wanted.items()
        ]
        body = json.dumps({"user": user.pk, "marks": marks})
        response = client.post(path, body, content_type="application/json")
        answer = response.json() if response.status_code == 200 else {}
        if len(answer.get("saved", [])) != len(marks):
            raise BenchmarkError(f"The offline sync answered {response.status_code}: {answer}.")

    plan = {"repeat": repeat, "warmup": warmup}
    samples, queries, slow = _written_rounds("offline sync", post, session, wanted, **plan)
    client.logout()
    return {
        "path": path,
        "people": len(group),
        **stats(samples),
        "queries": queries,
        "slowest_queries": slow,
    }


# The key figures of a year in one hand-written query: the lower bound of what the ORM costs.
KEY_FIGURES_SQL = """
WITH pathways AS (
    SELECT pw.participant_id, pw.started_on, pw.ended_on, pw.exit_outcome
    FROM participants_pathway pw
    JOIN participants_participant pa ON pa.id = pw.participant_id
    WHERE pa.organization_id = %(organization)s
), firsts AS (
    SELECT participant_id, MIN(started_on) AS first_start FROM pathways GROUP BY participant_id
)
SELECT
    (SELECT COUNT(DISTINCT participant_id) FROM pathways
      WHERE started_on <= %(end)s AND (ended_on IS NULL OR ended_on >= %(start)s)),
    (SELECT COUNT(*) FROM firsts WHERE first_start BETWEEN %(start)s AND %(end)s),
    (SELECT COUNT(DISTINCT participant_id) FROM pathways
      WHERE ended_on BETWEEN %(start)s AND %(end)s AND exit_outcome IN ({positive}))
"""


def key_figures_sql(*, organization: Organization, year: int) -> tuple[int, int, int]:
    """(persons accompanied, new, positive exits) of the year, DESIGN §5."""
    positive = sorted(POSITIVE_OUTCOMES)
    params = {"organization": organization.pk, "start": dt.date(year, 1, 1)}
    params["end"] = dt.date(year, 12, 31)
    params |= {f"positive_{i}": code for i, code in enumerate(positive)}
    placeholders = ", ".join(f"%(positive_{i})s" for i in range(len(positive)))
    with connection.cursor() as cursor:
        cursor.execute(KEY_FIGURES_SQL.format(positive=placeholders), params)
        return tuple(cursor.fetchone())


def _timed(action: Callable[[], object], times: int) -> tuple[list[float], object]:
    samples, result = [], None
    for _ in range(times):
        started = time.perf_counter()
        result = action()
        samples.append(time.perf_counter() - started)
    return samples, result


@contextmanager
def _quiet(*names: str):
    """WeasyPrint logs every layout step at INFO: not in the benchmark's output."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def measure_activity_report(*, organization: Organization, year: int, repeat: int) -> dict:
    from reporting.indicators.activity import headline
    from reporting.render import render_pdf, render_xlsx
    from reporting.reports import build

    builds, sql_times, pdfs, xlsxs, queries = [], [], [], [], 0
    with translation.override(settings.LANGUAGE_CODE), _quiet("weasyprint", "fontTools"):
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                document = build("activity", organization=organization, parameters={"year": year})
                builds.append(time.perf_counter() - started)
            queries, slow = len(captured), slowest(captured, 5)
            sql_times.append(sum(float(q["time"]) for q in captured.captured_queries))
            started = time.perf_counter()
            pdf = render_pdf(document)
            pdfs.append(time.perf_counter() - started)
            started = time.perf_counter()
            xlsx = render_xlsx(document)
            xlsxs.append(time.perf_counter() - started)
    hand, figures = _timed(
        lambda: key_figures_sql(organization=organization, year=year), SQL_REPEAT
    )
    orm, head = _timed(lambda: headline(organization=organization, year=year), SQL_REPEAT)
    build_s, sql_s = statistics.median(builds), statistics.median(sql_times)
    pdf_s, xlsx_s, hand_s = (
        statistics.median(pdfs),
        statistics.median(xlsxs),
        statistics.median(hand),
    )
    orm_s = statistics.median(orm)
    return {
        "organization": organization.slug,
        "year": year,
        "runs": repeat,
        "total_s": round(build_s + pdf_s + xlsx_s, 2),
        "figures_s": round(build_s, 3),
        "figures_sql_s": round(sql_s, 3),
        "figures_queries": queries,
        "slowest_queries": slow,
        "pdf_s": round(pdf_s, 2),
        "xlsx_s": round(xlsx_s, 2),
        "pdf_bytes": len(pdf),
        "xlsx_bytes": len(xlsx),
        "hand_sql_ms": round(hand_s * 1000, 2),
        "orm_key_figures_ms": round(orm_s * 1000, 2),
        "ratio_figures_to_sql": round(build_s / hand_s, 1) if hand_s else None,
        "ratio_figures_sql_to_sql": round(sql_s / hand_s, 1) if hand_s else None,
        "ratio_orm_key_figures_to_sql": round(orm_s / hand_s, 2) if hand_s else None,
        "key_figures_sql": dict(
            zip(["accompanied", "new", "positive_exits"], figures, strict=True)
        ),
        "key_figures_match": figures == (head.persons_accompanied, head.new, head.positive_exits),
    }


# --- the import file ----------------------------------------------------------------------------

# The demo's own names and communes, and its valid national numbers.
LAST_NAMES = people_demo.LAST_NAMES
FIRST_NAMES = people_demo.FIRST_NAMES_F + people_demo.FIRST_NAMES_M
POSTCODES = sorted(set(people_demo.POSTCODES))


def import_file(*, organization: Organization, rows: int, seed: int = 7) -> bytes:
    """A valid CSV of ``rows`` new people with one pathway each (DESIGN §6 columns), none of
    them already in the database (same national number, or same name and birth date)."""
    rng = random.Random(seed)
    today = timezone.localdate()
    programme = organization.programmes.order_by("code").values_list("code", flat=True).first()
    if programme is None:
        raise BenchmarkError(f"{organization.slug} has no programme to import pathways into.")
    known = Participant.objects.filter(organization=organization)
    numbers = set(known.exclude(national_number="").values_list("national_number", flat=True))
    people = {
        (last.lower(), first.lower(), birth)
        for last, first, birth in known.values_list("last_name", "first_name", "birth_date")
    }
    outcomes = list(ExitOutcome.values)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(
        [
            "last_name", "first_name", "birth_date", "gender", "national_number", "email",
            "phone", "postcode", "education_level", "nationality_group", "jobseeker_since",
            "income_source", "programme", "pathway_started_on", "pathway_ended_on",
            "exit_outcome",
        ]
    )  # fmt: skip
    written = 0
    while written < rows:
        last, first = rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES)
        birth = today - dt.timedelta(days=rng.randint(19 * 365, 62 * 365))
        if (last.lower(), first.lower(), birth) in people:
            continue
        number = ""
        if rng.random() < 0.6:
            number = people_demo.national_number_for(birth, rng.randint(1, 997))
            if number in numbers:
                continue
            numbers.add(number)
        people.add((last.lower(), first.lower(), birth))
        started = today - dt.timedelta(days=rng.randint(0, 3 * 365))
        ended, outcome = "", ""
        if rng.random() < 0.3 and (today - started).days > 60:
            end = started + dt.timedelta(days=rng.randint(60, (today - started).days))
            ended, outcome = f"{end:%d/%m/%Y}", rng.choice(outcomes)
        adult = (
            birth.replace(year=birth.year + 18) if (birth.month, birth.day) != (2, 29) else birth
        )
        seeking = adult + dt.timedelta(days=rng.randint(0, max(0, (today - adult).days)))
        written += 1
        writer.writerow(
            [
                last,
                first,
                f"{birth:%d/%m/%Y}",
                rng.choice(["F", "F", "M", "M", "X"]),
                number,
                f"{slugify(first)}.{slugify(last)}.{written}@example.org"
                if rng.random() < 0.5
                else "",
                f"04{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)}",
                rng.choice(POSTCODES),
                rng.choice(EducationLevel.values),
                rng.choice(NationalityGroup.values),
                f"{seeking:%d/%m/%Y}" if rng.random() < 0.8 else "",
                rng.choice(IncomeKind.values),
                programme,
                f"{started:%d/%m/%Y}",
                ended,
                outcome,
            ]
        )
    return out.getvalue().encode("utf-8")


def measure_import(*, organization: Organization, rows: int) -> dict:
    """The import service as ``import_participants`` calls it, rolled back afterwards."""
    content = import_file(organization=organization, rows=rows)
    try:
        with transaction.atomic():
            started = time.perf_counter()
            report = participants_import(
                organization=organization, content=content, filename="benchmark.csv"
            )
            elapsed = time.perf_counter() - started
            raise _Undo
    except _Undo:
        pass
    if not report.ok:
        first = report.errors[0]
        raise BenchmarkError(
            f"The generated import file was refused ({len(report.errors)} errors; line "
            f"{first.line}, {first.column}: {first.message})."
        )
    return {
        "rows": report.rows,
        "participants_created": report.participants_created,
        "pathways_created": report.pathways_created,
        "file_bytes": len(content),
        "total_s": round(elapsed, 2),
    }


# --- what to measure ----------------------------------------------------------------------------


@dataclass
class Targets:
    users: dict
    organization: Organization
    participant: Participant
    session: WorkSession
    chantier: Chantier
    search: str


def find_targets() -> Targets:
    """The demo logins and the records their pages show, found in the seeded data."""
    users = {key: User.objects.filter(email=email).first() for key, email in LOGINS.items()}
    missing = [LOGINS[key] for key, user in users.items() if user is None]
    if missing:
        raise BenchmarkError(
            f"Demo logins missing ({', '.join(missing)}): seed the database with seed_demo."
        )
    first = Membership.objects.active().filter(user=users["counsellor"])
    first = first.select_related("organization").order_by("created_at", "pk").first()
    organization = users["counsellor"].current_organization or (first and first.organization)
    if organization is None:
        raise BenchmarkError(f"{LOGINS['counsellor']} belongs to no organization.")
    people = Participant.objects.filter(organization=organization, anonymised_at__isnull=True)
    # The participant page with the most history: the heaviest one a counsellor opens.
    participant = people.annotate(events=Count("pathways__events")).order_by("-events", "pk")[0]
    # The search a counsellor types: the start of the most frequent family name.
    family = (people.values("last_name").annotate(n=Count("pk")).order_by("-n", "last_name")[0])[
        "last_name"
    ]
    session = _grid_session(users["coordinator"])
    return Targets(
        users=users,
        organization=organization,
        participant=participant,
        session=session,
        chantier=session.chantier,
        search=family[:4],
    )


def _grid_session(coordinator: User) -> WorkSession:
    """The coordinator's session of today with the largest group (15 people in the large demo);
    the demo data are dated from the day they were seeded, so on a later day the latest session
    before today with a group."""
    today = timezone.localdate()
    sessions = (
        WorkSession.objects.filter(chantier__coordinators=coordinator, date__lte=today)
        .exclude(status=WorkSession.Status.CANCELLED)
        .select_related("chantier")
    )
    for day in sessions.order_by("-date").values_list("date", flat=True).distinct()[:30]:
        sized = [(len(group_on(session=s)), -s.pk, s) for s in sessions.filter(date=day)]
        people, _pk, session = max(sized, key=lambda t: t[:2])
        if people:
            return session
    raise BenchmarkError(
        f"No session on or before {today:%d/%m/%Y} with a group for {LOGINS['coordinator']}: "
        "seed the database with seed_demo."
    )


def pages_for(targets: Targets) -> list[Page]:
    search = {"q": targets.search, "status": "", "programme": "", "mine": ""}

    def searched(client: Client) -> None:
        client.post(reverse("participants:list"), search)  # the filters live in the session

    return [
        Page(MINIMAL, "counsellor", reverse("bench_minimal"), baseline=True),
        Page(
            ADMIN,
            "admin",
            reverse("bench_admin:participants_participant_changelist"),
            baseline=True,
        ),
        Page(LAYOUT, "counsellor", reverse("bench_layout"), baseline=True),
        Page("participant list", "counsellor", reverse("participants:list")),
        Page(
            f"participant list, search «{targets.search}»",
            "counsellor",
            reverse("participants:list"),
            prepare=searched,
        ),
        Page(
            "participant search as typed (htmx)",
            "counsellor",
            reverse("participants:list"),
            method="post",
            data=search,
            headers={"HX-Request": "true"},
        ),
        Page(
            "participant page",
            "counsellor",
            reverse("participants:detail", args=[targets.participant.pk]),
        ),
        Page(
            "chantier page", "coordinator", reverse("chantiers:detail", args=[targets.chantier.pk])
        ),
        Page(
            "attendance grid",
            "coordinator",
            reverse("chantiers:session_attendance", args=[targets.session.pk]),
        ),
        Page("referrals list", "counsellor", reverse("partners:referral_list")),
        Page("reports page", "direction", reverse("reporting:index")),
        Page("home, direction", "direction", reverse("dashboard:home")),
        Page("home, counsellor", "counsellor", reverse("dashboard:home")),
        Page("home, coordinator", "coordinator", reverse("dashboard:home")),
    ]


def bench_settings():
    """The benchmark's URLconf and template folder, and DEBUG off as in production (no query
    log, no template debug information)."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], HERE / "templates"]
    return override_settings(
        ROOT_URLCONF="benchmarks.urls",
        DEBUG=False,
        TEMPLATES=templates,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
    )


def machine() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT 1")
        database = str(cursor.fetchone()[0]).split(",")[0]
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "database": f"{connection.vendor}: {database}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def volumes() -> dict:
    return {
        "participants": Participant.objects.count(),
        "pathways": Pathway.objects.count(),
        "chantiers": Chantier.objects.count(),
        "attendances": Attendance.objects.count(),
        "referrals": Referral.objects.count(),
    }


def run(
    *,
    scale: str,
    repeat: int | None = None,
    import_rows: int | None = None,
    analyze: bool = True,
) -> dict:
    """Every measure, as a dict ready for JSON."""
    plan = dict(SCALES[scale])
    if repeat is not None:
        plan["repeat"] = repeat
    if import_rows is not None:
        plan["import_rows"] = import_rows
    started = time.perf_counter()
    if analyze:
        # A database in service has planner statistics and a visibility map (autovacuum keeps
        # them); one just seeded or restored has neither, and its plans say nothing of the app.
        demo_large.refresh_statistics()
    results = {"scale": scale, "plan": plan, "machine": machine(), "volumes": volumes()}
    results["analyzed"] = analyze
    results["at"] = timezone.now().isoformat(timespec="seconds")
    with bench_settings():
        targets = find_targets()
        results["targets"] = {
            "organization": targets.organization.slug,
            "participant": targets.participant.pk,
            "chantier": targets.chantier.code,
            "session": targets.session.pk,
            "session_date": targets.session.date.isoformat(),
            "search": targets.search,
        }
        pages = measure_pages(
            pages_for(targets), targets.users, repeat=plan["repeat"], warmup=plan["warmup"]
        )
        add_ratios(pages)
        results["pages"] = pages
        results["attendance_save"] = measure_attendance_save(
            targets.users["coordinator"],
            targets.session,
            repeat=plan["repeat"],
            warmup=plan["warmup"],
        )
        results["offline_sync"] = measure_offline_sync(
            targets.users["coordinator"],
            targets.session,
            repeat=plan["repeat"],
            warmup=plan["warmup"],
        )
    results["activity_report"] = measure_activity_report(
        organization=targets.organization,
        year=timezone.localdate().year - 1,
        repeat=plan["report_repeat"],
    )
    results["import"] = measure_import(organization=targets.organization, rows=plan["import_rows"])
    results["budgets"] = budgets(results)
    results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    results["duration_s"] = round(time.perf_counter() - started, 1)
    return results


def budgets(results: dict) -> list[dict]:
    """Issue 7's budgets beside the measures: (what, measured, limit, held)."""
    rows = []

    def check(what: str, measured, limit: str, held: bool) -> None:
        rows.append({"what": what, "measured": measured, "limit": limit, "ok": bool(held)})

    pages = results["pages"]
    admin = pages[ADMIN]["median_ms"]
    for name, page in pages.items():
        if page["baseline"]:
            continue
        check(
            f"{name}: median / minimal",
            page["ratio_minimal"],
            f"≤ {PAGE_RATIO_TO_MINIMAL}",
            page["ratio_minimal"] <= PAGE_RATIO_TO_MINIMAL,
        )
        check(
            f"{name}: median vs admin",
            page["median_ms"],
            f"< {admin} ms",
            page["median_ms"] < admin,
        )
        check(f"{name}: p95", page["p95_ms"], f"< {PAGE_P95_MS} ms", page["p95_ms"] < PAGE_P95_MS)
    save = results["attendance_save"]
    check(
        f"attendance save ({save['people']} people): median",
        save["median_ms"],
        f"< {ATTENDANCE_SAVE_MS} ms",
        save["median_ms"] < ATTENDANCE_SAVE_MS,
    )
    sync = results["offline_sync"]
    check(
        f"offline sync ({sync['people']} people): median",
        sync["median_ms"],
        f"< {ATTENDANCE_SAVE_MS} ms",
        sync["median_ms"] < ATTENDANCE_SAVE_MS,
    )
    report = results["activity_report"]
    check(
        "activity report: total",
        report["total_s"],
        f"< {REPORT_TOTAL_S} s",
        report["total_s"] < REPORT_TOTAL_S,
    )
    check(
        "activity report: figures / hand-written SQL",
        report["ratio_figures_to_sql"],
        f"≤ {REPORT_FIGURES_RATIO}",
        report["ratio_figures_to_sql"] is not None
        and report["ratio_figures_to_sql"] <= REPORT_FIGURES_RATIO,
    )
    imported = results["import"]
    check(
        f"import of {imported['rows']} rows",
        imported["total_s"],
        f"< {IMPORT_S} s",
        imported["total_s"] < IMPORT_S,
    )
    return rows


# --- printing -----------------------------------------------------------------------------------


def _mark(held: bool) -> str:
    return "✓" if held else "✗"


def table(results: dict) -> str:
    m, v = results["machine"], results["volumes"]
    lines = [
        f"Benchmark, scale {results['scale']}, {results['at']} — {m['processor']}, "
        f"{m['cpus']} CPUs, {m['platform']}, Python {m['python']}, {m['database']}",
        f"Load average before {m['load_average']}, after {m.get('load_average_after')}."
        + (" VACUUM ANALYZE first, as autovacuum would have done." if results["analyzed"] else ""),
        "Data: " + ", ".join(f"{count} {name}" for name, count in v.items()) + ".",
        f"{results['plan']['repeat']} measured requests per page after "
        f"{results['plan']['warmup']} warm-up(s), pages in turns; server time through Django's "
        "test client (no network).",
        "",
    ]
    header = (
        f"{'page':<42} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'db ms':>6} "
        f"{'×minimal':>9} {'×admin':>8}"
    )
    lines += [header, "-" * len(header)]
    pages = results["pages"]
    for name, page in pages.items():
        ratio_minimal = page["ratio_minimal"]
        ratio_admin = page["ratio_admin"]
        flags = ""
        if not page["baseline"]:
            flags = "  " + " ".join(
                [
                    _mark(ratio_minimal <= PAGE_RATIO_TO_MINIMAL),
                    _mark(ratio_admin < 1),
                    _mark(page["p95_ms"] < PAGE_P95_MS),
                ]
            )
        lines.append(
            f"{name:<42} {page['median_ms']:>10.1f} {page['p95_ms']:>8.1f} {page['queries']:>8} "
            f"{page['db_ms']:>6.0f} {ratio_minimal:>9.2f} {ratio_admin:>8.2f}{flags}"
        )
    lines.append(
        f"(marks: median ≤ {PAGE_RATIO_TO_MINIMAL}× minimal, faster than admin, "
        f"p95 < {PAGE_P95_MS} ms; the empty page in the site's layout is shown for reference; "
        "queries include the BEGIN and COMMIT of ATOMIC_REQUESTS)"
    )
    save, sync, report, imported = (
        results["attendance_save"],
        results["offline_sync"],
        results["activity_report"],
        results["import"],
    )
    lines += [
        "",
        f"Attendance save, {save['people']} people (session of {save['session_date']}): "
        f"median {save['median_ms']:.1f} ms, "
        f"p95 {save['p95_ms']:.1f} ms, {save['queries']} queries "
        f"{_mark(save['median_ms'] < ATTENDANCE_SAVE_MS)} (< {ATTENDANCE_SAVE_MS} ms)",
        f"Offline marks sent on reconnection, {sync['people']} people (one sending, all saved): "
        f"median {sync['median_ms']:.1f} ms, p95 {sync['p95_ms']:.1f} ms, "
        f"{sync['queries']} queries {_mark(sync['median_ms'] < ATTENDANCE_SAVE_MS)} "
        f"(< {ATTENDANCE_SAVE_MS} ms)",
        f"Activity report {report['year']} ({report['organization']}, median of {report['runs']}): "
        f"total {report['total_s']:.2f} s {_mark(report['total_s'] < REPORT_TOTAL_S)} "
        f"(< {REPORT_TOTAL_S} s)",
        f"  figures {report['figures_s']:.3f} s ({report['figures_queries']} queries, "
        f"{report['figures_sql_s']:.3f} s in the database), PDF {report['pdf_s']:.2f} s, "
        f"XLSX {report['xlsx_s']:.2f} s",
        f"  hand-written SQL of the key figures {report['hand_sql_ms']:.2f} ms; ORM query of the "
        f"same figures {report['orm_key_figures_ms']:.2f} ms "
        f"(× {report['ratio_orm_key_figures_to_sql']})",
        f"  figures / hand-written SQL × {report['ratio_figures_to_sql']} "
        f"{_mark((report['ratio_figures_to_sql'] or 0) <= REPORT_FIGURES_RATIO)} "
        f"(≤ {REPORT_FIGURES_RATIO}); their database time alone × "
        f"{report['ratio_figures_sql_to_sql']}",
        f"  key figures {report['key_figures_sql']} — same as the report's: "
        f"{'yes' if report['key_figures_match'] else 'NO'}",
        f"Import of {imported['rows']} rows ({imported['participants_created']} participants, "
        f"{imported['pathways_created']} pathways, rolled back): {imported['total_s']:.2f} s "
        f"{_mark(imported['total_s'] < IMPORT_S)} (< {IMPORT_S} s)",
        "",
        f"Budgets held: {sum(b['ok'] for b in results['budgets'])} of {len(results['budgets'])}"
        f" (informative). Run took {results['duration_s']} s.",
    ]
    return "\n".join(lines)


def profile_page(name: str, *, requests: int = 10, lines: int = 30) -> str:
    """Where a page spends its time: cProfile over a few requests, by cumulative time."""
    import cProfile
    import pstats

    with bench_settings():
        targets = find_targets()
        pages = [page for page in pages_for(targets) if name.lower() in page.name.lower()]
        if not pages:
            raise BenchmarkError(f"No page named like {name!r}.")
        page = pages[0]
        client = logged_in(targets.users[page.login])
        if page.prepare:
            page.prepare(client)
        for _ in range(3):
            _request(client, page)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            _request(client, page)
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(lines)
    return f"{page.name}: {page.method.upper()} {page.path}, {requests} requests\n{out.getvalue()}"


def write_json(results: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="large")
    parser.add_argument("--repeat", type=int, help="measured requests per page")
    parser.add_argument("--import-rows", type=int, help="rows of the generated import file")
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="measure without running VACUUM ANALYZE first (statistics as they are)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        help="where to write the results (default: VAR_DIR/benchmark-SCALE.json)",
    )
    parser.add_argument(
        "--profile",
        metavar="PAGE",
        help="only profile the page whose name contains PAGE (cProfile, cumulative time)",
    )
    args = parser.parse_args(argv)
    # WhiteNoise warns when STATIC_ROOT was never collected: the benchmark serves no static file.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if connection.vendor != "postgresql":
        print(
            "The benchmark measures PostgreSQL: set DATABASE_URL=postgres://… "
            f"(this database is {connection.vendor}).",
            file=sys.stderr,
        )
        return 2
    if not Organization.objects.exists():
        print(f"Empty database: seeding it first (seed_demo --scale {args.scale}).")
        call_command("seed_demo", scale=args.scale)
    try:
        if args.profile:
            print(profile_page(args.profile))
            return 0
        results = run(
            scale=args.scale,
            repeat=args.repeat,
            import_rows=args.import_rows,
            analyze=not args.no_analyze,
        )
    except BenchmarkError as error:
        print(f"Benchmark failed: {error}", file=sys.stderr)
        return 1
    print(table(results))
    path = write_json(results, args.json or Path(settings.VAR_DIR) / f"benchmark-{args.scale}.json")
    print(f"Results written to {path}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
