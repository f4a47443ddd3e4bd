"""A participant's documents (issue 17, item 5): kept with a type, a date, the person's consent
and a retention date; stored outside the web root; downloaded only through a view that checks
who asks and writes the access log; refused with a clear message when too large or not what
they claim to be; deleted at the end of their retention and by the anonymisation."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, Role
from chantiers.storage import MAX_BYTES
from privacy.anonymisation import participant_anonymise
from privacy.documents import documents_expired_remove
from privacy.models import Document
from privacy.tasks import documents_expired_remove as documents_expired_remove_task
from tests.factories import MembershipFactory, ParticipantFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def person(operator, counsellor):
    return ParticipantFactory(organization=operator, counsellor=counsellor)


def _kept(person, by, *, keep_until=dt.date(2030, 1, 1), content=PDF, name="scan.pdf", **extra):
    return Document.objects.create(
        participant=person,
        kind=extra.pop("kind", Document.Kind.ATTESTATION),
        dated_on=dt.date(2026, 3, 2),
        consent_on=dt.date(2026, 3, 2),
        keep_until=keep_until,
        file=ContentFile(content, name=name),
        uploaded_by=by,
        **extra,
    )


def _form(**overrides):
    today = timezone.localdate()
    data = {
        "kind": "diploma",
        "description": "CESS",
        "dated_on": (today - dt.timedelta(days=400)).isoformat(),
        "consent_on": today.isoformat(),
        "keep_until": (today + dt.timedelta(days=365)).isoformat(),
        "file": SimpleUploadedFile("Diplome de Fatima.pdf", PDF, content_type="application/pdf"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_counsellor_adds_a_document_kept_outside_the_web_root(client, counsellor, person):
    client.force_login(counsellor)
    response = client.post(reverse("documents:add", args=[person.pk]), _form())
    assert response.status_code == 302
    assert response["Location"] == reverse("participants:detail", args=[person.pk]) + "#documents"
    document = Document.objects.get(participant=person)
    assert (document.kind, document.description, document.uploaded_by) == (
        "diploma",
        "CESS",
        counsellor,
    )
    assert document.size == len(PDF)
    # Under MEDIA_ROOT/private, under a random name: neither the person's name nor the file's.
    path = Path(document.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT) / "private")
    assert not path.is_relative_to(Path(settings.STATIC_ROOT))
    assert "Fatima" not in document.file.name and path.suffix == ".pdf"
    assert path.read_bytes() == PDF
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018  no public address, ever

    page = client.get(reverse("participants:detail", args=[person.pk]))
    assert reverse("documents:download", args=[document.pk]) in page.content.decode()
    assert "Diplôme, certificat" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"file": SimpleUploadedFile("notes.docx", b"PK\x03\x04", content_type="x")},
            "file",
            "Envoyez une photo ou un PDF",
        ),
        (
            {"file": SimpleUploadedFile("photo.png", PDF, content_type="image/png")},
            "file",
            "n'est pas le .png que son nom annonce",
        ),
        (
            {"file": SimpleUploadedFile("big.pdf", PDF + b"0" * MAX_BYTES, content_type="x")},
            "file",
            "dépasse 10 Mo",
        ),
        ({"file": None}, "file", "Ce champ est obligatoire"),
        ({"consent_on": ""}, "consent_on", "Ce champ est obligatoire"),
        ({"dated_on": "2999-01-01"}, "dated_on", "Une date future n'est pas acceptée"),
        ({"keep_until": "2020-01-01"}, "keep_until", "doit être dans le futur"),
        ({"keep_until": "2099-12-31"}, "keep_until", "se garde jusqu'au"),
    ],
)
def test_a_refused_document_says_why_keeps_what_was_typed_and_stores_nothing(
    client, counsellor, person, overrides, field, message
):
    client.force_login(counsellor)
    response = client.post(reverse("documents:add", args=[person.pk]), _form(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert 'value="CESS"' in html  # what was typed is still there
    if field != "file":
        assert "Choisissez-le à nouveau" in html  # the file, a browser does not send again
    assert not Document.objects.exists()
    private = Path(settings.MEDIA_ROOT) / "private" / "documents" / "participants"
    assert not private.exists() or not any(p.is_file() for p in private.rglob("*"))


def test_the_download_is_checked_and_logged(client, counsellor, director, person):
    document = _kept(person, counsellor, content=PNG, name="id.png", kind="id_copy")
    client.force_login(director)
    response = client.get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="2026-03-02-id_copy-{document.pk}.png"'
    )
    log = AccessLog.objects.get(action=AccessLog.Action.DOWNLOAD)
    assert (log.user, log.object_id, log.content_type.model) == (
        director,
        str(document.pk),
        "document",
    )


@pytest.mark.parametrize("persona", ["admin", "coordinator", "partner", "outsider"])
def test_nobody_else_reaches_a_document(
    client, personas, counsellor, person, persona, other_operator
):
    document = _kept(person, counsellor)
    if persona == "outsider":  # the director of another organization
        personas[persona] = MembershipFactory(organization=other_operator, role=Role.DIRECTION).user
    client.force_login(personas[persona])
    for method, name, args in [
        ("get", "documents:download", [document.pk]),
        ("post", "documents:remove", [document.pk]),
        ("get", "documents:add", [person.pk]),
        ("post", "documents:add", [person.pk]),
    ]:
        response = getattr(client, method)(reverse(name, args=args), _form())
        assert response.status_code in (403, 404), (persona, name)
        if persona == "outsider":
            assert response.status_code == 404, name  # another organization's
    assert Document.objects.count() == 1
    assert not AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD).exists()


def test_an_anonymised_persons_documents_are_erased(
    client, counsellor, person, django_capture_on_commit_callbacks
):
    document = _kept(person, counsellor, description="Attestation du CPAS d'Anderlecht")
    path = document.file.path
    with pytest.raises(ProtectedError):  # a person with a document is not deleted
        person.delete()
    with django_capture_on_commit_callbacks(execute=True):
        participant_anonymise(participant=person)
    document.refresh_from_db()
    assert (document.file.name, document.description) == ("", "")
    assert not os.path.exists(path)
    client.force_login(counsellor)
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404


def test_a_document_is_removed_on_request(
    client, director, counsellor, person, django_capture_on_commit_callbacks
):
    document = _kept(person, counsellor)
    path = document.file.path
    client.force_login(director)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:remove", args=[document.pk]))
    assert response.status_code == 302
    assert not Document.objects.exists()
    assert not os.path.exists(path)
    assert client.get(reverse("documents:remove", args=[document.pk])).status_code in (404, 405)


def test_documents_past_their_retention_date_are_deleted_daily(
    counsellor, person, django_capture_on_commit_callbacks
):
    today = timezone.localdate()  # the beat's task below reads the real day
    expired = _kept(person, counsellor, keep_until=today - dt.timedelta(days=1))
    last_day = _kept(person, counsellor, keep_until=today)
    expired_path = expired.file.path
    with django_capture_on_commit_callbacks(execute=True):
        assert documents_expired_remove(today=today) == 1
    assert list(Document.objects.all()) == [last_day]
    assert not os.path.exists(expired_path) and os.path.exists(last_day.file.path)
    assert "remove-expired-documents" in settings.CELERY_BEAT_SCHEDULE
    # The beat's task runs the same (today: the last one has not expired).
    assert documents_expired_remove_task.delay().get() == 0


def test_the_section_lists_the_documents_in_one_query(
    client, counsellor, person, django_assert_num_queries
):
    from privacy.documents import participant_documents_section

    for day in range(3):
        _kept(person, counsellor, keep_until=dt.date(2030, 1, 1 + day))
    with django_assert_num_queries(1):
        section = participant_documents_section(participant=person, organization=None)
        assert [d.uploaded_by.email for d in section["documents"]] == [counsellor.email] * 3


@pytest.mark.parametrize(
    ("kind", "months"),
    [("id_copy", 12), ("attestation", 36), ("diploma", 60), ("agreement", 60), ("other", 24)],
)
def test_without_a_date_a_document_is_kept_the_longest_its_type_allows(
    client, counsellor, person, kind, months
):
    from accounts.dates import add_months

    client.force_login(counsellor)
    response = client.post(
        reverse("documents:add", args=[person.pk]), _form(kind=kind, keep_until="")
    )
    assert response.status_code == 302
    today = timezone.localdate()
    assert Document.objects.get().keep_until == add_months(today, months)
    # One day more is refused, saying until when.
    Document.objects.all().delete()
    later = add_months(today, months) + dt.timedelta(days=1)
    response = client.post(
        reverse("documents:add", args=[person.pk]), _form(kind=kind, keep_until=later.isoformat())
    )
    assert f"{add_months(today, months):%d/%m/%Y}" in " ".join(
        response.context["form"].errors["keep_until"]
    )


def test_a_file_lost_from_the_disk_answers_404_and_logs_nothing(client, counsellor, person):
    document = _kept(person, counsellor)
    os.remove(document.file.path)
    client.force_login(counsellor)
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD).exists()
