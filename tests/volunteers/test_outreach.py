"""The outreach log (issue 21, point 3): contact points, and outreach actions with who went, how
many people were met (by gender and age band, without a name) and the themes talked about.

The services refuse, each on its field: a date to come, no place or two, more women and men or
more people of the age bands than people met, a theme outside the needs taxonomy, someone of
another organisation, a contact point closed or of another organisation, a contact point's name
taken. The pages: the coordinators and the direction only (every other role 403, the volunteer's
own included; another organisation's row 404), a refused form giving back what was typed, and
a list whose queries do not grow with its rows."""

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from tests.factories import MembershipFactory, ParticipantFactory
from volunteers.models import ContactPoint, OutreachActivity
from volunteers.outreach import contact_point_save, outreach_save
from volunteers.services import volunteer_register

# Builders ----------------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _volunteer(organization, by, first_name="Aline", last_name="Relais", **fields):
    person = ParticipantFactory(
        organization=organization, first_name=first_name, last_name=last_name
    )
    return volunteer_register(
        organization=organization,
        by=by,
        since=dt.date(2025, 1, 6),
        activity="Relais de quartier",
        participant=person,
        **fields,
    )


def _point(organization, name="Marché du Midi", **fields):
    values = {"kind": ContactPoint.Kind.MOBILE, "place": "Gare du Midi, côté marché"}
    point = ContactPoint(organization=organization, name=name, **(values | fields))
    return contact_point_save(point=point)


def _action(organization, by, *, volunteers=(), staff=(), **fields):
    values = {
        "date": _today(),
        "people_met": 12,
        "women": 5,
        "men": 4,
        "under_25": 3,
        "from_25_to_54": 6,
        "from_55": 2,
        "themes": ["housing", "language"],
    }
    if "contact_point" not in fields and "place" not in fields:
        values["place"] = "Parc de la Porte de Hal"
    activity = OutreachActivity(organization=organization, **(values | fields))
    return outreach_save(activity=activity, volunteers=volunteers, staff=staff, by=by)


def _refusal(call) -> dict:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# The services ------------------------------------------------------------------------------------


def test_it_records_an_action_with_the_volunteers_and_the_team_who_went(
    operator, coordinator, director
):
    point = _point(operator)
    aline = _volunteer(operator, coordinator)
    activity = _action(
        operator,
        coordinator,
        contact_point=point,
        volunteers=[aline],
        staff=[coordinator, director],
        themes=["language", "housing", "language"],
    )
    activity.refresh_from_db()
    assert activity.recorded_by == coordinator and activity.where == "Marché du Midi"
    assert list(activity.volunteers.all()) == [aline]
    assert set(activity.staff.all()) == {coordinator, director}
    # In the taxonomy's order, once each.
    assert activity.themes == ["language", "housing"]


def test_a_correction_replaces_who_went_and_keeps_who_recorded_it(operator, coordinator, director):
    aline = _volunteer(operator, coordinator)
    activity = _action(operator, coordinator, volunteers=[aline], staff=[coordinator])
    activity.people_met = 20
    outreach_save(activity=activity, volunteers=[], staff=[director], by=director)
    activity.refresh_from_db()
    assert activity.people_met == 20 and activity.recorded_by == coordinator
    assert not activity.volunteers.exists() and list(activity.staff.all()) == [director]


def test_it_refuses_an_action_to_come(operator, coordinator):
    errors = _refusal(lambda: _action(operator, coordinator, date=_today() + dt.timedelta(days=1)))
    assert list(errors) == ["date"] and "futur" in errors["date"][0]
    assert not OutreachActivity.objects.exists()


def test_it_asks_for_a_contact_point_or_another_place_not_both(operator, coordinator):
    assert list(_refusal(lambda: _action(operator, coordinator, place=" "))) == ["contact_point"]
    point = _point(operator)
    errors = _refusal(
        lambda: _action(operator, coordinator, contact_point=point, place="Rue Haute")
    )
    assert list(errors) == ["place"]
    assert not OutreachActivity.objects.exists()


def test_it_refuses_another_organisations_contact_point_and_a_closed_one(
    operator, other_operator, coordinator
):
    theirs = _point(other_operator, name="Chez les voisins")
    errors = _refusal(lambda: _action(operator, coordinator, contact_point=theirs))
    assert errors == {"contact_point": ["Choisissez un point de contact de l'organisation."]}
    closed = _point(operator, name="Ancienne permanence", is_active=False)
    errors = _refusal(lambda: _action(operator, coordinator, contact_point=closed))
    assert errors == {"contact_point": ["Ce point de contact n'est plus en activité."]}
    assert not OutreachActivity.objects.exists()


def test_an_action_of_before_a_point_closed_keeps_it(operator, coordinator):
    point = _point(operator)
    activity = _action(operator, coordinator, contact_point=point)
    point.is_active = False
    contact_point_save(point=point)
    activity.people_met = 15
    outreach_save(activity=activity, volunteers=[], staff=[], by=coordinator)
    activity.refresh_from_db()
    assert activity.contact_point == point and activity.people_met == 15


def test_it_refuses_more_women_and_men_than_people_met(operator, coordinator):
    errors = _refusal(lambda: _action(operator, coordinator, people_met=11, women=8, men=4))
    assert errors == {"women": ["Femmes et hommes (12) dépassent les personnes rencontrées (11)."]}


def test_it_refuses_more_people_in_the_age_bands_than_people_met(operator, coordinator):
    errors = _refusal(
        lambda: _action(
            operator,
            coordinator,
            people_met=10,
            women=0,
            men=0,
            under_25=4,
            from_25_to_54=4,
            from_55=3,
        )
    )
    assert errors == {
        "under_25": ["Les trois tranches d'âge (11) dépassent les personnes rencontrées (10)."]
    }


def test_it_refuses_a_theme_outside_the_needs_taxonomy(operator, coordinator):
    errors = _refusal(lambda: _action(operator, coordinator, themes=["housing", "weather"]))
    assert list(errors) == ["themes"]


def test_it_refuses_someone_of_another_organisation_among_who_went(
    operator, other_operator, coordinator, volunteer_user, partner
):
    neighbour = _volunteer(other_operator, coordinator, first_name="Nora")
    errors = _refusal(lambda: _action(operator, coordinator, volunteers=[neighbour]))
    assert list(errors) == ["volunteers"]
    stranger = MembershipFactory(organization=other_operator, role=Role.COORDINATOR).user
    # Another organisation's staff, a partner, and a volunteer's log-in (named as a volunteer).
    for user in (stranger, partner, volunteer_user):
        errors = _refusal(lambda user=user: _action(operator, coordinator, staff=[user]))
        assert list(errors) == ["staff"], user
    assert not OutreachActivity.objects.exists()


def test_a_member_who_left_stays_on_the_actions_they_went_to(operator, coordinator, director):
    activity = _action(operator, coordinator, staff=[director])
    Membership.objects.filter(user=director).update(is_active=False)
    outreach_save(activity=activity, volunteers=[], staff=[director], by=coordinator)
    assert list(activity.staff.all()) == [director]


def test_it_says_every_refusal_at_once(operator, coordinator):
    errors = _refusal(
        lambda: _action(
            operator,
            coordinator,
            date=_today() + dt.timedelta(days=3),
            place="",
            people_met=1,
            women=2,
            under_25=2,
            from_25_to_54=0,
            from_55=0,
            themes=["nope"],
        )
    )
    assert set(errors) == {"date", "contact_point", "women", "under_25", "themes"}


def test_a_contact_points_name_is_its_organisations_only_one(operator, other_operator):
    point = _point(operator)
    assert point.pk and point.is_active
    errors = _refusal(lambda: _point(operator, kind=ContactPoint.Kind.FIXED))
    assert errors == {"name": ["Un autre point de contact porte déjà ce nom."]}
    assert _point(other_operator).pk  # another organisation's may have it
    point.opening_hours = "mardi, 9 h – 12 h"
    contact_point_save(point=point)  # itself is no other
    assert ContactPoint.objects.get(pk=point.pk).opening_hours == "mardi, 9 h – 12 h"


# Who may open what -------------------------------------------------------------------------------


@pytest.fixture
def own(operator, coordinator):
    point = _point(operator)
    return {"point": point, "activity": _action(operator, coordinator, contact_point=point)}


def _pages(own) -> list[str]:
    return [
        reverse("volunteers:outreach"),
        reverse("volunteers:outreach_new"),
        reverse("volunteers:outreach_edit", args=[own["activity"].pk]),
        reverse("volunteers:contact_points"),
        reverse("volunteers:contact_point_new"),
        reverse("volunteers:contact_point_edit", args=[own["point"].pk]),
    ]


def _posts(own) -> list[tuple[str, dict]]:
    action = {"date": _today().isoformat(), "place": "Rue Haute", "people_met": "3"}
    point = {"name": "Nouveau", "kind": "fixed", "place": "Rue Haute 1"}
    return [
        (reverse("volunteers:outreach_new"), action),
        (reverse("volunteers:outreach_edit", args=[own["activity"].pk]), action),
        (reverse("volunteers:contact_point_new"), point),
        (reverse("volunteers:contact_point_edit", args=[own["point"].pk]), point),
    ]


def _unchanged(own) -> bool:
    own["activity"].refresh_from_db()
    own["point"].refresh_from_db()
    return (
        OutreachActivity.objects.count() == 1
        and ContactPoint.objects.count() == 1
        and own["activity"].people_met == 12
        and own["point"].name == "Marché du Midi"
    )


@pytest.mark.parametrize("persona", ["coordinator", "director"])
def test_the_coordinators_and_the_direction_open_every_page(client, personas, persona, own):
    client.force_login(personas[persona])
    assert {url: client.get(url).status_code for url in _pages(own)} == dict.fromkeys(
        _pages(own), 200
    )


@pytest.mark.parametrize("persona", ["counsellor", "admin", "partner", "volunteer"])
def test_every_other_role_opens_nothing_and_changes_nothing(client, personas, persona, own):
    client.force_login(personas[persona])
    assert {client.get(url).status_code for url in _pages(own)} == {403}
    assert {client.post(url, data).status_code for url, data in _posts(own)} == {403}
    assert _unchanged(own)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.DIRECTION])
def test_another_organisations_rows_answer_404(client, other_operator, role, own):
    client.force_login(MembershipFactory(organization=other_operator, role=role).user)
    for url in (_pages(own)[2], _pages(own)[5]):
        assert client.get(url).status_code == 404, url
    for url, data in _posts(own)[1::2]:
        assert client.post(url, data).status_code == 404, url
    assert _unchanged(own)
    # Nor are they listed on their own pages.
    assert "Marché du Midi" not in _text(client.get(reverse("volunteers:outreach")))
    assert "Marché du Midi" not in _text(client.get(reverse("volunteers:contact_points")))


# The action's form -------------------------------------------------------------------------------


def test_an_action_noted_goes_back_to_the_list_with_a_message(
    client, operator, coordinator, director
):
    point = _point(operator)
    aline = _volunteer(operator, coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("volunteers:outreach_new"))
    text = _text(page)
    assert 'inputmode="numeric"' in text and f'value="{_today().isoformat()}"' in text
    data = {
        "date": _today().isoformat(),
        "contact_point": point.pk,
        "people_met": "7",
        "women": "4",
        "men": "",
        "under_25": "2",
        "themes": ["digital", "housing"],
        "volunteers": [aline.pk],
        "staff": [coordinator.pk, director.pk],
        "note": "Beaucoup de questions sur les primes énergie.",
    }
    response = client.post(reverse("volunteers:outreach_new"), data, follow=True)
    assert response.redirect_chain == [
        (f"{reverse('volunteers:outreach')}?year={_today().year}", 302)
    ]
    assert "Marché du Midi enregistrée" in _messages(response)
    activity = OutreachActivity.objects.get()
    assert (activity.people_met, activity.women, activity.men, activity.under_25) == (7, 4, 0, 2)
    assert activity.themes == ["housing", "digital"] and activity.recorded_by == coordinator
    assert list(activity.volunteers.all()) == [aline]
    assert set(activity.staff.all()) == {coordinator, director}


def test_a_refused_action_keeps_what_was_typed_and_says_why_beside_the_field(
    client, operator, coordinator
):
    point = _point(operator)
    aline = _volunteer(operator, coordinator)
    _volunteer(operator, coordinator, first_name="Bruno", last_name="Autre")
    client.force_login(coordinator)
    data = {
        "date": _today().isoformat(),
        "contact_point": point.pk,
        "people_met": "3",
        "women": "2",
        "men": "2",
        "from_55": "1",
        "themes": ["health"],
        "volunteers": [aline.pk],
        "staff": [coordinator.pk],
        "note": "Il pleuvait.",
    }
    response = client.post(reverse("volunteers:outreach_new"), data)
    assert response.status_code == 200 and not OutreachActivity.objects.exists()
    text = _text(response)
    assert 'id="error_1_id_women"' in text
    assert "Femmes et hommes (4) dépassent les personnes rencontrées (3)." in text
    form = response.context["form"]
    assert list(form.errors) == ["women"]
    for name in ("people_met", "women", "men", "from_55"):
        assert f'name="{name}" value="{data[name]}"' in text, name
    assert f'<option value="{point.pk}" selected>' in text
    assert "Il pleuvait." in text
    for name, value in (("themes", "health"), ("volunteers", aline.pk), ("staff", coordinator.pk)):
        box = f'name="{name}" value="{value}"'
        assert f"{box}" in text and _checked(text, box), name
    assert not _checked(text, 'name="themes" value="housing"')


def _checked(text: str, start: str) -> bool:
    at = text.index(start)
    return "checked" in text[at : text.index(">", at)]


def test_the_form_offers_the_organisations_own_and_keeps_those_of_an_old_action(
    client, operator, other_operator, coordinator, director, volunteer_user
):
    """Points in activity, volunteers not ended, the team (no volunteer's log-in, nobody of
    elsewhere); an action corrected keeps its closed point and its volunteer who ended."""
    closed = _point(operator, name="Ancienne permanence")
    bruno = _volunteer(operator, coordinator, first_name="Bruno", last_name="Parti")
    activity = _action(operator, coordinator, contact_point=closed, volunteers=[bruno])
    closed.is_active = False
    contact_point_save(point=closed)
    bruno.ended_on = _today()
    bruno.save()
    _point(other_operator, name="Chez les voisins")
    _volunteer(other_operator, coordinator, first_name="Nora")
    client.force_login(coordinator)

    new = _text(client.get(reverse("volunteers:outreach_new")))
    assert "Ancienne permanence" not in new and "Chez les voisins" not in new
    assert "Bruno" not in new and "Nora" not in new
    assert coordinator.get_full_name() in new and director.get_full_name() in new
    assert volunteer_user.get_full_name() not in new

    old = _text(client.get(reverse("volunteers:outreach_edit", args=[activity.pk])))
    assert "Ancienne permanence" in old and "Bruno PARTI" in old


def test_a_correction_goes_back_to_the_list_of_its_year(client, operator, coordinator):
    activity = _action(operator, coordinator, date=dt.date(_today().year - 1, 6, 3))
    client.force_login(coordinator)
    data = {"date": "2025-06-03", "place": "Place Bara", "people_met": "30", "women": "10"}
    response = client.post(reverse("volunteers:outreach_edit", args=[activity.pk]), data)
    assert response["Location"] == f"{reverse('volunteers:outreach')}?year=2025"
    activity.refresh_from_db()
    assert (activity.place, activity.people_met, activity.women, activity.themes) == (
        "Place Bara",
        30,
        10,
        [],
    )


# The list ----------------------------------------------------------------------------------------


def test_the_list_shows_the_years_actions_newest_first_with_its_totals(
    client, operator, coordinator, director
):
    point = _point(operator)
    aline = _volunteer(operator, coordinator, first_name="Aline", last_name="Secretnom")
    year = _today().year
    _action(operator, coordinator, date=dt.date(year, 1, 9), place="Parc Elisabeth", people_met=12)
    _action(
        operator,
        coordinator,
        date=dt.date(year, 2, 2),
        contact_point=point,
        people_met=30,
        volunteers=[aline],
        staff=[director],
        themes=["health"],
    )
    _action(operator, coordinator, date=dt.date(year - 1, 12, 30), place="L'an dernier")
    client.force_login(coordinator)

    page = client.get(reverse("volunteers:outreach"))
    text = _text(page)
    assert page.context["totals"] == {"actions": 2, "people": 42}
    assert "L'an dernier" not in text
    assert text.index("Marché du Midi") < text.index("Parc Elisabeth")
    assert "Thèmes : Santé" in text and "5 femmes, 4 hommes" in text
    # Who went, by first name only.
    assert f"Aline, {director.first_name}" in text and "SECRETNOM" not in text.upper()

    last_year = client.get(reverse("volunteers:outreach"), {"year": year - 1})
    assert last_year.context["totals"] == {"actions": 1, "people": 12}
    assert "L'an dernier" in _text(last_year) and "Parc Elisabeth" not in _text(last_year)
    assert last_year.context["years"] == [year - 1, year]
    # A year the log cannot have is this one.
    assert client.get(reverse("volunteers:outreach"), {"year": "9" * 19}).context["year"] == year


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_does_not_query_per_action(client, operator, coordinator, director):
    point = _point(operator)
    people = [_volunteer(operator, coordinator, first_name=f"Relais{n}") for n in range(3)]

    def one_more(n):
        _action(
            operator,
            coordinator,
            contact_point=point if n % 2 else None,
            **({} if n % 2 else {"place": f"Rue {n}"}),
            volunteers=people[: n % 3 + 1],
            staff=[coordinator, director],
        )

    one_more(0)
    client.force_login(coordinator)
    url = reverse("volunteers:outreach")
    with_one = _queries(client, url)
    for n in range(1, 4):
        one_more(n)
    with_four = _queries(client, url)
    assert with_one == with_four == LIST_QUERIES


# The session, the user and their membership; the request's savepoint and its release; the
# totals (which count the pages too), the actions with their contact points, their volunteers,
# their team; the years with actions.
LIST_QUERIES = 10


def test_the_contact_points_active_first_with_their_kind_place_and_hours(
    client, operator, coordinator
):
    _point(operator, name="A fermé", is_active=False)
    _point(
        operator,
        name="Permanence Wayez",
        kind=ContactPoint.Kind.FIXED,
        place="Rue Wayez 12",
        opening_hours="mardi et jeudi, 14 h – 17 h",
    )
    client.force_login(coordinator)
    text = _text(client.get(reverse("volunteers:contact_points")))
    assert text.index("Permanence Wayez") < text.index("A fermé")
    assert "Point fixe" in text and "Rue Wayez 12" in text and "mardi et jeudi" in text
    assert "plus en activité" in text


def test_a_contact_point_added_then_closed(client, operator, coordinator):
    client.force_login(coordinator)
    data = {"name": "Stand du marché", "kind": "mobile", "place": "Place Lemmens"}
    response = client.post(reverse("volunteers:contact_point_new"), data, follow=True)
    assert response.redirect_chain == [(reverse("volunteers:contact_points"), 302)]
    assert "Stand du marché" in _messages(response)
    point = ContactPoint.objects.get()
    assert point.organization == operator and point.is_active

    closing = data | {"opening_hours": "samedi matin"}  # is_active left unticked
    client.post(reverse("volunteers:contact_point_edit", args=[point.pk]), closing)
    point.refresh_from_db()
    assert not point.is_active and point.opening_hours == "samedi matin"


def test_a_name_taken_is_said_beside_the_name_with_what_was_typed(client, operator, coordinator):
    _point(operator)
    client.force_login(coordinator)
    data = {"name": "Marché du Midi", "kind": "fixed", "place": "Ailleurs"}
    data["opening_hours"] = "lundi"
    response = client.post(reverse("volunteers:contact_point_new"), data)
    assert response.status_code == 200 and ContactPoint.objects.count() == 1
    text = _text(response)
    assert 'id="error_1_id_name"' in text and "porte déjà ce nom" in text
    assert 'value="Ailleurs"' in text and 'value="lundi"' in text
