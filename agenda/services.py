"""Planning an appointment, moving it, cancelling it, saying what became of it; the person's
consent to reminders; the reminders of the day before (sent by the beat task, each once)."""

import datetime as dt
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, Role, User
from agenda import sms
from agenda.models import AHEAD_DAYS, DURATION_MINUTES, Appointment, Reminder, ReminderConsent
from participants import services as participant_services
from participants.models import Confidentiality, Participant, Pathway, PathwayEvent

log = logging.getLogger(__name__)

# Who may hold an appointment: the caseload's roles.
HOLDER_ROLES = (Role.COUNSELLOR, Role.DIRECTION)
# A reminder that failed is tried again at the next runs, this many times in all.
REMINDER_ATTEMPTS = 3
# The beat's last run of the day (settings.CELERY_BEAT_SCHEDULE, hours 8 to 20 at :15): an
# appointment booked or moved later for tomorrow gets no reminder (the pages say so).
LAST_REMINDER_RUN = dt.time(20, 15)
# An appointment's length, as the model's validators say: the search for an overlapping one
# looks this far back (a longer one, written past the form, would go unseen).


def _holder_checked(*, counsellor: User, organization: Organization) -> None:
    member = Membership.objects.active().filter(
        user=counsellor, organization=organization, role__in=HOLDER_ROLES
    )
    if not member.exists():
        raise ValidationError({"counsellor": _("Choisissez un·e conseiller·ère de l'équipe.")})


def _checked_slot(
    *,
    counsellor: User,
    starts_at: dt.datetime,
    duration_minutes: int,
    now: dt.datetime,
    moving: Appointment | None = None,
) -> None:
    """A time to come, free in the counsellor's agenda (their row locked: two bookings of the
    same time at once are not both accepted)."""
    shortest, longest = DURATION_MINUTES
    if not shortest <= duration_minutes <= longest:
        raise ValidationError(
            {"duration_minutes": _("Une durée de 5 minutes à 8 heures (480 minutes).")}
        )
    if starts_at <= now:
        raise ValidationError(
            {
                "day": _(
                    "Un rendez-vous se planifie pour plus tard. Ce qui a déjà eu lieu s'inscrit "
                    "dans le journal du parcours."
                )
            }
        )
    if starts_at > now + dt.timedelta(days=AHEAD_DAYS):
        raise ValidationError(
            {"day": _("Un rendez-vous se planifie dans les deux ans : vérifiez l'année.")}
        )
    User.objects.select_for_update().filter(pk=counsellor.pk).first()
    ends_at = starts_at + dt.timedelta(minutes=duration_minutes)
    others = Appointment.objects.filter(
        counsellor=counsellor, status=Appointment.Status.PLANNED, starts_at__lt=ends_at
    ).exclude(pk=getattr(moving, "pk", None))
    for other in others.filter(starts_at__gt=starts_at - dt.timedelta(minutes=longest)):
        if other.ends_at > starts_at:
            local = timezone.localtime(other.starts_at)
            raise ValidationError(
                {
                    "time": _("%(name)s a déjà un rendez-vous de %(start)s à %(end)s ce jour-là.")
                    % {
                        "name": counsellor.get_full_name() or counsellor.email,
                        "start": f"{local:%H:%M}",
                        "end": f"{timezone.localtime(other.ends_at):%H:%M}",
                    }
                }
            )


@transaction.atomic
def appointment_book(
    *,
    pathway: Pathway,
    counsellor: User,
    starts_at: dt.datetime,
    by: User,
    duration_minutes: int = 60,
    mode: str = Appointment.Mode.IN_PERSON,
    place: str = "",
    purpose: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """An appointment to come, in an open pathway, with a member of the team who is free."""
    # Locked and read again, as pathway_close does: a pathway closed since the page was shown
    # (or while this booking runs) takes no appointment.
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if not pathway.is_open:
        raise ValidationError(
            _("Ce parcours est clôturé : un rendez-vous se planifie dans un parcours ouvert.")
        )
    _holder_checked(counsellor=counsellor, organization=pathway.participant.organization)
    _checked_slot(
        counsellor=counsellor,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        now=now or timezone.now(),
    )
    return Appointment.objects.create(
        pathway=pathway,
        counsellor=counsellor,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        place=place,
        purpose=purpose,
        created_by=by,
    )


def _still_planned(appointment: Appointment) -> Appointment:
    """The appointment, locked, if nobody has said what became of it meanwhile."""
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.status != Appointment.Status.PLANNED:
        raise ValidationError(
            _("Ce rendez-vous est déjà marqué « %(status)s ».")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def appointment_move(
    *,
    appointment: Appointment,
    counsellor: User,
    starts_at: dt.datetime,
    duration_minutes: int,
    mode: str,
    place: str = "",
    purpose: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Another time, holder, form or place for a planned appointment (the reminder follows)."""
    locked = _still_planned(appointment)
    now = now or timezone.now()
    if locked.starts_at <= now:
        raise ValidationError(
            _(
                "Ce rendez-vous a commencé : dites s'il a été tenu ou manqué, puis planifiez-en "
                "un autre."
            )
        )
    if not Pathway.objects.filter(pk=locked.pathway_id, ended_on__isnull=True).exists():
        raise ValidationError(
            _("Ce parcours est clôturé : un rendez-vous se planifie dans un parcours ouvert.")
        )
    _holder_checked(counsellor=counsellor, organization=locked.participant.organization)
    _checked_slot(
        counsellor=counsellor,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        now=now or timezone.now(),
        moving=locked,
    )
    for name, value in {
        "counsellor": counsellor,
        "starts_at": starts_at,
        "duration_minutes": duration_minutes,
        "mode": mode,
        "place": place,
        "purpose": purpose,
    }.items():
        setattr(locked, name, value)
    locked.save(
        update_fields=["counsellor", "starts_at", "duration_minutes", "mode", "place", "purpose"]
    )
    return locked


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, reason: str, by: User) -> Appointment:
    locked = _still_planned(appointment)
    locked.status = Appointment.Status.CANCELLED
    locked.cancel_reason = reason
    locked.outcome_by, locked.outcome_at = by, timezone.now()
    locked.save(update_fields=["status", "cancel_reason", "outcome_by", "outcome_at"])
    return locked


def _has_begun(appointment: Appointment, now: dt.datetime) -> None:
    if appointment.starts_at > now:
        raise ValidationError(
            _(
                "Ce rendez-vous n'a pas encore eu lieu : il se note tenu ou manqué à partir de "
                "son heure (%(time)s)."
            )
            % {"time": f"{timezone.localtime(appointment.starts_at):%d/%m/%Y %H:%M}"}
        )


@transaction.atomic
def appointment_held(
    *,
    appointment: Appointment,
    text: str,
    by: User,
    confidentiality: str = Confidentiality.NORMAL,
    duration_minutes: int | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Held: the appointment becomes an interview in the pathway's log, on its day, with the
    note the counsellor writes (restricted if they say so)."""
    locked = _still_planned(appointment)
    _has_begun(locked, now or timezone.now())
    # Locked, so that a closing at the same moment waits: no interview lands in a closed pathway.
    pathway = Pathway.objects.select_for_update().get(pk=locked.pathway_id)
    event = participant_services.event_add(
        pathway=pathway,
        by=by,
        date=timezone.localdate(locked.starts_at),
        text=text,
        kind=PathwayEvent.Kind.INTERVIEW,
        duration_minutes=duration_minutes or locked.duration_minutes,
        confidentiality=confidentiality,
    )
    locked.status = Appointment.Status.HELD
    locked.event = event
    locked.outcome_by, locked.outcome_at = by, timezone.now()
    locked.save(update_fields=["status", "event", "outcome_by", "outcome_at"])
    return locked


@transaction.atomic
def appointment_no_show(
    *, appointment: Appointment, by: User, now: dt.datetime | None = None
) -> Appointment:
    locked = _still_planned(appointment)
    _has_begun(locked, now or timezone.now())
    locked.status = Appointment.Status.NO_SHOW
    locked.outcome_by, locked.outcome_at = by, timezone.now()
    locked.save(update_fields=["status", "outcome_by", "outcome_at"])
    return locked


@transaction.atomic
def reminder_consent_record(
    *, participant: Participant, by_email: bool, by_sms: bool, given_on: dt.date, by: User
) -> ReminderConsent:
    """What the person agreed to (both off: withdrawn). A channel needs its contact detail."""
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("Une date future n'est pas acceptée ici.")})
    errors = {}
    if by_email and not participant.email:
        errors["by_email"] = _("La fiche n'a pas d'adresse e-mail : ajoutez-la d'abord.")
    if by_sms and sms.mobile_number(participant.phone) is None:
        errors["by_sms"] = _(
            "La fiche n'a pas de numéro de GSM (04…, ou +… d'un autre pays) : ajoutez-le d'abord."
        )
    if errors:
        raise ValidationError(errors)
    consent, _created = ReminderConsent.objects.update_or_create(
        participant=participant,
        defaults={"by_email": by_email, "by_sms": by_sms, "given_on": given_on, "recorded_by": by},
    )
    return consent


def _due_appointments(now: dt.datetime):
    """Planned appointments of tomorrow (the organization's day, Brussels) whose person agreed
    to a reminder."""
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))
    end = start + dt.timedelta(days=1)
    return (
        Appointment.objects.filter(
            status=Appointment.Status.PLANNED,
            starts_at__gte=start,
            starts_at__lt=end,
            pathway__ended_on__isnull=True,
            pathway__participant__anonymised_at__isnull=True,
        )
        .filter(
            Q(pathway__participant__reminder_consent__by_email=True)
            | Q(pathway__participant__reminder_consent__by_sms=True)
        )
        .select_related(
            "counsellor",
            "pathway__participant__organization",
            "pathway__participant__reminder_consent",
        )
    )


def _claim(appointment: Appointment, channel: str) -> Reminder | None:
    """The row that says this reminder is being sent, or None if it was (or is being) already:
    a new row; a failed one taken again while attempts remain; or one sent for this time before
    the appointment was moved away and back (the person's last message gives the other time).
    Each is a conditional write: of two runs at once, one takes it."""
    key = {"appointment": appointment, "channel": channel, "for_starts_at": appointment.starts_at}
    try:
        with transaction.atomic():
            return Reminder.objects.create(**key, status=Reminder.Status.SENDING)
    except IntegrityError:
        pass
    now = timezone.now()  # ``at`` by hand: update() leaves auto_now alone, and a claim's age counts
    row = Reminder.objects.filter(**key)
    taken = row.filter(status=Reminder.Status.FAILED, attempts__lt=REMINDER_ATTEMPTS).update(
        status=Reminder.Status.SENDING, attempts=F("attempts") + 1, at=now
    )
    if not taken:
        last_sent = (
            Reminder.objects.filter(
                appointment=appointment, channel=channel, status=Reminder.Status.SENT
            )
            .order_by("-at", "-pk")
            .first()
        )
        if last_sent is not None and last_sent.for_starts_at != appointment.starts_at:
            taken = row.filter(status=Reminder.Status.SENT).update(
                status=Reminder.Status.SENDING, attempts=1, at=now
            )
    return row.get() if taken else None


def reminder_text(appointment: Appointment) -> str:
    """What the person reads, in French (the organization's language): the day, the time, the
    counsellor's first name, the form and place; never the purpose."""
    participant = appointment.participant
    organization = participant.organization
    local = timezone.localtime(appointment.starts_at)
    with translation.override(settings.LANGUAGE_CODE):
        where = {
            Appointment.Mode.IN_PERSON: _("à %(place)s") % {"place": appointment.place}
            if appointment.place
            else _("à %(organization)s") % {"organization": organization.name},
            Appointment.Mode.PHONE: _("par téléphone"),
            Appointment.Mode.VIDEO: _("en visioconférence")
            + (f" ({appointment.place})" if appointment.place else ""),
        }[appointment.mode]
        text = _(
            "Bonjour %(first_name)s, nous vous rappelons votre rendez-vous de demain, le "
            "%(date)s à %(time)s, avec %(counsellor)s, %(where)s."
        ) % {
            "first_name": participant.first_name,
            "date": f"{local:%d/%m/%Y}",
            "time": f"{local:%H:%M}",
            "counsellor": appointment.counsellor.first_name or organization.name,
            "where": where,
        }
        if organization.phone:
            text += " " + _("Empêché·e ? Appelez le %(phone)s.") % {"phone": organization.phone}
        return text + " — " + organization.name


def _send(appointment: Appointment, channel: str) -> None:
    participant = appointment.participant
    text = reminder_text(appointment)
    if channel == Reminder.Channel.EMAIL:
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Rappel : votre rendez-vous de demain")
        send_mail(subject, text, None, [participant.email])
    else:
        sms.send(to=sms.mobile_number(participant.phone), text=text)


def _interrupted_claims_failed() -> None:
    """A claim still "sending" after the task's hard time limit lost its worker between the
    claim and the answer (killed, restarted): it is said failed, with that reason, so that the
    next attempt takes it instead of leaving the reminder unsent and unexplained."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    Reminder.objects.filter(status=Reminder.Status.SENDING, at__lt=cutoff).update(
        status=Reminder.Status.FAILED, error="interrupted: no answer from the sending worker"
    )


def reminders_send_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Sends the reminders of tomorrow's appointments that are not sent yet, each channel the
    person agreed to and has a contact for; what happened is kept on each reminder's row (the
    log holds ids, never a name, an address or a number)."""
    counts = {"sent": 0, "failed": 0}
    _interrupted_claims_failed()
    for appointment in _due_appointments(now or timezone.now()):
        consent = appointment.participant.reminder_consent
        channels = []
        if consent.by_email and appointment.participant.email:
            channels.append(Reminder.Channel.EMAIL)
        if consent.by_sms and sms.mobile_number(appointment.participant.phone):
            channels.append(Reminder.Channel.SMS)
        for channel in channels:
            reminder = _claim(appointment, channel)
            if reminder is None:
                continue
            try:
                _send(appointment, channel)
            except SoftTimeLimitExceeded:
                raise  # the task's time is up: its claim is taken back later (said interrupted)
            except Exception as error:  # the mail server or the SMS gateway: kept, tried again
                reminder.status, reminder.error = Reminder.Status.FAILED, str(error)[:300]
                counts["failed"] += 1
                log.warning("reminder %s of appointment %s failed", channel, appointment.pk)
            else:
                reminder.status, reminder.error = Reminder.Status.SENT, ""
                counts["sent"] += 1
                log.info("reminder %s of appointment %s sent", channel, appointment.pk)
            reminder.save(update_fields=["status", "error", "at"])
    return counts


def appointments_cancel_for_closed_pathway(*, pathway: Pathway, by: User) -> int:
    """A closed pathway's appointments still to come are cancelled, with the reason (no reminder
    goes out for them). Those whose time has passed stay to be said held or missed."""
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Parcours clôturé le %(date)s.") % {
            "date": pathway.ended_on.strftime("%d/%m/%Y")
        }
    return Appointment.objects.filter(
        pathway=pathway, status=Appointment.Status.PLANNED, starts_at__gt=timezone.now()
    ).update(
        status=Appointment.Status.CANCELLED,
        cancel_reason=reason,
        outcome_by=by,
        outcome_at=timezone.now(),
    )
