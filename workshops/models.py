"""A module of the catalogue is run in sessions; people are enrolled in a session (from their
pathway's page or from the session) and marked on its attendance grid once it has begun. An EPN
session also counts the visitors who are not participants: a head-count with no name."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import ChoiceLabels
from accounts.models import Organization
from participants.grid import PRESENT_LIKE, Presence
from participants.models import Gender, Participant, Pathway, PathwayEvent

# A session lasts 15 minutes to 8 hours; holds 1 to 200 people; is planned two years ahead.
DURATION_MINUTES = (15, 480)
DURATION_SAID = _("Une séance dure de 15 minutes à 8 heures (480 minutes).")
CAPACITY_MOST = 200
AHEAD_DAYS = 2 * 366


class Module(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Atelier")
        INFORMATION = "information", _("Séance d'information")
        EPN = "epn", _("Séance EPN (espace public numérique)")
        OTHER = "other", _("Autre")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="modules",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("intitulé"), max_length=150)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.WORKSHOP)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("durée d'une séance (minutes)"),
        default=120,
        validators=[
            MinValueValidator(DURATION_MINUTES[0], message=DURATION_SAID),
            MaxValueValidator(DURATION_MINUTES[1], message=DURATION_SAID),
        ],
    )
    facilitator = models.CharField(
        _("animation"),
        max_length=150,
        blank=True,
        help_text=_("Qui anime : un·e collègue, un·e intervenant·e extérieur·e."),
    )
    partner = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="co_run_modules",
        verbose_name=_("partenaire co-organisateur"),
    )
    active = models.BooleanField(
        _("au catalogue"),
        default=True,
        help_text=_("Un module retiré garde ses séances passées ; on n'en planifie plus."),
    )
    created_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        verbose_name = _("module collectif")
        verbose_name_plural = _("modules collectifs")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "title"], name="module_title_unique_in_organization"
            )
        ]

    def __str__(self):
        return self.title


class ModuleSession(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        CANCELLED = "cancelled", _("Annulée")

    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("module")
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("heure de début"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("durée (minutes)"),
        validators=[
            MinValueValidator(DURATION_MINUTES[0], message=DURATION_SAID),
            MaxValueValidator(DURATION_MINUTES[1], message=DURATION_SAID),
        ],
    )
    room = models.CharField(_("salle"), max_length=100, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("places"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(CAPACITY_MOST)],
        help_text=_("Vide : sans limite."),
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    cancel_reason = models.CharField(_("raison de l'annulation"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("planifiée par"),
    )
    created_at = models.DateTimeField(_("planifiée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("séance de module")
        verbose_name_plural = _("séances de modules")
        ordering = ["date", "starts_at", "pk"]
        indexes = [models.Index(fields=["date"], name="module_session_date")]

    def __str__(self):
        return f"{self.module} {self.date:%d/%m/%Y}"

    @property
    def hours(self) -> Decimal:
        """The session's length in hours, to the cent: a mark's hours when none are typed."""
        return (Decimal(self.duration_minutes) / 60).quantize(Decimal("0.01"))

    @property
    def ends_at(self) -> dt.time:
        start = dt.datetime.combine(self.date, self.starts_at)
        return (start + dt.timedelta(minutes=self.duration_minutes)).time()

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class ModuleEnrolment(models.Model):
    """A person enrolled in a session, for one of their pathways: their presence becomes an
    event of that pathway's log."""

    session = models.ForeignKey(
        ModuleSession,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("séance"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="module_enrolments",
        verbose_name=_("participant·e"),
    )
    pathway = models.ForeignKey(
        Pathway,
        on_delete=models.PROTECT,
        related_name="module_enrolments",
        verbose_name=_("parcours"),
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("inscrit·e par"),
    )
    enrolled_at = models.DateTimeField(_("inscrit·e le"), auto_now_add=True)

    class Meta:
        verbose_name = _("inscription à une séance")
        verbose_name_plural = _("inscriptions aux séances")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="module_enrolment_once_per_session"
            )
        ]

    def __str__(self):
        return f"{self.participant} — {self.session}"


class ModuleAttendance(ChoiceLabels, models.Model):
    """A person's presence at a session, as the grid recorded it (participants.grid)."""

    Status = Presence
    PRESENT_LIKE = PRESENT_LIKE

    session = models.ForeignKey(
        ModuleSession,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("séance"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="module_attendances",
        verbose_name=_("participant·e"),
    )
    status = models.CharField(_("présence"), max_length=12, choices=Status.choices)
    hours = models.DecimalField(_("heures"), max_digits=4, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("notée par"),
    )
    recorded_at = models.DateTimeField(_("notée le"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # The presence in the pathway's log ("Atelier collectif"); none for an absence.
    event = models.OneToOneField(
        PathwayEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="module_attendance",
        verbose_name=_("événement du parcours"),
    )

    class Meta:
        verbose_name = _("présence à une séance")
        verbose_name_plural = _("présences aux séances")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="module_attendance_once_per_session"
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gte=0, hours__lte=24),
                name="module_attendance_hours_in_a_day",
            ),
        ]

    def __str__(self):
        return f"{self.participant} — {self.session}: {self.get_status_display()}"


class DropInVisit(ChoiceLabels, models.Model):
    """Visitors of an EPN session who are not participants, counted without a name: how many,
    their age band and gender, and what they were helped with."""

    class AgeBand(models.TextChoices):
        UNDER_26 = "under_26", _("Moins de 26 ans")
        FROM_26 = "26_44", _("26 à 44 ans")
        FROM_45 = "45_64", _("45 à 64 ans")
        FROM_65 = "65_plus", _("65 ans et plus")
        UNKNOWN = "unknown", _("Âge non connu")

    class Need(models.TextChoices):
        ACCOUNTS = "accounts", _("Messagerie et comptes en ligne")
        PROCEDURES = "procedures", _("Démarches administratives en ligne")
        JOB_SEARCH = "job_search", _("Recherche d'emploi en ligne (CV, candidatures)")
        DEVICE = "device", _("Utiliser son smartphone ou son ordinateur")
        PRINTING = "printing", _("Imprimer ou scanner un document")
        OTHER = "other", _("Autre")

    session = models.ForeignKey(
        ModuleSession,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("séance"),
    )
    people = models.PositiveSmallIntegerField(
        _("nombre de personnes"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    age_band = models.CharField(
        _("tranche d'âge"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    gender = models.CharField(_("genre"), max_length=1, choices=Gender.choices, default=Gender.X)
    need = models.CharField(_("aide apportée"), max_length=12, choices=Need.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("comptée par"),
    )
    recorded_at = models.DateTimeField(_("comptée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("visite libre de l'EPN")
        verbose_name_plural = _("visites libres de l'EPN")
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(people__gte=1, people__lte=50),
                name="drop_in_visit_people_counted",
            )
        ]

    def __str__(self):
        return f"{self.session}: {self.people} × {self.get_need_display()}"
