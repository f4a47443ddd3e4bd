"""The privacy side of the demo: a few people whose address is confidential (people hiding from
violence) and, for the people followed now, the papers of their file — small PDFs saying they
are demo documents."""

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone
from weasyprint import HTML

from accounts.models import Organization
from participants.models import Participant
from privacy.documents import default_keep_until
from privacy.models import Document

KINDS = [Document.Kind.ID_COPY, Document.Kind.ATTESTATION, Document.Kind.DIPLOMA]


def _demo_pdf(title: str) -> bytes:
    return HTML(
        string=f"<h1 style='font-family:sans-serif'>{title}</h1>"
        "<p style='font-family:sans-serif'>Document de démonstration — aucune donnée réelle.</p>"
    ).write_pdf()


def seed_privacy(*, rng, organization: Organization) -> dict:
    today = timezone.localdate()
    people = list(
        Participant.objects.filter(organization=organization, pathways__ended_on__isnull=True)
        .select_related("counsellor")
        .distinct()
        .order_by("pk")
    )
    hidden = rng.sample(people, k=min(len(people), 3))
    Participant.objects.filter(pk__in=[p.pk for p in hidden]).update(address_confidential=True)
    pdfs = {kind: _demo_pdf(kind.label) for kind in KINDS}
    documents = []
    for person in rng.sample(people, k=min(len(people), 25)):
        kind = rng.choice(KINDS)
        dated_on = today - dt.timedelta(days=rng.randint(5, 300))
        document = Document(
            participant=person,
            kind=kind,
            dated_on=dated_on,
            consent_on=dated_on,
            keep_until=default_keep_until(kind, today),
            uploaded_by=person.counsellor,
            size=len(pdfs[kind]),
        )
        document.file.save(f"{kind}.pdf", ContentFile(pdfs[kind]), save=False)
        documents.append(document)
    Document.objects.bulk_create(documents)
    return {"confidential_addresses": len(hidden), "documents": len(documents)}
