"""An account whose address was made up (a volunteer signed in by a link, issue 21: the reserved
``.invalid`` domain) is never written to and its address is never shown as one."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from accounts.services import membership_send_invitation
from tests.factories import MembershipFactory

MADE_UP = "benevole-1-2@sans-adresse.invalid"


@pytest.fixture
def link_only(operator):
    """A volunteer's access without e-mail: no password, an open (accepted) membership."""
    membership = MembershipFactory(
        organization=operator,
        role=Role.VOLUNTEER,
        user__email=MADE_UP,
        accepted_at=timezone.now(),
    )
    membership.user.set_unusable_password()
    membership.user.save(update_fields=["password"])
    return membership


def test_the_made_up_address_is_not_one(link_only, counsellor):
    assert not link_only.user.has_mail_address
    assert counsellor.has_mail_address


def test_asking_a_new_password_for_a_made_up_address_sends_nothing(client, link_only):
    response = client.post(reverse("accounts:password_reset"), {"email": MADE_UP})
    # The same answer as for any address, so that nobody learns which accounts exist.
    assert response.status_code == 302
    assert mail.outbox == []


def test_an_invitation_to_a_made_up_address_is_not_sent_and_not_tried_again(link_only):
    Membership.objects.filter(pk=link_only.pk).update(invitation_sent_at=None)
    membership_send_invitation(membership=link_only)
    assert mail.outbox == []
    link_only.refresh_from_db()
    assert link_only.invitation_sent_at is not None  # the periodic check leaves it


@pytest.mark.parametrize("page", ["list", "edit"])
def test_the_team_pages_say_there_is_no_address(client, admin, link_only, page):
    client.force_login(admin)
    if page == "list":
        response = client.get(reverse("accounts:member_list"))
    else:
        response = client.get(reverse("accounts:member_edit", args=[link_only.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    if page == "list":
        assert admin.email in text  # a real address is shown as before
    assert "sans adresse e-mail" in text
    assert MADE_UP not in text
