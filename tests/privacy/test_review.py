"""The monthly dry run shown to the administration, and its confirmation (issue 17, item 2)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from participants.models import Participant
from privacy.models import AnonymisationReview
from privacy.services import anonymisation_reviews_prepare
from privacy.tasks import anonymisation_reviews_prepare as prepare_task
from tests.factories import ParticipantFactory, PathwayFactory

URL = reverse("privacy:review")


def _due(organization, last_name="Vandenberghe"):
    person = ParticipantFactory(organization=organization, last_name=last_name)
    PathwayFactory(
        participant=person,
        started_on=dt.date(2018, 1, 1),
        ended_on=dt.date(2019, 1, 1),
        exit_outcome="job_permanent",
        phase="closed",
    )
    return person


def test_the_beat_task_prepares_one_list_per_organization_with_someone_due(
    operator, other_operator
):
    person = _due(operator)
    assert prepare_task() == 1
    review = AnonymisationReview.objects.get()
    assert (review.organization, review.participant_ids) == (operator, [person.pk])
    assert prepare_task() == 1  # next month's replaces an unconfirmed one
    assert AnonymisationReview.objects.count() == 1


def test_the_administration_sees_ids_and_dates_and_confirms(client, admin, operator):
    person = _due(operator)
    anonymisation_reviews_prepare(today=timezone.localdate())
    client.force_login(admin)
    page = client.get(URL)
    assert f"n° {person.pk}" in page.text and "01/01/2019" in page.text
    assert "Vandenberghe" not in page.text  # the administration opens no personal record
    refused = client.post(URL, {})
    assert refused.status_code == 200 and "Ce champ est obligatoire" in refused.text
    assert Participant.objects.get(pk=person.pk).anonymised_at is None
    done = client.post(URL, {"confirmed": "on"}, follow=True)
    assert "1 personne anonymisée." in done.text
    person.refresh_from_db()
    assert person.anonymised_at is not None
    review = AnonymisationReview.objects.get()
    assert (review.confirmed_by, review.anonymised) == (admin, 1)
    assert "Personne n'est à anonymiser" in client.get(URL).text


def test_a_pathway_reopened_meanwhile_keeps_its_person(client, admin, operator):
    person = _due(operator)
    anonymisation_reviews_prepare(today=timezone.localdate())
    PathwayFactory(participant=person, started_on=timezone.localdate())
    client.force_login(admin)
    client.post(URL, {"confirmed": "on"})
    person.refresh_from_db()
    assert person.anonymised_at is None
    assert AnonymisationReview.objects.get().anonymised == 0


def test_only_the_administration_of_the_organization(client, director, outsider, operator):
    _due(operator)
    anonymisation_reviews_prepare(today=timezone.localdate())
    client.force_login(director)
    assert client.get(URL).status_code == 403
    client.force_login(outsider)  # the other operator's admin sees its own (empty) list
    page = client.get(URL)
    assert "Personne n'est à anonymiser" in page.text
    assert client.post(URL, {"confirmed": "on"}).status_code == 200
    assert Participant.objects.filter(anonymised_at__isnull=False).count() == 0


def test_the_administrations_dashboard_counts_the_list_and_leads_to_it(client, admin, operator):
    _due(operator)
    _due(operator, last_name="Peeters")
    anonymisation_reviews_prepare(today=timezone.localdate())
    client.force_login(admin)
    page = client.get(reverse("dashboard:home")).text
    assert 'data-testid="anonymisation-due">2<' in page
    assert f'href="{URL}"' in page
