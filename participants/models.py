import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ChoiceLabels
from accounts.models import Organization
from accounts.validators import validate_iban
from participants.validators import validate_national_number


def normalize(text: str) -> str:
    """Lower case without accents, for searching "Bénédicte" with "benedicte"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class Gender(models.TextChoices):
    F = "F", _("Femme")
    M = "M", _("Homme")
    X = "X", _("X (non binaire ou non précisé)")


class NationalityGroup(models.TextChoices):
    BE = "BE", _("Belge")
    EU = "EU", _("Union européenne")
    NON_EU = "non_EU", _("Hors Union européenne")


class EducationLevel(models.TextChoices):
    ISCED_0_2 = "isced_0_2", _("Au plus secondaire inférieur (CITE 0–2)")
    ISCED_3_4 = "isced_3_4", _("Secondaire supérieur (CITE 3–4)")
    ISCED_5_8 = "isced_5_8", _("Supérieur (CITE 5–8)")
    UNKNOWN = "unknown", _("Inconnu")


class IncomeKind(models.TextChoices):
    UNEMPLOYMENT = "unemployment", _("Allocations de chômage")
    RIS = "ris", _("Revenu d'intégration (CPAS)")
    RIS_EQUIVALENT = "ris_equivalent", _("Équivalent du revenu d'intégration (CPAS)")
    DISABILITY = "disability", _("Indemnités d'incapacité ou d'invalidité")
    NONE = "none", _("Aucun revenu de remplacement")
    OTHER = "other", _("Autre")


class Programme(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="programmes"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("nom"), max_length=200)
    funder = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="funded_programmes",
        null=True,
        blank=True,
        limit_choices_to={"kind": Organization.Kind.FUNDER},
        verbose_name=_("pouvoir subsidiant"),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    audit_until = models.DateField(
        _("fin de la période de contrôle"),
        null=True,
        blank=True,
        help_text=_(
            "Jusqu'à cette date, le pouvoir subsidiant peut contrôler les dossiers : personne "
            "ayant un parcours dans ce programme n'est anonymisé avant."
        ),
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="programme_code_unique"),
        ]

    def __str__(self):
        return self.name


class ImportBatch(models.Model):
    """One imported file: who, when, which file (by its fingerprint), what it created."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    participants_created = models.PositiveIntegerField()
    pathways_created = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("import de fichier")
        verbose_name_plural = _("imports de fichiers")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.filename} ({self.at:%d/%m/%Y %H:%M})"


class Participant(ChoiceLabels, models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="participants"
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    birth_date = models.DateField(_("date de naissance"))
    gender = models.CharField(_("genre"), max_length=1, choices=Gender.choices)
    national_number = models.CharField(
        _("numéro de registre national ou BIS"),
        max_length=11,
        blank=True,
        validators=[validate_national_number],
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    street = models.CharField(_("adresse"), max_length=200, blank=True)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    commune = models.CharField(
        _("commune"),
        max_length=100,
        blank=True,
        help_text=_("Déduite du code postal bruxellois ; modifiable."),
    )
    nationality_group = models.CharField(
        _("nationalité"), max_length=10, choices=NationalityGroup.choices
    )
    languages = models.CharField(
        _("langues parlées"), max_length=200, blank=True, help_text=_("Ex. : arabe, français")
    )
    education_level = models.CharField(
        _("niveau de diplôme"),
        max_length=10,
        choices=EducationLevel.choices,
        default=EducationLevel.UNKNOWN,
    )
    foreign_diploma_unrecognised = models.BooleanField(
        _("diplôme étranger non reconnu"), default=False
    )
    jobseeker_since = models.DateField(_("demandeur·euse d'emploi depuis"), null=True, blank=True)
    actiris_registered = models.BooleanField(_("inscrit·e chez Actiris"), default=False)
    iban = models.CharField(
        _("IBAN (défraiements)"), max_length=34, blank=True, validators=[validate_iban]
    )
    emergency_contact = models.CharField(
        _("personne de contact en cas d'urgence"), max_length=200, blank=True
    )
    # Someone hiding from violence: the address and commune are shown only to the roles the
    # organization names (Organization.address_roles), after a reason is given and logged.
    address_confidential = models.BooleanField(
        _("adresse confidentielle"),
        default=False,
        db_default=False,
        help_text=_(
            "Pour une personne qui se protège de violences : l'adresse et la commune ne sont "
            "montrées qu'aux rôles choisis par l'organisation, et jamais dans les listes, les "
            "exports, les documents imprimés ni aux partenaires."
        ),
    )
    gdpr_consent_on = models.DateField(_("consentement RGPD le"), null=True, blank=True)
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="caseload",
        verbose_name=_("conseiller·ère"),
    )
    search_text = models.TextField(editable=False, default="")
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("participant·e")
        verbose_name_plural = _("participant·es")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "national_number"],
                condition=~Q(national_number=""),
                name="participant_national_number_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "last_name", "first_name"]),
            models.Index(fields=["organization", "birth_date"]),
            # The list's count of the people shown, read from the index alone (the rows are
            # wide). The search's trigram index is PostgreSQL's own: migration 0004.
            models.Index(
                fields=["organization"],
                condition=Q(anonymised_at__isnull=True),
                name="participant_listed_idx",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        self.prepare()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        today = timezone.localdate()
        future = {
            name: _("Une date future n'est pas acceptée ici.")
            for name in ("birth_date", "jobseeker_since", "gdpr_consent_on")
            if getattr(self, name) and getattr(self, name) > today
        }
        if future:
            raise ValidationError(future)

    def prepare(self) -> None:
        """Derived and normalised fields, before ``save()`` and before a ``bulk_create()``."""
        self.national_number = "".join(c for c in self.national_number if c.isdigit())
        self.iban = self.iban.replace(" ", "").upper()
        if self.postcode and not self.commune:
            from participants.communes import commune_for

            self.commune = commune_for(self.postcode)
        phone_digits = "".join(c for c in self.phone if c.isdigit())
        self.search_text = normalize(
            f"{self.last_name} {self.first_name} {self.first_name} {self.last_name} "
            f"{self.national_number} {phone_digits}"
        )

    @property
    def age(self) -> int:
        from django.utils import timezone

        today, born = timezone.localdate(), self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def masked_national_number(self) -> str:
        """Enough to tell two people apart in a list, not enough to reuse the number."""
        if not self.national_number:
            return ""
        return "••.••.••-•" + self.national_number[-4:-2] + "." + self.national_number[-2:]


class IncomeSource(ChoiceLabels, models.Model):
    """The participant's income, with its dates: the indemnity rules depend on it on each day."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="income_sources"
    )
    kind = models.CharField(_("source de revenus"), max_length=20, choices=IncomeKind.choices)
    starts_on = models.DateField(_("depuis le"))
    ends_on = models.DateField(_("jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("source de revenus")
        verbose_name_plural = _("sources de revenus")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="income_source_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.starts_on:%d/%m/%Y})"


class NeedCategory(models.TextChoices):
    LANGUAGE = "language", _("Langue")
    MOBILITY = "mobility", _("Mobilité")
    CHILDCARE = "childcare", _("Garde d'enfants")
    HOUSING = "housing", _("Logement")
    HEALTH = "health", _("Santé")
    DIGITAL = "digital", _("Numérique")
    ADMINISTRATIVE = "administrative", _("Démarches administratives")
    FINANCIAL = "financial", _("Situation financière, dettes")
    CONFIDENCE = "confidence", _("Confiance en soi")
    QUALIFICATION = "qualification", _("Qualification")
    LEGAL = "legal", _("Juridique, séjour")
    OTHER = "other", _("Autre")


class Need(ChoiceLabels, models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="needs")
    category = models.CharField(_("besoin"), max_length=20, choices=NeedCategory.choices)
    identified_on = models.DateField(_("identifié le"))
    resolved_on = models.DateField(_("levé le"), null=True, blank=True)
    note = models.CharField(_("précision"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("besoin d'accompagnement")
        verbose_name_plural = _("besoins d'accompagnement")
        ordering = ["resolved_on", "-identified_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True)
                | Q(resolved_on__gte=models.F("identified_on")),
                name="need_dates_ordered",
            ),
        ]

    def __str__(self):
        return self.get_category_display()


class Phase(models.TextChoices):
    INTAKE = "intake", _("Accueil")
    DIAGNOSIS = "diagnosis", _("Diagnostic")
    ORIENTATION = "orientation", _("Orientation")
    TRAINING = "training", _("Formation")
    JOB_SEARCH = "job_search", _("Recherche d'emploi")
    WORKSITE = "worksite", _("Chantier")
    EMPLOYMENT_SUPPORT = "employment_support", _("Suivi dans l'emploi")


class ExitOutcome(models.TextChoices):
    JOB_PERMANENT = "job_permanent", _("Emploi CDI")
    JOB_FIXED_LONG = "job_fixed_long", _("CDD / intérim ≥ 6 mois")
    JOB_FIXED_SHORT = "job_fixed_short", _("CDD / intérim 1 à 6 mois")
    JOB_SUBSIDISED = "job_subsidised", _("Emploi aidé (article 60, économie sociale d'insertion)")
    SELF_EMPLOYED = "self_employed", _("Indépendant·e")
    TRAINING_QUALIFYING = "training_qualifying", _("Formation qualifiante")
    TRAINING_OTHER = "training_other", _("Autre formation (préformation, alpha, FLE, base)")
    STUDIES = "studies", _("Reprise d'études")
    REFERRED_ISP = "referred_isp", _("Réorientation vers un autre opérateur ISP")
    DROPPED_OUT = "dropped_out", _("Abandon")
    MOVED = "moved", _("Déménagement")
    HEALTH = "health", _("Raisons de santé")
    NO_NEWS = "no_news", _("Sans nouvelles")
    ENDED_BY_OPERATOR = "ended_by_operator", _("Fin à l'initiative de l'opérateur")
    OTHER = "other", _("Autre")


EMPLOYMENT_OUTCOMES = frozenset(
    {
        ExitOutcome.JOB_PERMANENT,
        ExitOutcome.JOB_FIXED_LONG,
        ExitOutcome.JOB_FIXED_SHORT,
        ExitOutcome.JOB_SUBSIDISED,
        ExitOutcome.SELF_EMPLOYED,
    }
)
TRAINING_OUTCOMES = frozenset(
    {ExitOutcome.TRAINING_QUALIFYING, ExitOutcome.TRAINING_OTHER, ExitOutcome.STUDIES}
)
# Positive = employment or training (DESIGN §3, the Bruxelles Formation sense). Never typed.
POSITIVE_OUTCOMES = EMPLOYMENT_OUTCOMES | TRAINING_OUTCOMES


class PathwayQuerySet(models.QuerySet):
    def open(self):
        return self.filter(ended_on__isnull=True)


class Pathway(ChoiceLabels, models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="pathways")
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="pathways", verbose_name=_("programme")
    )
    referred_by = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("envoyé·e par"),
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("conseiller·ère"),
    )
    started_on = models.DateField(_("début"))
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.INTAKE)
    ended_on = models.DateField(_("fin"), null=True, blank=True)
    exit_outcome = models.CharField(
        _("situation à la sortie"), max_length=30, choices=ExitOutcome.choices, blank=True
    )
    qualification_obtained = models.BooleanField(_("qualification obtenue"), default=False)
    job_searching_at_exit = models.BooleanField(
        _("en recherche d'emploi à la sortie"), null=True, blank=True
    )

    objects = PathwayQuerySet.as_manager()

    class Meta:
        verbose_name = _("parcours")
        verbose_name_plural = _("parcours")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "programme"],
                condition=Q(ended_on__isnull=True),
                name="pathway_one_open_per_programme",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="pathway_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, exit_outcome="")
                | (Q(ended_on__isnull=False) & ~Q(exit_outcome="")),
                name="pathway_exit_outcome_iff_ended",
            ),
        ]
        indexes = [models.Index(fields=["started_on", "ended_on"])]

    def __str__(self):
        return f"{self.programme} — {self.participant}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    @property
    def exit_is_positive(self) -> bool:
        return self.exit_outcome in POSITIVE_OUTCOMES


class PathwayTransition(ChoiceLabels, models.Model):
    """The log of a pathway's phase changes, closing and reopening: who, when, from, to, why."""

    class Kind(models.TextChoices):
        START = "start", _("ouverture")
        PHASE = "phase", _("changement de phase")
        CLOSE = "close", _("clôture")
        REOPEN = "reopen", _("réouverture")

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="transitions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)
    # Empty for a pathway imported from a file by the command line: the note names the file.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    from_phase = models.CharField(max_length=20, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=20, choices=Phase.choices, blank=True)
    exit_outcome = models.CharField(max_length=30, choices=ExitOutcome.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.from_phase}→{self.to_phase}"


class Confidentiality(models.TextChoices):
    NORMAL = "normal", _("Normale")
    RESTRICTED = "restricted", _("Confidentielle")


class PathwayEventQuerySet(models.QuerySet):
    def visible_to(self, user, membership):
        """Restricted notes: their author and members allowed to read them, nobody else."""
        if membership is not None and membership.can_read_restricted_notes:
            return self
        return self.filter(Q(confidentiality=Confidentiality.NORMAL) | Q(author=user))

    def shareable(self):
        """What may leave the record (exports, reports): never a restricted note."""
        return self.filter(confidentiality=Confidentiality.NORMAL)


class PathwayEvent(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("Entretien")
        GROUP_WORKSHOP = "group_workshop", _("Atelier collectif")
        REFERRAL = "referral", _("Orientation vers un partenaire")
        ADMIN_STEP = "admin_step", _("Démarche administrative")
        EMPLOYER_CONTACT = "employer_contact", _("Contact employeur")
        TRAINING = "training", _("Formation")
        OTHER = "other", _("Autre")

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="events")
    date = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.INTERVIEW)
    duration_minutes = models.PositiveIntegerField(_("durée (minutes)"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("auteur"),
    )
    text = models.TextField(_("note"))
    confidentiality = models.CharField(
        _("confidentialité"),
        max_length=10,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAL,
        help_text=_(
            "Confidentielle : lisible seulement par vous et les collègues autorisé·es "
            "(jamais dans les exports, les rapports ni chez les partenaires)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PathwayEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement du parcours")
        verbose_name_plural = _("événements du parcours")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"

    @property
    def is_restricted(self) -> bool:
        return self.confidentiality == Confidentiality.RESTRICTED


class Goal(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("En cours")
        DONE = "done", _("Atteint")
        DROPPED = "dropped", _("Abandonné")

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(_("objectif"), max_length=300)
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["status", "due_on", "pk"]

    def __str__(self):
        return self.text


class FollowUp(ChoiceLabels, models.Model):
    """The news taken 3, 6 and 12 months after a pathway's end (created at exit)."""

    class Situation(models.TextChoices):
        EMPLOYED = "employed", _("En emploi")
        TRAINING = "training", _("En formation")
        JOB_SEEKING = "job_seeking", _("En recherche d'emploi")
        INACTIVE = "inactive", _("Inactif·ve")
        UNKNOWN = "unknown", _("Inconnue")

    MONTHS = (3, 6, 12)

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(_("mois après la sortie"))
    due_on = models.DateField(_("à faire le"))
    done_on = models.DateField(_("fait le"), null=True, blank=True)
    situation = models.CharField(
        _("situation"), max_length=20, choices=Situation.choices, blank=True
    )
    improved = models.BooleanField(_("situation améliorée"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("suivi après la sortie")
        verbose_name_plural = _("suivis après la sortie")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "months"], name="follow_up_unique"),
        ]

    def __str__(self):
        return f"+{self.months}"


class AddressReveal(models.Model):
    """One showing of a confidential address: who, when, why (DESIGN §6 "Privacy")."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="address_reveals"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("utilisateur"),
    )
    at = models.DateTimeField(_("date et heure"), auto_now_add=True)
    reason = models.CharField(_("raison"), max_length=300)

    class Meta:
        verbose_name = _("consultation d'une adresse confidentielle")
        verbose_name_plural = _("consultations d'adresses confidentielles")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} #{self.participant_id}"


# --- Trainings followed and certifications obtained (issue 20, point 3) ---------------------

HOURS_MAX = 2000  # a year of full-time training, and more: a typing slip beyond it


class NotedBy(models.Model):
    """Who noted a training or a certification: a member of the operator's team, or of the
    partner that gave the training or issued the certification."""

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("noté par"),
    )
    recorded_by_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("noté par l'organisation"),
    )
    created_at = models.DateTimeField(_("noté le"), auto_now_add=True)

    class Meta:
        abstract = True


class Training(ChoiceLabels, NotedBy):
    """A training the person followed or will follow: who gives it, its dates and hours. Noted by
    the counsellor, or by the partner that gives it (``recorded_by_organization``)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        ONGOING = "ongoing", _("En cours")
        COMPLETED = "completed", _("Terminée")
        ABANDONED = "abandoned", _("Abandonnée")

    # What has begun: its start is not in the future; what has ended: its end neither.
    STARTED = frozenset({Status.ONGOING, Status.COMPLETED, Status.ABANDONED})
    ENDED = frozenset({Status.COMPLETED, Status.ABANDONED})

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="trainings")
    title = models.CharField(_("intitulé"), max_length=200)
    provider = models.CharField(
        _("organisme de formation"),
        max_length=200,
        help_text=_("Rempli avec le nom du partenaire choisi ci-dessous quand il est laissé vide."),
    )
    provider_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partenaire qui la donne"),
        help_text=_("Quand l'organisme est un partenaire connu de l'application."),
    )
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    hours_planned = models.DecimalField(
        _("heures prévues"), max_digits=6, decimal_places=2, default=0
    )
    hours_done = models.DecimalField(_("heures suivies"), max_digits=6, decimal_places=2, default=0)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )

    class Meta:
        verbose_name = _("formation")
        verbose_name_plural = _("formations")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="training_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(hours_planned__gte=0, hours_planned__lte=HOURS_MAX)
                & Q(hours_done__gte=0, hours_done__lte=HOURS_MAX),
                name="training_hours_bounded",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(ends_on__isnull=False),
                name="training_completed_has_end",
            ),
        ]

    def __str__(self):
        return self.title


class Certification(ChoiceLabels, NotedBy):
    """What the person obtained: a diploma, a certificate, a licence, an attestation of skills."""

    class Kind(models.TextChoices):
        # In a context: "Diplôme" alone is the education level's label ("Education" in English).
        DIPLOMA = "diploma", pgettext_lazy("certification kind", "Diplôme")
        CERTIFICATE = "certificate", _("Certificat")
        LICENCE = "licence", _("Permis / licence")
        SKILL_ATTESTATION = "skill_attestation", _("Attestation de compétences")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="certifications"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    obtained_on = models.DateField(_("obtenu le"))
    issuing_body = models.CharField(
        _("délivré par"),
        max_length=200,
        help_text=_("Rempli avec l'organisme de la formation choisie quand il est laissé vide."),
    )
    training = models.ForeignKey(
        Training,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certifications",
        verbose_name=_("à l'issue de la formation"),
    )

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["-obtained_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.title}"
