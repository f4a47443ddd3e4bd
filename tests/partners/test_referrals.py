"""Referrals: the state machine and its log, expiry by the periodic task, the signed answer link;
matchings with employers."""

import datetime as dt

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Organization
from participants.models import Need
from partners import services
from partners.models import Matching, PartnerService, Referral
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
            services.referral_from_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
        forged = signing.dumps({"r": referral.pk, "n": "guess"}, salt="another-salt")
        with pytest.raises(services.LinkProblem, match="pas valide"):
            services.referral_from_token(forged)

    def test_an_expired_link_says_so(self, referral, settings):
        token = services.referral_link_token(referral=referral)
        settings.REFERRAL_LINK_DAYS = 0
        with pytest.raises(services.LinkProblem, match="a expiré"):
            services.referral_from_token(token)

    def test_a_resent_link_replaces_the_previous_one(self, referral):
        first = services.referral_link_token(referral=referral)
        second = services.referral_link_token(referral=referral)
        with pytest.raises(services.LinkProblem, match="plus récent"):
            services.referral_from_token(first)
        assert services.referral_from_token(second) == referral

    def test_no_link_once_answered(self, referral, partner):
        services.referral_answer(referral=referral, accept=True, by=partner)
        with pytest.raises(ValidationError):
            services.referral_link_token(referral=referral)


class TestMatching:
    def test_proposed_interview_hired_and_nothing_after(self, person, counsellor):
        employer = OrganizationFactory(kind=Organization.Kind.EMPLOYER)
        matching = Matching.objects.create(
            participant=person,
            pathway=person.pathways.get(),
            employer=employer,
            position="Peintre en bâtiment",
            proposed_on=dt.date(2026, 10, 1),
            status_on=dt.date(2026, 10, 1),
            by=counsellor,
        )
        services.matching_update(
            matching=matching, status="interview", on=dt.date(2026, 10, 8), by=counsellor
        )
        matching = services.matching_update(
            matching=matching, status="hired", on=dt.date(2026, 10, 20), by=counsellor
        )
        assert (matching.status, matching.status_on) == ("hired", dt.date(2026, 10, 20))
        with pytest.raises(ValidationError):
            services.matching_update(
                matching=matching, status="rejected", on=dt.date(2026, 10, 21), by=counsellor
            )

    def test_dates_before_the_proposal_or_in_the_future_are_refused(self, person, counsellor):
        matching = Matching.objects.create(
            participant=person,
            pathway=person.pathways.get(),
            employer=OrganizationFactory(kind=Organization.Kind.EMPLOYER),
            position="Jardinier",
            proposed_on=dt.date(2026, 10, 1),
            status_on=dt.date(2026, 10, 1),
            by=counsellor,
        )
        for day in (dt.date(2026, 9, 30), timezone.localdate() + dt.timedelta(days=1)):
            with pytest.raises(ValidationError, match="La date"):
                services.matching_update(
                    matching=matching, status="interview", on=day, by=counsellor
                )
