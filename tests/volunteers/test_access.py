"""A volunteer's log-in on the team's pages (issue 21): it can be closed there like any access,
never turned into a staff role, nor a staff member into a volunteer; the roles that may see a
confidential address never include it."""

import pytest
from django.core.exceptions import ValidationError

from accounts.forms import MembershipForm, OrganizationSettingsForm
from accounts.models import Membership, Role
from accounts.services import membership_update


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
