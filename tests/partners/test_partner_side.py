"""The partner's side of referrals: the inbox and the answer in the app, the signed answer link
e-mailed to a partner without members, and the daily digest."""

import datetime as dt
import html as html_lib
import re
import time

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organization, Role
from participants.models import Need, PathwayEvent
from partners import emails, selectors, services
from partners.models import PartnerService, Referral
from partners.tasks import referral_send_link, referrals_daily_digest
from tests.factories import MembershipFactory, OrganizationFactory, PathwayFactory

INBOX = reverse("partners:inbox")
LINK = reverse("partners:link_answer")


@pytest.fixture
def cpas(db):
    return OrganizationFactory(
        kind=Organization.Kind.CPAS, name="CPAS d'Anderlecht", email="accueil@cpas.example"
    )


def person_with_secrets(operator, counsellor, need_category="housing"):
    """Amina, with what a partner must never see: her street, a need's note, an interview."""
    pathway = PathwayFactory(
        participant__organization=operator,
        participant__first_name="Amina",
        participant__last_name="Benali",
        participant__phone="0470 12 34 56",
        participant__email="amina@example.org",
        participant__street="Rue Secrète 12",
    )
    participant = pathway.participant
    Need.objects.create(
        participant=participant,
        category=need_category,
        identified_on=dt.date(2026, 1, 5),
        note="Dettes de loyer importantes",
    )
    PathwayEvent.objects.create(
        pathway=pathway,
        date=dt.date(2026, 1, 6),
        author=counsellor,
        text="Note d'entretien confidentielle",
    )
    return participant


@pytest.fixture
def person(operator, counsellor):
    return person_with_secrets(operator, counsellor)


@pytest.fixture
def referral(person, housing, counsellor):
    """Addressed to ``housing``, whose member is the ``partner`` persona."""
    return services.referral_send(
        participant=person, to_organization=housing, reason="Recherche de logement", by=counsellor
    )


@pytest.fixture
def linked_referral(person, cpas, counsellor):
    """Addressed to a partner without members: answered through the e-mailed link."""
    service = PartnerService.objects.create(
        organization=cpas,
        name="Service social",
        need_category="childcare",
        email="orientations@cpas.example",
    )
    return services.referral_send(
        participant=person,
        to_organization=cpas,
        service=service,
        reason="Garde d'enfants pour la formation",
        by=counsellor,
    )


def _token(referral) -> str:
    return services.referral_link_token(referral=referral)


def _text(response) -> str:
    return html_lib.unescape(response.content.decode())


def _sent_minutes_ago(referral, minutes: int) -> None:
    Referral.objects.filter(pk=referral.pk).update(
        link_sent_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


def _emailed_token(message) -> str:
    return re.search(r"\?t=(\S+)", message.body).group(1)


def _secrets_absent(html: str, person) -> None:
    for secret in (
        "Note d'entretien confidentielle",
        "Dettes de loyer",
        "Rue Secrète",
        person.national_number,
        person.national_number[-5:],
    ):
        assert secret not in html


class TestInbox:
    def test_a_partner_sees_the_minimum_of_what_is_addressed_to_its_organization(
        self, client, partner, referral, person, linked_referral
    ):
        client.force_login(partner)
        html = _text(client.get(INBOX))
        for shown in (
            "Amina",
            "BENALI",
            "0470 12 34 56",
            "amina@example.org",
            "Recherche de logement",
            "Mission Locale de Test",
            referral.sent_by.get_full_name(),
        ):
            assert shown in html
        _secrets_absent(html, person)
        assert "Garde d'enfants" not in html  # the other referral, addressed to the CPAS

    def test_the_answer_page_shows_the_minimum_and_nothing_else(
        self, client, partner, referral, person
    ):
        client.force_login(partner)
        response = client.get(reverse("partners:answer", args=[referral.pk]))
        assert response.status_code == 200
        html = _text(response)
        assert "Recherche de logement" in html and "0470 12 34 56" in html
        _secrets_absent(html, person)

    def test_another_organizations_referral_answers_404(self, client, partner, linked_referral):
        client.force_login(partner)
        url = reverse("partners:answer", args=[linked_referral.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"decision": "accept"}).status_code == 404
        assert Referral.objects.get(pk=linked_referral.pk).status == "sent"

    @pytest.mark.parametrize("persona", ["counsellor", "director", "admin", "coordinator"])
    def test_other_roles_get_403(self, client, personas, referral, persona):
        client.force_login(personas[persona])
        assert client.get(INBOX).status_code == 403
        assert client.get(reverse("partners:answer", args=[referral.pk])).status_code == 403

    def test_anonymous_is_sent_to_log_in(self, client, referral):
        assert client.get(INBOX).status_code == 302

    def test_the_status_filter_is_kept_in_the_session_not_the_url(
        self, client, partner, referral, person, housing, counsellor
    ):
        other = PathwayFactory(participant__organization=person.organization).participant
        answered = services.referral_send(
            participant=other, to_organization=housing, reason="Autre motif", by=counsellor
        )
        services.referral_answer(referral=answered, accept=True, by=partner)
        client.force_login(partner)
        response = client.post(INBOX, {"status": "accepted"})
        assert response.url == INBOX
        html = _text(client.get(INBOX))
        assert "Autre motif" in html and "Recherche de logement" not in html
        client.post(INBOX, {"status": "nonsense"})
        assert "Recherche de logement" in _text(client.get(INBOX))

    def test_the_inbox_query_count_does_not_grow_with_rows(
        self, client, partner, housing, operator, counsellor
    ):
        client.force_login(partner)

        def add(n):
            for _ in range(n):
                participant = PathwayFactory(participant__organization=operator).participant
                services.referral_send(
                    participant=participant, to_organization=housing, reason="x", by=counsellor
                )

        def count():
            with CaptureQueriesContext(connection) as queries:
                assert client.get(INBOX).status_code == 200
            return len(queries)

        add(3)
        small = count()
        add(22)
        assert count() == small
        assert small <= 10


class TestAnswerInTheApp:
    def test_accepting_is_logged_with_the_partner_and_the_app_channel(
        self, client, partner, referral
    ):
        client.force_login(partner)
        response = client.post(
            reverse("partners:answer", args=[referral.pk]), {"decision": "accept"}
        )
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.status == "accepted"
        last = referral.transitions.last()
        assert (last.by, last.channel) == (partner, "app")

    def test_refusing_without_a_reason_keeps_what_was_typed_and_says_why(
        self, client, partner, referral
    ):
        client.force_login(partner)
        url = reverse("partners:answer", args=[referral.pk])
        response = client.post(url, {"decision": "refuse", "reason": "  "})
        assert response.status_code == 200
        assert "Indiquez le motif du refus" in _text(response)
        assert Referral.objects.get(pk=referral.pk).status == "sent"
        client.post(url, {"decision": "refuse", "reason": "Pas de logement libre"})
        referral.refresh_from_db()
        assert (referral.status, referral.refusal_reason) == ("refused", "Pas de logement libre")

    def test_an_answered_referral_cannot_be_answered_again(self, client, partner, referral):
        services.referral_answer(referral=referral, accept=True, by=partner)
        client.force_login(partner)
        url = reverse("partners:answer", args=[referral.pk])
        response = client.post(url, {"decision": "refuse", "reason": "Finalement non"})
        assert response.status_code == 200
        assert "attend plus de réponse" in _text(response)
        assert Referral.objects.get(pk=referral.pk).status == "accepted"


class TestLinkEmail:
    def test_the_task_emails_the_service_the_minimum_and_an_opaque_link(
        self, linked_referral, person, settings
    ):
        settings.SITE_URL = "https://cp.example"
        referral_send_link.delay(linked_referral.pk)
        (message,) = mail.outbox
        assert message.to == ["orientations@cpas.example"]
        assert "Mission Locale de Test" in message.subject
        for shown in ("Amina", "BENALI", "0470 12 34 56", "amina@example.org", "Garde d'enfants"):
            assert shown in message.body
        _secrets_absent(message.body, person)
        link = re.search(r"https://cp\.example\S+", message.body).group(0)
        assert re.fullmatch(r"https://cp\.example/partenaires/reponse/\?t=[\w:\-]+", link)
        assert "Amina" not in link and "Benali" not in link.lower()

    def test_without_a_service_address_the_organization_address_is_used(
        self, person, cpas, counsellor
    ):
        referral = services.referral_send(
            participant=person, to_organization=cpas, reason="Aide sociale", by=counsellor
        )
        referral_send_link.delay(referral.pk)
        assert mail.outbox[0].to == ["accueil@cpas.example"]

    def test_nothing_is_sent_without_any_address(self, person, counsellor):
        referral = services.referral_send(
            participant=person,
            to_organization=OrganizationFactory(email=""),
            reason="x",
            by=counsellor,
        )
        assert referral_send_link.delay(referral.pk).get() is False
        assert mail.outbox == []


class TestLinkPages:
    def test_a_valid_link_shows_the_minimum_and_two_choices_without_logging_in(
        self, client, linked_referral, person
    ):
        response = client.get(LINK, {"t": _token(linked_referral)})
        assert response.status_code == 200
        assert response["Referrer-Policy"] == "strict-origin"
        html = _text(response)
        assert "Garde d'enfants" in html and "0470 12 34 56" in html
        assert 'value="accept"' in html and 'value="refuse"' in html
        _secrets_absent(html, person)

    def test_accepting_through_the_link(self, client, linked_referral):
        response = client.post(LINK, {"t": _token(linked_referral), "decision": "accept"})
        assert response.status_code == 302
        assert response.url == reverse("partners:link_done")
        linked_referral.refresh_from_db()
        assert linked_referral.status == "accepted"
        last = linked_referral.transitions.last()
        assert (last.by, last.channel) == (None, "link")
        done = client.get(response.url)
        assert "Vous avez accepté" in _text(done)
        assert done["Referrer-Policy"] == "strict-origin"

    def test_refusing_through_the_link_needs_a_reason_and_keeps_the_form(
        self, client, linked_referral
    ):
        token = _token(linked_referral)
        response = client.post(LINK, {"t": token, "decision": "refuse", "reason": ""})
        assert response.status_code == 200
        html = _text(response)
        assert "Indiquez le motif du refus" in html and token in html
        client.post(LINK, {"t": token, "decision": "refuse", "reason": "Complet ce mois-ci"})
        linked_referral.refresh_from_db()
        assert (linked_referral.status, linked_referral.refusal_reason) == (
            "refused",
            "Complet ce mois-ci",
        )

    def test_a_used_link_says_so_with_410(self, client, linked_referral):
        token = _token(linked_referral)
        client.post(LINK, {"t": token, "decision": "accept"})
        for response in (
            client.get(LINK, {"t": token}),
            client.post(LINK, {"t": token, "decision": "refuse", "reason": "x"}),
        ):
            assert response.status_code == 410
            assert "Une réponse a déjà été donnée" in _text(response)
            assert response["Referrer-Policy"] == "strict-origin"
        assert Referral.objects.get(pk=linked_referral.pk).status == "accepted"

    def test_an_expired_link_says_so_with_410(self, client, linked_referral, settings, monkeypatch):
        settings.REFERRAL_LINK_DAYS = 14
        real_time = time.time
        monkeypatch.setattr(time, "time", lambda: real_time() - 15 * 24 * 3600)
        token = _token(linked_referral)
        monkeypatch.setattr(time, "time", real_time)
        response = client.get(LINK, {"t": token})
        assert response.status_code == 410
        assert "Ce lien a expiré" in _text(response)

    @pytest.mark.parametrize("tamper", ["flip", "empty", "garbage"])
    def test_a_tampered_link_says_so_with_400(self, client, linked_referral, tamper):
        token = _token(linked_referral)
        token = {
            "flip": token[:-1] + ("A" if token[-1] != "A" else "B"),
            "empty": "",
            "garbage": "abc:def",
        }[tamper]
        response = client.get(LINK, {"t": token})
        assert response.status_code == 400
        assert "pas valide" in _text(response)
        response = client.post(LINK, {"t": token, "decision": "accept"})
        assert response.status_code == 400
        assert Referral.objects.get(pk=linked_referral.pk).status == "sent"

    def test_a_replaced_link_says_so_with_410(self, client, linked_referral):
        old = _token(linked_referral)
        new = _token(linked_referral)
        response = client.get(LINK, {"t": old})
        assert response.status_code == 410
        assert "remplacé" in _text(response)
        assert client.get(LINK, {"t": new}).status_code == 200

    def test_the_token_stays_out_of_the_request_log(self, client, linked_referral, caplog):
        token = _token(linked_referral)
        client.post(LINK, {"t": token, "decision": "accept"})
        with caplog.at_level("INFO"):
            assert client.get(LINK, {"t": token}).status_code == 410
            assert client.get(LINK, {"t": token + "x"}).status_code == 400
        assert caplog.records  # Django logs 4xx answers, naming the path only
        assert token not in caplog.text


class TestResendLink:
    def _url(self, referral):
        return reverse("partners:link_resend", args=[referral.pk])

    def test_the_counsellor_resends_and_the_previous_link_stops_working(
        self, client, counsellor, linked_referral, django_capture_on_commit_callbacks
    ):
        referral_send_link.delay(linked_referral.pk)
        first = _emailed_token(mail.outbox[0])
        _sent_minutes_ago(linked_referral, 2)
        client.force_login(counsellor)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(self._url(linked_referral))
        assert response.status_code == 302
        assert response.url == reverse("participants:detail", args=[linked_referral.participant_id])
        assert len(mail.outbox) == 2
        second = _emailed_token(mail.outbox[1])
        assert client.get(LINK, {"t": first}).status_code == 410
        assert client.get(LINK, {"t": second}).status_code == 200

    def test_a_double_click_sends_one_email(
        self, client, counsellor, linked_referral, django_capture_on_commit_callbacks
    ):
        referral_send_link.delay(linked_referral.pk)
        _sent_minutes_ago(linked_referral, 5)
        client.force_login(counsellor)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(self._url(linked_referral))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(self._url(linked_referral), follow=True)
        assert len(mail.outbox) == 2  # the first sending, then one re-send
        assert "il n'est pas renvoyé une deuxième fois" in _text(response)
        assert client.get(LINK, {"t": _emailed_token(mail.outbox[1])}).status_code == 200

    def test_a_link_resent_near_the_expiry_promises_only_the_days_left(
        self, linked_referral, settings
    ):
        settings.REFERRAL_EXPIRY_DAYS, settings.REFERRAL_LINK_DAYS = 21, 14
        today = timezone.localdate()
        assert services.referral_link_days(referral=linked_referral, today=today) == 14
        Referral.objects.filter(pk=linked_referral.pk).update(sent_on=today - dt.timedelta(days=20))
        linked_referral.refresh_from_db()
        # sent 20 days ago, expires after its 21st day: usable today and tomorrow
        assert services.referral_link_days(referral=linked_referral, today=today) == 2
        referral_send_link.delay(linked_referral.pk)
        assert "valable 2 jours" in mail.outbox[-1].body
        assert (
            services.referral_link_days(
                referral=linked_referral, today=today + dt.timedelta(days=1)
            )
            == 1
        )

    def test_an_answered_referral_gets_no_new_link(
        self, client, director, linked_referral, django_capture_on_commit_callbacks
    ):
        services.referral_answer(referral=linked_referral, accept=True, by=None, channel="link")
        client.force_login(director)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(self._url(linked_referral))
        assert mail.outbox == []

    def test_get_is_refused(self, client, counsellor, linked_referral):
        client.force_login(counsellor)
        assert client.get(self._url(linked_referral)).status_code == 405

    def test_another_operators_counsellor_gets_404(self, client, other_operator, linked_referral):
        stranger = MembershipFactory(organization=other_operator, role=Role.COUNSELLOR).user
        client.force_login(stranger)
        assert client.post(self._url(linked_referral)).status_code == 404

    def test_the_receiving_partner_cannot_resend(self, client, partner, referral):
        client.force_login(partner)
        assert client.post(self._url(referral)).status_code == 403


class TestDigest:
    def test_three_events_make_one_email_per_person(
        self, person, housing, counsellor, partner, operator
    ):
        other_member = MembershipFactory(organization=housing, role=Role.PARTNER).user
        referrals = [
            services.referral_send(
                participant=PathwayFactory(participant__organization=operator).participant,
                to_organization=housing,
                reason=f"Motif {n}",
                by=counsellor,
            )
            for n in range(3)
        ]
        services.referral_answer(referral=referrals[0], accept=True, by=partner)
        services.referral_answer(
            referral=referrals[1], accept=False, by=partner, reason="Plus de place"
        )
        unrelated = MembershipFactory(organization=OrganizationFactory(), role=Role.PARTNER).user

        assert emails.referrals_digest_send(now=timezone.now() + dt.timedelta(hours=1)) == 3
        by_person = {message.to[0]: message for message in mail.outbox}
        assert sorted(by_person) == sorted([counsellor.email, partner.email, other_member.email])
        assert unrelated.email not in by_person
        to_counsellor = by_person[counsellor.email].body
        assert "Acceptée" in to_counsellor and "Plus de place" in to_counsellor
        to_partner = by_person[partner.email].body
        assert to_partner.count("Mission Locale de Test") == 3
        assert reverse("partners:inbox") in to_partner
        for message in mail.outbox:
            assert person.national_number not in message.body

    def test_the_next_day_the_same_events_are_not_sent_again(self, referral, partner):
        services.referral_answer(referral=referral, accept=True, by=partner)
        assert emails.referrals_digest_send(now=timezone.now() + dt.timedelta(hours=1)) == 2
        assert emails.referrals_digest_send(now=timezone.now() + dt.timedelta(hours=25)) == 0

    def test_overdue_referrals_are_recalled_to_their_sender(self, referral, counsellor):
        Referral.objects.filter(pk=referral.pk).update(
            sent_on=timezone.localdate() - dt.timedelta(days=selectors.reminder_days() + 1)
        )
        sent = emails.referrals_digest_send(now=timezone.now() + dt.timedelta(days=3))
        assert sent == 1
        (message,) = mail.outbox
        assert message.to == [counsellor.email]
        assert "Sans réponse depuis plus de" in message.body

    def test_the_periodic_task_sends_the_digest(self, referral, settings):
        assert "referrals-daily-digest" in settings.CELERY_BEAT_SCHEDULE
        assert referrals_daily_digest.delay().get() == 0  # events of this hour go tomorrow

    def test_the_digest_uses_a_fixed_number_of_queries(
        self, housing, counsellor, partner, operator
    ):
        def add(n):
            for _ in range(n):
                services.referral_send(
                    participant=PathwayFactory(participant__organization=operator).participant,
                    to_organization=housing,
                    reason="x",
                    by=counsellor,
                )

        def count():
            with CaptureQueriesContext(connection) as queries:
                selectors.referrals_digests(now=timezone.now() + dt.timedelta(hours=1))
            return len(queries)

        add(2)
        small = count()
        add(10)
        assert count() == small


class TestDigestOncePerDay:
    def test_running_the_digest_twice_the_same_day_sends_nothing_more(
        self, person, housing, counsellor, partner
    ):
        # celery acks late: a worker lost mid-run, or beat firing twice, runs the task again.
        referral = services.referral_send(
            participant=person, to_organization=housing, reason="Logement", by=counsellor
        )
        services.referral_answer(referral=referral, accept=True, by=partner)
        later = timezone.now() + dt.timedelta(hours=1)

        assert emails.referrals_digest_send(now=later) == 2  # the counsellor and the partner
        assert emails.referrals_digest_send(now=later) == 0
        assert emails.referrals_digest_send(now=later + dt.timedelta(minutes=5)) == 0
        assert len(mail.outbox) == 2

    def test_a_digest_that_failed_to_send_is_sent_by_the_next_run(
        self, person, housing, counsellor, partner, monkeypatch
    ):
        services.referral_send(
            participant=person, to_organization=housing, reason="Logement", by=counsellor
        )
        later = timezone.now() + dt.timedelta(hours=1)

        def broken(*args, **kwargs):
            raise ConnectionError("SMTP down")

        monkeypatch.setattr(emails, "send_mail", broken)
        with pytest.raises(ConnectionError):
            emails.referrals_digest_send(now=later)
        monkeypatch.undo()

        assert emails.referrals_digest_send(now=later) == 1  # the partner's "new referral"
        assert mail.outbox[0].to == [partner.email]


class TestDigestOnlyToCurrentMembers:
    def test_a_sender_who_left_the_organization_receives_no_names_of_its_participants(
        self, person, housing, counsellor, partner, operator
    ):
        referral = services.referral_send(
            participant=person, to_organization=housing, reason="Logement", by=counsellor
        )
        services.referral_answer(referral=referral, accept=True, by=partner)
        Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.SENT)
        # The counsellor moved to another operator: the account stays active.
        Membership.objects.filter(user=counsellor, organization=operator).update(is_active=False)
        MembershipFactory(user=counsellor, organization=OrganizationFactory(), role=Role.COUNSELLOR)
        Referral.objects.filter(pk=referral.pk).update(
            sent_on=timezone.localdate() - dt.timedelta(days=selectors.reminder_days() + 1)
        )

        emails.referrals_digest_send(now=timezone.now() + dt.timedelta(hours=1))

        to_counsellor = [m for m in mail.outbox if m.to == [counsellor.email]]
        assert to_counsellor == []
