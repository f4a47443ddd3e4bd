"""A volunteer's log-in on the team's pages (issue 21): it can be closed there like any access,
never turned into a staff role, nor a staff member into a volunteer; the roles that may see a
confidential address never include it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.forms import MembershipForm, OrganizationSettingsForm
from accounts.models import Membership, Role
from accounts.services import membership_update
from privacy.anonymisation import participant_anonymise
from tests.factories import MembershipFactory, ParticipantFactory
from volunteers.services import volunteer_register


def test_a_volunteers_access_is_closed_but_never_made_staff(volunteer_user, coordinator):
    membership = Membership.objects.get(user=volunteer_user)
    form = MembershipForm(instance=membership)
    assert [value for value, _label in form.fields["role"].choices] == ["volunteer"]

    with pytest.raises(ValidationError):
        membership_update(
            membership=membership,
            role=Role.COUNSELLOR,
            is_active=True,
            can_read_restricted_notes=False,
        )
    membership_update(
        membership=membership, role=Role.VOLUNTEER, is_active=False, can_read_restricted_notes=False
    )
    membership.refresh_from_db()
    assert (membership.role, membership.is_active) == ("volunteer", False)

    staff = Membership.objects.get(user=coordinator)
    assert "volunteer" not in dict(MembershipForm(instance=staff).fields["role"].choices)
    with pytest.raises(ValidationError):
        membership_update(
            membership=staff, role=Role.VOLUNTEER, is_active=True, can_read_restricted_notes=False
        )


def test_a_volunteer_never_sees_a_confidential_address(operator):
    choices = OrganizationSettingsForm(instance=operator).fields["confidential_address_roles"]
    assert "volunteer" not in dict(choices.choices)


def test_anonymising_a_volunteer_closes_and_erases_their_log_in(operator, coordinator):
    person = ParticipantFactory(organization=operator)
    volunteer = volunteer_register(
        organization=operator,
        by=coordinator,
        since=dt.date(2020, 1, 6),
        activity="Relais",
        participant=person,
    )
    user = MembershipFactory(
        organization=operator,
        role=Role.VOLUNTEER,
        user__email="zoe.benevolat@example.org",
        invited_first_name="Zoé",
    ).user
    volunteer.user = user
    volunteer.save()

    participant_anonymise(participant=person)

    volunteer.refresh_from_db()
    user.refresh_from_db()
    membership = Membership.objects.get(user=user)
    assert volunteer.user is None and volunteer.ended_on is not None
    assert (membership.is_active, membership.invited_first_name) == (False, "")
    assert (user.email, user.first_name, user.is_active) == (
        f"anonyme-{user.pk}@invalid",
        "",
        False,
    )
    assert not user.has_usable_password()


def test_a_request_for_access_finds_a_volunteer_without_a_pathway(client, operator, admin):
    """The participants' list leaves them out; the request for access (GDPR art. 15) does not."""
    volunteer = volunteer_register(
        organization=operator,
        by=admin,
        since=dt.date(2026, 1, 5),
        activity="Relais",
        first_name="Yolande",
        last_name="Relais",
        birth_date=dt.date(1958, 3, 1),
        gender="F",
        nationality_group="BE",
        income_kind="none",
    )
    client.force_login(admin)
    found = client.post(reverse("privacy:subject_access"), {"q": "relais yolande"})
    assert "Yolande" in found.text
    export = reverse("privacy:subject_access_export", args=[volunteer.participant_id])
    assert client.post(export).status_code == 200


def test_an_anonymous_signal_loses_its_text_a_year_after_it_was_closed(operator, counsellor):
    from privacy.anonymisation import signals_expired_erase
    from volunteers.models import Signal

    def signal(closed_on, **fields):
        values = {
            "organization": operator,
            "raised_by_user": counsellor,
            "raised_on": dt.date(2025, 1, 6),
            "need_category": "housing",
            "description": "Une voisine sans chauffage.",
            "status": "closed",
            "outcome": "referred",
            "closed_at": dt.datetime.combine(closed_on, dt.time(10), tzinfo=dt.UTC),
        }
        return Signal.objects.create(**(values | fields))

    old = signal(dt.date(2025, 12, 5))
    recent = signal(dt.date(2025, 12, 8))
    named = signal(dt.date(2025, 1, 10), participant=ParticipantFactory(organization=operator))

    assert signals_expired_erase(today=dt.date(2026, 12, 7)) == 1
    texts = {s.pk: s.description for s in Signal.objects.all()}
    assert texts[old.pk] == "—"
    assert texts[recent.pk] == texts[named.pk] == "Une voisine sans chauffage."
    old.refresh_from_db()
    assert (old.need_category, old.outcome) == ("housing", "referred")
