"""The rota (issue 21, point 4): shifts of staff and volunteers — a place, a role, a start and an
end, how many people it needs — people who sign up or are assigned, the gaps, and the hours a
volunteer did, declared on a service sheet through ``chantiers.sheets.sheet_submit`` (its rules,
not copies of them). Written only here; refused with a French sentence, on its field when there
is one.

Decisions: the coordination may not assign beyond the headcount needed either (raise « personnes
nécessaires » first: the gap shown stays true); it may assign someone to a shift that has begun
or is over (noting who did it), a person may not sign up or withdraw then."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, Role, User
from chantiers.models import ServiceSheet
from chantiers.selectors import locked_months
from chantiers.sheets import sheet_submit
from volunteers.models import Shift, ShiftAssignment, Volunteer
from volunteers.outreach import TEAM_ROLES, check_place
from volunteers.services import volunteer_of

# Who sees the rota and signs up: every role of an operator but partners.
ROTA_ROLES = (*TEAM_ROLES, Role.VOLUNTEER)
# Who plans it: creates, changes, cancels shifts and assigns people.
ROTA_MANAGERS = (Role.COORDINATOR, Role.DIRECTION)
LONGEST = dt.timedelta(hours=24)
MOST_WEEKS = 12


@dataclass(frozen=True)
class Person:
    """Someone who can be on a shift: a member of the staff (``user``) or a volunteer."""

    user: User | None = None
    volunteer: Volunteer | None = None

    @property
    def lookup(self) -> dict:
        return {"user": self.user} if self.user is not None else {"volunteer": self.volunteer}


def person_of(*, user: User, organization: Organization, role: str) -> Person | None:
    """Who the member logged in is on the rota: their volunteer record (not ended) if they act
    as a volunteer, else themselves as staff."""
    if role == Role.VOLUNTEER:
        volunteer = volunteer_of(user=user, organization=organization)
        return Person(volunteer=volunteer) if volunteer is not None else None
    return Person(user=user)


def with_counts(shifts: QuerySet) -> QuerySet:
    return shifts.annotate(taken=Count("assignments"))


def gap(shift: Shift) -> int:
    """How many people the shift still needs (none once cancelled)."""
    if shift.cancelled_at is not None:
        return 0
    taken = getattr(shift, "taken", None)
    if taken is None:
        taken = shift.assignments.count()
    return max(shift.needed - taken, 0)


def gaps(*, organization: Organization, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """The shifts starting between ``start`` and ``end`` that still need someone."""
    return (
        with_counts(
            Shift.objects.filter(
                organization=organization,
                starts_at__gte=start,
                starts_at__lt=end,
                cancelled_at__isnull=True,
            )
        )
        .filter(taken__lt=F("needed"))
        .order_by("starts_at", "pk")
    )


# --- Shifts ---------------------------------------------------------------------------------


def _exists(moment: dt.datetime) -> bool:
    """Whether the wall-clock time exists in its zone: not one skipped by the change to summer
    time (02:30 on the last Sunday of March, in Brussels)."""
    there = moment.astimezone(dt.UTC).astimezone(moment.tzinfo)
    return there.replace(tzinfo=None) == moment.replace(tzinfo=None)


def _check_times(shift: Shift) -> dict:
    """A start and an end that exist, the end after the start, 24 real hours at most. Compared
    in UTC, as the table's constraint does: two times of one zone compare by their wall clocks
    in Python, and a night over the October change lasts an hour more than they say."""
    errors = {}
    if not (shift.starts_at and shift.ends_at):
        return errors
    skipped = _(
        "%(time)s n'existe pas ce jour-là : les horloges passent de 2 h à 3 h (heure d'été)."
    )
    for field, moment in (("starts", shift.starts_at), ("ends", shift.ends_at)):
        if not _exists(moment):
            errors[field] = skipped % {"time": moment.strftime("%H:%M")}
    if errors:
        return errors
    starts, ends = shift.starts_at.astimezone(dt.UTC), shift.ends_at.astimezone(dt.UTC)
    if ends <= starts:
        errors["ends"] = _("La fin doit venir après le début.")
    elif ends - starts > LONGEST:
        errors["ends"] = _("Un créneau dure 24 heures au plus.")
    return errors


@transaction.atomic
def shift_save(*, shift: Shift, by: User, repeat_weeks: int = 0) -> list[Shift]:
    """A shift created (and, if asked, the same the ``repeat_weeks`` following weeks) or
    changed. Its times no longer change once hours were declared from it; its headcount not
    below the people already on it; a cancelled shift no longer changes."""
    errors = _check_times(shift)
    if not shift.role.strip():
        errors["role"] = _("Indiquez le rôle.")
    if shift.needed is not None and shift.needed < 1:
        errors["needed"] = _("Il faut au moins une personne.")
    check_place(shift, lambda field, message: errors.setdefault(field, message))
    if not 0 <= repeat_weeks <= MOST_WEEKS:
        errors["repeat_weeks"] = _("Répétez le créneau %(most)s semaines au plus.") % {
            "most": MOST_WEEKS
        }
    if shift.pk is not None:
        stored = Shift.objects.select_for_update().get(pk=shift.pk)
        if stored.cancelled_at is not None:
            raise ValidationError(_("Ce créneau est annulé : il ne change plus."))
        moved = (stored.starts_at, stored.ends_at) != (shift.starts_at, shift.ends_at)
        if moved and stored.assignments.filter(sheet__isnull=False).exists():
            errors["starts"] = _(
                "Des heures de ce créneau sont déjà déclarées : ses heures ne changent plus."
            )
        taken = stored.assignments.count()
        if shift.needed is not None and shift.needed < taken:
            errors["needed"] = _(
                "%(count)s personnes sont sur ce créneau : retirez-en avant d'en demander moins."
            ) % {"count": taken}
        if moved and not errors:
            for assignment in stored.assignments.select_related("user", "volunteer__participant"):
                other = _overlapping(shift, assignment.user_id, assignment.volunteer_id)
                if other is not None:
                    errors["starts"] = _(
                        "%(name)s est déjà sur un autre créneau à ces heures-là (%(other)s)."
                    ) % {"name": _full_name(assignment), "other": _when(other)}
                    break
    copies = [_copy(shift, week, by) for week in range(1, repeat_weeks + 1)]
    if not errors:
        for copy in copies:  # a copy landing on a time the clocks skip, or a longer night
            if _check_times(copy):
                errors["repeat_weeks"] = _(
                    "Le créneau du %(day)s tomberait sur le changement d'heure : répétez-le "
                    "moins de semaines, ou créez celui-là à part."
                ) % {"day": timezone.localtime(copy.starts_at).strftime("%d/%m/%Y")}
                break
    if errors:
        raise ValidationError(errors)
    if shift.pk is None:
        shift.created_by = by
    shift.save()
    for copy in copies:
        copy.save()
    return [shift, *copies]


def _copy(shift: Shift, week: int, by: User) -> Shift:
    return Shift(
        organization=shift.organization,
        contact_point=shift.contact_point,
        place=shift.place,
        role=shift.role,
        starts_at=_weeks_later(shift.starts_at, week),
        ends_at=_weeks_later(shift.ends_at, week),
        needed=shift.needed,
        note=shift.note,
        created_by=by,
    )


def _weeks_later(moment: dt.datetime, weeks: int) -> dt.datetime:
    """The same wall-clock time ``weeks`` later (a change to summer time keeps 9:00 at 9:00)."""
    local = timezone.localtime(moment)
    day = local.date() + dt.timedelta(weeks=weeks)
    return timezone.make_aware(dt.datetime.combine(day, local.time().replace(tzinfo=None)))


@transaction.atomic
def shift_cancel(*, shift: Shift, by: User) -> Shift:
    """The shift cancelled: it stays on the rota, struck, with the people who were on it."""
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.cancelled_at is not None:
        raise ValidationError(_("Ce créneau est déjà annulé."))
    if shift.assignments.filter(sheet__isnull=False).exists():
        raise ValidationError(_("Des heures de ce créneau sont déjà déclarées : il a eu lieu."))
    shift.cancelled_at = timezone.now()
    shift.save(update_fields=["cancelled_at"])
    return shift


# --- People on shifts ------------------------------------------------------------------------


def _locked_shift(shift: Shift) -> Shift:
    """The shift's row locked: two people asking for its last place meet here, one after the
    other, and the second one finds it full."""
    locked = Shift.objects.select_for_update().get(pk=shift.pk)
    locked.taken = locked.assignments.count()
    return locked


def _overlapping(shift: Shift, user_id, volunteer_id) -> Shift | None:
    person = Q(assignments__user=user_id) if user_id else Q(assignments__volunteer=volunteer_id)
    return (
        Shift.objects.filter(
            person,
            organization=shift.organization_id,
            cancelled_at__isnull=True,
            starts_at__lt=shift.ends_at,
            ends_at__gt=shift.starts_at,
        )
        .exclude(pk=shift.pk)
        .order_by("starts_at")
        .first()
    )


def _when(shift: Shift) -> str:
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    return f"{shift.role}, {start:%d/%m %H:%M}–{end:%H:%M}"


def _full_name(assignment: ShiftAssignment) -> str:
    if assignment.user_id:
        return assignment.user.get_full_name() or assignment.user.email
    return str(assignment.volunteer.participant)


def _add(shift: Shift, person: Person, *, how: str, by: User, self_service: bool):
    shift = _locked_shift(shift)
    now = timezone.now()
    if shift.cancelled_at is not None:
        raise ValidationError(_("Ce créneau est annulé."))
    if self_service and shift.starts_at <= now:
        raise ValidationError(_("Ce créneau a commencé : on ne s'y inscrit plus."))
    if ShiftAssignment.objects.filter(shift=shift, **person.lookup).exists():
        raise ValidationError(
            _("Vous êtes déjà sur ce créneau.")
            if self_service
            else _("Cette personne est déjà sur ce créneau.")
        )
    # The person's row locked too: two sign-ups of theirs on two shifts at the same time (two
    # tabs, or the coordination while they sign up) meet here, and the second sees the first.
    if person.user is not None:
        list(User.objects.select_for_update().filter(pk=person.user.pk))
    else:
        volunteer = Volunteer.objects.select_for_update().get(pk=person.volunteer.pk)
        if volunteer.ended_on is not None and volunteer.ended_on < timezone.localdate(
            shift.starts_at
        ):  # ended meanwhile
            raise ValidationError(_("Ce bénévolat est terminé."))
    if shift.taken >= shift.needed:
        raise ValidationError(
            _("Ce créneau est complet.")
            if self_service
            else _(
                "Ce créneau est complet : augmentez le nombre de personnes nécessaires pour en "
                "ajouter une."
            )
        )
    other = _overlapping(
        shift,
        person.user.pk if person.user else None,
        person.volunteer.pk if person.volunteer else None,
    )
    if other is not None:
        raise ValidationError(
            (
                _("Vous êtes déjà sur un autre créneau à ces heures-là (%(other)s).")
                if self_service
                else _("Cette personne est déjà sur un autre créneau à ces heures-là (%(other)s).")
            )
            % {"other": _when(other)}
        )
    try:
        with transaction.atomic():
            return ShiftAssignment.objects.create(
                shift=shift, how=how, assigned_by=by, **person.lookup
            )
    except IntegrityError:  # a double click, already written
        raise ValidationError(_("Cette personne est déjà sur ce créneau.")) from None


@transaction.atomic
def shift_sign_up(*, shift: Shift, person: Person, by: User) -> ShiftAssignment:
    """The person signs up: refused once the shift has begun, cancelled, or full."""
    return _add(shift, person, how=ShiftAssignment.How.SELF, by=by, self_service=True)


@transaction.atomic
def shift_withdraw(*, shift: Shift, person: Person) -> None:
    """The person takes their name off the shift: refused once it has begun."""
    shift = _locked_shift(shift)
    assignment = ShiftAssignment.objects.filter(shift=shift, **person.lookup).first()
    if assignment is None:
        raise ValidationError(_("Vous n'êtes pas sur ce créneau."))
    if shift.starts_at <= timezone.now():
        raise ValidationError(
            _("Ce créneau a commencé : prévenez la coordination si vous ne pouvez pas venir.")
        )
    assignment.delete()


def assignable(*, organization: Organization) -> tuple[QuerySet, QuerySet]:
    """Who the coordination may put on a shift: the active staff members and the volunteers
    whose volunteering has not ended."""
    staff = (
        User.objects.filter(
            memberships__in=Membership.objects.active().filter(
                organization=organization, role__in=TEAM_ROLES
            )
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    volunteers = (
        Volunteer.objects.filter(organization=organization, ended_on__isnull=True)
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )
    return staff, volunteers


@transaction.atomic
def shift_assign(*, shift: Shift, person: Person, by: User) -> ShiftAssignment:
    """The coordination puts someone on the shift: an active member of the staff or a volunteer
    not ended, not on another shift at the same time, within the headcount."""
    if person.user is not None:
        member = Membership.objects.active().filter(
            user=person.user, organization=shift.organization_id, role__in=TEAM_ROLES
        )
        if not member.exists():
            raise ValidationError({"person": _("Cette personne n'est plus dans l'équipe.")})
    else:
        volunteer = person.volunteer
        ended = volunteer.ended_on is not None and volunteer.ended_on < timezone.localdate(
            shift.starts_at
        )
        if volunteer.organization_id != shift.organization_id or ended:
            raise ValidationError({"person": _("Ce bénévolat est terminé.")})
    try:
        return _add(shift, person, how=ShiftAssignment.How.ASSIGNED, by=by, self_service=False)
    except ValidationError as error:
        raise ValidationError({"person": error.messages}) from None


@transaction.atomic
def shift_unassign(*, assignment: ShiftAssignment, by: User) -> None:
    """The coordination takes someone off a shift; not once their hours are declared."""
    assignment = ShiftAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.sheet_id is not None:
        raise ValidationError(_("Les heures de ce créneau sont déclarées : la personne y reste."))
    assignment.delete()


# --- Hours to the service sheet --------------------------------------------------------------


def declarable(*, volunteer: Volunteer, day: dt.date | None = None) -> QuerySet:
    """The volunteer's lines on shifts done and not cancelled whose hours are not on a sheet
    yet (of ``day`` only, if given): what the address's ``?creneau=`` may name."""
    lines = ShiftAssignment.objects.filter(
        volunteer=volunteer,
        sheet__isnull=True,
        shift__cancelled_at__isnull=True,
        shift__ends_at__lte=timezone.now(),
    )
    if day is not None:
        lines = lines.filter(shift__starts_at__date=day)
    return lines.select_related("shift__contact_point").order_by("-shift__starts_at", "-pk")


def to_declare(*, volunteer: Volunteer) -> list[ShiftAssignment]:
    """The shifts "Mes prestations" offers to declare: those ``declarable``, but not of a month
    whose statement is validated (the sheets' rule: never offered for ever, never accepted),
    each with ``day_sheet``, the volunteer's sheet of that day if there is one (one sheet per
    person per day: the shift's hours go on it). Three queries whatever the lines."""
    lines = list(declarable(volunteer=volunteer))
    if not lines:
        return lines
    participant = volunteer.participant_id
    days = {line: timezone.localdate(line.shift.starts_at) for line in lines}
    locked = {
        month
        for _person, month in locked_months(
            participant_ids=[participant], months={day.replace(day=1) for day in days.values()}
        )
    }
    lines = [line for line in lines if days[line].replace(day=1) not in locked]
    sheets = {
        sheet.date: sheet
        for sheet in ServiceSheet.objects.filter(
            participant=participant, date__in={days[line] for line in lines}
        )
    }
    for line in lines:
        line.day_sheet = sheets.get(days[line])
    return lines


def hours_of(shift: Shift) -> Decimal:
    """The shift's length in hours (real hours: UTC), to the quarter."""
    length = shift.ends_at.astimezone(dt.UTC) - shift.starts_at.astimezone(dt.UTC)
    quarters = (Decimal(length.total_seconds()) / 900).quantize(Decimal("1"), ROUND_HALF_UP)
    return max(quarters, Decimal(1)) / 4


def _activity(shift: Shift) -> str:
    return f"{shift.role} — {shift.where}" if shift.where else shift.role


def sheet_initial(assignment: ShiftAssignment, sheet: ServiceSheet | None = None) -> dict:
    """What the service sheet's form shows from the shift: its day, its hours, what it was; on
    the day's sheet already written (``sheet``), its hours and activity with the shift's."""
    shift = assignment.shift
    if sheet is not None:
        return {
            "hours": sheet.hours + hours_of(shift),
            "activity": f"{sheet.activity} ; {_activity(shift)}"[:200],
        }
    return {
        "date": timezone.localdate(shift.starts_at),
        "hours": hours_of(shift),
        "activity": _activity(shift)[:200],
    }


def assignments_release(*, volunteer: Volunteer, after: dt.date) -> list[Shift]:
    """The volunteer taken off the shifts starting after ``after`` (their volunteering ended
    that day) whose hours are not declared: the places reopen and the gaps are true again.
    The shifts reopened, by their start."""
    start = timezone.make_aware(dt.datetime.combine(after + dt.timedelta(days=1), dt.time()))
    lines = ShiftAssignment.objects.filter(
        volunteer=volunteer, sheet__isnull=True, shift__starts_at__gte=start
    )
    shifts = list(Shift.objects.filter(pk__in=lines.values("shift")).order_by("starts_at", "pk"))
    lines.delete()
    return shifts


@transaction.atomic
def shift_hours_declare(
    *, assignment: ShiftAssignment, sheet: ServiceSheet, by: User
) -> ServiceSheet:
    """The sheet of a shift's hours — a new one, or the day's sheet already written with the
    shift's hours added — sent through the sheets' service (its rules, its refusals), then
    named on the shift's line: the shift is no longer offered."""
    assignment = (
        ShiftAssignment.objects.select_for_update().select_related("shift").get(pk=assignment.pk)
    )
    if assignment.sheet_id is not None:
        raise ValidationError(_("Les heures de ce créneau sont déjà déclarées."))
    day = timezone.localdate(assignment.shift.starts_at)
    if sheet.date != day:
        raise ValidationError(
            {
                "date": _("Ce créneau était le %(day)s : ses heures vont sur la fiche de ce jour.")
                % {"day": day.strftime("%d/%m/%Y")}
            }
        )
    sheet = sheet_submit(sheet=sheet, by=by)
    assignment.sheet = sheet
    assignment.save(update_fields=["sheet"])
    return sheet


# --- The feed --------------------------------------------------------------------------------


def shifts_of(*, person: Person, organization: Organization, start, end) -> QuerySet:
    """The person's shifts between two moments (the cancelled ones too)."""
    return (
        Shift.objects.filter(
            organization=organization,
            starts_at__lt=end,
            ends_at__gt=start,
            **{f"assignments__{key}": value for key, value in person.lookup.items()},
        )
        .select_related("contact_point")
        .order_by("starts_at", "pk")
    )
