"""An appointment is planned ahead, for a date to come; once its time has passed the counsellor
says what became of it: held (it becomes an interview in the pathway's log), no-show or
cancelled. The reminder of the day before goes only to a person who agreed to it."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import ChoiceLabels
from participants.models import Participant, Pathway, PathwayEvent

# An appointment lasts 5 minutes to 8 hours; it is planned at most two years ahead.
DURATION_MINUTES = (5, 480)
AHEAD_DAYS = 2 * 366


class Appointment(ChoiceLabels, models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("En présentiel")
        PHONE = "phone", _("Par téléphone")
        VIDEO = "video", _("En visioconférence")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévu")
        HELD = "held", _("Tenu")
        NO_SHOW = "no_show", _("Absence sans prévenir")
        CANCELLED = "cancelled", _("Annulé")

    pathway = models.ForeignKey(
        Pathway, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("parcours")
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("conseiller·ère"),
    )
    starts_at = models.DateTimeField(_("date et heure"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("durée (minutes)"),
        default=60,
        validators=[
            MinValueValidator(DURATION_MINUTES[0]),
            MaxValueValidator(DURATION_MINUTES[1]),
        ],
    )
    mode = models.CharField(_("forme"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    place = models.CharField(
        _("lieu ou lien"),
        max_length=200,
        blank=True,
        help_text=_(
            "Le bureau, l'adresse ou le lien de la visioconférence : repris dans le rappel."
        ),
    )
    purpose = models.CharField(
        _("objet"),
        max_length=200,
        blank=True,
        help_text=_("Pour l'équipe seulement : jamais dans le rappel ni dans le calendrier."),
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    cancel_reason = models.CharField(_("raison de l'annulation"), max_length=300, blank=True)
    # A held appointment's interview in the pathway's log.
    event = models.OneToOneField(
        PathwayEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointment",
        verbose_name=_("entretien"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        indexes = [
            models.Index(fields=["counsellor", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="held", event__isnull=False)
                | (~Q(status="held") & Q(event__isnull=True)),
                name="appointment_event_when_held",
            ),
        ]

    def __str__(self):
        return f"{self.pathway.participant} — {self.starts_at:%d/%m/%Y %H:%M}"

    @property
    def participant(self) -> Participant:
        return self.pathway.participant

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class ReminderConsent(models.Model):
    """What the person agreed to be reminded by, when, recorded by whom; both off is a
    withdrawal (the row stays, with the audit trail of every change)."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="reminder_consent"
    )
    by_email = models.BooleanField(_("rappel par e-mail"), default=False)
    by_sms = models.BooleanField(_("rappel par SMS"), default=False)
    given_on = models.DateField(_("accord donné le"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("accord pour les rappels")
        verbose_name_plural = _("accords pour les rappels")

    def __str__(self):
        return f"{self.participant_id}: email={self.by_email} sms={self.by_sms}"


class Reminder(ChoiceLabels, models.Model):
    """One reminder of one appointment by one channel, for the time it was planned at: the
    beat task claims the row before sending, so a second run (or a second worker) never sends it
    twice; a moved appointment is reminded again, for its new time."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        SENDING = "sending", _("En cours d'envoi")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    channel = models.CharField(_("canal"), max_length=5, choices=Channel.choices)
    for_starts_at = models.DateTimeField(_("pour le rendez-vous du"))
    status = models.CharField(_("état"), max_length=10, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(default=1)
    at = models.DateTimeField(_("le"), auto_now=True)
    error = models.CharField(_("erreur"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "channel", "for_starts_at"], name="reminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.appointment_id} {self.channel} {self.status}"


class CalendarFeed(models.Model):
    """A counsellor's calendar feed in one organization: its address carries a signature of
    ``key``; a new key (or deleting the row) revokes every address given before."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=64)
    renewed_at = models.DateTimeField(auto_now=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_feed_per_member"),
        ]

    def __str__(self):
        return f"{self.user_id}@{self.organization_id}"
