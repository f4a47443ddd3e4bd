"""The group page, the candidate search and the volunteer agreement form."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from accounts.models import Role
from chantiers import selectors
from chantiers.models import Attendance, Enrolment, VolunteerAgreement
from chantiers.services import Mark, attendance_record, enrolment_eligibility
from participants import services as participant_services
from tests.factories import (
    ChantierFactory,
    MembershipFactory,
    ParticipantFactory,
    PathwayFactory,
    WorkSessionFactory,
)

# The chantier starts on 05/01/2026 and asks 24 months of job seeking: since 05/01/2024.
LONG_AGO = dt.date(2023, 6, 1)
RECENTLY = dt.date(2025, 6, 1)


@pytest.fixture
def chantier(operator, coordinator, legal_ceilings):
    chantier = ChantierFactory(
        organization=operator,
        name="Peinture des halls",
        starts_on=dt.date(2026, 1, 5),
        ends_on=dt.date(2026, 12, 18),
        capacity=2,
        daily_indemnity=Decimal("12.50"),
    )
    chantier.coordinators.add(coordinator)
    return chantier


def _person(organization, *, since=LONG_AGO, pathway=True, income=None, **kwargs):
    person = ParticipantFactory(organization=organization, jobseeker_since=since, **kwargs)
    if pathway:
        PathwayFactory(participant=person)
    if income:
        participant_services.income_source_change(
            participant=person, kind=income, starts_on=dt.date(2024, 1, 1)
        )
    return person


def _enrol(chantier, status="candidate", **kwargs):
    person = _person(chantier.organization, **kwargs)
    return Enrolment.objects.create(chantier=chantier, participant=person, status=status)


def _group_url(chantier):
    return reverse("chantiers:group", args=[chantier.pk])


def _rows(response, section):
    return next(s["rows"] for s in response.context["sections"] if s["key"] == section)


class TestGroupPage:
    def test_it_shows_each_status_with_its_dates_and_paperwork(self, client, coordinator, chantier):
        _enrol(chantier, last_name="Candidate")
        active = _enrol(chantier, "active", last_name="Active", income="none")
        active.joined_on, active.safety_briefing_on = dt.date(2026, 1, 5), dt.date(2026, 1, 5)
        active.save()
        VolunteerAgreement.objects.create(
            participant=active.participant,
            organization=chantier.organization,
            chantier=chantier,
            starts_on=dt.date(2026, 1, 5),
            daily_rate=Decimal("12.50"),
            signed_on=dt.date(2026, 1, 5),
        )
        _enrol(chantier, "selected", last_name="Selected", income="unemployment")
        gone = _enrol(chantier, "withdrawn", last_name="Partie")
        gone.left_on, gone.leave_reason = dt.date(2026, 2, 1), "Déménagement"
        gone.save()
        client.force_login(coordinator)
        response = client.get(_group_url(chantier))
        assert [r["enrolment"].participant.last_name for r in _rows(response, "candidates")] == [
            "Candidate"
        ]
        assert [r["enrolment"].pk for r in _rows(response, "active")] == [active.pk]
        assert [r["enrolment"].pk for r in _rows(response, "left")] == [gone.pk]
        text = response.text
        assert "Arrivée : 05/01/2026" in text and "Consignes de sécurité : 05/01/2026" in text
        assert "Départ : 01/02/2026 (Déménagement)" in text
        assert "signée ✓" in text and "note pas remise" in text
        assert "Note d&#x27;organisation pas remise" in text  # what blocks the payment
        declarations = {
            r["enrolment"].participant.last_name: r["required_declaration"]
            for r in _rows(response, "active") + _rows(response, "selected")
        }
        assert declarations == {"Active": "none", "Selected": "c45b"}
        assert "pas de déclaration requise" in text
        assert "à faire : Formulaire C45B" in text
        assert (
            reverse("chantiers:agreement_pdf", args=[active.participant.agreements.get().pk])
            in text
        )

    def test_candidates_show_why_they_are_not_eligible(self, client, coordinator, chantier):
        recent = _enrol(chantier, since=RECENTLY, pathway=False)
        fine = _enrol(chantier)
        client.force_login(coordinator)
        response = client.get(_group_url(chantier))
        problems = {r["enrolment"].pk: r["problems"] for r in _rows(response, "candidates")}
        assert problems[fine.pk] == []
        assert "depuis le 05/01/2024 au plus tard" in problems[recent.pk][0]
        assert problems[recent.pk][1] == "Aucun parcours ouvert."
        assert "Aucun parcours ouvert." in response.text
        assert (
            "Sélectionner malgré tout" in response.text
            and "Remplit les conditions." in response.text
        )


def test_the_bulk_eligibility_says_what_the_service_says(chantier, operator):
    full = ChantierFactory(organization=operator, capacity=1, starts_on=dt.date(2026, 1, 5))
    Enrolment.objects.create(chantier=full, participant=_person(operator), status="active")
    people = [
        _person(operator),
        _person(operator, since=None),
        _person(operator, since=RECENTLY, pathway=False),
        _person(operator, since=dt.date(2024, 1, 5)),  # exactly 24 months
        full.enrolments.get().participant,  # already in: not counted against themself
    ]
    for target in (chantier, full):
        bulk = selectors.enrolment_eligibility_many(chantier=target, participants=people)
        assert bulk == {p.pk: enrolment_eligibility(chantier=target, participant=p) for p in people}
    assert "complet (1 places)" in str(
        selectors.enrolment_eligibility_many(chantier=full, participants=people[:1])
    )


class TestSelection:
    def _select(self, client, enrolment, justification=""):
        return client.post(
            reverse("chantiers:enrolment_select", args=[enrolment.pk]),
            {"justification": justification},
        )

    def test_it_refuses_an_ineligible_person_without_a_justification(
        self, client, coordinator, chantier
    ):
        enrolment = _enrol(chantier, since=RECENTLY)
        client.force_login(coordinator)
        response = self._select(client, enrolment, "   ")
        assert response.status_code == 200
        enrolment.refresh_from_db()
        assert enrolment.status == "candidate"
        assert "Pour passer outre, écrivez une justification." in response.text
        assert "au plus tard" in response.text  # the reason, next to the textarea

    def test_what_was_typed_is_kept_when_refused(self, client, coordinator, chantier):
        enrolment = _enrol(chantier, since=RECENTLY)
        client.force_login(coordinator)
        typed = "Orientée par le CPAS. " * 100  # too long: refused, not lost
        response = self._select(client, enrolment, typed)
        assert Enrolment.objects.get(pk=enrolment.pk).status == "candidate"
        assert typed.strip() in response.text
        assert response.context["refused"][0]["enrolment"] == enrolment

    def test_a_justification_lets_it_through_and_is_kept_and_logged(
        self, client, coordinator, chantier
    ):
        enrolment = _enrol(chantier, since=RECENTLY)
        client.force_login(coordinator)
        response = self._select(client, enrolment, "Orientée par le CPAS, rupture de logement.")
        assert response.status_code == 302
        enrolment.refresh_from_db()
        assert enrolment.status == "selected"
        assert enrolment.eligibility_override == "Orientée par le CPAS, rupture de logement."
        entry = LogEntry.objects.get_for_object(enrolment).filter(action=LogEntry.Action.UPDATE)
        assert entry.get().actor == coordinator
        assert "rupture de logement" in client.get(_group_url(chantier)).text

    def test_an_eligible_person_needs_no_justification(self, client, coordinator, chantier):
        enrolment = _enrol(chantier)
        client.force_login(coordinator)
        assert self._select(client, enrolment).status_code == 302
        enrolment.refresh_from_db()
        assert (enrolment.status, enrolment.eligibility_override) == ("selected", "")

    def test_a_full_group_needs_a_justification_for_one_more(self, client, coordinator, chantier):
        _enrol(chantier, "selected")
        _enrol(chantier, "active")
        late = _enrol(chantier)
        client.force_login(coordinator)
        page = client.get(_group_url(chantier))
        assert page.context["taken"] == 2
        assert _rows(page, "candidates")[0]["problems"] == ["Le groupe est complet (2 places)."]
        response = self._select(client, late)
        assert "Le groupe est complet (2 places)." in response.text
        assert Enrolment.objects.get(pk=late.pk).status == "candidate"
        self._select(client, late, "Remplace une personne en congé maladie.")
        assert Enrolment.objects.get(pk=late.pk).status == "selected"

    def test_someone_selected_meanwhile_is_said_at_the_top(self, client, coordinator, chantier):
        enrolment = _enrol(chantier, "selected")  # a colleague selected them a moment ago
        client.force_login(coordinator)
        response = self._select(client, enrolment, "Motif")
        assert response.context["refused"][0]["errors"] == [
            "Seul·e un·e candidat·e peut être sélectionné·e."
        ]
        assert "Seul·e un·e candidat·e peut être sélectionné·e." in response.text


class TestArrivalDepartureSafety:
    def test_a_selected_person_starts_on_the_given_day(self, client, coordinator, chantier):
        enrolment = _enrol(chantier, "selected")
        client.force_login(coordinator)
        page = client.get(_group_url(chantier))
        assert _rows(page, "selected")[0]["activate_form"]["joined_on"].initial is not None
        client.post(
            reverse("chantiers:enrolment_activate", args=[enrolment.pk]),
            {"joined_on": "2026-01-12"},
        )
        enrolment.refresh_from_db()
        assert (enrolment.status, enrolment.joined_on) == ("active", dt.date(2026, 1, 12))

    def test_starting_twice_is_refused_with_a_message(self, client, coordinator, chantier):
        enrolment = _enrol(chantier, "active")
        client.force_login(coordinator)
        response = client.post(
            reverse("chantiers:enrolment_activate", args=[enrolment.pk]),
            {"joined_on": "2026-01-12"},
        )
        assert "Seule une personne sélectionnée peut commencer." in response.text

    def test_a_withdrawal_needs_a_reason_and_keeps_the_date(self, client, coordinator, chantier):
        enrolment = _enrol(chantier, "active")
        enrolment.joined_on = dt.date(2026, 1, 12)
        enrolment.save()
        client.force_login(coordinator)
        url = reverse("chantiers:enrolment_leave", args=[enrolment.pk])
        response = client.post(
            url, {"status": "withdrawn", "left_on": "2026-03-04", "leave_reason": ""}
        )
        assert "Indiquez le motif du départ." in response.text
        assert 'value="2026-03-04"' in response.text
        assert Enrolment.objects.get(pk=enrolment.pk).status == "active"
        response = client.post(
            url, {"status": "withdrawn", "left_on": "2026-01-02", "leave_reason": "Emploi"}
        )
        assert "Le départ précède l&#x27;arrivée." in response.text
        client.post(url, {"status": "withdrawn", "left_on": "2026-03-04", "leave_reason": "Emploi"})
        enrolment.refresh_from_db()
        assert (enrolment.status, enrolment.left_on, enrolment.leave_reason) == (
            "withdrawn",
            dt.date(2026, 3, 4),
            "Emploi",
        )

    def test_completing_needs_no_reason(self, client, coordinator, chantier):
        enrolment = _enrol(chantier, "active")
        client.force_login(coordinator)
        client.post(
            reverse("chantiers:enrolment_leave", args=[enrolment.pk]),
            {"status": "completed", "left_on": "2026-06-30"},
        )
        enrolment.refresh_from_db()
        assert (enrolment.status, enrolment.left_on) == ("completed", dt.date(2026, 6, 30))

    def test_a_candidate_cannot_leave_a_group_they_are_not_in(self, client, coordinator, chantier):
        enrolment = _enrol(chantier)
        client.force_login(coordinator)
        client.post(
            reverse("chantiers:enrolment_leave", args=[enrolment.pk]),
            {"status": "completed", "left_on": "2026-06-30"},
        )
        assert Enrolment.objects.get(pk=enrolment.pk).status == "candidate"

    def test_safety_briefing_and_protective_equipment_dates(self, client, coordinator, chantier):
        enrolment = _enrol(chantier, "active")
        client.force_login(coordinator)
        url = reverse("chantiers:enrolment_safety", args=[enrolment.pk])
        client.post(
            url, {"safety_briefing_on": "2026-01-12", "protective_equipment_on": "2026-01-13"}
        )
        enrolment.refresh_from_db()
        assert (enrolment.safety_briefing_on, enrolment.protective_equipment_on) == (
            dt.date(2026, 1, 12),
            dt.date(2026, 1, 13),
        )
        response = client.post(
            url, {"safety_briefing_on": "2999-01-01", "protective_equipment_on": "2026-01-13"}
        )
        assert "Une date future n&#x27;est pas acceptée ici." in response.text
        assert Enrolment.objects.get(pk=enrolment.pk).safety_briefing_on == dt.date(2026, 1, 12)


class TestAddingCandidates:
    def _url(self, chantier):
        return reverse("chantiers:group_add", args=[chantier.pk])

    def test_the_search_is_posted_never_in_the_url(self, client, coordinator, chantier, operator):
        wanted = _person(operator, last_name="Wanted", since=RECENTLY)
        _person(operator, last_name="Other")
        client.force_login(coordinator)
        response = client.post(self._url(chantier), {"q": wanted.national_number})
        assert response.status_code == 302 and wanted.national_number not in response.url
        page = client.get(response.url)
        assert [r["participant"] for r in page.context["rows"]] == [wanted]
        assert "au plus tard" in page.context["rows"][0]["problems"][0]
        assert wanted.masked_national_number in page.text  # masked in the list

    def test_only_people_with_an_open_pathway_of_the_operator_are_proposed(
        self, client, coordinator, chantier, operator, other_operator
    ):
        open_one = _person(operator)
        _person(operator, pathway=False)
        _person(other_operator)
        client.force_login(coordinator)
        page = client.get(self._url(chantier))
        assert [r["participant"] for r in page.context["rows"]] == [open_one]

    def test_the_htmx_search_answers_the_results_only(
        self, client, coordinator, chantier, operator
    ):
        _person(operator, last_name="Dupont")
        client.force_login(coordinator)
        response = client.post(self._url(chantier), {"q": "dupont"}, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert "<html" not in response.text and "DUPONT" in response.text

    def test_several_people_are_added_at_once_as_candidates(
        self, client, coordinator, chantier, operator, other_operator
    ):
        first, second = _person(operator), _person(operator, since=RECENTLY)
        stranger, closed = _person(other_operator), _person(operator, pathway=False)
        client.force_login(coordinator)
        response = client.post(
            self._url(chantier),
            {"add": "1", "participant": [first.pk, second.pk, stranger.pk, closed.pk, "x"]},
            follow=True,
        )
        assert "2 personnes ajoutées aux candidat·es." in response.text
        assert set(chantier.enrolments.values_list("participant", "status")) == {
            (first.pk, "candidate"),
            (second.pk, "candidate"),
        }
        enrolled = {r["participant"].pk: r["enrolled"] for r in response.context["rows"]}
        assert enrolled[first.pk] == "Candidat·e"

    def test_adding_nobody_says_so(self, client, coordinator, chantier):
        client.force_login(coordinator)
        response = client.post(self._url(chantier), {"add": "1"}, follow=True)
        assert "Cochez au moins une personne à ajouter." in response.text


# Agreements ----------------------------------------------------------------------------------


class TestDigitsThatAreNotNumbers:
    """``"²".isdigit()`` is true but ``int("²")`` fails, nineteen 9s overflow the database's
    integer: a posted value that is no id is dropped (accounts.forms_input.IdListField)."""

    @pytest.mark.parametrize("bad", ["²", "9" * 19, "9" * 30, "-1", "١٢", "1.5", "\x00"])
    def test_adding_candidates(self, client, coordinator, chantier, bad):
        person = ParticipantFactory(organization=chantier.organization)
        PathwayFactory(participant=person)
        client.force_login(coordinator)
        response = client.post(
            reverse("chantiers:group_add", args=[chantier.pk]),
            {"add": "1", "participant": [bad, str(person.pk)]},
        )
        assert response.status_code == 302
        assert Enrolment.objects.get().participant == person


def _agreement_data(**overrides):
    data = {
        "starts_on": "2026-01-05",
        "ends_on": "2026-12-18",
        "scheme": "flat_rate",
        "daily_rate": "12.50",
        "signed_on": "2026-01-05",
        "organisation_note_given_on": "2026-01-05",
        "insurance_policy": "Ethias RC 45.123",
        "declaration": "c45b",
        "declaration_on": "2026-01-02",
    }
    return {**data, **overrides}


@pytest.fixture
def member(chantier):
    """An active member on unemployment benefits (a C45B is required)."""
    return _enrol(chantier, "active", income="unemployment")


def _new_url(chantier, enrolment):
    return reverse("chantiers:agreement_new", args=[chantier.pk, enrolment.pk])


class TestAgreementForm:
    def test_it_proposes_the_chantiers_rate_and_says_which_declaration_is_required(
        self, client, coordinator, chantier, member
    ):
        client.force_login(coordinator)
        response = client.get(_new_url(chantier, member))
        form = response.context["form"]
        assert form["daily_rate"].initial == Decimal("12.50")
        assert form.required_declaration == "c45b"
        assert "Chômage" in response.text or "chômage" in response.text
        assert "Formulaire C45B remis à l&#x27;organisme de paiement (chômage)" in response.text
        assert "44,02" in response.text  # the year's daily ceiling

    def test_it_saves_and_links_to_the_pdf(self, client, coordinator, chantier, member):
        client.force_login(coordinator)
        response = client.post(_new_url(chantier, member), _agreement_data(), follow=True)
        agreement = VolunteerAgreement.objects.get()
        assert (agreement.participant, agreement.organization, agreement.chantier) == (
            member.participant,
            chantier.organization,
            chantier,
        )
        assert agreement.declaration == "c45b" and agreement.daily_rate == Decimal("12.50")
        assert reverse("chantiers:agreement_pdf", args=[agreement.pk]) in response.text

    @pytest.mark.parametrize(
        "overrides,field,message",
        [
            (
                {"declaration": "cpas_informed"},
                "declaration",
                "La source de revenus de la personne (Allocations de chômage) demande : "
                "« Formulaire C45B",
            ),
            ({"declaration": "none"}, "declaration", "demande : « Formulaire C45B"),
            ({"declaration_on": ""}, "declaration_on", "Indiquez la date de la déclaration."),
            ({"daily_rate": "45.00"}, "daily_rate", "plafond journalier légal de 2026 : 44,02"),
            ({"daily_rate": "-1"}, "daily_rate", "supérieure ou égale à 0"),
            ({"ends_on": "2026-01-01"}, "ends_on", "La fin précède le début."),
            ({"signed_on": "2999-01-01"}, "signed_on", "Une date future"),
        ],
    )
    def test_it_refuses_what_the_rules_forbid_and_keeps_the_input(
        self, client, coordinator, chantier, member, overrides, field, message
    ):
        client.force_login(coordinator)
        response = client.post(_new_url(chantier, member), _agreement_data(**overrides))
        assert response.status_code == 200
        errors = " ".join(response.context["form"].errors.get(field, []))
        assert message in errors.replace("\xa0", " ")
        assert not VolunteerAgreement.objects.exists()
        assert 'value="Ethias RC 45.123"' in response.text  # nothing typed is lost

    def test_no_declaration_yet_is_accepted_the_days_just_wait(
        self, client, coordinator, chantier, member
    ):
        client.force_login(coordinator)
        client.post(_new_url(chantier, member), _agreement_data(declaration="", declaration_on=""))
        assert VolunteerAgreement.objects.get().declaration == ""

    def test_one_year_cannot_mix_flat_rate_and_real_costs(
        self, client, coordinator, chantier, member
    ):
        VolunteerAgreement.objects.create(
            participant=member.participant,
            organization=chantier.organization,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 1, 31),
            scheme="real_costs",
            daily_rate=Decimal("0"),
        )
        client.force_login(coordinator)
        response = client.post(_new_url(chantier, member), _agreement_data(starts_on="2026-03-01"))
        assert "une même année ne peut pas mêler forfait et frais réels" in " ".join(
            response.context["form"].errors["scheme"]
        )
        # Next year is another year.
        client.post(
            _new_url(chantier, member),
            _agreement_data(starts_on="2027-01-04", ends_on="", signed_on="2026-11-01"),
        )
        assert VolunteerAgreement.objects.count() == 2

    def test_completing_the_paperwork_recomputes_the_days(
        self, client, coordinator, chantier, member
    ):
        agreement = VolunteerAgreement.objects.create(
            participant=member.participant,
            organization=chantier.organization,
            chantier=chantier,
            starts_on=dt.date(2026, 1, 5),
            daily_rate=Decimal("12.50"),
            signed_on=dt.date(2026, 1, 5),
            organisation_note_given_on=dt.date(2026, 1, 5),
        )
        session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2))
        attendance_record(
            session=session, marks=[Mark(member.participant_id, "present")], by=coordinator
        )
        mark = Attendance.objects.get()
        assert (mark.indemnity, mark.not_payable) == (0, "declaration_missing")
        client.force_login(coordinator)
        url = reverse("chantiers:agreement_edit", args=[agreement.pk])
        page = client.get(url)
        assert "Déclaration requise par la source de revenus pas faite" in page.text
        response = client.post(url, _agreement_data(), follow=True)
        mark.refresh_from_db()
        assert (mark.indemnity, mark.not_payable) == (Decimal("12.50"), "")
        assert response.context["days"] == [{"reason": "", "count": 1, "amount": Decimal("12.50")}]
        assert "12,50" in response.text

    def test_moving_the_start_later_recomputes_the_days_left_behind(
        self, client, coordinator, chantier, member
    ):
        agreement = VolunteerAgreement.objects.create(
            participant=member.participant,
            organization=chantier.organization,
            starts_on=dt.date(2026, 1, 5),
            daily_rate=Decimal("12.50"),
            signed_on=dt.date(2026, 1, 5),
            organisation_note_given_on=dt.date(2026, 1, 5),
            declaration="c45b",
            declaration_on=dt.date(2026, 1, 2),
        )
        session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2))
        attendance_record(
            session=session, marks=[Mark(member.participant_id, "present")], by=coordinator
        )
        assert Attendance.objects.get().indemnity == Decimal("12.50")
        client.force_login(coordinator)
        client.post(
            reverse("chantiers:agreement_edit", args=[agreement.pk]),
            _agreement_data(starts_on="2026-04-01", signed_on="2026-04-01"),
        )
        mark = Attendance.objects.get()
        assert (mark.indemnity, mark.not_payable) == (0, "no_agreement")


# Who may do what -------------------------------------------------------------------------------


class TestAgreementFarInThePast:
    def test_the_form_refuses_a_year_typed_wrong(self, client, coordinator, chantier):
        enrolment = Enrolment.objects.create(
            chantier=chantier, participant=ParticipantFactory(organization=chantier.organization)
        )
        client.force_login(coordinator)
        response = client.post(
            reverse("chantiers:agreement_new", args=[chantier.pk, enrolment.pk]),
            {
                "starts_on": "0026-01-05",
                "scheme": "flat_rate",
                "daily_rate": "12.50",
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors["starts_on"] == [
            "Année improbable (26) : vérifiez la date."
        ]


def _pages(chantier, enrolment, agreement):
    return [
        _group_url(chantier),
        reverse("chantiers:group_add", args=[chantier.pk]),
        _new_url(chantier, enrolment),
        reverse("chantiers:agreement_edit", args=[agreement.pk]),
    ]


def _posts(enrolment):
    return [
        reverse(f"chantiers:enrolment_{action}", args=[enrolment.pk])
        for action in ("select", "activate", "leave", "safety")
    ]


@pytest.fixture
def setup(chantier, member):
    agreement = VolunteerAgreement.objects.create(
        participant=member.participant,
        organization=chantier.organization,
        chantier=chantier,
        starts_on=dt.date(2026, 1, 5),
        daily_rate=Decimal("12.50"),
    )
    candidate = _enrol(chantier)
    return member, agreement, candidate


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("coordinator", 200),
        ("director", 200),
        ("admin", 403),
        ("counsellor", 403),
        ("partner", 403),
    ],
)
def test_pages_by_role(client, personas, persona, expected, chantier, setup):
    member, agreement, candidate = setup
    client.force_login(personas[persona])
    for url in _pages(chantier, member, agreement):
        assert client.get(url).status_code == expected, url
    response = client.post(_posts(candidate)[0], {"justification": ""})
    assert response.status_code == (302 if expected == 200 else expected)
    if expected == 403:
        for url in [*_posts(member), reverse("chantiers:group_add", args=[chantier.pk])]:
            assert client.post(url, {"add": "1"}).status_code == 403, url
        assert client.post(_pages(chantier, member, agreement)[3], {}).status_code == 403


def test_another_organization_answers_404(client, other_operator, chantier, setup):
    member, agreement, candidate = setup
    director = MembershipFactory(organization=other_operator, role=Role.DIRECTION).user
    client.force_login(director)
    for url in _pages(chantier, member, agreement):
        assert client.get(url).status_code == 404, url
    for url in _posts(candidate):
        assert client.post(url, {}).status_code == 404, url
    assert Enrolment.objects.get(pk=candidate.pk).status == "candidate"


def test_the_coordinator_of_another_chantier_gets_404(client, operator, chantier, setup):
    member, agreement, candidate = setup
    other = MembershipFactory(organization=operator, role=Role.COORDINATOR).user
    ChantierFactory(organization=operator).coordinators.add(other)
    client.force_login(other)
    for url in _pages(chantier, member, agreement):
        assert client.get(url).status_code == 404, url
    for url in _posts(candidate):
        assert client.post(url, {}).status_code == 404, url


# Query counts ----------------------------------------------------------------------------------


def _mixed_group(chantier, size):
    for index in range(size):
        status = ["candidate", "selected", "active", "withdrawn"][index % 4]
        enrolment = _enrol(chantier, status, income="unemployment")
        VolunteerAgreement.objects.create(
            participant=enrolment.participant,
            organization=chantier.organization,
            chantier=chantier,
            starts_on=dt.date(2026, 1, 5),
            daily_rate=Decimal("12.50"),
        )


@pytest.mark.parametrize("size", [3, 15])
def test_the_group_page_query_count_does_not_grow(
    client, coordinator, chantier, size, django_assert_num_queries
):
    _mixed_group(chantier, size)
    client.force_login(coordinator)
    # session, user, memberships, savepoints ×2, chantier, enrolments, agreements, incomes,
    # open pathways, incomes of the day
    with django_assert_num_queries(11):
        response = client.get(_group_url(chantier))
    assert sum(len(s["rows"]) for s in response.context["sections"]) == size


@pytest.mark.parametrize("size", [3, 15])
def test_the_candidate_search_query_count_does_not_grow(
    client, coordinator, chantier, operator, size, django_assert_num_queries
):
    for _ in range(size):
        _person(operator)
    client.force_login(coordinator)
    # session, user, memberships, savepoints ×2, chantier, count, page, open pathways (the
    # list's), enrolments, open pathways (eligibility)
    with django_assert_num_queries(11):
        response = client.get(reverse("chantiers:group_add", args=[chantier.pk]))
    assert len(response.context["rows"]) == size
