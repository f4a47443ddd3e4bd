"""Editing a participant's record (services.participant_update): the national number of another
record of the organization is refused beside its field, with everything typed kept — also when
that record is saved at the very moment of the edit."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from participants import selectors, services
from participants.forms import ParticipantForm
from participants.models import Participant
from tests.factories import ParticipantFactory

TAKEN = "Une autre fiche existe déjà avec ce numéro."


def _typed(participant, **changes) -> dict:
    """The edit form as the browser posts it, the record's values with ``changes`` typed over."""
    form = ParticipantForm(instance=participant, organization=participant.organization)
    data = {name: form[name].value() for name in form.fields} | changes
    return {name: "" if value is None else value for name, value in data.items()}


def _edit(client, participant, data):
    return client.post(reverse("participants:edit", args=[participant.pk]), data)


def test_an_edit_is_saved_and_found_by_the_search_under_the_new_name(
    client, counsellor, participant
):
    client.force_login(counsellor)
    response = _edit(client, participant, _typed(participant, last_name="Vandenbroucke"))
    assert response.url == reverse("participants:detail", args=[participant.pk])
    participant.refresh_from_db()
    assert participant.last_name == "Vandenbroucke"
    assert "vandenbroucke" in participant.search_text


def test_the_number_of_another_record_is_refused_and_what_was_typed_kept(
    client, counsellor, participant, operator
):
    other = ParticipantFactory(organization=operator)
    client.force_login(counsellor)
    typed = _typed(
        participant,
        national_number=other.national_number,
        birth_date=other.birth_date.isoformat(),
        phone="0499 11 22 33",
    )
    response = _edit(client, participant, typed)
    assert response.status_code == 200
    assert response.context["form"].errors == {"national_number": [TAKEN]}
    assert 'value="0499 11 22 33"' in response.text
    participant.refresh_from_db()
    assert participant.phone == "0470 12 34 56"


def test_the_record_keeps_its_own_number(client, counsellor, participant):
    client.force_login(counsellor)
    response = _edit(client, participant, _typed(participant, phone="0499 11 22 33"))
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.phone == "0499 11 22 33"


def test_the_number_of_another_organizations_record_is_not_a_duplicate(
    client, counsellor, participant, other_operator
):
    elsewhere = ParticipantFactory(organization=other_operator)
    client.force_login(counsellor)
    typed = _typed(
        participant,
        national_number=elsewhere.national_number,
        birth_date=elsewhere.birth_date.isoformat(),
    )
    assert _edit(client, participant, typed).status_code == 302
    participant.refresh_from_db()
    assert participant.national_number == elsewhere.national_number


def test_the_same_number_saved_at_the_very_moment_is_refused_by_the_constraint(
    participant, operator, monkeypatch
):
    other = ParticipantFactory(organization=operator)
    number = participant.national_number
    # The check passes, as when the other record is saved between the check and this save.
    monkeypatch.setattr(
        selectors, "participant_duplicates", lambda **kwargs: Participant.objects.none()
    )
    with pytest.raises(ValidationError) as refused:
        services.participant_update(
            participant=participant,
            national_number=other.national_number,
            birth_date=other.birth_date,
        )
    assert refused.value.message_dict == {"national_number": [TAKEN]}
    # The savepoint kept the transaction usable: the record is read back unchanged.
    assert Participant.objects.get(pk=participant.pk).national_number == number


def test_a_postcode_alone_fills_in_its_commune(participant):
    services.participant_update(participant=participant, postcode="1030", commune="")
    participant.refresh_from_db()
    assert participant.commune == "Schaerbeek"


@pytest.mark.parametrize(
    ("change", "queries"),
    [
        # session, user, memberships, savepoints ×2, the record, the counsellors offered
        ({}, 7),
        # the counsellors offered aside: the one chosen (form, model), the record locked and
        # read again (anonymised meanwhile?), the duplicate check, savepoints ×2 around the
        # update and its audit log (the row before, the entry)
        ({"phone": "0499 11 22 33"}, 15),
        # the same checks, then the page again with the counsellors offered
        ({"national_number": "taken"}, 11),
    ],
    ids=["page", "saved", "refused"],
)
def test_the_edit_query_count(
    client, counsellor, participant, operator, change, queries, django_assert_num_queries
):
    other = ParticipantFactory(organization=operator)
    if change.get("national_number") == "taken":
        change = {"national_number": other.national_number, "birth_date": other.birth_date}
    typed = _typed(participant, **change)
    client.force_login(counsellor)
    url = reverse("participants:edit", args=[participant.pk])
    with django_assert_num_queries(queries):
        if change:
            client.post(url, typed)
        else:
            client.get(url)
