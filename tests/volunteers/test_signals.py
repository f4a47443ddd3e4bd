"""Signals (issue 21, point 3): a relay raises a situation (always anonymous) and sees what became
of it — the state only, never the outcome (the relay knows whom they described), the person's
name nor anyone else's signals; the team raises one too, naming a person followed here if need
be; counsellors and direction read them in an inbox, take them up and close them, a need written
in the person's file when that is the outcome. The services refuse by field, in French; a second
click changes nothing.

Who may open what: the relay's page is the volunteers' and coordinators' (who follow the signals
they raised as a relay does); the inbox and a signal's page are the counsellors' and direction's;
every other role 403, another organisation's signal 404."""

import datetime as dt
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from chantiers.models import Enrolment
from participants.models import Need
from tests.factories import ChantierFactory, MembershipFactory, ParticipantFactory
from volunteers import signals as services
from volunteers.models import ContactPoint, Signal
from volunteers.services import volunteer_register

TODAY = timezone.localdate()
MY_SIGNALS = reverse("volunteers:my_signals")
INBOX = reverse("volunteers:signals")
NEW = reverse("volunteers:signal_new")


# Builders --------------------------------------------------------------------------------------


def _relay(organization, by, user, *, first_name="Aline", last_name="Relais"):
    """A volunteer with a log-in (role ``volunteer``)."""
    person = ParticipantFactory(
        organization=organization, first_name=first_name, last_name=last_name
    )
    volunteer = volunteer_register(
        organization=organization,
        by=by,
        since=dt.date(2025, 1, 6),
        activity="Relais de quartier",
        participant=person,
    )
    volunteer.user = user
    volunteer.save()
    return volunteer


def _raise(organization, by, *, relay=None, **fields) -> Signal:
    values = {
        "raised_on": TODAY,
        "need_category": "housing",
        "urgency": "normal",
        "description": "Une voisine va être expulsée à la fin du mois.",
    }
    signal = Signal(organization=organization, raised_by=relay, **(values | fields))
    return services.signal_raise(signal=signal, by=by)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _listed(response) -> str:
    """The list of the relay's page, without the form above it (whose choices name every need)."""
    page = _text(response)
    return page[page.index('data-testid="signals"') :]


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


@pytest.fixture
def relay(operator, coordinator, volunteer_user):
    return _relay(operator, coordinator, volunteer_user)


@pytest.fixture
def other_relay(operator, coordinator):
    user = MembershipFactory(organization=operator, role=Role.VOLUNTEER).user
    return _relay(operator, coordinator, user, first_name="Bruno", last_name="Autre")


@pytest.fixture
def person(operator):
    """Someone followed here, whose name a relay must never read."""
    return ParticipantFactory(organization=operator, first_name="Fatima", last_name="Zeroual")


@pytest.fixture
def stranger(other_operator):
    return ParticipantFactory(organization=other_operator, first_name="Igor", last_name="Ailleurs")


@pytest.fixture
def point(operator):
    return ContactPoint.objects.create(
        organization=operator, name="Marché du Midi", place="Gare du Midi, le dimanche"
    )


@pytest.fixture
def signal(operator, relay):
    return _raise(operator, relay.user, relay=relay)


@pytest.fixture
def elsewhere(other_operator):
    """A signal of another organisation, raised by its counsellor."""
    counsellor = MembershipFactory(organization=other_operator, role=Role.COUNSELLOR).user
    return _raise(other_operator, counsellor)


# Raising ---------------------------------------------------------------------------------------


def test_a_relay_raises_an_anonymous_signal_the_team_receives(operator, relay, point):
    signal = _raise(operator, relay.user, relay=relay, contact_point=point, urgency="urgent")
    signal.refresh_from_db()
    assert signal.status == Signal.Status.OPEN
    assert signal.raised_by == relay
    assert signal.raised_by_user == relay.user
    assert signal.participant is None
    assert signal.contact_point == point
    assert signal.outcome == ""


def test_a_relay_cannot_name_a_person(operator, relay, person):
    errors = _errors(lambda: _raise(operator, relay.user, relay=relay, participant=person))
    assert errors["participant"] == ["Le signalement d'un relais reste anonyme."]
    assert not Signal.objects.exists()


def test_a_relay_raises_only_in_their_own_name(operator, relay, counsellor):
    with pytest.raises(ValidationError):
        _raise(operator, counsellor, relay=relay)


def test_a_signal_of_tomorrow_is_refused(operator, counsellor):
    tomorrow = TODAY + dt.timedelta(days=1)
    errors = _errors(lambda: _raise(operator, counsellor, raised_on=tomorrow))
    assert errors["raised_on"] == ["Une date future n'est pas acceptée ici."]


@pytest.mark.parametrize("which", ["inactive", "elsewhere"])
def test_a_contact_point_closed_or_of_another_organisation_is_refused(
    operator, other_operator, counsellor, which
):
    point = ContactPoint.objects.create(
        organization=other_operator if which == "elsewhere" else operator,
        name="Permanence",
        place="Rue Haute 1",
        is_active=which != "inactive",
    )
    errors = _errors(lambda: _raise(operator, counsellor, contact_point=point))
    assert "contact_point" in errors


def test_a_signal_says_what_the_situation_is(operator, counsellor):
    errors = _errors(lambda: _raise(operator, counsellor, description="   "))
    assert errors["description"] == ["Décrivez la situation en quelques mots."]


def test_the_team_may_name_a_person_of_the_organisation(operator, counsellor, person):
    signal = _raise(operator, counsellor, participant=person)
    assert signal.participant == person
    assert signal.raised_by is None


def test_the_team_cannot_name_someone_of_another_organisation_nor_anonymised(
    operator, counsellor, stranger, person
):
    errors = _errors(lambda: _raise(operator, counsellor, participant=stranger))
    assert errors["participant"] == ["Cette personne n'est pas suivie par votre organisation."]
    person.anonymised_at = timezone.now()
    person.save()
    assert "participant" in _errors(lambda: _raise(operator, counsellor, participant=person))


# Taking up -------------------------------------------------------------------------------------


def test_a_counsellor_takes_up_an_open_signal(signal, counsellor):
    services.signal_take_up(signal=signal, by=counsellor)
    signal.refresh_from_db()
    assert signal.status == Signal.Status.TAKEN_UP
    assert signal.taken_up_by == counsellor
    assert signal.taken_up_at is not None


def test_taking_up_twice_changes_nothing(signal, counsellor):
    first = services.signal_take_up(signal=signal, by=counsellor).taken_up_at
    again = services.signal_take_up(signal=signal, by=counsellor)
    assert again.taken_up_at == first


def test_a_signal_taken_up_by_a_colleague_is_refused(signal, counsellor, director):
    services.signal_take_up(signal=signal, by=counsellor)
    with pytest.raises(ValidationError, match="a déjà pris ce signalement en charge"):
        services.signal_take_up(signal=signal, by=director)
    signal.refresh_from_db()
    assert signal.taken_up_by == counsellor


def test_a_closed_signal_is_not_taken_up(signal, counsellor):
    services.signal_close(signal=signal, by=counsellor, outcome="nothing")
    with pytest.raises(ValidationError, match="déjà clôturé"):
        services.signal_take_up(signal=signal, by=counsellor)


# Closing ---------------------------------------------------------------------------------------


def test_closing_with_a_need_writes_it_in_the_persons_file(signal, counsellor, person):
    services.signal_take_up(signal=signal, by=counsellor)
    services.signal_close(signal=signal, by=counsellor, outcome="need", participant=person)
    signal.refresh_from_db()
    need = Need.objects.get(participant=person)
    assert need.category == "housing"
    assert need.identified_on == signal.raised_on
    assert signal.need == need
    assert signal.participant == person
    assert signal.status == Signal.Status.CLOSED
    assert signal.outcome == "need"
    assert signal.closed_at is not None


def test_a_need_asks_for_the_person(signal, counsellor):
    errors = _errors(lambda: services.signal_close(signal=signal, by=counsellor, outcome="need"))
    assert errors["participant"] == ["Choisissez la personne dont l'accompagnement note ce besoin."]
    signal.refresh_from_db()
    assert signal.status == Signal.Status.OPEN
    assert not Need.objects.exists()


def test_a_need_for_the_person_the_signal_names_needs_no_choice(operator, counsellor, person):
    signal = _raise(operator, counsellor, participant=person, need_category="digital")
    services.signal_close(signal=signal, by=counsellor, outcome="need")
    assert Need.objects.get(participant=person).category == "digital"


def test_a_need_for_someone_of_another_organisation_is_refused(signal, counsellor, stranger):
    close = lambda: services.signal_close(  # noqa: E731
        signal=signal, by=counsellor, outcome="need", participant=stranger
    )
    assert "participant" in _errors(close)
    assert not Need.objects.exists()


def test_an_intake_may_name_the_person_just_welcomed(signal, counsellor, person):
    services.signal_close(signal=signal, by=counsellor, outcome="intake", participant=person)
    signal.refresh_from_db()
    assert (signal.outcome, signal.participant, signal.need) == ("intake", person, None)
    assert not Need.objects.exists()


def test_an_intake_may_stay_anonymous(signal, counsellor):
    services.signal_close(signal=signal, by=counsellor, outcome="intake")
    signal.refresh_from_db()
    assert (signal.status, signal.participant) == (Signal.Status.CLOSED, None)


def test_closing_an_open_signal_says_who_handled_it_but_not_a_taking_up(signal, director):
    services.signal_close(signal=signal, by=director, outcome="referred")
    signal.refresh_from_db()
    assert signal.taken_up_by == director
    assert (signal.taken_up_at, signal.closed_at is not None) == (None, True)


def test_an_outcome_must_be_chosen(signal, counsellor):
    errors = _errors(lambda: services.signal_close(signal=signal, by=counsellor, outcome=""))
    assert errors["outcome"] == ["Choisissez la suite donnée au signalement."]


def test_closing_twice_says_so_and_writes_no_second_need(signal, counsellor, person):
    services.signal_close(signal=signal, by=counsellor, outcome="need", participant=person)
    with pytest.raises(ValidationError, match="déjà clôturé") as caught:
        services.signal_close(signal=signal, by=counsellor, outcome="need", participant=person)
    assert caught.value.code == services.ALREADY_CLOSED
    assert Need.objects.filter(participant=person).count() == 1


# Who may open what -----------------------------------------------------------------------------

ROLES = ["admin", "director", "counsellor", "coordinator", "partner", "volunteer_user"]
PAGES = {
    # name: (roles allowed, takes the signal's pk, method)
    "volunteers:my_signals": ({"volunteer_user", "coordinator"}, False, "get"),
    "volunteers:signals": ({"counsellor", "director"}, False, "get"),
    "volunteers:signal_new": ({"counsellor", "director", "coordinator"}, False, "get"),
    "volunteers:signal": ({"counsellor", "director"}, True, "get"),
    "volunteers:signal_take_up": ({"counsellor", "director"}, True, "post"),
    "volunteers:signal_close": ({"counsellor", "director"}, True, "post"),
}


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_each_page_answers_its_roles_only(client, request, signal, name, role):
    allowed, with_pk, method = PAGES[name]
    client.force_login(request.getfixturevalue(role))
    url = reverse(name, args=[signal.pk] if with_pk else [])
    response = getattr(client, method)(url, {"outcome": "nothing"} if method == "post" else None)
    if role in allowed:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("name", ["volunteers:signal", "volunteers:signal_take_up"])
@pytest.mark.parametrize("role", ["counsellor", "director"])
def test_another_organisations_signal_answers_404(client, request, elsewhere, name, role):
    client.force_login(request.getfixturevalue(role))
    method = client.get if name == "volunteers:signal" else client.post
    assert method(reverse(name, args=[elsewhere.pk])).status_code == 404
    response = client.post(
        reverse("volunteers:signal_close", args=[elsewhere.pk]), {"outcome": "nothing"}
    )
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == Signal.Status.OPEN


def test_a_volunteer_log_in_without_a_volunteer_record_finds_nothing(client, volunteer_user):
    client.force_login(volunteer_user)
    assert client.get(MY_SIGNALS).status_code == 404


# The relay's page ------------------------------------------------------------------------------


def _typed(**changes) -> dict:
    data = {
        "raised_on": TODAY.isoformat(),
        "contact_point": "",
        "need_category": "health",
        "urgency": "urgent",
        "description": "Monsieur au 3e ne sort plus de chez lui depuis une semaine.",
    }
    return data | changes


def test_a_relay_raises_a_signal_from_their_page(client, relay, point):
    client.force_login(relay.user)
    page = client.get(MY_SIGNALS)
    assert page.context["form"]["raised_on"].value() == TODAY
    response = client.post(MY_SIGNALS, _typed(contact_point=str(point.pk)))
    assert response.status_code == 302
    signal = Signal.objects.get()
    assert (signal.raised_by, signal.contact_point, signal.urgency) == (relay, point, "urgent")
    assert signal.need_category == "health"


def test_what_a_relay_typed_is_kept_when_the_signal_is_refused(client, relay):
    client.force_login(relay.user)
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = client.post(MY_SIGNALS, _typed(raised_on=tomorrow))
    assert response.status_code == 200
    page = _text(response)
    assert 'id="error_1_id_raised_on"' in page
    assert "Une date future n'est pas acceptée ici." in page
    assert "Monsieur au 3e ne sort plus de chez lui depuis une semaine." in page
    assert f'value="{tomorrow}"' in page
    assert '<option value="health" selected>' in page
    assert response.context["form"]["urgency"].value() == "urgent"
    assert not Signal.objects.exists()


def test_a_relay_is_told_every_refusal_at_once(client, relay):
    client.force_login(relay.user)
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = client.post(MY_SIGNALS, _typed(raised_on=tomorrow, need_category=""))
    errors = response.context["form"].errors
    assert errors["raised_on"] == ["Une date future n'est pas acceptée ici."]
    assert errors["need_category"] == ["Choisissez le besoin."]


def test_a_relay_cannot_slip_a_person_into_their_signal(client, relay, person):
    client.force_login(relay.user)
    client.post(MY_SIGNALS, _typed(participant=str(person.pk)))
    assert Signal.objects.get().participant is None


def test_a_relay_is_offered_the_active_contact_points_of_their_organisation(
    client, relay, point, operator, other_operator
):
    ContactPoint.objects.create(
        organization=operator, name="Ancien local", place="x", is_active=False
    )
    ContactPoint.objects.create(organization=other_operator, name="Point voisin", place="y")
    client.force_login(relay.user)
    page = _text(client.get(MY_SIGNALS))
    assert "Marché du Midi" in page
    assert "Ancien local" not in page
    assert "Point voisin" not in page


def test_a_relay_sees_their_own_signals_only(client, operator, relay, other_relay, counsellor):
    _raise(operator, relay.user, relay=relay, need_category="language")
    _raise(operator, other_relay.user, relay=other_relay, need_category="childcare")
    _raise(operator, counsellor, need_category="mobility")
    client.force_login(relay.user)
    page = _listed(client.get(MY_SIGNALS))
    assert page.count('data-testid="signal-item"') == 1
    assert "Langue" in page
    assert "Garde d'enfants" not in page
    assert "Mobilité" not in page


def test_a_relay_sees_where_their_signal_stands_never_whom_nor_who(
    client, signal, relay, counsellor, person
):
    client.force_login(relay.user)
    assert "Reçu" in _text(client.get(MY_SIGNALS))
    services.signal_take_up(signal=signal, by=counsellor)
    assert "Pris en charge" in _text(client.get(MY_SIGNALS))
    services.signal_close(signal=signal, by=counsellor, outcome="intake", participant=person)
    page = _text(client.get(MY_SIGNALS))
    closed_on = timezone.localdate(Signal.objects.get().closed_at).strftime("%d/%m/%Y")
    assert f"Clôturé le {closed_on} : l'équipe y a donné suite." in page
    # Not what became of the person: the relay knows whom they described.
    outcome = str(Signal.Outcome.INTAKE.label)
    for secret in (
        *("Fatima", "Zeroual", "ZEROUAL", counsellor.get_full_name(), signal.description),
        outcome,
    ):
        assert secret not in page, secret


def test_a_coordinator_follows_the_signals_they_raised(client, operator, coordinator, counsellor):
    chantier = ChantierFactory(organization=operator)
    chantier.coordinators.add(coordinator)
    member = ParticipantFactory(organization=operator, first_name="Yasmine", last_name="Chantier")
    Enrolment.objects.create(chantier=chantier, participant=member, status="active")
    _raise(operator, coordinator, participant=member, need_category="legal")
    _raise(operator, counsellor, need_category="mobility")
    client.force_login(coordinator)
    response = client.get(MY_SIGNALS)
    assert f'href="{NEW}"' in _text(response)
    page = _listed(response)
    assert "Juridique, séjour" in page
    assert "Mobilité" not in page
    assert "Yasmine" not in page


# The team's form -------------------------------------------------------------------------------


def _radio_checked(page: str, name: str) -> str | None:
    """The value of the radio button of ``name`` checked on the page, if any."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and 'type="radio"' in tag and " checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def test_a_counsellor_raises_a_signal_about_a_person_followed_here(client, counsellor, person):
    client.force_login(counsellor)
    response = client.post(NEW, _typed(participant=str(person.pk)))
    signal = Signal.objects.get()
    assert response.url == reverse("volunteers:signal", args=[signal.pk])
    assert (signal.participant, signal.raised_by, signal.raised_by_user) == (
        person,
        None,
        counsellor,
    )


def test_the_team_form_keeps_what_was_typed_when_refused(client, counsellor, person):
    client.force_login(counsellor)
    response = client.post(NEW, _typed(participant=str(person.pk), description=""))
    assert response.status_code == 200
    page = _text(response)
    assert 'id="error_1_id_description"' in page
    assert _radio_checked(page, "participant") == str(person.pk)
    assert '<option value="health" selected>' in page


def test_a_coordinator_may_name_only_the_people_of_their_chantiers(
    client, operator, coordinator, person
):
    chantier = ChantierFactory(organization=operator)
    chantier.coordinators.add(coordinator)
    member = ParticipantFactory(organization=operator, first_name="Yasmine", last_name="Chantier")
    Enrolment.objects.create(chantier=chantier, participant=member, status="active")
    client.force_login(coordinator)
    assert "CHANTIER Yasmine" in _text(client.post(NEW, _typed(search="1", person_query="yas")))
    found = _text(client.post(NEW, _typed(search="1", person_query="Zeroual")))
    assert "ZEROUAL" not in found and "Aucune personne trouvée pour « Zeroual »" in found
    response = client.post(NEW, _typed(participant=str(person.pk)))
    assert response.status_code == 200
    assert "participant" in response.context["form"].errors
    response = client.post(NEW, _typed(participant=str(member.pk)))
    assert response.url == MY_SIGNALS
    assert Signal.objects.get().participant == member


# The inbox and a signal's page -----------------------------------------------------------------


def test_the_inbox_puts_the_urgent_first_then_mine_then_the_closed(
    client, operator, relay, counsellor, director, person
):
    def raised(need, urgency, days_ago, **fields):
        day = TODAY - dt.timedelta(days=days_ago)
        return _raise(
            operator, relay.user, relay=relay, need_category=need, urgency=urgency, raised_on=day
        )

    raised("language", "low", 9)
    raised("mobility", "normal", 1)
    raised("health", "urgent", 2)
    raised("digital", "normal", 5)
    colleague = raised("childcare", "normal", 3)
    services.signal_take_up(signal=colleague, by=director)
    services.signal_take_up(signal=raised("legal", "low", 8), by=counsellor)
    closed = raised("financial", "normal", 7)
    services.signal_close(signal=closed, by=counsellor, outcome="need", participant=person)
    client.force_login(counsellor)
    page = _text(client.get(INBOX))
    page = page[page.index('data-testid="open"') :]
    order = [
        "Santé",
        "Numérique",
        "Mobilité",
        "Langue",
        "Juridique",
        "Garde d'enfants",
        "Situation financière",
    ]
    positions = [page.index(f"{label}") for label in order]
    assert positions == sorted(positions)
    assert "Relais : Aline R." in page
    assert "Fatima ZEROUAL" in page  # the person named, to the team
    assert "Une voisine va être expulsée à la fin du mois." in page
    assert "Pris en charge par vous" in page
    assert f"Pris en charge par {director.get_full_name()}" in page


def test_take_up_from_the_inbox_then_a_second_click(client, signal, counsellor):
    client.force_login(counsellor)
    url = reverse("volunteers:signal_take_up", args=[signal.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("volunteers:signal", args=[signal.pk])
    assert "Vous avez pris ce signalement en charge." in _messages(response)
    signal.refresh_from_db()
    taken_at = signal.taken_up_at
    client.post(url)
    signal.refresh_from_db()
    assert (signal.taken_up_by, signal.taken_up_at) == (counsellor, taken_at)


def test_a_colleagues_take_up_is_said_not_done(client, signal, counsellor, director):
    services.signal_take_up(signal=signal, by=director)
    client.force_login(counsellor)
    response = client.post(reverse("volunteers:signal_take_up", args=[signal.pk]), follow=True)
    assert "a déjà pris ce signalement en charge" in _messages(response)


def test_the_signals_page_shows_everything_to_the_team_and_the_close_form(
    client, signal, counsellor, point
):
    client.force_login(counsellor)
    page = _text(client.get(reverse("volunteers:signal", args=[signal.pk])))
    assert "Aline R. (relais)" in page
    assert signal.description in page
    assert "Clôturer le signalement" in page
    assert f'href="{reverse("participants:create")}"' in page


def test_closing_with_a_need_from_the_page(client, signal, counsellor, person):
    client.force_login(counsellor)
    url = reverse("volunteers:signal_close", args=[signal.pk])
    response = client.post(url, {"outcome": "need", "participant": str(person.pk)})
    assert response.url == reverse("volunteers:signal", args=[signal.pk])
    signal.refresh_from_db()
    assert signal.need.participant == person
    page = _text(client.get(response.url))
    assert "Besoin noté dans l'accompagnement en cours" in page
    assert "Clôturer le signalement" not in page


def test_a_refused_close_keeps_the_outcome_with_the_reason_beside_the_person(
    client, signal, counsellor
):
    client.force_login(counsellor)
    response = client.post(
        reverse("volunteers:signal_close", args=[signal.pk]), {"outcome": "need"}
    )
    assert response.status_code == 200
    page = _text(response)
    assert 'id="error_1_id_participant"' in page
    assert "Choisissez la personne dont l'accompagnement note ce besoin." in page
    assert response.context["close_form"]["outcome"].value() == "need"


def test_closing_twice_from_the_page_says_it_is_done(client, signal, counsellor, person):
    client.force_login(counsellor)
    url = reverse("volunteers:signal_close", args=[signal.pk])
    data = {"outcome": "need", "participant": str(person.pk)}
    client.post(url, data)
    response = client.post(url, data, follow=True)
    assert "Ce signalement est déjà clôturé." in _messages(response)
    assert Need.objects.filter(participant=person).count() == 1


# Queries that do not grow with the rows --------------------------------------------------------


def _many(operator, relay, counsellor, person, count):
    """``count`` signals in every state, each with its contact point, person and counsellor."""
    point = ContactPoint.objects.create(organization=operator, name="Permanence", place="Rue 1")
    for number in range(count):
        signal = _raise(operator, relay.user, relay=relay, contact_point=point)
        if number % 3 == 1:
            services.signal_take_up(signal=signal, by=counsellor)
        elif number % 3 == 2:
            services.signal_close(
                signal=signal, by=counsellor, outcome="intake", participant=person
            )


@pytest.mark.parametrize("count", [1, 4])
def test_the_inbox_reads_the_same_queries_whatever_the_signals(
    client, operator, relay, counsellor, person, count, django_assert_num_queries
):
    _many(operator, relay, counsellor, person, count)
    client.force_login(counsellor)
    # The session, the user, the memberships; the request's savepoint; the signals not closed;
    # the last closed (each with its relay, contact point, person and counsellor); the savepoint
    # released.
    with django_assert_num_queries(7):
        response = client.get(INBOX)
    assert response.content.decode().count('data-testid="signal-row"') == count


@pytest.mark.parametrize("count", [1, 4])
def test_the_relays_page_reads_the_same_queries_whatever_the_signals(
    client, operator, relay, counsellor, person, count, django_assert_num_queries
):
    _many(operator, relay, counsellor, person, count)
    client.force_login(relay.user)
    # The session, the user, the memberships; the request's savepoint; the volunteer; the form's
    # contact points; the signals (with their contact point); the savepoint released.
    with django_assert_num_queries(8):
        response = client.get(MY_SIGNALS)
    assert response.content.decode().count('data-testid="signal-item"') == count


# The team's form: the person found by name, not picked in a list of everyone -------------------


def test_the_team_form_lists_nobody_before_a_search(client, counsellor, person):
    client.force_login(counsellor)
    page = _text(client.get(NEW))
    assert "ZEROUAL" not in page
    assert 'name="person_query"' in page and 'name="search"' in page
    assert _radio_checked(page, "participant") == ""  # anonymous unless someone is chosen


def test_a_search_finds_the_person_by_name_and_keeps_everything_typed(
    client, counsellor, operator, person, stranger
):
    ParticipantFactory(organization=operator, first_name="Jean", last_name="Dupont")
    client.force_login(counsellor)
    typed = _typed(search="1", person_query="zéroual", description="Elle a besoin d'aide.")

    response = client.post(NEW, typed)

    assert response.status_code == 200 and not Signal.objects.exists()
    page = _text(response)
    assert f"ZEROUAL Fatima ({person.birth_date:%d/%m/%Y})" in page
    assert "DUPONT" not in page and "AILLEURS" not in page  # nor another organisation's
    assert "1 personne trouvée pour « zéroual »" in page
    assert "Elle a besoin d'aide." in page and '<option value="health" selected>' in page
    assert _radio_checked(page, "urgency") == "urgent"
    assert 'value="zéroual"' in page
    assert "invalid-feedback" not in page  # nothing sent yet: nothing refused


def test_the_person_found_is_chosen_and_named_on_the_signal(client, counsellor, person):
    client.force_login(counsellor)
    response = client.post(NEW, _typed(person_query="Zeroual", participant=str(person.pk)))
    signal = Signal.objects.get()
    assert response.url == reverse("volunteers:signal", args=[signal.pk])
    assert signal.participant == person


def test_a_name_searched_and_nobody_chosen_is_said_not_taken_as_anonymous(
    client, counsellor, person
):
    client.force_login(counsellor)
    response = client.post(NEW, _typed(person_query="Zeroual"))
    assert response.status_code == 200 and not Signal.objects.exists()
    errors = response.context["form"].errors
    assert errors["person_query"] == [
        "Choisissez la personne parmi celles trouvées, ou videz la recherche pour ne nommer "
        "personne."
    ]
    # The people found are offered again beside it.
    assert "ZEROUAL Fatima" in _text(response)


def test_a_search_shows_at_most_ten_people_and_asks_for_more_of_the_name(
    client, counsellor, operator
):
    for number in range(12):
        ParticipantFactory(organization=operator, first_name=f"Prénom{number}", last_name="Martin")
    client.force_login(counsellor)
    response = client.post(NEW, _typed(search="1", person_query="martin"))
    page = _text(response)
    assert page.count('name="participant"') == 11  # anonymous and ten people
    assert "Plus de 10 personnes trouvées pour « martin » : précisez le nom." in page


def test_a_new_search_keeps_the_person_chosen_before(client, counsellor, operator, person):
    ParticipantFactory(organization=operator, first_name="Jean", last_name="Dupont")
    client.force_login(counsellor)
    response = client.post(
        NEW, _typed(search="1", person_query="Dupont", participant=str(person.pk))
    )
    page = _text(response)
    assert "DUPONT Jean" in page and "ZEROUAL Fatima" in page
    assert _radio_checked(page, "participant") == str(person.pk)


def test_another_organisations_person_cannot_be_posted(client, counsellor, stranger):
    client.force_login(counsellor)
    response = client.post(NEW, _typed(participant=str(stranger.pk)))
    assert response.status_code == 200 and not Signal.objects.exists()
    assert "participant" in response.context["form"].errors


@pytest.mark.parametrize("people", [1, 15])
def test_a_search_reads_the_same_queries_whatever_the_people(
    client, counsellor, operator, people, django_assert_num_queries
):
    for number in range(people):
        ParticipantFactory(organization=operator, first_name=f"P{number}", last_name="Martin")
    client.force_login(counsellor)
    client.get(NEW)  # the session's first reads out of the count
    # The session, the user, the memberships; the savepoint; the contact points; the people
    # found; the savepoint released.
    with django_assert_num_queries(7):
        response = client.post(NEW, _typed(search="1", person_query="martin"))
    assert response.status_code == 200
