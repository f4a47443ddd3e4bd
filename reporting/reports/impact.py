"""Impact report of a cohort: profile at entry, attendance regularity, needs lifted, outcomes at
exit and 3, 6 and 12 months later.

Parameters: ``{"programme": code, "year": 2025}`` (the pathways of the programme started that
year) or ``{"chantier": code}`` (the people who worked in the chantier's group); exactly one.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from participants.models import EducationLevel, ExitOutcome, FollowUp, Gender
from reporting.document import (
    Chart,
    Column,
    Document,
    KeyFigure,
    KeyFigures,
    Section,
    Table,
    Text,
)
from reporting.indicators.common import rate
from reporting.indicators.impact import (
    ImpactFigures,
    age_labels,
    cohort_for_chantier,
    cohort_for_programme,
    cohort_listing,
    impact_figures,
    income_labels,
    jobseeking_labels,
    regularity_labels,
)
from reporting.reports import Progress, ReportParameterError
from reporting.reports.common import (
    chantier_life,
    chantier_param,
    outcomes_blocks,
    period_label,
    programme_param,
    pseudonym,
    share_table,
    standing,
    standing_labels,
    year_param,
)
from reporting.reports.definitions import definitions_section


def _follow_up_blocks(figures: ImpactFigures) -> list:
    situations = FollowUp.Situation.choices
    columns = [Column(_("Situation"))] + [
        Column(_("+%(months)s mois") % {"months": row.months}, "int") for row in figures.follow_ups
    ]
    rows = [
        [str(label), *[row.by_situation[key] for row in figures.follow_ups]]
        for key, label in situations
    ]
    rows.append([_("Suivis réalisés"), *[row.done for row in figures.follow_ups]])
    rows.append([_("Pas encore échus"), *[row.not_yet_due for row in figures.follow_ups]])
    rows.append([_("Échus mais pas réalisés"), *[row.missing for row in figures.follow_ups]])
    return [
        Table(
            title=_("Situation 3, 6 et 12 mois après la sortie"),
            columns=columns,
            rows=rows,
            note=_(
                "Personnes, d'après les suivis réalisés. Un suivi échu mais pas réalisé n'est "
                "compté ni comme un succès ni comme un échec."
            ),
        ),
        Chart(
            title=_("Situation après la sortie (suivis réalisés)"),
            categories=[str(label) for _key, label in situations],
            series=[
                (
                    _("+%(months)s mois") % {"months": row.months},
                    [row.by_situation[key] for key, _label in situations],
                )
                for row in figures.follow_ups
            ],
        ),
    ]


def impact_sections(figures: ImpactFigures) -> list[Section]:
    total = figures.persons
    if not total:
        # Said in one sentence, not five pages of zeros and "—".
        return [
            Section(
                _("La cohorte"),
                [Text(_("Aucune personne dans cette cohorte : il n'y a rien à mesurer."))],
            )
        ]
    profile = Section(
        _("Profil à l'entrée"),
        [
            KeyFigures([KeyFigure(_("Personnes de la cohorte"), total)]),
            share_table(_("Genre"), figures.gender, total, _("Genre")),
            share_table(
                _("Âge à l'entrée"),
                figures.age,
                total,
                _("Âge"),
                _("Âge le jour du début du premier parcours de la cohorte."),
            ),
            Chart(
                title=_("Personnes de la cohorte par âge à l'entrée"),
                categories=[share.label for share in figures.age],
                series=[(_("Personnes"), [share.count for share in figures.age])],
            ),
            share_table(_("Niveau de diplôme"), figures.education, total, _("Niveau")),
            share_table(
                _("Durée de recherche d'emploi à l'entrée"), figures.jobseeking, total, _("Durée")
            ),
            share_table(
                _("Source de revenus à l'entrée"), figures.income, total, _("Source de revenus")
            ),
        ],
    )
    regularity = Section(
        _("Assiduité aux chantiers"),
        [
            share_table(
                _("Personnes selon leur taux de présence"),
                figures.regularity,
                total,
                _("Taux de présence"),
                _(
                    "Taux personnel : présences (présent·e, en retard, parti·e plus tôt) sur "
                    "toutes ses présences enregistrées aux séances tenues."
                ),
            ),
            Chart(
                title=_("Assiduité"),
                categories=[share.label for share in figures.regularity],
                series=[(_("Personnes"), [share.count for share in figures.regularity])],
            ),
        ],
    )
    needs = Section(
        _("Besoins d'accompagnement"),
        [
            Table(
                title=_("Besoins identifiés pendant le parcours et levés"),
                columns=[
                    Column(_("Besoin")),
                    Column(_("Identifiés"), "int"),
                    Column(_("Levés"), "int"),
                    Column(_("Part levée"), "percent"),
                ],
                rows=[
                    [row.label, row.identified, row.resolved, row.resolved_rate]
                    for row in figures.needs
                ],
                footer=[
                    _("Total"),
                    sum(row.identified for row in figures.needs),
                    sum(row.resolved for row in figures.needs),
                    rate(
                        sum(row.resolved for row in figures.needs),
                        sum(row.identified for row in figures.needs),
                    ),
                ],
            )
        ],
    )
    return [
        profile,
        regularity,
        needs,
        Section(_("Sorties"), outcomes_blocks(figures.outcomes, people=_("de la cohorte"))),
        Section(_("Après la sortie"), _follow_up_blocks(figures)),
    ]


def people_listing(rows: list[dict]) -> Table:
    """The persons behind the figures, pseudonymous (the impact report never names anyone)."""
    labels = {  # translated once, not once per row
        key: {code: str(label) for code, label in choices}
        for key, choices in (
            ("gender", Gender.choices),
            ("age_band", age_labels()),
            ("education_level", EducationLevel.choices),
            ("seeking_band", jobseeking_labels()),
            ("income_kind", income_labels()),
            ("regularity", regularity_labels()),
            ("exit_outcome", ExitOutcome.choices),
        )
    }

    def label(row, key):
        return labels[key].get(row[key], "") if row[key] else ""

    standings = standing_labels()  # translated once, not once per row

    return Table(
        title=_("Personnes de la cohorte"),
        columns=[
            Column(_("Personne")),
            Column(_("Genre")),
            Column(_("Entrée"), "date"),
            Column(_("Âge à l'entrée")),
            Column(_("Niveau de diplôme")),
            Column(_("Recherche d'emploi à l'entrée")),
            Column(_("Source de revenus à l'entrée")),
            Column(_("Présences enregistrées"), "int"),
            Column(_("dont présent·e"), "int"),
            Column(_("Assiduité")),
            Column(_("Parcours aujourd'hui")),
            Column(_("Dernière sortie"), "date"),
            Column(_("Situation à la sortie")),
        ],
        rows=[
            [
                pseudonym(row["pk"]),
                label(row, "gender"),
                row["entry_on"],
                label(row, "age_band"),
                label(row, "education_level"),
                label(row, "seeking_band"),
                label(row, "income_kind"),
                row["marks_recorded"],
                row["marks_present"],
                label(row, "regularity"),
                standing(standings, is_open=row["is_open"], exited=bool(row["exit_on"])),
                row["exit_on"],
                label(row, "exit_outcome"),
            ]
            for row in rows
        ],
    )


def build(*, organization: Organization, parameters: dict, progress: Progress) -> Document:
    today = timezone.localdate()
    if ("programme" in parameters) == ("chantier" in parameters):
        raise ReportParameterError(
            _("Choisissez soit un programme et une année, soit un chantier (pas les deux).")
        )
    if "programme" in parameters:
        programme = programme_param(organization=organization, parameters=parameters)
        year = year_param(parameters=parameters, today=today)
        cohort = cohort_for_programme(organization=organization, programme=programme, year=year)
        period = _("Cohorte %(year)s") % {"year": year}
        shown = [(_("Programme"), f"{programme.name} ({programme.code})"), (_("Année"), str(year))]
    else:
        chantier = chantier_param(organization=organization, parameters=parameters)
        cohort = cohort_for_chantier(organization=organization, chantier=chantier, today=today)
        period = period_label(chantier_life(chantier, today))
        shown = [(_("Chantier"), f"{chantier.name} ({chantier.code})")]

    progress(10, _("Indicateurs d'impact"))
    figures = impact_figures(cohort=cohort, today=today)
    progress(60, _("Liste des personnes"))
    listing = people_listing(cohort_listing(cohort=cohort))
    progress(80, _("Mise en page"))
    document = Document(
        kind="impact",
        title=_("Rapport d'impact"),
        organization_name=organization.name,
        period_label=period,
        parameters=[*shown, (_("Cohorte"), cohort.label)],
        sections=impact_sections(figures),
        listings=[listing],
    )
    document.sections.append(
        definitions_section(
            "impact", period_label=document.period_label, parameters=document.parameters
        )
    )
    return document
