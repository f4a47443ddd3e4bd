"""A confidential address (DESIGN §6 "Privacy", issue 17 item 4): someone hiding from violence.

The street, postcode and commune of a person whose address is confidential are shown on their
page and in their edit form only to the roles the organization names
(``Organization.address_roles``, never a partner): ``may_see_address`` is that one rule. Even
then the page keeps the address hidden until a reason is given, and each showing (the page's
"Afficher l'adresse") is an ``AddressReveal`` row (who, when, why). The edit form holds the
values only for a few minutes after such a showing, in the same session
(``address_edit_allow``): the reason given covers both, and no reason is ever made up.

Everywhere else a confidential address is never written, whoever asks: the list and its search
results (``templates/participants/_participant_rows.html``), the participant export
(``participants/exports.py``), the printed agreement (``templates/pdf/volunteer_agreement.html``),
the audit trail (``participants/apps.py``: masked). In the activity report the person's commune
is "unknown", in the rows behind the figures and in the counts by commune alike
(``reporting.indicators.activity.commune_counted``): an empty cell would say who hides, and the
counts less the rows where. Partner pages and e-mails never carry any address
(``templates/partners/_referral_minimum.html``).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from participants.models import AddressReveal, Participant

# How many past showings an allowed role sees under the address.
REVEALS_SHOWN = 10
# How long after a showing the edit form holds the address; the session's key keeps, for each
# participant, until when.
ADDRESS_EDIT_MINUTES = 10
ADDRESS_EDIT_SESSION_KEY = "address_edit_until"


def may_see_address(membership: Membership | None, participant: Participant) -> bool:
    """The one rule: an address that is not confidential, or a role the organization named."""
    if not participant.address_confidential:
        return True
    return membership is not None and membership.role in membership.organization.address_roles


def address_roles_label(organization) -> str:
    """The roles that may see a confidential address, as the page names them ("Direction")."""
    roles = [label for value, label in Role.choices if value in organization.address_roles]
    return ", ".join(str(label) for label in roles) or _("personne")


@dataclass(frozen=True)
class AddressOnPage:
    """What the participant's page does with the address, for the person looking."""

    confidential: bool
    may_see: bool  # may ask for it (with a reason): the form is offered
    shown: bool  # the values are written in this answer
    roles: str  # who may see it, said to the others
    # Once shown: the edit form holds it this long (address_edit_allow).
    edit_minutes: int = ADDRESS_EDIT_MINUTES


def address_on_page(
    membership: Membership | None, participant: Participant, *, revealed: bool = False
) -> AddressOnPage:
    may_see = may_see_address(membership, participant)
    confidential = participant.address_confidential
    return AddressOnPage(
        confidential=confidential,
        may_see=may_see,
        shown=not confidential or (may_see and revealed),
        roles=address_roles_label(membership.organization) if membership else "",
    )


def address_reveal_record(*, participant: Participant, user: User, reason: str) -> AddressReveal:
    """Write down that ``user`` was shown the confidential address of ``participant``, and why.

    The caller has checked ``may_see_address``; a reason is always required."""
    reason = reason.strip()
    if not reason:
        raise ValueError("A reveal needs a reason.")
    return AddressReveal.objects.create(participant=participant, user=user, reason=reason[:300])


def recent_reveals(*, participant: Participant):
    """The latest showings of the address, for the roles that may see it."""
    return participant.address_reveals.select_related("user")[:REVEALS_SHOWN]


def address_edit_allow(*, session, participant: Participant) -> None:
    """Just after a showing with a reason: the edit form may hold the address for a few minutes,
    in this session only (the showings that have run out are dropped)."""
    now = timezone.now().timestamp()
    until = {pk: at for pk, at in session.get(ADDRESS_EDIT_SESSION_KEY, {}).items() if at > now}
    until[str(participant.pk)] = now + timedelta(minutes=ADDRESS_EDIT_MINUTES).total_seconds()
    session[ADDRESS_EDIT_SESSION_KEY] = until


def address_edit_allowed(*, session, participant: Participant) -> bool:
    until = session.get(ADDRESS_EDIT_SESSION_KEY, {}).get(str(participant.pk), 0)
    return until > timezone.now().timestamp()


def address_in_form(request, participant: Participant, *, may_see: bool, fields) -> bool:
    """Whether an edit form holds the address's ``fields``. A confidential one: for a role that
    may see it, just after it was shown on the person's page with a reason; a post that carries
    the fields keeps them whatever the time, as it is answered with what was typed, never with
    what is stored (nothing typed is lost)."""
    if not participant.address_confidential:
        return True
    if not may_see:
        return False
    if request.method == "POST":
        return any(name in request.POST for name in fields)
    return address_edit_allowed(session=request.session, participant=participant)
