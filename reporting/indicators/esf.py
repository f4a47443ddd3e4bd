"""ESF+ participant indicators (DESIGN §5): per programme and period, by gender.

Three aggregate queries whatever the number of people: one for the situation at entry, one at
exit, one six months after exit. Every cell counts *distinct participants*: a person with two
pathways of the programme in the period is one person. A person has one gender, so the total
column is the sum of the three gender columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from accounts.models import Organization
from participants.models import (
    EMPLOYMENT_OUTCOMES,
    TRAINING_OUTCOMES,
    EducationLevel,
    FollowUp,
    Gender,
    NationalityGroup,
    Programme,
)
from reporting.indicators.common import Period, completed_months, pathways_of

GENDERS = (Gender.F, Gender.M, Gender.X)

# Long-term unemployed: job seeker for at least 12 months on the pathway's start (DESIGN §5).
LONG_TERM_MONTHS = 12


@dataclass
class EsfRow:
    key: str
    label: str
    # F, M, X → count; None when the figure is not collected (never an invented zero).
    by_gender: dict[str, int | None]
    note: str = ""

    @property
    def total(self) -> int | None:
        if any(value is None for value in self.by_gender.values()):
            return None
        return sum(self.by_gender.values())

    def cells(self) -> list[int | None]:
        return [self.by_gender[gender] for gender in GENDERS] + [self.total]


@dataclass
class EsfIndicators:
    programme: Programme
    period: Period
    as_of: date  # follow-ups due after this day are "not yet due"
    entry: list[EsfRow] = field(default_factory=list)
    exit: list[EsfRow] = field(default_factory=list)
    six_months: list[EsfRow] = field(default_factory=list)

    def row(self, key: str) -> EsfRow:
        for row in (*self.entry, *self.exit, *self.six_months):
            if row.key == key:
                return row
        raise KeyError(key)


def _rows(grouped: list[dict], cells: list[tuple[str, str]]) -> list[EsfRow]:
    """Turn ``values(gender).annotate(cell=...)`` rows into one EsfRow per cell."""
    by_gender = {row["gender"]: row for row in grouped}
    return [
        EsfRow(
            key=key,
            label=label,
            by_gender={gender: (by_gender.get(gender) or {}).get(key, 0) for gender in GENDERS},
        )
        for key, label in cells
    ]


def _person(condition: Q | None = None) -> Count:
    return Count("participant", distinct=True, filter=condition)


def esf_entry(*, organization: Organization, programme: Programme, period: Period) -> list[EsfRow]:
    """People whose pathway of the programme started in the period, as they were on that day."""
    since = "participant__jobseeker_since"
    jobseeker = Q(participant__jobseeker_since__isnull=False) & Q(
        participant__jobseeker_since__lte=F("started_on")
    )
    age_months = completed_months("participant__birth_date", "started_on")
    grouped = list(
        pathways_of(organization=organization, programme=programme)
        .filter(started_on__range=(period.start, period.end))
        .annotate(
            jobseeking_months=completed_months(since, "started_on"),
            age_months=age_months,
        )
        .values(gender=F("participant__gender"))
        .annotate(
            entrants=_person(),
            unemployed=_person(jobseeker),
            long_term_unemployed=_person(jobseeker & Q(jobseeking_months__gte=LONG_TERM_MONTHS)),
            inactive=_person(~jobseeker),
            under_18=_person(Q(age_months__lt=18 * 12)),
            age_18_29=_person(Q(age_months__gte=18 * 12, age_months__lt=30 * 12)),
            age_55_plus=_person(Q(age_months__gte=55 * 12)),
            isced_0_2=_person(Q(participant__education_level=EducationLevel.ISCED_0_2)),
            isced_3_4=_person(Q(participant__education_level=EducationLevel.ISCED_3_4)),
            isced_5_8=_person(Q(participant__education_level=EducationLevel.ISCED_5_8)),
            isced_unknown=_person(Q(participant__education_level=EducationLevel.UNKNOWN)),
            third_country=_person(Q(participant__nationality_group=NationalityGroup.NON_EU)),
        )
        .order_by()
    )
    rows = _rows(
        grouped,
        [
            ("entrants", _("Participant·es entré·es dans la période")),
            ("unemployed", _("Chômeur·euses (demandeur·euses d'emploi)")),
            ("long_term_unemployed", _("dont chômeur·euses de longue durée (≥ 12 mois)")),
            ("inactive", _("Inactif·ves (pas demandeur·euses d'emploi)")),
        ],
    )
    rows.append(
        EsfRow(
            key="employed",
            label=_("Personnes exerçant un emploi"),
            by_gender=dict.fromkeys(GENDERS),
            note=_(
                "Non collecté : l'application n'enregistre pas de situation d'emploi à l'entrée."
            ),
        )
    )
    rows += _rows(
        grouped,
        [
            ("under_18", _("Moins de 18 ans")),
            ("age_18_29", _("18 à 29 ans")),
            ("age_55_plus", _("55 ans et plus")),
            ("isced_0_2", _("Au plus secondaire inférieur (CITE 0–2)")),
            ("isced_3_4", _("Secondaire supérieur (CITE 3–4)")),
            ("isced_5_8", _("Supérieur (CITE 5–8)")),
            ("isced_unknown", _("Niveau de diplôme inconnu")),
            ("third_country", _("Ressortissant·es de pays tiers (hors UE)")),
        ],
    )
    return rows


def esf_exit(*, organization: Organization, programme: Programme, period: Period) -> list[EsfRow]:
    """People whose pathway of the programme ended in the period, as they left."""
    grouped = list(
        pathways_of(organization=organization, programme=programme)
        .filter(ended_on__range=(period.start, period.end))
        .values(gender=F("participant__gender"))
        .annotate(
            leavers=_person(),
            job_searching=_person(Q(job_searching_at_exit=True)),
            education_training=_person(Q(exit_outcome__in=TRAINING_OUTCOMES)),
            qualification=_person(Q(qualification_obtained=True)),
            employment=_person(Q(exit_outcome__in=EMPLOYMENT_OUTCOMES)),
        )
        .order_by()
    )
    return _rows(
        grouped,
        [
            ("leavers", _("Participant·es sorti·es dans la période")),
            ("job_searching", _("En recherche d'emploi à la sortie")),
            ("education_training", _("Suivant un enseignement ou une formation à la sortie")),
            ("qualification", _("Ayant obtenu une qualification à la sortie")),
            ("employment", _("Exerçant un emploi à la sortie")),
        ],
    )


def esf_six_months(
    *, organization: Organization, programme: Programme, period: Period, as_of: date
) -> list[EsfRow]:
    """The +6 months follow-up of the pathways that ended in the period.

    Only a done follow-up says something: one due but not done is counted apart as "missing",
    never as a failure nor as a success; one not yet due (after ``as_of``) likewise apart.
    """
    pathways = pathways_of(organization=organization, programme=programme).filter(
        ended_on__range=(period.start, period.end)
    )
    done = Q(done_on__isnull=False)
    pending = Q(done_on__isnull=True)

    def person(condition: Q) -> Count:
        return Count("pathway__participant", distinct=True, filter=condition)

    grouped = list(
        FollowUp.objects.filter(months=6, pathway__in=pathways)
        .values(gender=F("pathway__participant__gender"))
        .annotate(
            six_done=person(done),
            six_employed=person(done & Q(situation=FollowUp.Situation.EMPLOYED)),
            six_improved=person(done & Q(improved=True)),
            six_missing=person(pending & Q(due_on__lte=as_of)),
            six_not_yet_due=person(pending & Q(due_on__gt=as_of)),
        )
        .order_by()
    )
    return _rows(
        grouped,
        [
            ("six_done", _("Suivis à 6 mois réalisés")),
            ("six_employed", _("Exerçant un emploi six mois après la sortie")),
            ("six_improved", _("Situation améliorée six mois après la sortie")),
            ("six_missing", _("Suivis à 6 mois échus mais pas réalisés (ni succès ni échec)")),
            ("six_not_yet_due", _("Suivis à 6 mois pas encore échus")),
        ],
    )


def esf_indicators(
    *, organization: Organization, programme: Programme, period: Period, as_of: date
) -> EsfIndicators:
    """The three ESF+ tables of a programme for a period, in three queries."""
    return EsfIndicators(
        programme=programme,
        period=period,
        as_of=as_of,
        entry=esf_entry(organization=organization, programme=programme, period=period),
        exit=esf_exit(organization=organization, programme=programme, period=period),
        six_months=esf_six_months(
            organization=organization, programme=programme, period=period, as_of=as_of
        ),
    )
