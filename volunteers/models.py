from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import ChoiceLabels
from accounts.models import Organization
from participants.models import Need, NeedCategory, Participant


class Volunteer(models.Model):
    """A volunteer of the organisation. The person is a ``Participant`` record (the minimal
    data: name, birth date, contact, IBAN, income source) that may have no pathway — or one:
    a participant who volunteers too is the same record, so the ceilings of their year are
    shared by their chantier and their volunteering (one person, one year)."""

    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="volunteer"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    since = models.DateField(_("bénévole depuis"))
    activity = models.CharField(
        _("activité"),
        max_length=200,
        help_text=_("Ce que fait la personne, par exemple « relais de quartier »."),
    )
    # The log-in of the volunteer (role ``volunteer``), once invited: they see their own
    # sheets and balance, nothing else.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer_records",
    )
    ended_on = models.DateField(_("fin du bénévolat"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bénévole")
        verbose_name_plural = _("bénévoles")
        ordering = ["participant__last_name", "participant__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="volunteer_one_record_per_account"
            ),
        ]

    def __str__(self):
        return str(self.participant)


class PlaceMixin:
    """Where a record happened: its contact point (``contact_point``), else the place typed
    (``place``) — an outreach action, a shift of the rota."""

    @property
    def where(self) -> str:
        return self.contact_point.name if self.contact_point_id else self.place


class ContactPoint(ChoiceLabels, models.Model):
    """Where the relays meet the neighbourhood: a fixed place with its opening hours, or a
    mobile one (a route, a stand at the market)."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Point fixe")
        MOBILE = "mobile", _("Point mobile")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("nom"), max_length=120)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.FIXED)
    place = models.CharField(
        _("lieu ou parcours"),
        max_length=300,
        help_text=_("L'adresse d'un point fixe ; le parcours ou l'emplacement d'un point mobile."),
    )
    opening_hours = models.CharField(
        _("heures de présence"),
        max_length=200,
        blank=True,
        help_text=_("Par exemple « mardi et jeudi, 14 h – 17 h »."),
    )
    is_active = models.BooleanField(_("en activité"), default=True)

    class Meta:
        verbose_name = _("point de contact")
        verbose_name_plural = _("points de contact")
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="contact_point_name_unique"
            ),
        ]

    def __str__(self):
        return self.name


class OutreachActivity(PlaceMixin, models.Model):
    """An outreach action (travail de rue, permanence, stand): who went, how many people were
    met, counted without a name (gender and age band), and what they talked about."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    contact_point = models.ForeignKey(
        ContactPoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("point de contact"),
    )
    place = models.CharField(
        _("autre lieu"), max_length=200, blank=True, help_text=_("Sans point de contact.")
    )
    volunteers = models.ManyToManyField(
        Volunteer, blank=True, related_name="outreach", verbose_name=_("bénévoles présent·es")
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("équipe présente"),
    )
    people_met = models.PositiveIntegerField(_("personnes rencontrées"))
    women = models.PositiveIntegerField(_("femmes"), default=0)
    men = models.PositiveIntegerField(_("hommes"), default=0)
    under_25 = models.PositiveIntegerField(_("moins de 25 ans"), default=0)
    from_25_to_54 = models.PositiveIntegerField(_("25 à 54 ans"), default=0)
    from_55 = models.PositiveIntegerField(_("55 ans et plus"), default=0)
    # The needs taxonomy's categories (participants.NeedCategory) talked about.
    themes = models.JSONField(_("thèmes abordés"), default=list, blank=True)
    note = models.TextField(_("remarques"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action de proximité")
        verbose_name_plural = _("actions de proximité")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(women__lte=models.F("people_met") - models.F("men")),
                name="outreach_genders_within_people_met",
            ),
            models.CheckConstraint(
                condition=Q(
                    under_25__lte=models.F("people_met")
                    - models.F("from_25_to_54")
                    - models.F("from_55")
                ),
                name="outreach_ages_within_people_met",
            ),
        ]
        indexes = [models.Index(fields=["organization", "date"])]

    def __str__(self):
        return f"{self.where} {self.date:%d/%m/%Y}"


class Signal(ChoiceLabels, models.Model):
    """A situation a relay noticed (a neighbour isolated, an eviction coming): raised by a
    volunteer or the team, anonymous or about a person followed here, taken up by a counsellor,
    who turns it into an intake or a need and closes it. The relay sees where it stands, never
    the person's file."""

    class Urgency(models.TextChoices):
        LOW = "low", _("Pas pressé")
        NORMAL = "normal", _("Dans la semaine")
        URGENT = "urgent", _("Urgent")

    class Status(models.TextChoices):
        OPEN = "open", _("Reçu")
        TAKEN_UP = "taken_up", _("Pris en charge")
        CLOSED = "closed", _("Clôturé")

    class Outcome(models.TextChoices):
        INTAKE = "intake", _("Accueilli·e : un accompagnement commence")
        NEED = "need", _("Besoin noté dans l'accompagnement en cours")
        REFERRED = "referred", _("Orienté·e vers un autre service")
        NOT_REACHED = "not_reached", _("Personne pas jointe")
        NOTHING = "nothing", _("Pas de suite nécessaire")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        Volunteer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signals",
        verbose_name=_("relais"),
    )
    raised_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_on = models.DateField(_("date"))
    contact_point = models.ForeignKey(
        ContactPoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("point de contact"),
    )
    # Anonymous unless the person is followed here and agreed to be named.
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signals",
        verbose_name=_("personne suivie"),
    )
    need_category = models.CharField(_("besoin"), max_length=20, choices=NeedCategory.choices)
    urgency = models.CharField(
        _("urgence"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.TextField(
        _("situation"),
        help_text=_(
            "Ce qu'il faut savoir pour agir, sans plus : pas de nom si la personne n'a pas "
            "donné son accord."
        ),
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default="open")
    taken_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pris en charge par"),
    )
    taken_up_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    outcome = models.CharField(_("suite"), max_length=12, choices=Outcome.choices, blank=True)
    need = models.ForeignKey(
        Need, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("clôturé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed", outcome__gt="")
                | (~Q(status="closed") & Q(outcome="")),
                name="signal_closed_with_outcome",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self):
        return f"{self.get_need_category_display()} {self.raised_on:%d/%m/%Y}"


class Shift(PlaceMixin, models.Model):
    """A shift of the rota (issue 21, point 4): a place, a role (reception, night watch, street
    round), a start and an end — a night shift may cross midnight, never more than 24 h — and how
    many people it needs, staff or volunteers, who sign up or are assigned. Cancelled, it stays
    on the rota with the people who were on it."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    contact_point = models.ForeignKey(
        ContactPoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("point de contact"),
    )
    place = models.CharField(_("lieu"), max_length=120, blank=True)
    role = models.CharField(
        _("rôle"), max_length=80, help_text=_("Par exemple « Accueil », « Veille de nuit »…")
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    needed = models.PositiveSmallIntegerField(_("personnes nécessaires"))
    note = models.CharField(_("remarque"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("créneau")
        verbose_name_plural = _("créneaux")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(needed__gte=1), name="shift_needs_someone"),
        ]
        indexes = [models.Index(fields=["organization", "starts_at"])]

    def __str__(self):
        return f"{self.role} {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"


class ShiftAssignment(ChoiceLabels, models.Model):
    """Someone on a shift (an « inscription »): a member of the staff or a volunteer of the
    organisation, signed up by themselves or assigned by the coordination. Once the shift is
    done, a volunteer declares its hours on a service sheet, which it then names."""

    class How(models.TextChoices):
        SELF = "self", _("Inscription")
        ASSIGNED = "assigned", _("Affectation par la coordination")

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, null=True, blank=True, related_name="shifts"
    )
    how = models.CharField(max_length=10, choices=How.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The service sheet the hours went into (a volunteer's, once declared).
    # Several shifts of one day go on that day's one sheet (one sheet per person per day).
    sheet = models.ForeignKey(
        "chantiers.ServiceSheet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shift_assignments",
    )

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, volunteer__isnull=True)
                | Q(user__isnull=True, volunteer__isnull=False),
                name="shift_assignment_one_person",
            ),
            models.UniqueConstraint(fields=["shift", "user"], name="shift_assignment_user_once"),
            models.UniqueConstraint(
                fields=["shift", "volunteer"], name="shift_assignment_volunteer_once"
            ),
        ]

    def __str__(self):
        return f"{self.shift_id}: {self.user_id or ''}{self.volunteer_id or ''}"


class RotaFeed(models.Model):
    """A member's rota as a calendar feed in one organization (as ``agenda.CalendarFeed``): its
    address carries a signature of ``key``; a new key, or deleting the row, revokes it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    renewed_at = models.DateTimeField(auto_now=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_rota_feed"),
        ]

    def __str__(self):
        return f"{self.user_id}@{self.organization_id}"
