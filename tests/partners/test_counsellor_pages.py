"""The counsellor's side of referrals: the partner directory, the referral form reached in two
clicks from a need, the referrals on the participant's page and their closing, the list of the
organization's referrals and the dashboard reminders."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, Role
from participants import services as participant_services
from partners import services
from partners.models import PartnerService, Referral
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ParticipantFactory,
    PathwayFactory,
)


@pytest.fixture
def cpas(db):
    return OrganizationFactory(
        kind=Organization.Kind.CPAS, name="CPAS d'Anderlecht", postcode="1070", city="Anderlecht"
    )


@pytest.fixture
def creche(cpas):
    return PartnerService.objects.create(
        organization=cpas,
        name="Halte-garderie",
        need_category="childcare",
        address="Rue Wayez 1",
        postcode="1070",
        commune="Anderlecht",
        email="creche@example.org",
    )


@pytest.fixture
def logement(db):
    org = OrganizationFactory(kind=Organization.Kind.HOUSING, name="Foyer Bruxellois")
    return PartnerService.objects.create(
        organization=org,
        name="Accompagnement logement",
        need_category="housing",
        postcode="1000",
        commune="Bruxelles",
    )


@pytest.fixture
def person(operator, counsellor):
    return PathwayFactory(
        participant__organization=operator, participant__counsellor=counsellor
    ).participant


@pytest.fixture
def need(person):
    return participant_services.need_add(
        participant=person, category="childcare", identified_on=dt.date(2025, 3, 1)
    )


@pytest.fixture
def referral(person, creche, counsellor):
    return services.referral_send(
        participant=person,
        to_organization=creche.organization,
        service=creche,
        reason="Garde pendant la formation",
        by=counsellor,
    )


@pytest.fixture
def other_counsellor(other_operator):
    return MembershipFactory(organization=other_operator, role=Role.COUNSELLOR).user


def _services(response):
    return [s.pk for s in response.context["page"]]


class TestDirectory:
    def test_it_searches_by_need_category_and_by_commune_or_postcode(
        self, client, counsellor, creche, logement
    ):
        client.force_login(counsellor)
        url = reverse("partners:directory")
        assert _services(client.get(url)) == [creche.pk, logement.pk]
        assert _services(client.get(url, {"category": "housing"})) == [logement.pk]
        assert _services(client.get(url, {"place": "1070"})) == [creche.pk]
        assert _services(client.get(url, {"place": "anderl"})) == [creche.pk]
        response = client.get(url, {"category": "housing", "place": "1070"})
        assert _services(response) == []
        assert "Aucun service ne correspond" in response.content.decode()

    def test_it_shows_the_organization_contact_and_address(self, client, counsellor, creche):
        client.force_login(counsellor)
        page = client.get(reverse("partners:directory")).content.decode()
        assert "CPAS d&#x27;Anderlecht" in page
        assert "Rue Wayez 1" in page
        assert "creche@example.org" in page

    def test_inactive_services_and_our_own_are_left_out(self, client, counsellor, creche, operator):
        PartnerService.objects.create(
            organization=creche.organization,
            name="Fermé",
            need_category="childcare",
            is_active=False,
        )
        PartnerService.objects.create(organization=operator, name="Nous", need_category="childcare")
        client.force_login(counsellor)
        assert _services(client.get(reverse("partners:directory"))) == [creche.pk]

    @pytest.mark.parametrize("rows", [5, 50])
    def test_the_query_count_does_not_grow_with_services(
        self, client, counsellor, cpas, rows, django_assert_num_queries
    ):
        for n in range(rows):
            PartnerService.objects.create(organization=cpas, name=f"S{n}", need_category="health")
        client.force_login(counsellor)
        # session, user, memberships, savepoints ×2, count, page
        with django_assert_num_queries(7):
            response = client.get(reverse("partners:directory"))
        assert response.status_code == 200


class TestTwoClicksFromANeed:
    def test_the_need_opens_the_directory_on_its_category_then_the_form_is_preselected(
        self, client, counsellor, person, need, creche, logement
    ):
        client.force_login(counsellor)
        detail = client.get(reverse("participants:detail", args=[person.pk])).content.decode()
        directory_url = f"{reverse('partners:directory')}?need={need.pk}"
        assert f'href="{directory_url}"' in detail  # click 1

        response = client.get(directory_url)
        assert _services(response) == [creche.pk]
        form_url = (
            f"{reverse('partners:referral_create', args=[person.pk])}"
            f"?service={creche.pk}&need={need.pk}"
        )
        assert f'href="{form_url.replace("&", "&amp;")}"' in response.content.decode()  # click 2

        form = client.get(form_url).context["form"]
        assert (form["service"].value(), form["need"].value()) == (str(creche.pk), str(need.pk))

    def test_the_category_can_be_widened_while_keeping_the_need(
        self, client, counsellor, need, creche, logement
    ):
        client.force_login(counsellor)
        response = client.get(reverse("partners:directory"), {"need": need.pk, "category": ""})
        assert _services(response) == [creche.pk, logement.pk]
        assert response.context["need"] == need

    def test_another_organizations_need_or_participant_answers_404(
        self, client, other_counsellor, need, person
    ):
        client.force_login(other_counsellor)
        url = reverse("partners:directory")
        assert client.get(url, {"need": need.pk}).status_code == 404
        assert client.get(url, {"participant": person.pk}).status_code == 404


class TestReferralForm:
    def test_a_referral_is_sent_to_the_service_for_the_need(
        self, client, counsellor, person, need, creche
    ):
        client.force_login(counsellor)
        response = client.post(
            reverse("partners:referral_create", args=[person.pk]),
            {"service": creche.pk, "need": need.pk, "reason": "Garde les mardis"},
        )
        assert response.status_code == 302
        assert response.url == reverse("participants:detail", args=[person.pk]) + "#referrals"
        referral = Referral.objects.get()
        assert (referral.to_organization, referral.service, referral.need) == (
            creche.organization,
            creche,
            need,
        )
        assert (referral.status, referral.sent_by, referral.reason) == (
            "sent",
            counsellor,
            "Garde les mardis",
        )
        assert referral.transitions.count() == 1

    def test_errors_are_shown_and_nothing_typed_is_lost(self, client, counsellor, person, creche):
        client.force_login(counsellor)
        url = reverse("partners:referral_create", args=[person.pk])
        response = client.post(url, {"service": creche.pk, "reason": "  "})
        assert response.status_code == 200
        assert response.context["form"].errors["reason"]
        assert response.context["form"]["service"].value() == str(creche.pk)
        response = client.post(url, {"reason": "Pour un logement"})
        assert "Pour un logement" in response.content.decode()
        assert response.context["form"].errors["service"]
        assert not Referral.objects.exists()

    def test_without_an_open_pathway_the_service_refusal_is_shown(
        self, client, counsellor, operator, creche
    ):
        lonely = ParticipantFactory(organization=operator)
        client.force_login(counsellor)
        response = client.post(
            reverse("partners:referral_create", args=[lonely.pk]),
            {"service": creche.pk, "reason": "Garde"},
        )
        assert response.status_code == 200
        assert "Pas de parcours ouvert" in response.content.decode()
        assert not Referral.objects.exists()

    def test_only_open_needs_of_this_person_can_be_chosen(
        self, client, counsellor, person, need, operator
    ):
        resolved = participant_services.need_add(
            participant=person, category="housing", identified_on=dt.date(2025, 3, 1)
        )
        participant_services.need_resolve(need=resolved, resolved_on=dt.date(2025, 4, 1))
        someone_else = PathwayFactory(participant__organization=operator).participant
        theirs = participant_services.need_add(
            participant=someone_else, category="health", identified_on=dt.date(2025, 3, 1)
        )
        client.force_login(counsellor)
        form = client.get(reverse("partners:referral_create", args=[person.pk])).context["form"]
        assert list(form.fields["need"].queryset) == [need]
        assert theirs not in form.fields["need"].queryset


class TestParticipantTimeline:
    def test_referrals_show_partner_service_status_date_and_refusal_reason(
        self, client, counsellor, person, referral, partner, logement
    ):
        services.referral_answer(
            referral=referral, accept=False, by=None, reason="Plus de places avant mars"
        )
        client.force_login(counsellor)
        page = client.get(reverse("participants:detail", args=[person.pk])).content.decode()
        assert "CPAS d&#x27;Anderlecht" in page
        assert "Halte-garderie" in page
        today = timezone.localdate().strftime("%d/%m/%Y")
        assert f"refusée le {today}" in page
        assert "Plus de places avant mars" in page
        assert reverse("partners:referral_close", args=[referral.pk]) not in page

    def test_an_accepted_referral_offers_the_two_closing_actions(
        self, client, counsellor, person, referral
    ):
        services.referral_answer(referral=referral, accept=True, by=None)
        client.force_login(counsellor)
        page = client.get(reverse("participants:detail", args=[person.pk])).content.decode()
        assert reverse("partners:referral_close", args=[referral.pk]) in page
        assert "Est venu·e" in page and "Ne s'est pas présenté·e" in page


class TestClose:
    @pytest.mark.parametrize(("came", "status"), [("1", "completed"), ("0", "no_show")])
    def test_after_an_acceptance_the_counsellor_closes_it(
        self, client, counsellor, referral, came, status
    ):
        services.referral_answer(referral=referral, accept=True, by=None)
        client.force_login(counsellor)
        response = client.post(
            reverse("partners:referral_close", args=[referral.pk]), {"came": came}
        )
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.status == status
        assert referral.transitions.last().by == counsellor

    def test_before_an_answer_it_is_refused_with_a_message(self, client, counsellor, referral):
        client.force_login(counsellor)
        response = client.post(
            reverse("partners:referral_close", args=[referral.pk]), {"came": "1"}, follow=True
        )
        assert "ne peut plus devenir" in response.content.decode()
        referral.refresh_from_db()
        assert referral.status == "sent"

    def test_it_is_a_post(self, client, counsellor, referral):
        client.force_login(counsellor)
        assert client.get(reverse("partners:referral_close", args=[referral.pk])).status_code == 405


class TestAccess:
    def test_another_organization_gets_404(self, client, other_counsellor, referral, person):
        client.force_login(other_counsellor)
        close = reverse("partners:referral_close", args=[referral.pk])
        assert client.post(close, {"came": "1"}).status_code == 404
        assert client.get(reverse("partners:referral_create", args=[person.pk])).status_code == 404
        client.post(reverse("partners:referral_list"), {"status": "", "mine": ""})
        assert _services(client.get(reverse("partners:referral_list"))) == []

    @pytest.mark.parametrize("who", ["partner", "coordinator", "admin"])
    def test_other_roles_get_403(self, client, personas, who, referral, person):
        client.force_login(personas[who])
        for url in (
            reverse("partners:directory"),
            reverse("partners:referral_list"),
            reverse("partners:referral_create", args=[person.pk]),
        ):
            assert client.get(url).status_code == 403, url
        close = reverse("partners:referral_close", args=[referral.pk])
        assert client.post(close, {"came": "1"}).status_code == 403

    def test_the_navigation_leads_counsellors_and_direction_to_the_directory(
        self, client, counsellor, director, coordinator
    ):
        for user, shown in ((counsellor, True), (director, True), (coordinator, False)):
            client.force_login(user)
            page = client.get(reverse("dashboard:home")).content.decode()
            assert (f'href="{reverse("partners:directory")}"' in page) is shown


class TestList:
    def test_a_counsellor_sees_theirs_by_default_and_can_filter(
        self, client, counsellor, operator, referral, creche
    ):
        colleague = MembershipFactory(organization=operator, role=Role.COUNSELLOR).user
        other = services.referral_send(
            participant=PathwayFactory(participant__organization=operator).participant,
            to_organization=creche.organization,
            reason="Autre",
            by=colleague,
        )
        client.force_login(counsellor)
        url = reverse("partners:referral_list")
        assert _services(client.get(url)) == [referral.pk]
        client.post(url, {"status": "sent", "mine": ""})
        assert set(_services(client.get(url))) == {referral.pk, other.pk}
        client.post(url, {"status": "accepted", "mine": ""})
        assert _services(client.get(url)) == []

    def test_direction_sees_the_whole_organization(self, client, director, referral):
        client.force_login(director)
        assert _services(client.get(reverse("partners:referral_list"))) == [referral.pk]

    @pytest.mark.parametrize("rows", [5, 50])
    def test_the_query_count_does_not_grow_with_rows(
        self, client, counsellor, person, creche, rows, django_assert_num_queries
    ):
        for n in range(rows):
            services.referral_send(
                participant=person,
                to_organization=creche.organization,
                service=creche,
                reason=f"r{n}",
                by=counsellor,
            )
        client.force_login(counsellor)
        # session, user, memberships, savepoints ×2, count, page
        with django_assert_num_queries(7):
            response = client.get(reverse("partners:referral_list"))
        assert len(response.context["page"]) == min(rows, 25)


class TestReminders:
    def _age(self, referral, days):
        Referral.objects.filter(pk=referral.pk).update(
            sent_on=timezone.localdate() - dt.timedelta(days=days)
        )

    def test_unanswered_referrals_past_the_delay_appear_on_the_dashboard(
        self, client, counsellor, person, creche, referral, settings
    ):
        settings.REFERRAL_REMINDER_DAYS = 7
        recent = services.referral_send(
            participant=person, to_organization=creche.organization, reason="Récente", by=counsellor
        )
        answered = services.referral_send(
            participant=person, to_organization=creche.organization, reason="Vue", by=counsellor
        )
        services.referral_answer(referral=answered, accept=True, by=None)
        self._age(referral, 8)
        self._age(recent, 7)
        self._age(answered, 20)
        client.force_login(counsellor)
        response = client.get(reverse("dashboard:home"))
        assert [r.pk for r in response.context["referral_reminders"]] == [referral.pk]
        assert "depuis plus de 7 jours" in response.content.decode()

    def test_a_counsellor_sees_only_theirs_direction_all(
        self, client, counsellor, director, operator, referral, creche
    ):
        colleague = MembershipFactory(organization=operator, role=Role.COUNSELLOR).user
        client.force_login(colleague)
        self._age(referral, 30)
        assert client.get(reverse("dashboard:home")).context["referral_reminders"] == []
        client.force_login(director)
        reminders = client.get(reverse("dashboard:home")).context["referral_reminders"]
        assert [r.pk for r in reminders] == [referral.pk]

    def test_other_roles_have_no_reminder_block(self, client, coordinator):
        client.force_login(coordinator)
        assert "referral_reminders" not in client.get(reverse("dashboard:home")).context


def test_the_participant_page_query_count_does_not_grow_with_referrals(
    client, counsellor, person, creche, logement
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(counsellor)
    counts = []
    for total in (5, 50):
        while person.referrals.count() < total:
            service = creche if person.referrals.count() % 2 else logement
            referral = services.referral_send(
                participant=person,
                to_organization=service.organization,
                service=service,
                reason="r",
                by=counsellor,
            )
            services.referral_answer(referral=referral, accept=False, by=None, reason="Complet")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("participants:detail", args=[person.pk]))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


class TestAnswerLink:
    def _send(self, client, person, creche):
        return client.post(
            reverse("partners:referral_create", args=[person.pk]),
            {"service": creche.pk, "reason": "Garde"},
        )

    def test_a_partner_without_members_gets_the_link_by_e_mail_after_the_commit(
        self, client, counsellor, person, creche, mailoutbox, django_capture_on_commit_callbacks
    ):
        client.force_login(counsellor)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            self._send(client, person, creche)
        assert len(callbacks) == 1
        assert [m.to for m in mailoutbox] == [["creche@example.org"]]
        assert Referral.objects.get().link_nonce

    def test_a_partner_with_members_answers_in_the_app(
        self, client, counsellor, person, creche, mailoutbox, django_capture_on_commit_callbacks
    ):
        MembershipFactory(organization=creche.organization, role=Role.PARTNER)
        client.force_login(counsellor)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            self._send(client, person, creche)
        assert callbacks == []
        assert mailoutbox == []


def test_the_participant_page_offers_to_resend_a_link_and_to_propose_to_an_employer(
    client, counsellor, operator
):
    from django.urls import reverse

    from partners import services as partner_services
    from tests.factories import OrganizationFactory, PathwayFactory

    person = PathwayFactory(participant__organization=operator).participant
    referral = partner_services.referral_send(
        participant=person, to_organization=OrganizationFactory(), reason="Logement", by=counsellor
    )
    client.force_login(counsellor)
    page = client.get(reverse("participants:detail", args=[person.pk])).text
    assert reverse("partners:matching_create", args=[person.pk]) in page
    assert reverse("partners:link_resend", args=[referral.pk]) not in page  # no link sent yet
    partner_services.referral_link_token(referral=referral)
    page = client.get(reverse("participants:detail", args=[person.pk])).text
    assert reverse("partners:link_resend", args=[referral.pk]) in page
