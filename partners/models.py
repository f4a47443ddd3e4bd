"""The network around each participant: partner services, referrals (orientations) and their log,
employers prospected and candidates proposed to them (DESIGN §3 "partners")."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import ChoiceLabels
from accounts.models import Organization
from participants.models import Need, NeedCategory, Participant, Pathway


class PartnerContact(models.Model):
    """A person to call at a partner organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("nom"), max_length=150)
    function = models.CharField(_("fonction"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnerService(ChoiceLabels, models.Model):
    """What a partner offers, for which need: where a counsellor refers someone."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(_("service"), max_length=200)
    need_category = models.CharField(
        _("besoin auquel il répond"), max_length=20, choices=NeedCategory.choices
    )
    description = models.TextField(_("description"), blank=True)
    contact = models.ForeignKey(
        PartnerContact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact"),
    )
    email = models.EmailField(
        _("e-mail des orientations"),
        blank=True,
        help_text=_("Où envoyer le lien de réponse quand le partenaire n'a pas de compte."),
    )
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    commune = models.CharField(_("commune"), max_length=80, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("service partenaire")
        verbose_name_plural = _("services partenaires")
        ordering = ["organization__name", "name"]
        indexes = [models.Index(fields=["need_category", "postcode"])]

    def __str__(self):
        return f"{self.organization} — {self.name}"


class Referral(ChoiceLabels, models.Model):
    """An orientation of a participant to a partner, usually answering an open need."""

    class Status(models.TextChoices):
        SENT = "sent", _("Envoyée")
        ACCEPTED = "accepted", _("Acceptée")
        REFUSED = "refused", _("Refusée")
        COMPLETED = "completed", _("Réalisée")
        NO_SHOW = "no_show", _("Pas présenté·e")
        EXPIRED = "expired", _("Sans réponse (expirée)")

    OPEN = frozenset({Status.SENT, Status.ACCEPTED})
    # A referral to a service answering one of these needs sends the person to a training: a
    # qualifying one, or a language or digital course (FLE, alpha, computer skills: the "other
    # training" of the exit outcomes). The partner that gives it notes it, and what it
    # certified (partners.services.referral_training_add), from its acceptance on — and still
    # once the person is said to have come (completed): the certificate often comes after.
    TRAINING_NEEDS = frozenset(
        {NeedCategory.QUALIFICATION, NeedCategory.LANGUAGE, NeedCategory.DIGITAL}
    )
    TRAINING_STATUSES = frozenset({Status.ACCEPTED, Status.COMPLETED})

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="referrals")
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="referrals")
    from_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("partenaire"),
    )
    service = models.ForeignKey(
        PartnerService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("service"),
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("besoin"),
    )
    reason = models.TextField(
        _("motif de l'orientation"),
        help_text=_("Ce que le partenaire lira : pas de note confidentielle ici."),
    )
    sent_on = models.DateField(_("envoyée le"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.SENT)
    status_changed_at = models.DateTimeField(_("dernier changement"), auto_now_add=True)
    refusal_reason = models.CharField(_("motif du refus"), max_length=300, blank=True)
    # The signed response link carries this nonce: re-sending the link makes a new one and the
    # previous link stops working; a used link is refused too.
    link_nonce = models.CharField(max_length=32, default="", blank=True, editable=False)
    link_sent_at = models.DateTimeField(_("lien envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""),
                name="referral_refusal_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["to_organization", "status"]),
            models.Index(fields=["status", "sent_on"]),
            # The organization's referral list, newest first, read 25 at a time (benchmark).
            models.Index(
                fields=["from_organization", "-sent_on", "-id"], name="referral_from_newest"
            ),
        ]

    def __str__(self):
        return f"{self.participant} → {self.to_organization}"

    @property
    def is_to_a_training(self) -> bool:
        return self.service_id is not None and self.service.need_category in self.TRAINING_NEEDS

    @property
    def takes_trainings(self) -> bool:
        """The partner may note the training it gives and what it certified."""
        return self.is_to_a_training and self.status in self.TRAINING_STATUSES

    def new_link_nonce(self) -> str:
        self.link_nonce = secrets.token_hex(16)
        return self.link_nonce


class ReferralTransition(ChoiceLabels, models.Model):
    """Each change of a referral's state: who (or which link, or the system), when, why."""

    class Channel(models.TextChoices):
        APP = "app", _("Dans l'application")
        LINK = "link", _("Par le lien reçu par e-mail")
        SYSTEM = "system", _("Automatique")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=Referral.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Referral.Status.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.APP)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.referral_id}: {self.from_status} → {self.to_status}"


class EmployerContact(ChoiceLabels, models.Model):
    """Prospection: an employer met by someone of the operator."""

    class Outcome(models.TextChoices):
        INFORMATION = "information", _("Prise de contact, information")
        VACANCY = "vacancy", _("Offre d'emploi ou de stage reçue")
        PARTNERSHIP = "partnership", _("Partenariat envisagé")
        NOT_NOW = "not_now", _("Pas de besoin pour l'instant")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="employer_contacts"
    )
    employer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="prospections",
        limit_choices_to={"kind": Organization.Kind.EMPLOYER},
        verbose_name=_("employeur"),
    )
    date = models.DateField(_("date"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person_met = models.CharField(_("personne rencontrée"), max_length=150, blank=True)
    outcome = models.CharField(_("résultat"), max_length=12, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("prospection")
        verbose_name_plural = _("prospections")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.employer} {self.date:%d/%m/%Y}"


class Matching(ChoiceLabels, models.Model):
    """A participant proposed to an employer for a position, and what came of it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposé·e")
        INTERVIEW = "interview", _("Entretien")
        HIRED = "hired", _("Engagé·e")
        REJECTED = "rejected", _("Non retenu·e")
        NO_ANSWER = "no_answer", _("Sans réponse")

    CLOSED = frozenset({Status.HIRED, Status.REJECTED, Status.NO_ANSWER})

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="matchings")
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="matchings")
    employer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="matchings",
        limit_choices_to={"kind": Organization.Kind.EMPLOYER},
        verbose_name=_("employeur"),
    )
    position = models.CharField(_("poste"), max_length=200)
    proposed_on = models.DateField(_("proposé·e le"))
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    status_on = models.DateField(_("depuis le"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("mise en relation")
        verbose_name_plural = _("mises en relation")
        ordering = ["-proposed_on", "-pk"]

    def __str__(self):
        return f"{self.participant} → {self.employer} ({self.position})"


class ReferralDigest(models.Model):
    """The daily digest sent to a person: at most one a day, even when the task runs twice
    (a worker lost mid-run is re-delivered: CELERY_TASK_ACKS_LATE)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="referral_digest_once_a_day"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.day}"
