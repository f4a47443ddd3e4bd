from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import ChoiceLabels
from accounts.validators import validate_bic, validate_iban


class Organization(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        OPERATOR = "operator", _("Opérateur ISP (Mission Locale, ASBL)")
        HOUSING = "housing", _("Société de logement social (SISP)")
        CPAS = "cpas", _("CPAS")
        EMPLOYMENT_SERVICE = "employment_service", _("Service de l'emploi (Actiris)")
        TRAINING = "training", _("Centre de formation")
        SOCIAL_SERVICE = "social_service", _("Service social")
        HEALTH = "health", _("Santé, santé mentale")
        EMPLOYER = "employer", _("Employeur")
        FUNDER = "funder", _("Pouvoir subsidiant")
        OTHER = "other", _("Autre")

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant court"), max_length=60, unique=True)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    street = models.CharField(_("adresse"), max_length=200, blank=True)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("localité"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    iban = models.CharField(
        _("IBAN"),
        max_length=34,
        blank=True,
        validators=[validate_iban],
        help_text=_("Compte de l'organisation, débité pour les défraiements (virements SEPA)."),
    )
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    sepa_creditor_name = models.CharField(
        _("nom du titulaire du compte (SEPA)"), max_length=70, blank=True
    )
    annual_target = models.PositiveIntegerField(
        _("objectif annuel de personnes accompagnées"), null=True, blank=True
    )
    # A default in the database too: a row written by an older state of the schema (a data
    # migration, a migration test) gets it.
    retention_years = models.PositiveSmallIntegerField(
        _("durée de conservation (années)"),
        default=5,
        db_default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "Après la fin de son dernier parcours, une personne est anonymisée au terme de ce "
            "délai (jamais avant la fin de la période de contrôle de ses programmes). Les "
            "chiffres des rapports restent les mêmes."
        ),
    )
    two_factor_for_all = models.BooleanField(
        _("double authentification pour toute l'équipe"),
        default=False,
        db_default=False,
        help_text=_(
            "L'administration et la direction se connectent toujours avec un code de leur "
            "téléphone ; cochée, chaque membre de l'équipe aussi, quel que soit son rôle."
        ),
    )
    # Comma-separated roles (accounts.models.Role values): who sees the address of a person
    # whose address is confidential (someone hiding from violence). Direction by default.
    confidential_address_roles = models.CharField(
        _("rôles qui voient une adresse confidentielle"),
        max_length=100,
        blank=True,
        default="direction",
        db_default="direction",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Stored in the compact, upper-case form the SEPA file needs.
        self.iban = self.iban.replace(" ", "").upper()
        self.bic = self.bic.replace(" ", "").upper()
        super().save(*args, **kwargs)

    @property
    def is_operator(self) -> bool:
        return self.kind == self.Kind.OPERATOR

    @property
    def address_roles(self) -> frozenset[str]:
        """The roles that see a confidential address (never a partner)."""
        roles = {role.strip() for role in self.confidential_address_roles.split(",")}
        return frozenset(roles & {"admin", "direction", "counsellor", "coordinator"})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        # E-mail addresses are compared without case: "Marie@X.be" and "marie@x.be" are one person.
        return self.get(email__iexact=email)


class User(ChoiceLabels, AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    language = models.CharField(
        _("langue"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(
        _("accès à l'administration technique"),
        default=False,
        help_text=_("Donne accès à l'interface d'administration de Django."),
    )
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    current_organization = models.ForeignKey(
        "Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation choisie"),
        help_text=_("La dernière choisie avec le sélecteur ; à défaut, la plus ancienne."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message=_("Un compte existe déjà avec cette adresse e-mail."),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name

    @property
    def has_mail_address(self) -> bool:
        """False for an address made up for an account without e-mail (a volunteer signed in
        by a link, ``accounts.signin_links``; an anonymised account): the reserved ``.invalid``
        top-level domain, where no mail can ever be delivered. Never shown as an address."""
        domain = self.email.rpartition("@")[2].lower()
        return not (domain == "invalid" or domain.endswith(".invalid"))


class Role(models.TextChoices):
    ADMIN = "admin", _("Administration")
    DIRECTION = "direction", _("Direction")
    COUNSELLOR = "counsellor", _("Conseiller·ère ISP")
    COORDINATOR = "coordinator", _("Coordination de chantier")
    PARTNER = "partner", _("Partenaire")
    # A volunteer who is not staff (issue 21): sees their own service sheets and nothing else.
    VOLUNTEER = "volunteer", _("Bénévole")


class MembershipQuerySet(models.QuerySet):
    def open(self):
        """Not closed: the membership, the account and the organization are active (accepted
        or still waiting for the person's answer)."""
        return self.filter(is_active=True, user__is_active=True, organization__is_active=True)

    def active(self):
        """What gives access: open and accepted by the person."""
        return self.open().filter(accepted_at__isnull=False)

    def pending(self):
        """Invitations waiting for the person's answer: they give no access at all."""
        return self.open().filter(accepted_at__isnull=True)

    def holds(self, *, user, organization, role) -> bool:
        """Whether ``user`` acts in ``organization`` (an instance or an id) in ``role`` now:
        what a service checks before an action reserved to one role."""
        return self.active().filter(user=user, organization=organization, role=role).exists()


class Membership(ChoiceLabels, models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("utilisateur")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    can_read_restricted_notes = models.BooleanField(
        _("peut lire les notes confidentielles"),
        default=False,
        help_text=_("Notes d'entretien marquées « confidentiel » écrites par les collègues."),
    )
    invitation_sent_at = models.DateTimeField(_("invitation envoyée le"), null=True, blank=True)
    # An invitation is accepted by the person before it gives any access: a new account by
    # choosing its password, an existing one on the invitations page. Until then the team sees
    # only what the inviter typed, nothing of the account (issue 24). Empty: waiting.
    accepted_at = models.DateTimeField(
        _("acceptée le"), null=True, blank=True, default=timezone.now
    )
    invited_first_name = models.CharField(_("prénom indiqué"), max_length=100, blank=True)
    invited_last_name = models.CharField(_("nom indiqué"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        ordering = ["organization__name", "user__last_name", "user__first_name"]
        constraints = [
            # One role per person and organization: the role decides what they may see.
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} — {self.organization} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None

    @property
    def display_name(self) -> str:
        """What the organization's team sees: the name the inviter typed until the person
        accepts (an account's own name, from another organization, is not theirs to see)."""
        if self.is_pending:
            typed = f"{self.invited_first_name} {self.invited_last_name}".strip()
            return typed or self.user.email
        return self.user.get_full_name() or self.user.email


class AccessLog(ChoiceLabels, models.Model):
    """Who opened, exported or printed which personal record, and when (GDPR accountability).

    Only references are stored, never the content: the log must not become a copy of the data.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("consultation")
        EXPORT = "export", _("export")
        PRINT = "print", _("impression")
        DOWNLOAD = "download", _("téléchargement")

    at = models.DateTimeField(_("date et heure"), default=timezone.now, db_index=True)
    # Empty for what was done from the command line without an account (an export made with
    # ``export_participant`` and no ``--user``): shown as "ligne de commande".
    user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utilisateur"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type de fiche")
    )
    object_id = models.CharField(_("identifiant de la fiche"), max_length=40)

    class Meta:
        verbose_name = _("accès à une fiche")
        verbose_name_plural = _("journal des accès")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "-at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.content_type} #{self.object_id}"


class TwoFactorEvent(ChoiceLabels, models.Model):
    """What happened to an account's second factor: enrolled, a backup code used, the codes
    renewed, a reset by an administrator (who, for which organization). Never a code or a key."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", _("double authentification activée")
        BACKUP_USED = "backup_used", _("code de secours utilisé")
        BACKUP_RENEWED = "backup_renewed", _("codes de secours renouvelés")
        RESET = "reset", _("double authentification réinitialisée")

    at = models.DateTimeField(_("date et heure"), default=timezone.now)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="two_factor_events", verbose_name=_("compte")
    )
    kind = models.CharField(_("événement"), max_length=20, choices=Kind.choices)
    by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("au nom de"),
    )

    class Meta:
        verbose_name = _("événement de double authentification")
        verbose_name_plural = _("événements de double authentification")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.user} {self.kind}"


class SignInLink(models.Model):
    """A sign-in link given by hand (copied, sent by SMS, printed) to a volunteer without e-mail
    habits (issue 21): ``accounts.signin_links``. Only the SHA-256 digest of the link's random
    nonce is kept, never the link: whoever reads this table cannot sign in with it. Used once;
    a newer link, the end of the volunteering or a closed access revokes it."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="signin_links", verbose_name=_("compte")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    digest = models.CharField(_("empreinte"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("donné par")
    )
    created_at = models.DateTimeField(_("donné le"), default=timezone.now)
    expires_at = models.DateTimeField(_("valable jusqu'au"))
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("lien de connexion")
        verbose_name_plural = _("liens de connexion")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "organization"])]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%d/%m/%Y %H:%M}"
