"""The outreach log (issue 21, point 3): the contact points where the relays meet the
neighbourhood, and the outreach actions — who went, how many people were met, counted without a
name, and what they talked about. Written only here; refused with a sentence per field, in the
words of the form that shows it."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from participants.models import NeedCategory
from volunteers.models import ContactPoint, OutreachActivity, Volunteer

# Who keeps the log: the coordinators and the direction (as for the volunteers themselves).
OUTREACH_ROLES = (Role.COORDINATOR, Role.DIRECTION)
# Who may be named among the team present: the organisation's staff, not its volunteers (named
# as such) nor a partner.
TEAM_ROLES = tuple(role for role in Role if role not in (Role.PARTNER, Role.VOLUNTEER))


def contact_point_save(*, point: ContactPoint) -> ContactPoint:
    """A contact point created or changed. Its name is its organisation's only one: a name taken
    (by another point, or meanwhile by a double click) is refused on the name."""
    point.full_clean(exclude=["organization"], validate_unique=False, validate_constraints=False)
    if _name_taken(point):
        raise ValidationError({"name": _("Un autre point de contact porte déjà ce nom.")})
    try:
        with transaction.atomic():
            point.save()
    except IntegrityError:
        if not _name_taken(point):
            raise
        raise ValidationError({"name": _("Un autre point de contact porte déjà ce nom.")}) from None
    return point


def _name_taken(point: ContactPoint) -> bool:
    same = ContactPoint.objects.filter(organization=point.organization_id, name=point.name)
    return same.exclude(pk=point.pk).exists()


@transaction.atomic
def outreach_save(
    *,
    activity: OutreachActivity,
    volunteers: Iterable[Volunteer],
    staff: Iterable[User],
    by: User,
) -> OutreachActivity:
    """An outreach action recorded or corrected, with the volunteers and the team who went.

    Every refusal is said at once, each on its field: a date to come, no place (or two), more
    women and men, or more people of the three age bands, than people met, a theme that is no
    need of the taxonomy, someone who is not of the organisation."""
    volunteers, staff = list(volunteers), list(staff)
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if activity.date and activity.date > timezone.localdate():
        refuse("date", _("Une action à venir ne se note pas encore : la date est dans le futur."))
    check_place(activity, refuse)
    _check_counts(activity, refuse)
    themes = activity.themes if isinstance(activity.themes, list) else [activity.themes]
    unknown = [theme for theme in themes if theme not in NeedCategory.values]
    if unknown:
        refuse("themes", _("Choisissez les thèmes parmi ceux de la liste."))
    else:  # in the taxonomy's order, once each: the same list whatever the order ticked
        activity.themes = [value for value in NeedCategory.values if value in themes]
    if any(v.organization_id != activity.organization_id for v in volunteers):
        refuse("volunteers", _("Choisissez les bénévoles parmi ceux de l'organisation."))
    if staff and _outside_team(activity, staff):
        refuse("staff", _("Choisissez l'équipe parmi les membres de l'organisation."))
    # The fields' own rules (lengths, numbers not negative), in Django's words.
    try:
        activity.full_clean(
            exclude=["organization", "contact_point", "recorded_by", "themes", *errors],
            validate_unique=False,
            validate_constraints=False,  # said above, in sentences, on their fields
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                refuse(field, message)
    if errors:
        raise ValidationError(errors)
    if activity.pk is None:
        activity.recorded_by = by
    activity.save()
    activity.volunteers.set(volunteers)
    activity.staff.set(staff)
    return activity


def check_place(record, refuse) -> None:
    """Where a record took place (an outreach action, a shift of the rota): a contact point of
    the organisation, or another place; not both, not neither. A point closed since stays on
    the record that had it; a new one, or a record moved to it, cannot take it any more."""
    point = record.contact_point if record.contact_point_id else None
    if point is None and not record.place.strip():
        refuse("contact_point", _("Choisissez un point de contact, ou indiquez un autre lieu."))
        return
    if point is not None and record.place.strip():
        refuse("place", _("Un autre lieu seulement sans point de contact : videz l'un des deux."))
    if point is None:
        return
    if point.organization_id != record.organization_id:
        refuse("contact_point", _("Choisissez un point de contact de l'organisation."))
    elif not point.is_active and not _had_point(record, point):
        refuse("contact_point", _("Ce point de contact n'est plus en activité."))


def _had_point(record, point: ContactPoint) -> bool:
    if record.pk is None:
        return False
    return type(record).objects.filter(pk=record.pk, contact_point=point).exists()


def contact_points_offered(*, organization, kept_id: int | None = None) -> QuerySet:
    """The contact points a form offers: those in activity, and the one the record has already
    (``kept_id``), closed since or not."""
    offered = Q(is_active=True)
    if kept_id is not None:
        offered |= Q(pk=kept_id)
    return ContactPoint.objects.filter(offered, organization=organization).order_by("name")


def _check_counts(activity: OutreachActivity, refuse) -> None:
    """The genders and the age bands count some of the people met, never more (the table's
    constraints, said here with the numbers)."""
    met = activity.people_met or 0
    genders = (activity.women or 0) + (activity.men or 0)
    if genders > met:
        refuse(
            "women",
            _("Femmes et hommes (%(counted)s) dépassent les personnes rencontrées (%(met)s).")
            % {"counted": genders, "met": met},
        )
    ages = (activity.under_25 or 0) + (activity.from_25_to_54 or 0) + (activity.from_55 or 0)
    if ages > met:
        refuse(
            "under_25",
            _(
                "Les trois tranches d'âge (%(counted)s) dépassent les personnes rencontrées "
                "(%(met)s)."
            )
            % {"counted": ages, "met": met},
        )


def _outside_team(activity: OutreachActivity, staff: list[User]) -> bool:
    """Someone who was never a member of the organisation's staff (a member who has left since
    stays on the actions they went to)."""
    members = Membership.objects.filter(
        organization=activity.organization_id, role__in=TEAM_ROLES, user__in=staff
    ).values_list("user", flat=True)
    return bool({user.pk for user in staff} - set(members))
