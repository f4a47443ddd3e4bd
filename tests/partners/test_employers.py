"""Employers: the directory, the prospection log, matchings and the hire that closes the pathway."""

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from partners import services
from partners.models import EmployerContact, Matching
from tests.factories import OrganizationFactory, PathwayFactory

TODAY = timezone.localdate


@pytest.fixture
def employer(db):
    return OrganizationFactory(
        kind=Organization.Kind.EMPLOYER, name="Peintures Dubois", city="Anderlecht"
    )


@pytest.fixture
def person(operator):
    return PathwayFactory(
        participant__organization=operator, participant__first_name="Amina"
    ).participant


def _matching(person, employer, user, status=Matching.Status.PROPOSED, on=None):
    on = on or dt.date(2025, 3, 3)
    return Matching.objects.create(
        participant=person,
        pathway=person.pathways.get(),
        employer=employer,
        position="Peintre",
        proposed_on=on,
        status=status,
        status_on=on,
        by=user,
    )


def _text(response) -> str:
    return html.unescape(response.content.decode())


class TestAccess:
    @pytest.mark.parametrize(
        "name, expected",
        [
            ("counsellor", 200),
            ("director", 200),
            ("admin", 403),
            ("coordinator", 403),
            ("partner", 403),
        ],
    )
    def test_only_counsellors_and_the_direction_see_employers(
        self, client, personas, employer, name, expected
    ):
        client.force_login(personas[name])
        for url in (
            reverse("partners:employer_list"),
            reverse("partners:employer_detail", args=[employer.pk]),
            reverse("partners:matching_list"),
        ):
            assert client.get(url).status_code == expected

    def test_an_organization_that_is_not_an_employer_answers_404(self, client, counsellor, housing):
        client.force_login(counsellor)
        url = reverse("partners:employer_detail", args=[housing.pk])
        assert client.get(url).status_code == 404

    def test_another_operators_matching_and_participant_answer_404(
        self, client, counsellor, other_operator, employer, outsider
    ):
        stranger = PathwayFactory(participant__organization=other_operator).participant
        matching = _matching(stranger, employer, outsider)
        client.force_login(counsellor)
        assert (
            client.get(reverse("partners:matching_update", args=[matching.pk])).status_code == 404
        )
        url = reverse("partners:matching_create", args=[stranger.pk])
        assert client.get(url).status_code == 404

    def test_the_prospection_log_is_the_operators_own(
        self, client, counsellor, outsider, other_operator, employer
    ):
        EmployerContact.objects.create(
            organization=other_operator,
            employer=employer,
            date=dt.date(2026, 1, 5),
            by=outsider,
            person_met="Secret Voisin",
            outcome=EmployerContact.Outcome.VACANCY,
        )
        client.force_login(counsellor)
        response = client.get(reverse("partners:employer_detail", args=[employer.pk]))
        assert "Secret Voisin" not in response.content.decode()


class TestEmployerForms:
    def test_a_counsellor_adds_an_employer(self, client, counsellor, operator):
        client.force_login(counsellor)
        response = client.post(
            reverse("partners:employer_create"),
            {"name": "Boulangerie Léon", "city": "Forest", "_organization": operator.pk},
        )
        employer = Organization.objects.get(name="Boulangerie Léon")
        assert employer.kind == Organization.Kind.EMPLOYER
        assert response.url == reverse("partners:employer_detail", args=[employer.pk])

    def test_an_employer_without_a_name_is_refused_and_the_rest_is_kept(self, client, counsellor):
        client.force_login(counsellor)
        response = client.post(reverse("partners:employer_create"), {"city": "Forest"})
        assert response.status_code == 200
        assert response.context["form"].errors["name"]
        assert 'value="Forest"' in response.content.decode()

    def test_two_employers_may_share_a_name(self, client, counsellor, employer):
        client.force_login(counsellor)
        client.post(reverse("partners:employer_create"), {"name": employer.name})
        assert Organization.objects.filter(name=employer.name).count() == 2

    def test_a_prospection_is_logged_with_who_and_the_organization(
        self, client, counsellor, operator, employer
    ):
        client.force_login(counsellor)
        url = reverse("partners:employer_detail", args=[employer.pk])
        response = client.post(
            url,
            {
                "contact-date": "2026-01-12",
                "contact-person_met": "M. Dubois, gérant",
                "contact-outcome": "vacancy",
                "contact-note": "Cherche deux aides-peintres au printemps.",
            },
        )
        assert response.status_code == 302
        contact = EmployerContact.objects.get()
        assert (contact.organization, contact.employer, contact.by) == (
            operator,
            employer,
            counsellor,
        )
        assert "M. Dubois, gérant" in client.get(url).content.decode()

    def test_a_prospection_sent_twice_is_saved_once(self, client, counsellor, employer):
        client.force_login(counsellor)
        url = reverse("partners:employer_detail", args=[employer.pk])
        data = {
            "contact-date": "2026-01-12",
            "contact-person_met": "M. Dubois",
            "contact-outcome": "vacancy",
            "contact-note": "Deux aides-peintres.",
        }
        client.post(url, data)
        response = client.post(url, data, follow=True)
        assert EmployerContact.objects.count() == 1
        assert "Cette prospection est déjà enregistrée." in response.content.decode()
        # another meeting the same day is another prospection
        client.post(url, {**data, "contact-note": "Rappel : un poste de plus."})
        assert EmployerContact.objects.count() == 2

    def test_an_employer_sent_twice_is_added_once_and_what_was_typed_stays(
        self, client, counsellor, operator
    ):
        client.force_login(counsellor)
        data = {"name": "Boulangerie Léon", "street": "Rue de Mérode 3", "city": "Forest"}
        client.post(reverse("partners:employer_create"), data)
        response = client.post(
            reverse("partners:employer_create"), {**data, "name": "boulangerie léon"}
        )
        assert response.status_code == 200
        page = html.unescape(response.content.decode())
        assert "« boulangerie léon » existe déjà à cette adresse" in page
        assert 'value="Rue de Mérode 3"' in page
        assert Organization.objects.filter(name__iexact="Boulangerie Léon").count() == 1
        # the same name elsewhere is another employer (a chain's other shop)
        client.post(reverse("partners:employer_create"), {**data, "street": "Chaussée 9"})
        assert Organization.objects.filter(name__iexact="Boulangerie Léon").count() == 2

    def test_a_prospection_in_the_future_is_refused(self, client, counsellor, employer):
        client.force_login(counsellor)
        tomorrow = TODAY() + dt.timedelta(days=1)
        response = client.post(
            reverse("partners:employer_detail", args=[employer.pk]),
            {
                "contact-date": tomorrow.isoformat(),
                "contact-person_met": "Mme Lambert",
                "contact-outcome": "information",
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors["date"]
        assert "Mme Lambert" in response.content.decode()
        assert not EmployerContact.objects.exists()

    def test_the_search_is_kept_in_the_session_not_in_the_url(
        self, client, counsellor, employer, operator
    ):
        OrganizationFactory(kind=Organization.Kind.EMPLOYER, name="Garage Martin")
        client.force_login(counsellor)
        response = client.post(reverse("partners:employer_list"), {"q": "dubois"})
        assert response.url == reverse("partners:employer_list")
        page = client.get(reverse("partners:employer_list")).context["page"]
        assert [e.name for e in page] == ["Peintures Dubois"]


class TestMatchings:
    def test_a_counsellor_proposes_someone_with_an_open_pathway(
        self, client, counsellor, person, employer
    ):
        client.force_login(counsellor)
        response = client.post(
            reverse("partners:matching_create", args=[person.pk]),
            {"employer": employer.pk, "position": "Aide-peintre", "proposed_on": "2026-01-15"},
        )
        assert response.status_code == 302
        matching = Matching.objects.get()
        assert matching.pathway == person.pathways.get()
        assert (matching.status, matching.status_on, matching.by) == (
            Matching.Status.PROPOSED,
            dt.date(2026, 1, 15),
            counsellor,
        )

    def test_without_an_open_pathway_nobody_is_proposed(
        self, client, counsellor, operator, employer
    ):
        pathway = PathwayFactory(
            participant__organization=operator,
            ended_on=dt.date(2025, 6, 1),
            exit_outcome="studies",
        )
        client.force_login(counsellor)
        url = reverse("partners:matching_create", args=[pathway.participant.pk])
        response = client.post(
            url, {"employer": employer.pk, "position": "Peintre", "proposed_on": "2026-01-15"}
        )
        assert response.status_code == 200
        assert "Pas de parcours ouvert" in response.content.decode()
        assert not Matching.objects.exists()

    def test_only_employers_can_be_chosen(self, client, counsellor, person, housing):
        client.force_login(counsellor)
        response = client.post(
            reverse("partners:matching_create", args=[person.pk]),
            {"employer": housing.pk, "position": "Peintre", "proposed_on": "2026-01-15"},
        )
        assert response.context["form"].errors["employer"]

    def test_proposed_then_interview_then_rejected(self, client, counsellor, person, employer):
        matching = _matching(person, employer, counsellor)
        url = reverse("partners:matching_update", args=[matching.pk])
        client.force_login(counsellor)
        client.post(url, {"status": "interview", "on": "2025-03-10"})
        client.post(url, {"status": "rejected", "on": "2025-03-20"})
        matching.refresh_from_db()
        assert (matching.status, matching.status_on) == ("rejected", dt.date(2025, 3, 20))
        assert person.pathways.get().is_open

    def test_a_finished_matching_offers_no_change(self, client, counsellor, person, employer):
        matching = _matching(person, employer, counsellor, status=Matching.Status.NO_ANSWER)
        client.force_login(counsellor)
        response = client.post(
            reverse("partners:matching_update", args=[matching.pk]),
            {"status": "hired", "on": "2025-03-10"},
        )
        assert response.status_code == 302
        matching.refresh_from_db()
        assert matching.status == Matching.Status.NO_ANSWER

    def test_a_date_before_the_proposal_is_refused_with_a_message(
        self, client, counsellor, person, employer
    ):
        matching = _matching(person, employer, counsellor)
        client.force_login(counsellor)
        response = client.post(
            reverse("partners:matching_update", args=[matching.pk]),
            {"status": "interview", "on": "2025-01-01"},
        )
        assert response.status_code == 200
        assert "La date doit suivre la proposition" in response.content.decode()
        matching.refresh_from_db()
        assert matching.status == Matching.Status.PROPOSED

    def test_a_hire_closes_the_pathway_with_an_employment_outcome_in_one_step(
        self, client, counsellor, person, employer
    ):
        matching = _matching(person, employer, counsellor)
        client.force_login(counsellor)
        response = client.post(
            reverse("partners:matching_update", args=[matching.pk]),
            {
                "status": "hired",
                "on": "2025-04-01",
                "close_pathway": "on",
                "exit_outcome": "job_fixed_long",
            },
        )
        assert response.status_code == 302
        matching.refresh_from_db()
        pathway = person.pathways.get()
        assert matching.status == Matching.Status.HIRED
        assert (pathway.ended_on, pathway.exit_outcome) == (dt.date(2025, 4, 1), "job_fixed_long")
        assert pathway.job_searching_at_exit is False

    def test_a_hire_may_leave_the_pathway_open(self, client, counsellor, person, employer):
        matching = _matching(person, employer, counsellor)
        client.force_login(counsellor)
        client.post(
            reverse("partners:matching_update", args=[matching.pk]),
            {"status": "hired", "on": "2025-04-01"},
        )
        matching.refresh_from_db()
        assert matching.status == Matching.Status.HIRED
        assert person.pathways.get().is_open

    def test_closing_needs_an_employment_outcome(self, client, counsellor, person, employer):
        matching = _matching(person, employer, counsellor)
        client.force_login(counsellor)
        response = client.post(
            reverse("partners:matching_update", args=[matching.pk]),
            {"status": "hired", "on": "2025-04-01", "close_pathway": "on", "exit_outcome": ""},
        )
        assert response.context["form"].errors["exit_outcome"]
        response = client.post(
            reverse("partners:matching_update", args=[matching.pk]),
            {
                "status": "hired",
                "on": "2025-04-01",
                "close_pathway": "on",
                "exit_outcome": "training_qualifying",
            },
        )
        assert response.context["form"].errors["exit_outcome"]
        matching.refresh_from_db()
        assert matching.status == Matching.Status.PROPOSED

    def test_only_a_hire_closes_the_pathway(self, client, counsellor, person, employer):
        matching = _matching(person, employer, counsellor)
        client.force_login(counsellor)
        response = client.post(
            reverse("partners:matching_update", args=[matching.pk]),
            {
                "status": "rejected",
                "on": "2025-04-01",
                "close_pathway": "on",
                "exit_outcome": "job_permanent",
            },
        )
        assert response.context["form"].errors["close_pathway"]
        assert person.pathways.get().is_open

    def test_when_the_pathway_cannot_close_the_hire_is_not_saved_either(
        self, client, counsellor, person, employer
    ):
        # The matching was proposed before a pathway start that was later corrected: closing
        # before the start is refused, and the hire waits with it (one transaction).
        matching = _matching(person, employer, counsellor)
        pathway = person.pathways.get()
        pathway.started_on = dt.date(2025, 5, 1)
        pathway.save(update_fields=["started_on"])
        client.force_login(counsellor)
        response = client.post(
            reverse("partners:matching_update", args=[matching.pk]),
            {
                "status": "hired",
                "on": "2025-04-01",
                "close_pathway": "on",
                "exit_outcome": "job_permanent",
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors["on"]
        matching.refresh_from_db()
        assert matching.status == Matching.Status.PROPOSED
        assert person.pathways.get().is_open


class TestMatching:
    """The steps of a matching through the service (partners.services.matching_update)."""

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

    def test_a_proposal_needs_an_open_pathway_and_follows_its_start(self, person, counsellor):
        pathway = person.pathways.get()
        proposal = Matching(
            employer=OrganizationFactory(kind=Organization.Kind.EMPLOYER),
            position="Jardinier",
            proposed_on=pathway.started_on - dt.timedelta(days=1),
        )
        with pytest.raises(ValidationError, match="précéder le parcours"):
            services.matching_propose(matching=proposal, participant=person, by=counsellor)
        proposal.proposed_on = pathway.started_on
        matching = services.matching_propose(matching=proposal, participant=person, by=counsellor)
        assert (matching.pathway, matching.status_on) == (pathway, pathway.started_on)
        pathway.ended_on, pathway.exit_outcome = pathway.started_on, "other"
        pathway.save()
        proposal = Matching(employer=matching.employer, position="Maçon", proposed_on=TODAY())
        with pytest.raises(ValidationError, match="Pas de parcours ouvert"):
            services.matching_propose(matching=proposal, participant=person, by=counsellor)


class TestMatchingDoubleSubmit:
    def test_a_double_submitted_proposal_to_an_employer_is_saved_once(
        self, client, counsellor, person
    ):
        from partners.models import Matching

        employer = OrganizationFactory(kind=Organization.Kind.EMPLOYER, name="Boulangerie Vert")
        client.force_login(counsellor)
        url = reverse("partners:matching_create", args=[person.pk])
        data = {"employer": employer.pk, "position": "Vendeur·se", "proposed_on": "2026-01-15"}
        assert client.post(url, data).status_code == 302
        second = client.post(url, data)

        assert Matching.objects.count() == 1
        assert second.status_code == 200
        text = _text(second)
        assert "déjà proposé" in text
        assert "Vendeur·se" in text  # what was typed is kept


class TestQueryCounts:
    @pytest.mark.parametrize("size", [3, 15])
    def test_the_employer_list_query_count_does_not_grow(
        self, client, counsellor, operator, size, django_assert_num_queries
    ):
        for n in range(size):
            employer = OrganizationFactory(kind=Organization.Kind.EMPLOYER)
            EmployerContact.objects.create(
                organization=operator,
                employer=employer,
                date=dt.date(2026, 1, 1 + n),
                by=counsellor,
                outcome="information",
            )
        client.force_login(counsellor)
        # session, user, memberships, savepoints ×2, count, page
        with django_assert_num_queries(7):
            response = client.get(reverse("partners:employer_list"))
        assert len(response.context["page"]) == size

    @pytest.mark.parametrize("size", [3, 15])
    def test_the_matching_list_query_count_does_not_grow(
        self, client, counsellor, operator, employer, size, django_assert_num_queries
    ):
        for _ in range(size):
            person = PathwayFactory(participant__organization=operator).participant
            _matching(person, employer, counsellor)
        client.force_login(counsellor)
        # session, user, memberships, savepoints ×2, count, page
        with django_assert_num_queries(7):
            response = client.get(reverse("partners:matching_list"))
        assert len(response.context["page"]) == size

    @pytest.mark.parametrize("size", [3, 15])
    def test_the_employer_page_query_count_does_not_grow(
        self, client, counsellor, operator, employer, size, django_assert_num_queries
    ):
        for n in range(size):
            person = PathwayFactory(participant__organization=operator).participant
            _matching(person, employer, counsellor)
            EmployerContact.objects.create(
                organization=operator,
                employer=employer,
                date=dt.date(2026, 1, 1 + n),
                by=counsellor,
                outcome="information",
            )
        client.force_login(counsellor)
        # session, user, memberships, savepoints ×2, employer, contacts, matchings
        with django_assert_num_queries(8):
            client.get(reverse("partners:employer_detail", args=[employer.pk]))


def test_the_demo_has_referrals_in_every_state_employers_and_one_hire(db):
    import random

    from demo.accounts import seed_accounts
    from demo.participants import seed_participants
    from demo.partners import seed_partners
    from partners.models import Referral, ReferralTransition

    rng = random.Random(2026)
    orgs = seed_accounts(rng=rng)["organizations"]
    seed_participants(rng=rng, organization=orgs["operator"], count=80)
    stats = seed_partners(rng=rng, organizations=orgs)
    assert set(Referral.objects.values_list("status", flat=True)) == set(Referral.Status.values)
    assert ReferralTransition.objects.filter(channel="link").count() == 2
    assert stats["referrals"] == Referral.objects.count()
    hire = Matching.objects.get(status=Matching.Status.HIRED)
    assert hire.pathway.exit_outcome == "job_fixed_long"
    assert hire.pathway.ended_on == hire.status_on
    assert (
        EmployerContact.objects.filter(organization=orgs["operator"]).count()
        == stats["prospections"]
    )
