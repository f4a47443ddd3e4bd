"""The signed answer link of a referral to a partner without members: where it is e-mailed, what
an expired, used or replaced link says, an old link racing a re-send, the page's CSRF check.

The link's e-mail, pages and re-send as the partner and the counsellor meet them are in
test_partner_side.py."""

import datetime as dt
import html as html_lib

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from partners import services
from partners.models import PartnerService, Referral
from tests.factories import OrganizationFactory, PathwayFactory

LINK = reverse("partners:link_answer")


@pytest.fixture
def cpas(db):
    """A partner without members: it answers through the e-mailed link."""
    return OrganizationFactory(
        kind=Organization.Kind.CPAS, name="CPAS de Forest", email="accueil@cpas-forest.example"
    )


@pytest.fixture
def person(operator):
    return PathwayFactory(
        participant__organization=operator,
        participant__first_name="Yasmina",
        participant__last_name="Ouali",
    ).participant


@pytest.fixture
def service_without_address(cpas):
    return PartnerService.objects.create(
        organization=cpas, name="Service logement", need_category="housing"
    )


@pytest.fixture
def linked_referral(person, cpas, counsellor):
    service = PartnerService.objects.create(
        organization=cpas,
        name="Service social",
        need_category="childcare",
        email="orientations@cpas-forest.example",
    )
    return services.referral_send(
        participant=person,
        to_organization=cpas,
        service=service,
        reason="Garde d'enfants",
        by=counsellor,
    )


def _text(response) -> str:
    return html_lib.unescape(response.content.decode())


class TestTheLinkOfAnExpiredReferral:
    def test_an_expired_referral_link_says_it_expired_without_answer_not_that_it_was_answered(
        self, client, linked_referral, settings
    ):
        # A link re-sent on day 15 is valid 14 days, but the referral expires after 21 days.
        token = services.referral_link_token(referral=linked_referral)
        Referral.objects.filter(pk=linked_referral.pk).update(
            sent_on=timezone.localdate() - dt.timedelta(days=settings.REFERRAL_EXPIRY_DAYS + 1)
        )
        assert services.referral_expire_overdue() == 1

        response = client.get(LINK, {"t": token})

        assert response.status_code == 410
        text = _text(response)
        assert "Une réponse a déjà été donnée" not in text
        assert "expiré sans réponse" in text


class TestTheLinkGoesWhereTheResendWouldSendIt:
    def test_a_partner_without_members_whose_service_has_no_address_gets_the_link_at_its_own(
        self,
        client,
        counsellor,
        person,
        service_without_address,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        client.force_login(counsellor)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("partners:referral_create", args=[person.pk]),
                {"service": service_without_address.pk, "reason": "Logement"},
            )
        assert [m.to for m in mailoutbox] == [["accueil@cpas-forest.example"]]
        assert Referral.objects.get().link_sent_at is not None

    def test_a_partner_without_members_nor_address_is_named_to_the_counsellor(
        self, client, counsellor, person, service_without_address, cpas, mailoutbox
    ):
        Organization.objects.filter(pk=cpas.pk).update(email="")
        client.force_login(counsellor)
        response = client.post(
            reverse("partners:referral_create", args=[person.pk]),
            {"service": service_without_address.pk, "reason": "Logement"},
        )
        assert response.status_code == 302
        texts = [str(m) for m in get_messages(response.wsgi_request)]
        assert any("prévenez-le vous-même" in t for t in texts), texts
        assert mailoutbox == []


class TestAUsedLinkPastItsValidity:
    def test_a_link_already_used_says_it_was_answered_even_once_past_its_validity(
        self, client, linked_referral, settings, monkeypatch
    ):
        # "Expired, ask for a new link" would send the partner after a link nobody can re-send.
        import time

        settings.REFERRAL_LINK_DAYS = 14
        real_time = time.time
        monkeypatch.setattr(time, "time", lambda: real_time() - 15 * 24 * 3600)
        token = services.referral_link_token(referral=linked_referral)
        monkeypatch.setattr(time, "time", real_time)
        services.referral_answer(referral=linked_referral, accept=True, by=None)

        response = client.get(LINK, {"t": token})

        assert response.status_code == 410
        text = _text(response)
        assert "Une réponse a déjà été donnée" in text
        assert "Ce lien a expiré" not in text


class TestLinkRace:
    def test_an_old_link_posted_while_the_counsellor_resends_is_refused_not_saved(
        self, transactional_db, linked_referral
    ):
        """The old link is checked, then waits for the row the re-send holds: once the new
        link is committed, the old one must be refused, not used."""
        import threading

        from django.db import connection, connections, transaction

        old_token = services.referral_link_token(referral=linked_referral)
        locked, release = threading.Event(), threading.Event()
        outcome = {}

        def resend():
            try:
                with transaction.atomic():
                    services.referral_link_token(referral=linked_referral)
                    locked.set()
                    release.wait(30)
            finally:
                connections.close_all()

        def answer():
            try:
                services.referral_answer_by_link(token=old_token, accept=True)
                outcome["result"] = "accepted"
            except services.LinkProblem as problem:
                outcome["result"] = str(problem)
            finally:
                connections.close_all()

        resender = threading.Thread(target=resend)
        resender.start()
        assert locked.wait(30)
        answerer = threading.Thread(target=answer)
        answerer.start()
        # Wait (without asserting on time) until the answer is blocked on the row lock.
        if connection.vendor == "postgresql":
            for _ in range(3000):
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()"
                    )
                    if cursor.fetchone()[0]:
                        break
                answerer.join(0.01)
                if not answerer.is_alive():
                    break
        else:
            # SQLite shows no lock waits: the answer gets a second to reach the write lock the
            # re-send holds. Had it answered without waiting, the old link would have been
            # accepted, and the test fails.
            answerer.join(1)
        release.set()
        resender.join(30)
        answerer.join(30)

        linked_referral.refresh_from_db()
        assert linked_referral.status == Referral.Status.SENT
        assert "remplacé" in outcome["result"]


def test_the_public_answer_page_refuses_a_post_without_its_csrf_token(linked_referral):
    from django.test import Client

    token = services.referral_link_token(referral=linked_referral)
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(LINK, {"t": token})
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "strict-origin"
    assert "no-store" in page["Cache-Control"]

    forged = Client(enforce_csrf_checks=True).post(LINK, {"t": token, "decision": "accept"})
    assert forged.status_code == 403
    linked_referral.refresh_from_db()
    assert linked_referral.status == Referral.Status.SENT

    csrf = browser.cookies["csrftoken"].value
    answered = browser.post(LINK, {"t": token, "decision": "accept", "csrfmiddlewaretoken": csrf})
    assert answered.status_code == 302
    linked_referral.refresh_from_db()
    assert linked_referral.status == Referral.Status.ACCEPTED
