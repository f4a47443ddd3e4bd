import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import ChoiceLabels
from accounts.models import Organization
from chantiers.storage import document_path, private_document_storage
from participants.grid import PRESENT_LIKE, Presence
from participants.models import Participant, Programme

ZERO = Decimal("0.00")


class IndemnityCeiling(models.Model):
    """The legal ceilings of volunteer flat-rate reimbursements, per calendar year."""

    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    daily = models.DecimalField(_("plafond journalier (€)"), max_digits=7, decimal_places=2)
    annual = models.DecimalField(_("plafond annuel (€)"), max_digits=9, decimal_places=2)
    # Mileage (DESIGN §4 rule 8): the year's published rates, never in code; a rate left empty
    # refuses that vehicle's kilometres, saying what to configure.
    km_cap = models.PositiveIntegerField(
        _("kilomètres remboursables par an"),
        default=2000,
        help_text=_("Par personne et par année civile, toutes organisations confondues."),
    )
    km_rate_car = models.DecimalField(
        _("indemnité kilométrique voiture (€/km)"),
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
    )
    km_rate_bike = models.DecimalField(
        _("indemnité kilométrique vélo (€/km)"),
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("plafond de défraiement")
        verbose_name_plural = _("plafonds de défraiement")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(daily__gt=0) & Q(annual__gte=models.F("daily")),
                name="ceiling_amounts_positive",
            ),
            models.CheckConstraint(
                condition=(Q(km_rate_car__isnull=True) | Q(km_rate_car__gt=0))
                & (Q(km_rate_bike__isnull=True) | Q(km_rate_bike__gt=0)),
                name="ceiling_km_rates_positive",
            ),
        ]

    def __str__(self):
        return f"{self.year}: {self.daily} € / {self.annual} €"

    def km_rate(self, vehicle: str) -> Decimal | None:
        return {Vehicle.CAR: self.km_rate_car, Vehicle.BIKE: self.km_rate_bike}.get(vehicle)


class Vehicle(models.TextChoices):
    CAR = "car", _("Voiture")
    BIKE = "bike", _("Vélo")


class ElsewhereDeclaration(models.Model):
    """What a volunteer declared receiving from other organisations in one calendar year: the
    flat-rate amount and the kilometres (DESIGN §4 rule 6). A year's declarations add up; they
    count in the year's ceilings like what this organisation pays."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="elsewhere_declarations"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("année"))
    amount = models.DecimalField(
        _("défraiements forfaitaires reçus ailleurs (€)"),
        max_digits=9,
        decimal_places=2,
        default=ZERO,
    )
    km = models.PositiveIntegerField(_("kilomètres remboursés ailleurs"), default=0)
    declared_on = models.DateField(_("déclaré le"))
    source = models.CharField(_("organisation(s) qui les versent"), max_length=200)
    proof = models.CharField(
        _("justificatif"),
        max_length=200,
        blank=True,
        help_text=_("Ex. : attestation de l'ASBL X du 12/03, au dossier."),
    )
    proof_file = models.FileField(
        _("attestation (photo ou PDF)"),
        storage=private_document_storage,
        upload_to=document_path,
        blank=True,
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("déclaration de défraiements reçus ailleurs")
        verbose_name_plural = _("déclarations de défraiements reçus ailleurs")
        ordering = ["-year", "declared_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & (Q(amount__gt=0) | Q(km__gt=0)),
                name="declaration_something_declared",
            ),
        ]
        indexes = [models.Index(fields=["participant", "year"])]

    def __str__(self):
        return f"{self.participant} {self.year}"

    @property
    def year_of_document(self) -> int:
        return self.year


class Chantier(ChoiceLabels, models.Model):
    class Trade(models.TextChoices):
        PAINTING = "painting", _("Peinture")
        GARDENING = "gardening", _("Jardinage, espaces verts")
        RENOVATION = "renovation", _("Rénovation")
        CLEANING = "cleaning", _("Nettoyage")
        OTHER = "other", _("Autre")

    class Status(models.TextChoices):
        PREPARATION = "preparation", _("En préparation")
        RECRUITING = "recruiting", _("Recrutement")
        RUNNING = "running", _("En cours")
        CLOSED = "closed", _("Terminé")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="chantiers",
        verbose_name=_("opérateur"),
    )
    host = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_chantiers",
        verbose_name=_("partenaire d'accueil"),
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("programme")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("nom"), max_length=200)
    site_address = models.CharField(_("adresse du chantier"), max_length=200)
    trade = models.CharField(_("métier"), max_length=20, choices=Trade.choices)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.PREPARATION
    )
    capacity = models.PositiveSmallIntegerField(_("places"), default=12)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="coordinated_chantiers", blank=True
    )
    min_jobseeking_months = models.PositiveSmallIntegerField(
        _("mois minimum de recherche d'emploi"), default=24
    )
    daily_indemnity = models.DecimalField(
        _("défraiement forfaitaire par jour (€)"), max_digits=7, decimal_places=2, default=ZERO
    )
    safety_notes = models.TextField(_("consignes de sécurité"), blank=True)
    protective_equipment = models.CharField(
        _("équipements de protection requis"), max_length=300, blank=True
    )

    class Meta:
        verbose_name = _("chantier")
        verbose_name_plural = _("chantiers")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="chantier_code_unique"),
        ]

    def __str__(self):
        return self.name


class WorkSession(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        HELD = "held", _("Tenue")
        CANCELLED = "cancelled", _("Annulée")

    chantier = models.ForeignKey(Chantier, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("début"))
    ends_at = models.TimeField(_("fin"))
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("séance")
        verbose_name_plural = _("séances")
        ordering = ["date", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_times"
            ),
        ]
        indexes = [models.Index(fields=["chantier", "date"])]

    def __str__(self):
        return f"{self.chantier} {self.date:%d/%m/%Y} {self.starts_at:%H:%M}"

    @property
    def hours(self) -> Decimal:
        start = dt.datetime.combine(self.date, self.starts_at)
        end = dt.datetime.combine(self.date, self.ends_at)
        return (Decimal((end - start).seconds) / 3600).quantize(Decimal("0.01"))


class Enrolment(ChoiceLabels, models.Model):
    """A participant in a chantier's group, from candidate to the end of their participation."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidat·e")
        SELECTED = "selected", _("Sélectionné·e")
        ACTIVE = "active", _("Actif·ve")
        WITHDRAWN = "withdrawn", _("Sorti·e en cours de route")
        COMPLETED = "completed", _("Chantier terminé")

    IN_GROUP = frozenset({Status.SELECTED, Status.ACTIVE})

    chantier = models.ForeignKey(Chantier, on_delete=models.CASCADE, related_name="enrolments")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.CANDIDATE
    )
    joined_on = models.DateField(_("arrivée le"), null=True, blank=True)
    left_on = models.DateField(_("départ le"), null=True, blank=True)
    leave_reason = models.CharField(_("motif du départ"), max_length=300, blank=True)
    safety_briefing_on = models.DateField(
        _("consignes de sécurité données le"), null=True, blank=True
    )
    protective_equipment_on = models.DateField(
        _("équipements de protection remis le"), null=True, blank=True
    )
    eligibility_override = models.TextField(
        _("justification de la dérogation"),
        blank=True,
        help_text=_(
            "Obligatoire pour sélectionner une personne qui ne remplit pas les conditions."
        ),
    )

    class Meta:
        verbose_name = _("inscription au chantier")
        verbose_name_plural = _("inscriptions au chantier")
        ordering = ["participant__last_name", "participant__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["chantier", "participant"], name="enrolment_unique"),
        ]

    def __str__(self):
        return f"{self.participant} — {self.chantier}"

    def in_group_on(self, day: dt.date) -> bool:
        """Between the day they joined and the day they left (either may be unknown)."""
        return (self.joined_on is None or self.joined_on <= day) and (
            self.left_on is None or day <= self.left_on
        )


class VolunteerAgreement(ChoiceLabels, models.Model):
    """Convention de bénévolat indemnisé (law of 3 July 2005 on the rights of volunteers)."""

    class Scheme(models.TextChoices):
        FLAT_RATE = "flat_rate", _("Forfait journalier")
        REAL_COSTS = "real_costs", _("Frais réels")

    class Declaration(models.TextChoices):
        C45B = "c45b", _("Formulaire C45B remis à l'organisme de paiement (chômage)")
        CPAS_INFORMED = "cpas_informed", _("Assistant·e social·e du CPAS informé·e")
        MEDICAL_ADVISER = "medical_adviser", _("Accord du médecin-conseil (mutualité)")
        NONE = "none", _("Aucune déclaration requise")

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="agreements"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    chantier = models.ForeignKey(
        Chantier, on_delete=models.PROTECT, null=True, blank=True, related_name="agreements"
    )
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    scheme = models.CharField(
        _("régime de défraiement"), max_length=12, choices=Scheme.choices, default=Scheme.FLAT_RATE
    )
    daily_rate = models.DecimalField(_("forfait journalier (€)"), max_digits=7, decimal_places=2)
    organisation_note_given_on = models.DateField(
        _("note d'organisation remise le"), null=True, blank=True
    )
    insurance_policy = models.CharField(_("police d'assurance"), max_length=100, blank=True)
    declaration = models.CharField(
        _("déclaration faite"), max_length=20, choices=Declaration.choices, blank=True
    )
    declaration_on = models.DateField(_("déclaration faite le"), null=True, blank=True)
    signed_on = models.DateField(_("signée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("convention de bénévolat")
        verbose_name_plural = _("conventions de bénévolat")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="agreement_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(daily_rate__gte=0),
                name="agreement_rate_positive",
            ),
        ]

    def __str__(self):
        return f"{self.participant} — {self.starts_on:%d/%m/%Y}"

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class Attendance(ChoiceLabels, models.Model):
    # The presences of every grid (participants.grid): a module's session has the same.
    Status = Presence
    PRESENT_LIKE = PRESENT_LIKE

    class NotPayable(models.TextChoices):
        NO_CEILING = "no_ceiling", _("Aucun plafond légal configuré pour cette année")
        NO_AGREEMENT = "no_agreement", _("Pas de convention de bénévolat couvrant ce jour")
        NOT_SIGNED = "not_signed", _("Convention pas encore signée")
        NOTE_MISSING = "note_missing", _("Note d'organisation pas remise")
        INCOME_UNKNOWN = "income_unknown", _("Source de revenus inconnue")
        DECLARATION_MISSING = (
            "declaration_missing",
            _("Déclaration requise par la source de revenus pas faite"),
        )
        REAL_COSTS = "real_costs", _("Régime des frais réels (pas de forfait)")
        ANNUAL_CEILING = "annual_ceiling", _("Plafond annuel atteint")
        OTHER_SESSION = "other_session", _("Déjà défrayé·e ce jour-là (autre séance)")

    # Reasons that do not need an acknowledgement before a statement is validated.
    INFORMATIVE = frozenset({NotPayable.OTHER_SESSION})

    # PROTECT: deleting a session must never wipe marks that may be validated or paid.
    session = models.ForeignKey(WorkSession, on_delete=models.PROTECT, related_name="attendances")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(_("présence"), max_length=12, choices=Status.choices)
    hours = models.DecimalField(_("heures"), max_digits=4, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    indemnity = models.DecimalField(
        _("défraiement (€)"), max_digits=7, decimal_places=2, default=ZERO
    )
    not_payable = models.CharField(
        _("motif de non-paiement"), max_length=20, choices=NotPayable.choices, blank=True
    )
    # Mileage (rule 8): the kilometres travelled with the volunteer's own vehicle that day, and
    # what the engine reimburses of them (within the year's cap, at the year's rate).
    km = models.PositiveSmallIntegerField(_("kilomètres"), default=0)
    vehicle = models.CharField(_("véhicule"), max_length=5, choices=Vehicle.choices, blank=True)
    km_paid = models.PositiveSmallIntegerField(_("kilomètres remboursés"), default=0)
    mileage = models.DecimalField(
        _("indemnité kilométrique (€)"), max_digits=7, decimal_places=2, default=ZERO
    )
    version = models.PositiveIntegerField(default=1)
    # Someone confirmed that the day is rightly not paid (rule 5: before validating the month).
    not_payable_acknowledged = models.BooleanField(_("non-paiement confirmé"), default=False)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="attendance_unique"),
            models.CheckConstraint(
                condition=Q(indemnity__gte=0) & Q(hours__gte=0), name="attendance_amounts_positive"
            ),
            models.CheckConstraint(
                condition=(Q(km=0) | ~Q(vehicle="")) & Q(km_paid__lte=models.F("km")),
                name="attendance_km_with_vehicle",
            ),
        ]
        indexes = [models.Index(fields=["participant", "session"])]

    def __str__(self):
        return f"{self.participant} {self.session}"

    @property
    def day(self) -> dt.date:
        return self.session.date

    # What a statement prints of the day (a service sheet has the same three).
    @property
    def where(self) -> str:
        return self.session.chantier.name

    @property
    def chantier_id_of_day(self) -> int:
        return self.session.chantier_id

    @property
    def starts_at(self) -> dt.time:
        return self.session.starts_at

    @property
    def ends_at(self) -> dt.time:
        return self.session.ends_at

    @property
    def is_present(self) -> bool:
        return self.status in self.PRESENT_LIKE

    @property
    def km_unpaid(self) -> int:
        """Kilometres travelled, not reimbursed (the cap reached, no rate, no paperwork)."""
        return self.km - self.km_paid if self.is_present else 0


class ServiceSheet(ChoiceLabels, models.Model):
    """Fiche de prestation (issue 21): a day a volunteer served the organisation outside a
    chantier's sessions (a relay's visits, a stand), entered by the volunteer on their phone and
    validated by a coordinator. The indemnity engine treats it as a present day of the same
    person: one flat rate a day, the same ceilings for the year, whatever the agreement."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("À valider")
        VALIDATED = "validated", _("Validée")
        RETURNED = "returned", _("Renvoyée pour correction")

    NotPayable = Attendance.NotPayable

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="service_sheets"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("heures"), max_digits=4, decimal_places=2)
    activity = models.CharField(_("activité"), max_length=200)
    km = models.PositiveSmallIntegerField(_("kilomètres"), default=0)
    vehicle = models.CharField(_("véhicule"), max_length=5, choices=Vehicle.choices, blank=True)
    # Real costs (rule 8), under a real-costs agreement only: repaid on the receipt once the
    # sheet is validated (a ``RealCost`` is written then).
    expense_amount = models.DecimalField(
        _("frais avancés (€)"), max_digits=7, decimal_places=2, default=ZERO
    )
    expense_description = models.CharField(_("objet des frais"), max_length=200, blank=True)
    receipt = models.FileField(
        _("photo du ticket"),
        storage=private_document_storage,
        upload_to=document_path,
        blank=True,
    )
    real_cost = models.OneToOneField(
        "RealCost", on_delete=models.PROTECT, null=True, blank=True, related_name="sheet"
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    return_reason = models.TextField(_("motif du renvoi"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    # What the engine computes, as on an attendance.
    indemnity = models.DecimalField(
        _("défraiement (€)"), max_digits=7, decimal_places=2, default=ZERO
    )
    not_payable = models.CharField(
        _("motif de non-paiement"), max_length=20, choices=NotPayable.choices, blank=True
    )
    not_payable_acknowledged = models.BooleanField(_("non-paiement confirmé"), default=False)
    km_paid = models.PositiveSmallIntegerField(_("kilomètres remboursés"), default=0)
    mileage = models.DecimalField(
        _("indemnité kilométrique (€)"), max_digits=7, decimal_places=2, default=ZERO
    )

    class Meta:
        verbose_name = _("fiche de prestation")
        verbose_name_plural = _("fiches de prestation")
        ordering = ["-date", "-pk"]
        constraints = [
            # One sheet a day: a second activity that day is written on the same sheet.
            models.UniqueConstraint(fields=["participant", "date"], name="service_sheet_unique"),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="service_sheet_hours"
            ),
            models.CheckConstraint(
                condition=Q(indemnity__gte=0) & Q(expense_amount__gte=0),
                name="service_sheet_amounts_positive",
            ),
            models.CheckConstraint(
                condition=(Q(km=0) | ~Q(vehicle="")) & Q(km_paid__lte=models.F("km")),
                name="service_sheet_km_with_vehicle",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self):
        return f"{self.participant} {self.date:%d/%m/%Y}"

    @property
    def day(self) -> dt.date:
        return self.date

    @property
    def where(self) -> str:
        return self.activity

    starts_at = ends_at = None  # a sheet has hours, not a session's times
    chantier_id_of_day = None  # paid by an agreement without chantier first

    @property
    def km_unpaid(self) -> int:
        return self.km - self.km_paid if self.is_present else 0

    @property
    def is_present(self) -> bool:
        """What the engine pays: a sheet sent back counts nothing until it is sent again."""
        return self.status != self.Status.RETURNED

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.VALIDATED

    @property
    def year_of_document(self) -> int:
        return self.date.year


class OfflineMark(models.Model):
    """A mark taken on the phone without network, received once: its client id (made on the
    phone) makes a second sending harmless — a retry, a tab reopened, a sync that timed out
    after the server had saved."""

    client_id = models.UUIDField(unique=True)
    session = models.ForeignKey(WorkSession, on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return str(self.client_id)


class MonthlyStatement(ChoiceLabels, models.Model):
    """Fiche de suivi des prestations et des défraiements: one participant, one month.

    Validating it locks that participant's attendance for the month (DESIGN §4 rule 5).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        VALIDATED = "validated", _("Validée")
        PAID = "paid", _("Payée")

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="statements"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("mois"), help_text=_("Le premier jour du mois."))
    days = models.PositiveSmallIntegerField(_("jours"), default=0)
    hours = models.DecimalField(_("heures"), max_digits=6, decimal_places=2, default=ZERO)
    amount = models.DecimalField(_("montant (€)"), max_digits=9, decimal_places=2, default=ZERO)
    km = models.PositiveIntegerField(_("kilomètres remboursés"), default=0)
    mileage = models.DecimalField(
        _("indemnité kilométrique (€)"), max_digits=9, decimal_places=2, default=ZERO
    )
    real_costs = models.DecimalField(
        _("frais réels (€)"), max_digits=9, decimal_places=2, default=ZERO
    )
    year_to_date = models.DecimalField(
        _("total de l'année à la fin du mois (€)"), max_digits=9, decimal_places=2, default=ZERO
    )
    remaining = models.DecimalField(
        _("solde annuel restant (€)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    # A statement is paid by one batch at most: the foreign key itself forbids a second one.
    batch = models.ForeignKey(
        "PaymentBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("lot de paiement"),
    )

    class Meta:
        verbose_name = _("fiche mensuelle de défraiement")
        verbose_name_plural = _("fiches mensuelles de défraiement")
        ordering = ["-month", "participant__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "month"], name="statement_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="statement_month_first_day"),
        ]

    def __str__(self):
        return f"{self.participant} {self.month:%m/%Y}"

    @property
    def is_locked(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def to_pay(self) -> Decimal:
        """The flat rate, the mileage and the real costs of the month (corrections apart)."""
        return self.amount + self.mileage + self.real_costs


class PaymentBatch(ChoiceLabels, models.Model):
    """Validated statements paid together by one SEPA credit transfer file (pain.001)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        EXPORTED = "exported", _("Fichier SEPA téléchargé")
        PAID = "paid", _("Payé")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="payment_batches"
    )
    reference = models.CharField(_("référence"), max_length=35, unique=True)
    execution_date = models.DateField(_("date d'exécution"))
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    total = models.DecimalField(_("total (€)"), max_digits=11, decimal_places=2, default=ZERO)
    count = models.PositiveIntegerField(_("virements"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    exported_at = models.DateTimeField(_("exporté le"), null=True, blank=True)
    paid_at = models.DateTimeField(_("payé le"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sepa_xml = models.BinaryField(_("fichier SEPA (pain.001)"), blank=True, editable=False)
    sepa_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("lot de paiement")
        verbose_name_plural = _("lots de paiement")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="batch_total_positive"),
        ]

    def __str__(self):
        return self.reference


class StatementUnlock(models.Model):
    """An administrator reopened a validated month: who, when, why (the audit of rule 5)."""

    statement = models.ForeignKey(
        MonthlyStatement, on_delete=models.CASCADE, related_name="unlocks"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.statement} ({self.at:%d/%m/%Y})"


class RealCost(models.Model):
    """Real costs (rule 8): an expense a volunteer under the real-costs regime made for the
    organisation, repaid on its receipt instead of a flat rate. Not against the flat ceilings."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="real_costs"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date de la dépense"))
    amount = models.DecimalField(_("montant (€)"), max_digits=7, decimal_places=2)
    description = models.CharField(_("objet de la dépense"), max_length=200)
    receipt = models.FileField(
        _("ticket ou facture (photo ou PDF)"),
        storage=private_document_storage,
        upload_to=document_path,
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dépense sur frais réels")
        verbose_name_plural = _("dépenses sur frais réels")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="real_cost_positive"),
        ]
        indexes = [models.Index(fields=["participant", "date"])]

    def __str__(self):
        return f"{self.participant} {self.date:%d/%m/%Y}"

    @property
    def year_of_document(self) -> int:
        return self.date.year


class StatementCorrection(ChoiceLabels, models.Model):
    """A validated month corrected (rule 8): a positive or negative line with its reason and its
    author, never an edit of the month. A later payment batch carries it with the person's
    transfer; a negative one the person repaid is recorded as settled outside."""

    statement = models.ForeignKey(
        MonthlyStatement,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("fiche corrigée"),
    )
    amount = models.DecimalField(
        _("correction du défraiement forfaitaire (€)"),
        max_digits=9,
        decimal_places=2,
        default=ZERO,
    )
    km = models.IntegerField(_("correction des kilomètres"), default=0)
    vehicle = models.CharField(_("véhicule"), max_length=5, choices=Vehicle.choices, blank=True)
    mileage = models.DecimalField(
        _("correction de l'indemnité kilométrique (€)"),
        max_digits=9,
        decimal_places=2,
        default=ZERO,
    )
    reason = models.TextField(_("motif"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The statement whose transfer carried it, in that statement's batch.
    carried_by = models.ForeignKey(
        MonthlyStatement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_corrections",
        verbose_name=_("payée avec la fiche"),
    )
    settled_on = models.DateField(_("réglée hors lot le"), null=True, blank=True)
    settled_note = models.CharField(_("comment"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("correction de fiche")
        verbose_name_plural = _("corrections de fiches")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0) | ~Q(km=0), name="correction_changes_something"
            ),
            models.CheckConstraint(
                condition=Q(km=0) | ~Q(vehicle=""), name="correction_km_with_vehicle"
            ),
        ]

    def __str__(self):
        return f"{self.statement} {self.total:+}"

    @property
    def total(self) -> Decimal:
        return self.amount + self.mileage

    @property
    def is_pending(self) -> bool:
        return self.carried_by_id is None and self.settled_on is None


class CeilingExcess(ChoiceLabels, models.Model):
    """A year whose total went above a ceiling (rule 7): found by the engine, never silent. While
    open, no statement of the person is validated and no payment made; direction records what
    was done."""

    class Outcome(models.TextChoices):
        RECOVERED = "recovered", _("Montant récupéré")
        TAXABLE = "taxable", _("Accepté comme rémunération imposable")
        CORRECTED = "corrected", _("Plus dépassé (données corrigées)")

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="ceiling_excesses"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("année"))
    amount_over = models.DecimalField(
        _("dépassement du plafond annuel (€)"), max_digits=9, decimal_places=2, default=ZERO
    )
    km_over = models.PositiveIntegerField(_("kilomètres au-delà du plafond"), default=0)
    found_at = models.DateTimeField(_("constaté le"), auto_now_add=True)
    outcome = models.CharField(
        _("suite donnée"), max_length=10, choices=Outcome.choices, blank=True
    )
    recovered_amount = models.DecimalField(
        _("montant récupéré (€)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    told_on = models.DateField(_("personne informée le"), null=True, blank=True)
    note = models.TextField(_("commentaire"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("suite enregistrée le"), null=True, blank=True)
    # An answer covers the excess it answered, until the year is found within the ceilings
    # again: a later excess is then a new case, whatever its size.
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("dépassement de plafond")
        verbose_name_plural = _("dépassements de plafond")
        ordering = ["-year", "-found_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "year"],
                condition=Q(outcome=""),
                name="excess_one_open_per_year",
            ),
        ]

    def __str__(self):
        return f"{self.participant} {self.year} (+{self.amount_over} €)"

    @property
    def is_open(self) -> bool:
        return not self.outcome


class Incident(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        ACCIDENT = "accident", _("Accident")
        NEAR_MISS = "near_miss", _("Presque-accident")
        CONFLICT = "conflict", _("Conflit")
        DAMAGE = "damage", _("Dégât matériel")
        OTHER = "other", _("Autre")

    chantier = models.ForeignKey(Chantier, on_delete=models.CASCADE, related_name="incidents")
    session = models.ForeignKey(WorkSession, on_delete=models.SET_NULL, null=True, blank=True)
    date = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    people_involved = models.CharField(_("personnes concernées"), max_length=300, blank=True)
    description = models.TextField(_("description"))
    declared_to_insurer_on = models.DateField(_("déclaré à l'assureur le"), null=True, blank=True)
    action_taken = models.TextField(_("suites données"), blank=True)
    # Open until someone says it is dealt with: the chantier page counts the open ones.
    closed_on = models.DateField(_("clôturé le"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"
