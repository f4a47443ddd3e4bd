"""Anonymisation at the end of the retention period (issue 17, item 2): who is due, what is
erased and what stays, a dry run that changes nothing — and the report figures of past years
the same before and after, on the demo data."""

import dataclasses
import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AccessLog, Organization
from chantiers.models import Attendance, Chantier, ElsewhereDeclaration
from participants.models import (
    FollowUp,
    Goal,
    Need,
    Participant,
    Pathway,
    PathwayEvent,
    Programme,
)
from participants.services import participant_delete
from privacy.anonymisation import anonymisation_due, anonymise_due, participant_anonymise
from reporting.reports import build
from tests.factories import ParticipantFactory, PathwayFactory

TODAY = dt.date(2026, 12, 6)


def _ended(participant, ended_on, **kwargs):
    return PathwayFactory(
        participant=participant,
        started_on=ended_on - dt.timedelta(days=200),
        ended_on=ended_on,
        exit_outcome="job_permanent",
        phase="closed",
        **kwargs,
    )


def _due_ids(**kwargs):
    return [entry.participant.pk for entry in anonymisation_due(today=TODAY, **kwargs)]


def test_due_five_years_after_the_last_pathway_by_default(operator):
    old = ParticipantFactory(organization=operator)
    _ended(old, dt.date(2021, 12, 6))  # five years ago to the day
    recent = ParticipantFactory(organization=operator)
    _ended(recent, dt.date(2021, 12, 7))
    two = ParticipantFactory(organization=operator)
    _ended(two, dt.date(2018, 1, 1))
    _ended(two, dt.date(2023, 1, 1))  # the last one counts
    still_open = ParticipantFactory(organization=operator)
    _ended(still_open, dt.date(2015, 1, 1))
    PathwayFactory(participant=still_open, started_on=dt.date(2020, 1, 1))
    assert operator.retention_years == 5
    assert _due_ids() == [old.pk]
    (entry,) = anonymisation_due(today=TODAY)
    assert (entry.last_pathway_end, entry.due_since) == (dt.date(2021, 12, 6), TODAY)


def test_each_organization_its_own_period_and_never_within_an_audit_period(
    operator, other_operator
):
    other_operator.retention_years = 2
    other_operator.save()
    here = ParticipantFactory(organization=operator)
    _ended(here, dt.date(2023, 6, 1))
    there = ParticipantFactory(organization=other_operator)
    _ended(there, dt.date(2023, 6, 1))
    assert _due_ids() == [there.pk]
    programme = Programme.objects.create(
        organization=other_operator, code="esf", name="FSE+", audit_until=dt.date(2027, 12, 31)
    )
    audited = ParticipantFactory(organization=other_operator)
    _ended(audited, dt.date(2020, 6, 1), programme=programme)
    assert _due_ids(organization=other_operator) == [there.pk]
    programme.audit_until = dt.date(2026, 12, 5)
    programme.save()
    assert _due_ids(organization=other_operator) == [audited.pk, there.pk]


def test_a_record_without_pathway_counts_from_its_creation(operator):
    person = ParticipantFactory(organization=operator)
    Participant.objects.filter(pk=person.pk).update(
        created_at=timezone.make_aware(dt.datetime(2020, 1, 1, 10))
    )
    assert _due_ids() == [person.pk]


def test_what_is_erased_and_what_stays(operator, counsellor):
    person = ParticipantFactory(
        organization=operator,
        first_name="Yasmina",
        last_name="Bensaïd",
        national_number="85.07.30-033.28",
        email="yasmina@example.org",
        phone="0470 12 34 56",
        street="Rue Haute 12",
        postcode="1000",
        iban="BE71 0961 2345 6769",
        emergency_contact="Karim, son frère, 0470 00 00 00",
    )
    pathway = _ended(person, dt.date(2020, 3, 1))
    Need.objects.create(
        participant=person, category="housing", identified_on=dt.date(2019, 9, 1), note="Expulsée"
    )
    PathwayEvent.objects.create(
        pathway=pathway,
        date=dt.date(2019, 9, 2),
        author=counsellor,
        text="Violences conjugales, hébergée chez sa sœur",
        confidentiality="restricted",
    )
    Goal.objects.create(pathway=pathway, text="Quitter Molenbeek")
    FollowUp.objects.create(
        pathway=pathway, months=6, due_on=dt.date(2020, 9, 1), note="Injoignable"
    )
    declaration = ElsewhereDeclaration.objects.create(
        participant=person,
        organization=operator,
        year=2019,
        amount=100,
        declared_on=dt.date(2019, 9, 1),
        source="CPAS de Molenbeek",
        proof="attestation",
    )
    declaration.proof_file.save("attestation.pdf", ContentFile(b"%PDF-1.4 name"), save=True)
    AccessLog.objects.create(
        user=counsellor,
        organization=operator,
        action=AccessLog.Action.VIEW,
        content_type=ContentType.objects.get_for_model(Participant),
        object_id=str(person.pk),
    )
    birth, gender, commune = person.birth_date, person.gender, person.commune

    with pytest.raises(ValidationError):  # deleting a person with history stays refused
        participant_delete(participant=person)

    participant_anonymise(participant=person)
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Anonyme", f"n° {person.pk}")
    for field in ("national_number", "email", "phone", "street", "postcode", "iban"):
        assert getattr(person, field) == "", field
    assert person.emergency_contact == "" and person.anonymised_at is not None
    assert (person.birth_date, person.gender, person.commune) == (birth, gender, commune)
    assert "yasmina" not in person.search_text
    assert Need.objects.get(participant=person).note == ""
    assert PathwayEvent.objects.get(pathway=pathway).text == ""
    assert Goal.objects.get(pathway=pathway).text == ""
    assert FollowUp.objects.get(pathway=pathway).note == ""
    declaration.refresh_from_db()
    assert (declaration.source, declaration.proof, declaration.proof_file.name) == ("", "", "")
    assert declaration.amount == 100
    pathway.refresh_from_db()
    assert (pathway.ended_on, pathway.exit_outcome) == (dt.date(2020, 3, 1), "job_permanent")
    assert AccessLog.objects.filter(object_id=str(person.pk)).count() == 1  # the id stays
    for entry in LogEntry.objects.all():
        text = f"{entry.object_repr} {entry.changes} {entry.changes_text} {entry.serialized_data}"
        for word in ("Yasmina", "Bensaïd", "Rue Haute", "0470", "Molenbeek"):
            assert word not in text, (entry.pk, text)


def test_the_attestation_file_is_deleted_on_commit(
    operator, counsellor, django_capture_on_commit_callbacks
):
    person = ParticipantFactory(organization=operator)
    _ended(person, dt.date(2020, 3, 1))
    declaration = ElsewhereDeclaration.objects.create(
        participant=person,
        organization=operator,
        year=2019,
        amount=10,
        declared_on=dt.date(2019, 9, 1),
        proof="x",
    )
    declaration.proof_file.save("attestation.pdf", ContentFile(b"%PDF-1.4"), save=True)
    storage, name = declaration.proof_file.storage, declaration.proof_file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        participant_anonymise(participant=person)
    assert not storage.exists(name)


def test_the_command_is_a_dry_run_unless_told(operator, capsys):
    person = ParticipantFactory(organization=operator, last_name="Vandenberghe")
    _ended(person, dt.date(2019, 1, 1))
    call_command("anonymize_expired")
    out = capsys.readouterr().out
    assert f"participant #{person.pk} (ml-test): last pathway ended 2019-01-01" in out
    assert "1 participant(s) would be anonymised. Nothing changed" in out
    assert "Vandenberghe" not in out
    person.refresh_from_db()
    assert person.anonymised_at is None
    call_command("anonymize_expired", "--wet-run")
    assert "1 participant(s) anonymised." in capsys.readouterr().out
    person.refresh_from_db()
    assert person.anonymised_at is not None and person.last_name == f"n° {person.pk}"
    call_command("anonymize_expired", "--wet-run")
    assert "0 participant(s) anonymised." in capsys.readouterr().out


def test_an_unknown_organization_is_refused(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No organization"):
        call_command("anonymize_expired", "--organization", "nowhere")


def _figures(document):
    """Everything a report says, but when it was generated and the names a listing may show
    (they are what anonymisation replaces)."""
    data = dataclasses.asdict(document)
    data.pop("generated_at")
    for listing in data["listings"]:
        named = [i for i, c in enumerate(listing["columns"]) if c["label"] in NAME_COLUMNS]
        for row in listing["rows"]:
            for index in named:
                row[index] = None
    return data


NAME_COLUMNS = {"Nom", "Prénom", "Personne", "Participant·e", "Nom et prénom"}


@pytest.mark.django_db(transaction=False)
def test_the_figures_of_past_years_are_the_same_before_and_after(settings):
    """On the demo data with a one-year retention, run a year from now (so that many are due,
    among them last year's chantier group, whose marks stay): every report kind of the past
    years, built before and after the wet run, says the same."""
    call_command("seed_demo", verbosity=0)
    Organization.objects.update(retention_years=1)
    Programme.objects.update(audit_until=None)
    today = timezone.localdate()
    operator = Organization.objects.get(slug="ml-bruxelles-midi")
    year = today.year
    asks = [("activity", {"year": y}) for y in range(year - 4, year)]
    for programme in Programme.objects.filter(organization=operator):
        asks.append(
            (
                "subsidy",
                {
                    "programme": programme.code,
                    "start": f"{year - 3}-01-01",
                    "end": f"{year - 1}-12-31",
                    "identify": "pseudonyms",
                },
            )
        )
        asks.append(("impact", {"programme": programme.code, "year": year - 2}))
    for chantier in Chantier.objects.filter(organization=operator):
        asks.append(("chantier_summary", {"chantier": chantier.code}))
        asks.append(("impact", {"chantier": chantier.code}))
    before = {
        repr(ask): _figures(build(ask[0], organization=operator, parameters=ask[1])) for ask in asks
    }

    anonymised = anonymise_due(today=today + dt.timedelta(days=366))
    assert len(anonymised) >= 50
    assert Participant.objects.filter(anonymised_at__isnull=False).count() == len(anonymised)
    assert Pathway.objects.filter(participant__anonymised_at__isnull=False).exists()
    assert Attendance.objects.filter(participant__anonymised_at__isnull=False).exists()

    for ask in asks:
        after = _figures(build(ask[0], organization=operator, parameters=ask[1]))
        assert after == before[repr(ask)], ask


def test_a_refused_referral_keeps_a_placeholder_reason_and_a_deleted_record_its_trail(
    operator, housing, counsellor
):
    """From the review: the database wants a refused referral's reason (an empty one made the
    whole run fail), and the audit entries of a record deleted earlier (a follow-up dropped)
    still held its text."""
    from partners.models import Referral

    person = ParticipantFactory(organization=operator)
    pathway = _ended(person, dt.date(2020, 3, 1))
    referral = Referral.objects.create(
        participant=person,
        pathway=pathway,
        from_organization=operator,
        to_organization=housing,
        reason="Logement insalubre rue de Molenbeek",
        sent_on=dt.date(2019, 10, 1),
        sent_by=counsellor,
        status="refused",
        refusal_reason="Connue de nos services à Molenbeek",
    )
    dropped = FollowUp.objects.create(
        pathway=pathway, months=6, due_on=dt.date(2020, 9, 1), note="Partie à Molenbeek"
    )
    dropped.delete()
    participant_anonymise(participant=person)
    referral.refresh_from_db()
    assert (referral.reason, referral.refusal_reason) == ("", "—")
    for entry in LogEntry.objects.all():
        text = f"{entry.object_repr} {entry.changes} {entry.changes_text} {entry.serialized_data}"
        assert "Molenbeek" not in text, (entry.pk, entry.action, text)


def test_a_closed_organizations_people_are_anonymised_too(operator):
    operator.is_active = False
    operator.save()
    person = ParticipantFactory(organization=operator)
    _ended(person, dt.date(2019, 1, 1))
    assert _due_ids() == [person.pk]


def test_an_anonymised_record_is_out_of_reach_and_an_open_edit_is_refused(
    client, counsellor, operator
):
    from django.urls import reverse

    from participants.services import participant_update

    person = ParticipantFactory(organization=operator, counsellor=counsellor)
    pathway = _ended(person, dt.date(2019, 1, 1))
    participant_anonymise(participant=person)
    client.force_login(counsellor)
    assert client.get(reverse("participants:detail", args=[person.pk])).status_code == 404
    assert client.get(reverse("participants:edit", args=[person.pk])).status_code == 404
    assert client.post(reverse("participants:pathway_reopen", args=[pathway.pk])).status_code == 404
    with pytest.raises(ValidationError, match="anonymisée"):
        participant_update(participant=person, first_name="Yasmina", phone="0470 12 34 56")
    person.refresh_from_db()
    assert (person.first_name, person.phone) == ("Anonyme", "")


def test_the_dry_run_costs_the_same_whatever_the_number_due(
    operator, django_assert_num_queries, capsys
):
    """From the reread: the command printed each person's organization with a query per row."""
    for _ in range(5):
        _ended(ParticipantFactory(organization=operator), dt.date(2019, 1, 1))
    call_command("anonymize_expired")  # warm caches (content types, the organization list)
    capsys.readouterr()
    with django_assert_num_queries(2):  # the organizations, then their people due
        call_command("anonymize_expired")
    assert "5 participant(s) would be anonymised" in capsys.readouterr().out
