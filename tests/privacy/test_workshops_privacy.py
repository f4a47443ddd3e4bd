"""The collective modules under the data-protection rules (workshops with issue 17): an
anonymised person's presences at the sessions keep what is counted and lose their note, their
events in the pathway's log lose their text; the subject-access export lists the sessions they
were enrolled in and their presences there — never another person's, nor the EPN's anonymous
head-count."""

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership
from participants import services as participant_services
from privacy.anonymisation import participant_anonymise
from privacy.subject_access import Requester, subject_access_data, subject_access_zip
from tests.factories import ParticipantFactory, ProgrammeFactory
from tests.privacy.test_subject_access import _pdf_text
from workshops import services
from workshops.models import DropInVisit, Module, ModuleAttendance, ModuleEnrolment

SECRETS = ("Yasmina", "Bensaïd", "Molenbeek", "0470", "yasmina@")
NEIGHBOUR_NOTE = "Secret du voisin : dort chez sa sœur"


@pytest.fixture
def programme(operator):
    return ProgrammeFactory(organization=operator, code="accompagnement", name="Accompagnement")


def _person(operator, counsellor, **fields):
    return ParticipantFactory(
        organization=operator,
        counsellor=counsellor,
        **{
            "first_name": "Yasmina",
            "last_name": "Bensaïd",
            "email": "yasmina@example.org",
            "phone": "0470 12 34 56",
            **fields,
        },
    )


def _open(person, programme, counsellor, started_on):
    return participant_services.pathway_open(
        participant=person, programme=programme, started_on=started_on, by=counsellor
    )


def _modules(operator):
    cv = services.module_create(
        organization=operator,
        title="Atelier CV et lettre de motivation",
        kind=Module.Kind.WORKSHOP,
        duration_minutes=150,
    )
    epn = services.module_create(
        organization=operator, title="EPN – accès libre accompagné", kind=Module.Kind.EPN
    )
    return cv, epn


def _session(module, day, counsellor, starts_at=dt.time(9, 30)):
    return services.session_plan(
        module=module,
        date=day,
        starts_at=starts_at,
        by=counsellor,
        room="Salle polyvalente, rez-de-chaussée",
        capacity=10,
    )


def _mark(session, pathway, counsellor, status, note="", hours=None):
    services.enrolment_add(session=session, pathway=pathway, by=counsellor)
    services.attendance_record(
        session=session,
        marks=[
            services.Mark(
                participant_id=pathway.participant_id, status=status, hours=hours, note=note
            )
        ],
        by=counsellor,
    )


def _history(operator, counsellor, pathway, neighbours_pathway, first: dt.date):
    """Yasmina at two CV workshops a week apart (present with a note, then excused with its
    reason), her neighbour at the first one with a note of their own; three anonymous visitors
    at the EPN the same week."""
    cv, epn = _modules(operator)
    first_session = _session(cv, first, counsellor)
    _mark(first_session, pathway, counsellor, "present", "Dettes au CPAS de Molenbeek, à suivre")
    _mark(first_session, neighbours_pathway, counsellor, "late", NEIGHBOUR_NOTE, Decimal("2"))
    second = _session(cv, first + dt.timedelta(days=7), counsellor)
    _mark(second, pathway, counsellor, "excused", "Hospitalisée à Molenbeek")
    drop_in = _session(epn, first + dt.timedelta(days=6), counsellor, dt.time(13, 30))
    for need, people in (("printing", 1), ("procedures", 2)):
        services.visit_record(
            session=drop_in, people=people, age_band="45_64", gender="F", need=need, by=counsellor
        )
    return cv, epn


def _figures(year: int) -> list:
    """A report's figures: presences and hours by module and status, enrolments, visitors."""
    marks = ModuleAttendance.objects.filter(session__date__year=year)
    by_status = marks.values_list("session__module__title", "status").annotate(
        n=Count("pk"), hours=Sum("hours")
    )
    enrolled = ModuleEnrolment.objects.filter(session__date__year=year).count()
    visitors = DropInVisit.objects.filter(session__date__year=year).aggregate(n=Sum("people"))
    return [sorted(by_status.order_by()), enrolled, visitors["n"]]


# --- Anonymisation ------------------------------------------------------------------------------


def test_the_anonymisation_blanks_the_notes_of_the_presences_and_keeps_the_figures(
    operator, counsellor, programme, capsys
):
    """Due by the retention rule, anonymised by ``anonymize_expired --wet-run``."""
    person = _person(operator, counsellor)
    pathway = _open(person, programme, counsellor, dt.date(2019, 1, 7))
    # Someone else of the same group, followed now: left as they are.
    neighbour = _person(operator, counsellor, first_name="Marc", last_name="Vandenberghe")
    theirs = _open(neighbour, programme, counsellor, dt.date(2019, 1, 7))
    _history(operator, counsellor, pathway, theirs, dt.date(2019, 3, 5))
    participant_services.pathway_close(
        pathway=pathway, ended_on=dt.date(2019, 12, 20), exit_outcome="job_permanent", by=counsellor
    )
    marks = ModuleAttendance.objects.filter(participant=person).order_by("session__date")
    counted = list(marks.values_list("pk", "session", "status", "hours", "event"))
    figures = _figures(2019)
    assert figures[1:] == [3, 3]
    event = marks[0].event
    assert (event.kind, event.pathway_id) == ("group_workshop", pathway.pk)
    assert "Atelier CV" in event.text

    call_command("anonymize_expired", "--wet-run")
    assert "1 participant(s) anonymised." in capsys.readouterr().out

    person.refresh_from_db()
    assert person.anonymised_at is not None
    # The marks, their events and the enrolments stay: what is counted is the same.
    assert list(marks.values_list("pk", "session", "status", "hours", "event")) == counted
    assert _figures(2019) == figures
    assert ModuleEnrolment.objects.filter(participant=person, pathway=pathway).count() == 2
    assert list(marks.values_list("note", flat=True)) == ["", ""]
    event.refresh_from_db()
    assert (event.kind, event.date, event.duration_minutes, event.text) == (
        "group_workshop",
        dt.date(2019, 3, 5),
        150,
        "",
    )
    # The neighbour's mark is as it was.
    kept = ModuleAttendance.objects.get(participant=neighbour)
    assert (kept.note, kept.status, kept.hours) == (NEIGHBOUR_NOTE, "late", Decimal("2.00"))
    assert "Atelier CV" in kept.event.text
    # The audit trail keeps who changed what when, not the values (nor the name in its label).
    for entry in LogEntry.objects.exclude(object_pk=str(kept.pk)).exclude(
        object_pk=str(neighbour.pk)
    ):
        text = f"{entry.object_repr} {entry.changes} {entry.changes_text} {entry.serialized_data}"
        for word in SECRETS:
            assert word not in text, (entry.content_type, entry.pk, text)


def test_an_anonymised_person_is_no_longer_enrolled_anywhere(operator, counsellor, programme):
    person = _person(operator, counsellor)
    pathway = _open(person, programme, counsellor, dt.date(2019, 1, 7))
    cv, _epn = _modules(operator)
    participant_anonymise(participant=person)
    coming = _session(cv, timezone.localdate() + dt.timedelta(days=5), counsellor)
    with pytest.raises(ValidationError, match="anonymisée"):
        services.enrolment_add(session=coming, pathway=pathway, by=counsellor)


# --- Subject-access export ----------------------------------------------------------------------


@pytest.fixture
def person(operator, counsellor, programme):
    """Yasmina at two past CV workshops and enrolled in one to come; her neighbour at the first
    one; the EPN's anonymous visitors."""
    yasmina = _person(operator, counsellor)
    pathway = _open(yasmina, programme, counsellor, dt.date(2025, 1, 6))
    neighbour = _person(operator, counsellor, first_name="Marc", last_name="Vandenberghe")
    theirs = _open(neighbour, programme, counsellor, dt.date(2025, 1, 6))
    cv, _epn = _history(operator, counsellor, pathway, theirs, dt.date(2025, 3, 4))
    coming = _session(cv, timezone.localdate() + dt.timedelta(days=5), counsellor)
    services.enrolment_add(session=coming, pathway=pathway, by=counsellor)
    services.enrolment_add(session=coming, pathway=theirs, by=counsellor)
    return yasmina


def _requester(user) -> Requester:
    return Requester(user=user, membership=Membership.objects.get(user=user))


def _sections(data) -> dict:
    return {section["model"]: section["records"] for section in data["sections"]}


def test_the_export_lists_the_persons_sessions_and_presences(person, director, counsellor):
    data = subject_access_data(participant=person, requester=_requester(director))
    held = _sections(data)
    first, excused = held["workshops.ModuleAttendance"]
    assert first["session"]["label"] == (
        "Atelier « Atelier CV et lettre de motivation », 04/03/2025 09:30–12:00"
    )
    assert first["status"] == {"code": "present", "label": "Présent·e"}
    assert (first["hours"], first["note"]) == ("2.50", "Dettes au CPAS de Molenbeek, à suivre")
    assert first["recorded_by"] == counsellor.get_full_name()
    assert first["event"]["label"] == "Atelier collectif (04/03/2025)"
    assert "version" not in first  # a counter of the grid: technical
    assert excused["session"]["label"].endswith("11/03/2025 09:30–12:00")
    assert (excused["status"]["label"], excused["note"]) == (
        "Absence justifiée",
        "Hospitalisée à Molenbeek",
    )
    assert excused["event"] is None
    # Enrolled in the two past sessions and the one to come, for her pathway.
    enrolments = held["workshops.ModuleEnrolment"]
    assert len(enrolments) == 3
    assert {e["pathway"]["label"] for e in enrolments} == {"Accompagnement, depuis le 06/01/2025"}
    assert enrolments[-1]["enrolled_by"] == counsellor.get_full_name()
    # The presence is also an event of her pathway's log.
    events = held["participants.PathwayEvent"]
    assert any(e["kind"]["code"] == "group_workshop" for e in events)
    # Nobody else's presence, name or note; not the EPN's head-count.
    text = json.dumps(data, ensure_ascii=False)
    for other in ("Vandenberghe", NEIGHBOUR_NOTE, "En retard", "EPN – accès libre"):
        assert other not in text, other
    assert "workshops.DropInVisit" not in held
    assert "Imprimer ou scanner" not in text and "Démarches administratives" not in text


def test_a_cancelled_session_says_so_in_the_export(operator, counsellor, director, programme):
    yasmina = _person(operator, counsellor)
    pathway = _open(yasmina, programme, counsellor, dt.date(2025, 1, 6))
    cv, _epn = _modules(operator)
    session = _session(cv, dt.date(2025, 3, 4), counsellor)
    services.enrolment_add(session=session, pathway=pathway, by=counsellor)
    services.session_cancel(session=session, reason="Animatrice malade")
    held = _sections(subject_access_data(participant=yasmina, requester=_requester(director)))
    (enrolment,) = held["workshops.ModuleEnrolment"]
    assert enrolment["session"]["label"].endswith("04/03/2025 09:30–12:00 (annulée)")
    assert held["workshops.ModuleAttendance"] == []


def test_the_pdf_prints_the_sessions_in_plain_french(person, director):
    archive = zipfile.ZipFile(
        io.BytesIO(subject_access_zip(participant=person, requester=_requester(director)))
    )
    text = _pdf_text(archive.read("export.pdf"))
    for expected in (
        "Inscriptions aux modules collectifs",
        "Présences aux modules collectifs",
        "Atelier CV et lettre de motivation",
        "04/03/2025",
        "Présent·e",
        "Absence",  # a narrow column: "justifiée" on the next line
        "Hospitalisée à",
        "Inscrit·e",  # the headers too wrap
        "Événement",
    ):
        assert expected in text, (expected, text)
    assert "Vandenberghe" not in text and "Secret du voisin" not in text
    for english in ("ModuleAttendance", "ModuleEnrolment", "Enrolled", "Event"):
        assert english not in text, english  # every column named in French


def test_the_export_queries_the_same_with_one_session_or_five(
    operator, counsellor, director, programme
):
    cv, _epn = _modules(operator)

    def queries(someone):
        requester = _requester(director)
        subject_access_data(participant=someone, requester=requester)  # content types cached
        with CaptureQueriesContext(connection) as captured:
            subject_access_data(participant=someone, requester=requester)
        return len(captured)

    counts = []
    for rows in (1, 5):
        someone = _person(operator, counsellor, last_name=f"Personne-{rows}")
        pathway = _open(someone, programme, counsellor, dt.date(2025, 1, 6))
        for n in range(rows):
            session = _session(cv, dt.date(2025, 3, 3) + dt.timedelta(days=n), counsellor)
            _mark(session, pathway, counsellor, "present", "Vu")
        counts.append(queries(someone))
    assert counts[0] == counts[1]
