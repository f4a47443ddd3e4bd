"""The subject-access export (GDPR art. 15, issue 17 item 3): one ZIP with a PDF in plain French,
a JSON of everything held on the person and their documents; restricted notes and a confidential
address only for who may read them, with a line saying what was left out; logged; the page for
administration and direction, the button on the participant page, and ``export_participant``."""

import datetime as dt
import errno
import io
import json
import os
import shutil
import subprocess
import zipfile
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import AccessLog, Membership
from accounts.personal import personal_record_models
from accounts.services import access_log_record
from chantiers.models import (
    Attendance,
    Enrolment,
    Incident,
    MonthlyStatement,
    PaymentBatch,
    VolunteerAgreement,
)
from participants import services as participant_services
from participants.models import Participant
from partners import services as partner_services
from partners.models import PartnerService
from privacy.anonymisation import NOT_ONE_PERSONS, participant_anonymise
from privacy.anonymisation import records_about_a_participant as records_about
from privacy.models import Document
from privacy.subject_access import Requester, subject_access_data, subject_access_zip
from tests.factories import (
    ChantierFactory,
    ParticipantFactory,
    ProgrammeFactory,
    WorkSessionFactory,
)

PAGE = reverse("privacy:subject_access")
NOTES_WITHHELD = (
    "1 note confidentielle non reprise : votre rôle ne permet pas de la lire ; une personne "
    "autorisée peut compléter l'export."
)
ADDRESS_WITHHELD = (
    "Adresse non reprise (rue, code postal, commune) : elle est confidentielle et votre rôle ne "
    "permet pas de la voir ; une personne autorisée peut compléter l'export."
)


def _export_url(person):
    return reverse("privacy:subject_access_export", args=[person.pk])


def _membership(user):
    return Membership.objects.get(user=user)


def _requester(user, **changes):
    membership = _membership(user)
    for name, value in changes.items():
        setattr(membership, name, value)
    membership.save()
    return Requester(user=user, membership=membership)


def _sections(data) -> dict:
    return {section["model"]: section["records"] for section in data["sections"]}


def _exports():
    """The exports of the person's record (each document exported has its own entry too)."""
    return AccessLog.objects.filter(
        action=AccessLog.Action.EXPORT, content_type__model="participant"
    )


def _add_life(person, *, chantier, counsellor, coordinator, director, housing, rows=1):
    """A pathway with its events and goal, attendances, a statement paid in a batch, a referral
    and a document: ``rows`` of each repeated kind."""
    programme = ProgrammeFactory(
        organization=person.organization, name="MoKoLab – chantiers participatifs"
    )
    pathway = participant_services.pathway_open(
        participant=person, programme=programme, started_on=dt.date(2025, 1, 6), by=counsellor
    )
    participant_services.pathway_change_phase(
        pathway=pathway, phase="worksite", by=counsellor, note="Chantier peinture"
    )
    need = participant_services.need_add(
        participant=person,
        category="housing",
        identified_on=dt.date(2025, 1, 6),
        note="Cherche un logement",
    )
    participant_services.goal_add(pathway=pathway, text="Obtenir le permis B")
    Enrolment.objects.create(
        chantier=chantier, participant=person, status="active", joined_on=dt.date(2026, 1, 5)
    )
    VolunteerAgreement.objects.create(
        participant=person,
        organization=person.organization,
        chantier=chantier,
        starts_on=dt.date(2026, 1, 1),
        daily_rate=Decimal("12.50"),
        signed_on=dt.date(2026, 1, 1),
        organisation_note_given_on=dt.date(2026, 1, 1),
        declaration="none",
    )
    service = PartnerService.objects.create(
        organization=housing, name="Accueil logement", need_category="housing"
    )
    for n in range(rows):
        participant_services.event_add(
            pathway=pathway,
            by=counsellor,
            date=dt.date(2025, 2, 3) + dt.timedelta(days=n),
            text=f"Entretien : projet peinture {n}",
            duration_minutes=45,
        )
        session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 2, 2 + n))
        Attendance.objects.create(
            session=session,
            participant=person,
            status="present",
            hours=session.hours,
            indemnity=Decimal("12.50"),
            recorded_by=coordinator,
        )
        statement = MonthlyStatement.objects.create(
            participant=person,
            organization=person.organization,
            month=dt.date(2025, 1 + n, 1),
            days=2,
            amount=Decimal("25.00"),
            status=MonthlyStatement.Status.PAID,
        )
        statement.batch = PaymentBatch.objects.create(
            organization=person.organization,
            reference=f"CP-{person.pk}-{n}",
            execution_date=dt.date(2025, 2 + n, 5),
            status=PaymentBatch.Status.PAID,
            total=Decimal("25.00"),
            count=1,
            created_by=director,
        )
        statement.save(update_fields=["batch"])
        referral = partner_services.referral_send(
            participant=person,
            to_organization=housing,
            service=service,
            need=need,
            reason=f"Recherche de logement social {n}",
            by=counsellor,
        )
        Document.objects.create(
            participant=person,
            kind=Document.Kind.ATTESTATION,
            dated_on=dt.date(2026, 3, 1),
            consent_on=dt.date(2026, 3, 1),
            keep_until=dt.date(2030, 1, 1),
            file=ContentFile(b"%PDF-1.4 attestation " + str(n).encode(), name="scan.pdf"),
            uploaded_by=counsellor,
        )
        access_log_record(user=counsellor, organization=person.organization, obj=person)
        access_log_record(user=coordinator, organization=person.organization, obj=referral)
    return pathway


@pytest.fixture
def chantier(operator, housing):
    return ChantierFactory(organization=operator, host=housing, name="Peinture des halls")


@pytest.fixture
def person(operator, housing, chantier, counsellor, coordinator, director):
    """Yasmina, with a bit of everything, a restricted note among her counsellor's; beside her in
    the same group, someone else whose data must never appear in her export."""
    yasmina = ParticipantFactory(
        organization=operator,
        first_name="Yasmina",
        last_name="Bensaïd",
        birth_date=dt.date(1985, 7, 30),
        street="Rue Haute 12",
        postcode="1000",
        email="yasmina@example.org",
        phone="0470 12 34 56",
        iban="BE71 0961 2345 6769",
        counsellor=counsellor,
    )
    participant_services.income_source_change(
        participant=yasmina, kind="ris", starts_on=dt.date(2024, 1, 1)
    )
    pathway = _add_life(
        yasmina,
        chantier=chantier,
        counsellor=counsellor,
        coordinator=coordinator,
        director=director,
        housing=housing,
    )
    participant_services.event_add(
        pathway=pathway,
        by=counsellor,
        date=dt.date(2025, 3, 1),
        text="Violences conjugales, hébergée chez sa sœur",
        confidentiality="restricted",
    )
    neighbour = ParticipantFactory(organization=operator, last_name="Vandenberghe")
    _add_life(
        neighbour,
        chantier=ChantierFactory(organization=operator, name="Jardin partagé"),
        counsellor=counsellor,
        coordinator=coordinator,
        director=director,
        housing=housing,
    )
    Incident.objects.create(
        chantier=chantier,
        date=dt.date(2026, 2, 2),
        kind="near_miss",
        people_involved="Yasmina B., Marc V.",
        description="Chute d'échelle évitée de justesse",
    )
    return yasmina


# --- What the export holds --------------------------------------------------------------------


def test_the_json_holds_everything_recorded_about_the_person(
    person, director, counsellor, coordinator
):
    data = subject_access_data(participant=person, requester=_requester(director))
    text = json.dumps(data, ensure_ascii=False)  # JSON as it is written, dates in ISO
    held = _sections(data)
    (identity,) = held["participants.Participant"]
    assert (identity["first_name"], identity["last_name"]) == ("Yasmina", "Bensaïd")
    assert identity["birth_date"] == "1985-07-30"
    assert identity["street"] == "Rue Haute 12" and identity["iban"] == "BE71096123456769"
    assert identity["gender"] == {"code": "F", "label": "Femme"}
    assert identity["counsellor"] == counsellor.get_full_name()
    assert [s["kind"]["code"] for s in held["participants.IncomeSource"]] == ["ris"]
    assert held["participants.Need"][0]["note"] == "Cherche un logement"
    (pathway,) = held["participants.Pathway"]
    assert pathway["programme"]["label"] == "MoKoLab – chantiers participatifs"
    assert pathway["phase"] == {"code": "worksite", "label": "Chantier"}
    assert [t["kind"]["code"] for t in held["participants.PathwayTransition"]] == [
        "start",
        "phase",
    ]
    assert [e["text"] for e in held["participants.PathwayEvent"]] == [
        "Entretien : projet peinture 0"
    ]
    assert held["participants.PathwayEvent"][0]["author"] == counsellor.get_full_name()
    assert held["participants.Goal"][0]["text"] == "Obtenir le permis B"
    (mark,) = held["chantiers.Attendance"]
    assert mark["session"]["label"] == "Peinture des halls, 02/02/2026 09:00–13:00"
    assert (mark["status"]["label"], mark["indemnity"]) == ("Présent·e", "12.50")
    assert mark["recorded_by"] == coordinator.get_full_name()
    assert held["chantiers.Enrolment"][0]["chantier"]["label"] == "Peinture des halls"
    assert held["chantiers.VolunteerAgreement"][0]["daily_rate"] == "12.50"
    (statement,) = held["chantiers.MonthlyStatement"]
    assert (statement["month"], statement["amount"]) == ("2025-01-01", "25.00")
    assert statement["batch"]["label"] == f"CP-{person.pk}-0, exécuté le 05/02/2025 (Payé)"
    (referral,) = held["partners.Referral"]
    assert (referral["to_organization"], referral["reason"]) == (
        "Logement Test",
        "Recherche de logement social 0",
    )
    assert held["partners.ReferralTransition"][0]["to_status"]["code"] == "sent"
    (document,) = held["privacy.Document"]
    assert document["file"] == "documents/2026-03-01-attestation.pdf"
    assert document["kind"]["label"] == "Attestation"
    log = held["accounts.AccessLog"]
    assert {(entry["user"], entry["action"]["code"]) for entry in log} == {
        (counsellor.get_full_name(), "view"),
        (coordinator.get_full_name(), "view"),  # the referral, a record about her
    }
    assert {entry["record"] for entry in log} == {
        f"participant·e n° {person.pk}",
        f"orientation n° {person.referrals.get().pk}",
    }
    # Nobody else's data: not the neighbour's, not the incident naming several people, not
    # the staff's accounts (their names only).
    assert "Vandenberghe" not in text and "Jardin partagé" not in text
    assert "Chute d'échelle" not in text
    assert counsellor.email not in text and counsellor.password not in text
    assert data["withheld"] == [
        {
            "section": "participants.PathwayEvent",
            "what": "restricted_notes",
            "count": 1,
            "message": NOTES_WITHHELD,
        }
    ]


def test_every_record_about_a_participant_is_in_the_export(world):
    """A new model pointing at a participant is exported without being listed: every personal
    record but the incidents has its section, with every row the database holds for the person
    (the world of tests/walk.py has one of nearly every kind)."""
    person = Participant.objects.get(pk=world["paths"]["participants:detail"]["pk"])
    director = world["users"]["direction"]
    data = subject_access_data(
        participant=person, requester=_requester(director, can_read_restricted_notes=True)
    )
    held = _sections(data)
    personal = {model._meta.label for model in personal_record_models()}
    assert personal - NOT_ONE_PERSONS <= set(held)
    assert not NOT_ONE_PERSONS & set(held)
    for model, lookup in records_about():
        assert len(held[model._meta.label]) == model.objects.filter(**{lookup: person}).count()
    filled = {label for label, records in held.items() if records}
    assert {
        "chantiers.MonthlyStatement",
        "chantiers.StatementCorrection",
        "chantiers.ElsewhereDeclaration",
        "chantiers.RealCost",
        "chantiers.CeilingExcess",
        "partners.Matching",
        "participants.FollowUp",
        "privacy.Document",
    } <= filled
    json.dumps(data)  # nothing but JSON


def test_restricted_notes_only_for_a_membership_that_may_read_them(person, director, counsellor):
    def notes(requester):
        data = subject_access_data(participant=person, requester=requester)
        texts = [event["text"] for event in _sections(data)["participants.PathwayEvent"]]
        return texts, [entry["message"] for entry in data["withheld"]]

    secret = "Violences conjugales, hébergée chez sa sœur"
    texts, withheld = notes(_requester(director))
    assert secret not in texts and withheld == [NOTES_WITHHELD]
    texts, withheld = notes(_requester(director, can_read_restricted_notes=True))
    assert secret in texts and withheld == []
    texts, withheld = notes(_requester(counsellor))  # the note's author
    assert secret in texts and withheld == []
    texts, withheld = notes(Requester())  # the command line without an account
    assert secret not in texts
    assert withheld == [
        "1 note confidentielle non reprise : l'export a été fait sans compte (ligne de "
        "commande) ; une personne autorisée peut compléter l'export."
    ]


def test_a_confidential_address_only_for_the_roles_the_organization_names(
    person, operator, admin, director
):
    person.address_confidential = True
    person.save()

    def address(requester):
        data = subject_access_data(participant=person, requester=requester)
        (identity,) = _sections(data)["participants.Participant"]
        messages = [e["message"] for e in data["withheld"] if e["what"] == "address"]
        return (identity["street"], identity["postcode"], identity["commune"]), messages

    assert operator.address_roles == {"direction"}
    assert address(_requester(director)) == (("Rue Haute 12", "1000", "Bruxelles"), [])
    assert address(_requester(admin)) == ((None, None, None), [ADDRESS_WITHHELD])
    assert address(Requester())[0] == (None, None, None)
    operator.confidential_address_roles = "admin,direction"
    operator.save()
    person.refresh_from_db()
    assert address(_requester(admin)) == (("Rue Haute 12", "1000", "Bruxelles"), [])


def test_the_pdf_prints_the_withheld_line_and_leaves_out_the_address(person, admin):
    person.address_confidential = True
    person.save()
    archive = zipfile.ZipFile(
        io.BytesIO(subject_access_zip(participant=person, requester=_requester(admin)))
    )
    text = _pdf_text(archive.read("export.pdf"))
    assert "Rue Haute" not in text
    assert "Adresse non reprise" in text and "note confidentielle non reprise" in text
    assert "Violences conjugales" not in text


# --- The page and the download ----------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        done = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        )
        return " ".join(done.stdout.decode().split())
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_direction_downloads_one_zip_with_the_pdf_the_json_and_the_documents(
    client, person, director
):
    client.force_login(director)
    answer = client.post(_export_url(person))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    assert answer["Content-Disposition"].startswith("attachment; filename=")
    assert f"droit-d-acces-{person.pk}-" in answer["Content-Disposition"]
    assert {"private", "no-store"} <= {part.strip() for part in answer["Cache-Control"].split(",")}
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert sorted(archive.namelist()) == [
        "documents/2026-03-01-attestation.pdf",
        "export.json",
        "export.pdf",
    ]
    assert archive.read("documents/2026-03-01-attestation.pdf") == b"%PDF-1.4 attestation 0"
    data = json.loads(archive.read("export.json"))
    assert data["participant"]["id"] == person.pk
    assert data["requested_by"] == director.get_full_name()
    text = _pdf_text(archive.read("export.pdf"))
    for expected in (
        "Vos données personnelles",
        "Yasmina",
        "Bensaïd",
        "Mission Locale de Test",
        "Identité et coordonnées",
        "Parcours",
        "Entretiens et événements des parcours",
        "Présences aux chantiers",
        "Conventions de bénévolat",
        "Fiches mensuelles de défraiement et paiements",
        "Orientations vers des partenaires",
        "Documents conservés",
        "Qui a consulté ces données",
        "Peinture des halls",
        "page 1 /",
        NOTES_WITHHELD,
    ):
        assert expected in text, expected
    (logged,) = _exports()
    assert (logged.user, logged.organization, logged.object_id) == (
        director,
        person.organization,
        str(person.pk),
    )
    assert logged.content_type == ContentType.objects.get_for_model(Participant)


def test_administration_downloads_it_too_and_the_log_counts_each_export(client, person, admin):
    client.force_login(admin)
    assert client.post(_export_url(person)).status_code == 200
    assert client.post(_export_url(person)).status_code == 200
    assert list(_exports().values_list("user", flat=True)) == [admin.pk, admin.pk]


def test_another_organizations_or_an_anonymised_participant_answers_404(
    client, person, director, outsider, other_operator
):
    client.force_login(outsider)
    assert client.post(_export_url(person)).status_code == 404
    theirs = ParticipantFactory(organization=other_operator)
    client.force_login(director)
    assert client.post(_export_url(theirs)).status_code == 404
    gone = ParticipantFactory(organization=person.organization)
    participant_anonymise(participant=gone)
    assert client.post(_export_url(gone)).status_code == 404
    assert not _exports().exists()


def test_counsellor_coordinator_and_partner_are_refused(
    client, person, counsellor, coordinator, partner
):
    for user in (counsellor, coordinator, partner):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, {"q": "Bensaïd"}).status_code == 403
        assert client.post(_export_url(person)).status_code == 403
    assert not _exports().exists()


def test_the_export_is_never_a_get(client, person, director):
    client.force_login(director)
    assert client.get(_export_url(person)).status_code == 405
    assert not _exports().exists()


def test_the_search_finds_people_by_name_and_shows_only_name_and_birth_year(
    client, person, admin, other_operator
):
    ParticipantFactory(organization=other_operator, last_name="Bensaïd", first_name="Autre")
    gone = ParticipantFactory(organization=person.organization, last_name="Bensaïd")
    participant_anonymise(participant=gone)
    client.force_login(admin)
    page = client.get(PAGE)
    assert page.status_code == 200 and "article 15 du RGPD" in page.text
    found = client.post(PAGE, {"q": "bensaid yasm"})
    assert found.status_code == 200
    assert "Yasmina" in found.text and "né·e en 1985" in found.text
    assert found.text.count("Télécharger l'export") == 1  # not the other organization's
    assert f'action="{_export_url(person)}"' in found.text
    assert person.national_number not in found.text and "30/07/1985" not in found.text
    nobody = client.post(PAGE, {"q": "Personne-Inconnue"})
    assert "Personne ne correspond à cette recherche" in nobody.text
    refused = client.post(PAGE, {"q": "Bens\x07aïd"})
    assert refused.status_code == 200 and "Télécharger l'export" not in refused.text
    assert not _exports().exists()


def test_the_privacy_page_is_linked_from_the_dashboard_of_admin_and_direction(
    client, admin, director
):
    for user in (admin, director):
        client.force_login(user)
        assert f'href="{PAGE}"' in client.get(reverse("dashboard:home")).text


def test_direction_has_the_export_button_on_the_participant_page(
    client, person, director, counsellor
):
    button = f'action="{_export_url(person)}"'
    client.force_login(director)
    page = client.get(reverse("participants:detail", args=[person.pk]))
    assert button in page.text and "Export RGPD (droit d'accès)" in page.text
    client.force_login(counsellor)
    assert button not in client.get(reverse("participants:detail", args=[person.pk])).text


# --- The command --------------------------------------------------------------------------------


def _command(*args):
    out = io.StringIO()
    call_command("export_participant", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_the_command_writes_the_export_for_an_account_and_logs_it(person, director, tmp_path):
    target = tmp_path / "yasmina.zip"
    said = _command(person.pk, "--output", target, "--user", director.email.upper())
    assert f"participant #{person.pk}" in said and str(target) in said
    archive = zipfile.ZipFile(target)
    assert {"export.json", "export.pdf", "documents/2026-03-01-attestation.pdf"} <= set(
        archive.namelist()
    )
    data = json.loads(archive.read("export.json"))
    assert data["withheld"][0]["message"] == NOTES_WITHHELD  # the director's membership decides
    (logged,) = _exports()
    assert logged.user == director


def test_without_an_account_the_command_withholds_and_logs_the_command_line(
    client, person, admin, tmp_path
):
    person.address_confidential = True
    person.save()
    target = tmp_path / "export.zip"
    said = _command(person.pk, "--output", target)
    assert "ligne de commande" in said
    data = json.loads(zipfile.ZipFile(target).read("export.json"))
    assert {entry["what"] for entry in data["withheld"]} == {"address", "restricted_notes"}
    assert "Rue Haute" not in json.dumps(data, ensure_ascii=False)
    (logged,) = _exports()
    assert logged.user is None and logged.organization == person.organization
    client.force_login(admin)
    assert "ligne de commande" in client.get(reverse("accounts:access_log")).text


@pytest.mark.parametrize(
    "case",
    ["not a number", "no such person", "anonymised", "no folder", "not a zip", "a folder"],
)
def test_a_bad_argument_exits_with_a_message_and_writes_nothing(person, tmp_path, case):
    target = tmp_path / "out.zip"
    args = {
        "not a number": ["12a", "--output", target],
        "no such person": [person.pk + 10_000, "--output", target],
        "anonymised": [
            ParticipantFactory(
                organization=person.organization, anonymised_at=dt.datetime.now(dt.UTC)
            ).pk,
            "--output",
            target,
        ],
        "no folder": [person.pk, "--output", tmp_path / "missing" / "out.zip"],
        "not a zip": [person.pk, "--output", tmp_path / "out.pdf"],
        "a folder": [person.pk, "--output", tmp_path / "folder.zip"],
    }[case]
    if case == "a folder":
        (tmp_path / "folder.zip").mkdir()
    with pytest.raises(CommandError) as refused:
        _command(*args)
    assert str(refused.value)
    assert [p.name for p in tmp_path.iterdir()] == (["folder.zip"] if case == "a folder" else [])
    assert not _exports().exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a read-only folder")
def test_a_read_only_folder_exits_with_a_message_and_writes_nothing(person, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(CommandError, match="Cannot write"):
            _command(person.pk, "--output", locked / "out.zip")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)
    assert not _exports().exists()


def test_a_write_that_fails_leaves_no_file_and_no_log(person, tmp_path, monkeypatch):
    """The disk full halfway: no half file, and the export is not logged as made."""
    from privacy.management.commands import export_participant

    real_fdopen = os.fdopen

    class Full:
        def __init__(self, handle, mode):
            self.file = real_fdopen(handle, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, content):
            self.file.write(content[:10])
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export_participant.os, "fdopen", Full)
    with pytest.raises(CommandError, match=r"Cannot write .*No space left on device"):
        _command(person.pk, "--output", tmp_path / "out.zip")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_the_written_export_is_readable_by_its_owner_only(person, director, tmp_path):
    target = tmp_path / "out.zip"
    _command(person.pk, "--output", target, "--user", director.email)
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.zip"]


def test_each_exported_document_is_in_its_own_access_history(person, director):
    subject_access_zip(participant=person, requester=_requester(director))
    documents = AccessLog.objects.filter(
        action=AccessLog.Action.EXPORT, content_type__model="document"
    )
    assert sorted(documents.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in Document.objects.filter(participant=person).values_list("pk", flat=True)
    )
    assert documents.exists() and {log.user for log in documents} == {director}


def test_the_reasons_of_the_address_showings_follow_the_address(person, admin, director):
    from participants.models import AddressReveal

    person.address_confidential = True
    person.save()
    AddressReveal.objects.create(participant=person, user=director, reason="Courrier Rue Haute 12")

    def reasons(requester):
        data = subject_access_data(participant=person, requester=requester)
        withheld = [e["what"] for e in data["withheld"] if e["what"] != "restricted_notes"]
        return [r["reason"] for r in _sections(data)["participants.AddressReveal"]], withheld

    assert reasons(_requester(director)) == (["Courrier Rue Haute 12"], [])
    assert reasons(_requester(admin)) == ([None], ["address", "address_reveal_reasons"])
    archive = zipfile.ZipFile(
        io.BytesIO(subject_access_zip(participant=person, requester=_requester(admin)))
    )
    assert b"Rue Haute" not in archive.read("export.json")


def test_the_command_accepts_only_administration_or_direction(
    person, counsellor, outsider, tmp_path
):
    target = tmp_path / "out.zip"
    for email in (counsellor.email, outsider.email, "nobody@example.org"):
        with pytest.raises(CommandError):
            _command(person.pk, "--output", target, "--user", email)
    assert not target.exists() and not _exports().exists()


# --- Queries -----------------------------------------------------------------------------------


def test_the_export_queries_the_same_with_one_row_of_each_kind_or_five(
    person, director, chantier, counsellor, coordinator, housing, django_assert_num_queries
):
    requester = _requester(director)
    subject_access_data(participant=person, requester=requester)  # content types cached
    sections = len(records_about()) + 1  # each kind of record, the person
    # and the restricted notes withheld, the access log
    with django_assert_num_queries(sections + 2):
        subject_access_data(participant=person, requester=requester)
    more = ParticipantFactory(organization=person.organization)
    _add_life(
        more,
        chantier=chantier,
        counsellor=counsellor,
        coordinator=coordinator,
        director=director,
        housing=housing,
        rows=5,
    )
    data = subject_access_data(participant=more, requester=requester)
    assert len(_sections(data)["chantiers.Attendance"]) == 5
    with django_assert_num_queries(sections + 2):
        subject_access_data(participant=more, requester=requester)
