"""The answer link of a referral to a partner without members, asked for while Redis is
unreachable: the referral is sent (no 500), the counsellor is told the e-mail will follow, and
the periodic check sends it once the broker is back."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, Role
from partners import emails, selectors, services
from partners.models import PartnerService, Referral
from partners.tasks import referral_links_send_due
from tests.factories import MembershipFactory, OrganizationFactory, PathwayFactory
from tests.workers import broker_unreachable

LATER = "l'e-mail partira dès que possible"
LINK = reverse("partners:link_answer")


@pytest.fixture
def cpas(db):
    """A partner without members: it answers through the e-mailed link."""
    return OrganizationFactory(
        kind=Organization.Kind.CPAS, name="CPAS de Forest", email="accueil@cpas-forest.example"
    )


@pytest.fixture
def service(cpas):
    return PartnerService.objects.create(
        organization=cpas,
        name="Service social",
        need_category="childcare",
        email="orientations@cpas-forest.example",
    )


@pytest.fixture
def person(operator):
    return PathwayFactory(
        participant__organization=operator,
        participant__first_name="Yasmina",
        participant__last_name="Ouali",
    ).participant


def _changed_minutes_ago(referral, minutes):
    Referral.objects.filter(pk=referral.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


def _messages(response):
    return [(m.level_tag, m.message) for m in response.context["messages"]]


@pytest.mark.django_db(transaction=True)
def test_a_referral_sent_while_the_broker_is_down_gets_its_link_once_it_is_back(
    client, counsellor, person, service, broker_down
):
    client.force_login(counsellor)
    response = client.post(
        reverse("partners:referral_create", args=[person.pk]),
        {"service": service.pk, "reason": "Garde d'enfants"},
        follow=True,
    )
    assert response.status_code == 200
    shown = _messages(response)
    assert shown[0] == ("success", "L'orientation vers CPAS de Forest est envoyée.")
    assert shown[1][0] == "warning" and LATER in shown[1][1]
    referral = Referral.objects.get()
    assert referral.link_sent_at is None and mail.outbox == []

    _changed_minutes_ago(referral, 11)
    assert referral_links_send_due.apply().get() == 1  # the periodic check (celery beat)
    assert [m.to for m in mail.outbox] == [["orientations@cpas-forest.example"]]
    token = re.search(r"\?t=(\S+)", mail.outbox[0].body).group(1)
    assert client.get(LINK, {"t": token}).status_code == 200
    referral.refresh_from_db()
    assert referral.link_sent_at is not None
    assert emails.referral_links_send_due() == 0  # sent once


@pytest.mark.django_db(transaction=True)
def test_a_link_resent_while_the_broker_is_down_is_sent_by_the_check(
    client, counsellor, person, service
):
    referral = services.referral_send(
        participant=person,
        to_organization=service.organization,
        service=service,
        reason="Garde d'enfants",
        by=counsellor,
    )
    emails.referral_link_send(referral=referral)
    first = re.search(r"\?t=(\S+)", mail.outbox[0].body).group(1)
    Referral.objects.filter(pk=referral.pk).update(
        link_sent_at=timezone.now() - dt.timedelta(days=2),
        status_changed_at=timezone.now() - dt.timedelta(days=2),
    )
    client.force_login(counsellor)
    with broker_unreachable():
        response = client.post(reverse("partners:link_resend", args=[referral.pk]), follow=True)
    assert response.status_code == 200
    assert any(LATER in message for _level, message in _messages(response))
    referral.refresh_from_db()
    assert referral.link_sent_at is None  # owed
    assert client.get(LINK, {"t": first}).status_code == 200  # the first one still works

    assert emails.referral_links_send_due() == 1
    assert len(mail.outbox) == 2
    assert client.get(LINK, {"t": first}).status_code == 410  # replaced by the one just sent


def test_the_check_sends_only_what_is_owed(operator, counsellor, person, service, cpas):
    now = timezone.now()

    def referral(minutes_ago, to=cpas, with_service=True, **changes):
        made = services.referral_send(
            participant=PathwayFactory(participant__organization=operator).participant,
            to_organization=to,
            service=service if with_service else None,
            reason="Motif",
            by=counsellor,
        )
        Referral.objects.filter(pk=made.pk).update(
            status_changed_at=now - dt.timedelta(minutes=minutes_ago), **changes
        )
        return made

    owed = referral(11)
    owed_to_the_organization = referral(11, with_service=False)
    just_asked = referral(9)  # its task may be in the queue still
    sent = referral(60, link_sent_at=now)
    answered = referral(60, status=Referral.Status.ACCEPTED)
    with_members = OrganizationFactory(kind=Organization.Kind.HOUSING, email="x@housing.example")
    MembershipFactory(organization=with_members, role=Role.PARTNER)
    answers_in_the_app = referral(60, to=with_members, with_service=False)
    no_address = OrganizationFactory(kind=Organization.Kind.CPAS, email="")
    unreachable = referral(60, to=no_address, with_service=False)

    due = set(selectors.referrals_due_link(now=now))
    assert due == {owed, owed_to_the_organization}
    assert not {just_asked, sent, answered, answers_in_the_app, unreachable} & due
