"""Referrals: the state machine and its log, one open referral per service (a double submit sends
one), expiry by the periodic task, the signed answer link."""

import datetime as dt
import html as html_lib

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from participants.models import Need
from partners import services
from partners.models import PartnerService, Referral
from partners.tasks import referrals_expire_overdue
from tests.factories import OrganizationFactory, PathwayFactory


@pytest.fixture
def cpas(db):
    return OrganizationFactory(kind=Organization.Kind.CPAS, name="CPAS d'Anderlecht")


@pytest.fixture
def person(operator):
    return PathwayFactory(participant__organization=operator).participant


@pytest.fixture
def referral(person, cpas, counsellor):
    return services.referral_send(
        participant=person, to_organization=cpas, reason="Garde d'enfants", by=counsellor
    )


@pytest.fixture
def service_without_address(cpas):
    return PartnerService.objects.create(
        organization=cpas, name="Service logement", need_category="housing"
    )


def _text(response) -> str:
    return html_lib.unescape(response.content.decode())


def _log(referral):
    return list(referral.transitions.values_list("from_status", "to_status", "channel"))


class TestStateMachine:
    def test_sent_accepted_completed_each_logged(self, referral, counsellor, partner):
        services.referral_answer(referral=referral, accept=True, by=partner)
        referral = services.referral_close(referral=referral, came=True, by=counsellor)
        assert referral.status == "completed"
        assert _log(referral) == [
            ("", "sent", "app"),
            ("sent", "accepted", "app"),
            ("accepted", "completed", "app"),
        ]

    def test_a_refusal_needs_its_reason_which_is_kept(self, referral, partner):
        with pytest.raises(ValidationError):
            services.referral_answer(referral=referral, accept=False, by=partner, reason=" ")
        referral = services.referral_answer(
            referral=referral, accept=False, by=partner, reason="Plus de places avant mars"
        )
        assert (referral.status, referral.refusal_reason) == (
            "refused",
            "Plus de places avant mars",
        )
        assert referral.transitions.last().reason == "Plus de places avant mars"

    @pytest.mark.parametrize(
        ("first", "then"),
        [("refuse", "accept"), ("accept", "accept"), ("complete", "no_show")],
    )
    def test_final_states_do_not_change(self, referral, partner, counsellor, first, then):
        services.referral_answer(
            referral=referral, accept=first != "refuse", by=partner, reason="Complet"
        )
        if first == "complete":
            services.referral_close(referral=referral, came=True, by=counsellor)
        with pytest.raises(ValidationError, match="ne peut plus devenir"):
            if then == "accept":
                services.referral_answer(referral=referral, accept=True, by=partner)
            else:
                services.referral_close(referral=referral, came=False, by=counsellor)

    def test_no_show_only_after_an_acceptance(self, referral, counsellor):
        with pytest.raises(ValidationError):
            services.referral_close(referral=referral, came=False, by=counsellor)

    def test_sending_checks_the_pathway_the_service_and_the_need(
        self, operator, person, cpas, counsellor
    ):
        other_service = PartnerService.objects.create(
            organization=OrganizationFactory(), name="Crèche", need_category="childcare"
        )
        with pytest.raises(ValidationError, match="n'appartient pas"):
            services.referral_send(
                participant=person,
                to_organization=cpas,
                reason="x",
                by=counsellor,
                service=other_service,
            )
        someone_elses_need = Need.objects.create(
            participant=PathwayFactory(participant__organization=operator).participant,
            category="housing",
            identified_on=dt.date(2026, 1, 5),
        )
        with pytest.raises(ValidationError, match="pas celui de cette personne"):
            services.referral_send(
                participant=person,
                to_organization=cpas,
                reason="x",
                by=counsellor,
                need=someone_elses_need,
            )
        with pytest.raises(ValidationError, match="propre organisation"):
            services.referral_send(
                participant=person, to_organization=operator, reason="x", by=counsellor
            )


class TestDoubleSubmit:
    def test_a_double_submitted_referral_is_sent_once_and_the_second_post_says_why(
        self, client, counsellor, person, service_without_address
    ):
        client.force_login(counsellor)
        url = reverse("partners:referral_create", args=[person.pk])
        data = {"service": service_without_address.pk, "reason": "Logement urgent"}
        assert client.post(url, data).status_code == 302
        second = client.post(url, data)

        assert Referral.objects.count() == 1
        assert second.status_code == 200
        text = _text(second)
        assert "déjà en cours" in text
        assert "Logement urgent" in text  # what was typed is kept

    def test_the_same_service_can_be_asked_again_once_the_first_referral_is_closed(
        self, counsellor, person, service_without_address
    ):
        first = services.referral_send(
            participant=person,
            to_organization=service_without_address.organization,
            service=service_without_address,
            reason="Logement",
            by=counsellor,
        )
        services.referral_answer(referral=first, accept=False, by=None, reason="Complet")
        services.referral_send(
            participant=person,
            to_organization=service_without_address.organization,
            service=service_without_address,
            reason="Logement, une place s'est libérée",
            by=counsellor,
        )
        assert Referral.objects.filter(participant=person).count() == 2


class TestExpiry:
    def test_the_periodic_task_expires_what_is_unanswered_past_the_delay(
        self, referral, person, cpas, counsellor, settings
    ):
        settings.REFERRAL_EXPIRY_DAYS = 21
        Referral.objects.filter(pk=referral.pk).update(
            sent_on=timezone.localdate() - dt.timedelta(days=22)
        )
        recent = services.referral_send(
            participant=person, to_organization=cpas, reason="Logement", by=counsellor
        )
        assert referrals_expire_overdue.delay().get() == 1
        referral.refresh_from_db()
        recent.refresh_from_db()
        assert (referral.status, recent.status) == ("expired", "sent")
        assert _log(referral)[-1] == ("sent", "expired", "system")
        assert referrals_expire_overdue.delay().get() == 0  # running it again changes nothing

    def test_exactly_the_delay_is_not_yet_expired(self, referral, settings):
        settings.REFERRAL_EXPIRY_DAYS = 21
        Referral.objects.filter(pk=referral.pk).update(
            sent_on=timezone.localdate() - dt.timedelta(days=21)
        )
        assert services.referral_expire_overdue() == 0


class TestSignedLink:
    def test_a_valid_link_answers_once(self, referral):
        token = services.referral_link_token(referral=referral)
        referral = services.referral_answer_by_link(token=token, accept=True)
        assert referral.status == "accepted"
        assert _log(referral)[-1] == ("sent", "accepted", "link")
        with pytest.raises(services.LinkProblem, match="déjà été donnée"):
            services.referral_answer_by_link(token=token, accept=False, reason="x")

    def test_a_tampered_link_is_refused(self, referral):
        token = services.referral_link_token(referral=referral)
        with pytest.raises(services.LinkProblem, match="pas valide"):
            services.referral_from_token(token=token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
        forged = signing.dumps({"r": referral.pk, "n": "guess"}, salt="another-salt")
        with pytest.raises(services.LinkProblem, match="pas valide"):
            services.referral_from_token(token=forged)

    def test_an_expired_link_says_so(self, referral, settings):
        token = services.referral_link_token(referral=referral)
        settings.REFERRAL_LINK_DAYS = 0
        with pytest.raises(services.LinkProblem, match="a expiré"):
            services.referral_from_token(token=token)

    def test_a_resent_link_replaces_the_previous_one(self, referral):
        first = services.referral_link_token(referral=referral)
        second = services.referral_link_token(referral=referral)
        with pytest.raises(services.LinkProblem, match="plus récent"):
            services.referral_from_token(token=first)
        assert services.referral_from_token(token=second) == referral

    def test_no_link_once_answered(self, referral, partner):
        services.referral_answer(referral=referral, accept=True, by=partner)
        with pytest.raises(ValidationError):
            services.referral_link_token(referral=referral)
