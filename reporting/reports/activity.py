"""The annual activity report ("rapport d'activités") of an operator: DESIGN §5 for a year."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from participants.grid import Presence
from participants.models import (
    POSITIVE_OUTCOMES,
    EducationLevel,
    ExitOutcome,
    Gender,
    NeedCategory,
)
from partners.models import EmployerContact, Matching, Referral
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
from reporting.indicators import activity, appointments, trainings, volunteers, workshops
from reporting.indicators.chantiers import (
    ZERO,
    chantier_figures,
    indemnities_paid,
    statements_paid,
)
from reporting.indicators.common import Period, rate
from reporting.render.formats import format_value
from reporting.reports import Progress
from reporting.reports.common import chantier_cells, chantier_columns, pseudonym, year_param
from reporting.reports.definitions import definitions_section


def _yes_no(value: bool) -> str:
    return _("oui") if value else _("non")


def _labels(choices) -> dict[str, str]:
    return {code: str(label) for code, label in choices}


def _breakdown_table(
    title: str, heading: str, rows, total: int, counted: str | None = None
) -> Table:
    """``BreakdownRow``s with their share of ``total``; ``counted`` names what they count
    (persons, unless told)."""
    return Table(
        title=title,
        columns=[
            Column(heading),
            Column(counted or _("Personnes"), "int"),
            Column(_("Part"), "percent"),
        ],
        rows=[[row.label, row.count, rate(row.count, total)] for row in rows],
        footer=[_("Total"), total, rate(total, total)],
    )


def _key_figures(headline, paid) -> KeyFigures:
    target_note = (
        _("objectif : %(target)s") % {"target": format_value(headline.target, "int")}
        if headline.target
        else ""
    )
    return KeyFigures(
        [
            KeyFigure(
                _("Personnes accompagnées"), headline.persons_accompanied, "int", target_note
            ),
            KeyFigure(_("dont nouvelles personnes"), headline.new),
            KeyFigure(
                _("Atteinte de l'objectif annuel"),
                headline.target_attainment,
                "percent",
                target_note,
            ),
            KeyFigure(_("Personnes sorties"), headline.exits),
            KeyFigure(_("Sorties positives (emploi ou formation)"), headline.positive_exits),
            KeyFigure(
                _("Taux de sorties positives"),
                headline.positive_exit_rate,
                "percent",
                _("sur %(n)s personnes accompagnées")
                % {"n": format_value(headline.persons_accompanied, "int")},
            ),
            KeyFigure(
                _("Sorties positives parmi les sorties"),
                headline.positive_over_exits,
                "percent",
                _("sur %(n)s personnes sorties") % {"n": format_value(headline.exits, "int")},
            ),
            KeyFigure(_("Défraiements payés"), paid, "money"),
        ]
    )


def _trend_section(years) -> Section:
    return Section(
        _("Évolution sur cinq ans"),
        [
            Table(
                title=_("Personnes accompagnées et sorties positives par année"),
                columns=[
                    Column(_("Année")),
                    Column(_("Personnes accompagnées"), "int"),
                    Column(_("Sorties positives"), "int"),
                    Column(_("Taux de sorties positives"), "percent"),
                ],
                rows=[
                    [str(t.year), t.persons_accompanied, t.positive_exits, t.positive_exit_rate]
                    for t in years
                ],
            ),
            Chart(
                title=_("Évolution sur cinq ans"),
                categories=[str(t.year) for t in years],
                series=[
                    (_("Personnes accompagnées"), [t.persons_accompanied for t in years]),
                    (_("Sorties positives"), [t.positive_exits for t in years]),
                ],
                style="line",
            ),
        ],
    )


def _profile_section(breakdowns, total: int, year: int) -> Section:
    if not total:
        return Section(
            _("Profil des personnes accompagnées"),
            [Text(_("Aucune personne accompagnée en %(year)s.") % {"year": year})],
        )
    return Section(
        _("Profil des personnes accompagnées"),
        [
            _breakdown_table(_("Genre"), _("Genre"), breakdowns.gender, total),
            Chart(
                title=_("Personnes accompagnées par genre"),
                categories=[row.label for row in breakdowns.gender],
                series=[(_("Personnes"), [row.count for row in breakdowns.gender])],
            ),
            _breakdown_table(
                _("Âge au 31 décembre"), _("Tranche d'âge"), breakdowns.age_band, total
            ),
            Chart(
                title=_("Personnes accompagnées par âge au 31 décembre"),
                categories=[row.label for row in breakdowns.age_band],
                series=[(_("Personnes"), [row.count for row in breakdowns.age_band])],
            ),
            _breakdown_table(
                _("Niveau de diplôme"), _("Niveau de diplôme"), breakdowns.education, total
            ),
            _breakdown_table(
                _("Durée de recherche d'emploi à l'entrée en parcours"),
                _("Durée"),
                breakdowns.jobseeking,
                total,
            ),
            _breakdown_table(_("Commune"), _("Commune"), breakdowns.commune, total),
            _breakdown_table(
                _("Source de revenus"), _("Source de revenus"), breakdowns.income, total
            ),
        ],
    )


def _exits_section(exits, year: int) -> Section:
    if not exits.exits:
        return Section(
            _("Sorties par situation"),
            [Text(_("Aucune sortie de parcours en %(year)s.") % {"year": year})],
        )
    groups = dict(activity.outcome_groups())
    by_group = dict.fromkeys(groups, 0)
    for row in exits.rows:
        by_group[row.group] += row.exits
    return Section(
        _("Sorties par situation"),
        [
            Table(
                title=_("Sorties de l'année par situation à la sortie"),
                columns=[
                    Column(_("Situation à la sortie")),
                    Column(_("Groupe")),
                    Column(_("Positive")),
                    Column(_("Sorties"), "int"),
                    Column(_("Personnes"), "int"),
                ],
                rows=[
                    [row.label, groups[row.group], _yes_no(row.positive), row.exits, row.persons]
                    for row in exits.rows
                ],
                footer=[_("Total"), "", "", exits.exits, exits.persons],
                note=_(
                    "Une sortie est la fin d'un parcours : une personne qui quitte deux "
                    "programmes dans l'année compte deux sorties et une personne."
                ),
            ),
            Table(
                title=_("Sorties par groupe"),
                columns=[Column(_("Groupe")), Column(_("Sorties"), "int")],
                rows=[[label, by_group[code]] for code, label in groups.items()],
                footer=[_("Total"), exits.exits],
            ),
        ],
    )


def _chantiers_section(figures, paid, year: int) -> Section:
    if not figures.rows:
        blocks = [Text(_("Aucun chantier en %(year)s.") % {"year": year})]
        if paid:
            blocks.append(KeyFigures([KeyFigure(_("Défraiements payés"), paid, "money")]))
        return Section(_("Chantiers"), blocks)

    def line(row):
        return [*chantier_cells(row), row.completion_rate, row.incidents]

    return Section(
        _("Chantiers"),
        [
            KeyFigures(
                [
                    KeyFigure(_("Chantiers de l'année"), len(figures.rows)),
                    KeyFigure(_("Participant·es aux chantiers"), figures.total.participants),
                    KeyFigure(_("Heures prestées"), figures.total.hours, "hours"),
                    KeyFigure(
                        _("Défraiements payés"),
                        paid,
                        "money",
                        _("fiches mensuelles payées pour les mois de l'année"),
                    ),
                ]
            ),
            Table(
                title=_("Chantiers de l'année"),
                columns=[
                    *chantier_columns(),
                    Column(_("Taux d'achèvement"), "percent"),
                    Column(_("Incidents"), "int"),
                ],
                rows=[line(row) for row in figures.rows],
                footer=line(figures.total),
                note=_(
                    "Taux de présence : présences (y compris retards et départs anticipés) sur "
                    "l'ensemble des présences encodées des séances tenues. Taux d'achèvement : "
                    "participations terminées sur participations terminées ou interrompues dans "
                    "l'année. Défraiements : montants calculés sur les présences de l'année, "
                    "payés ou non ; les « défraiements payés » ne comptent que les fiches "
                    "mensuelles payées. Le total compte chaque personne une fois."
                ),
            ),
        ],
    )


def _appointments_section(figures: appointments.AppointmentFigures, year: int) -> Section:
    title = _("Rendez-vous individuels")
    if not figures.listed:
        return Section(
            title, [Text(_("Aucun rendez-vous individuel en %(year)s.") % {"year": year})]
        )
    answered = figures.held + figures.no_shows
    rate_note = _("sur %(n)s rendez-vous tenus ou manqués") % {"n": format_value(answered, "int")}
    if figures.provisional:
        rate_note += " — " + _("provisoire : %(n)s à compléter") % {
            "n": format_value(figures.to_complete, "int")
        }
    items = [
        KeyFigure(_("Rendez-vous tenus"), figures.held),
        KeyFigure(_("Personnes rencontrées"), figures.persons_met),
        KeyFigure(_("Heures des rendez-vous tenus"), figures.hours_held, "hours"),
        KeyFigure(_("Absences sans prévenir"), figures.no_shows),
        KeyFigure(_("Taux d'absence"), figures.no_show_rate, "percent", rate_note),
        KeyFigure(_("Rendez-vous annulés"), figures.cancelled),
        KeyFigure(
            _("Rendez-vous à compléter"),
            figures.to_complete,
            note=_("passés, ni tenus ni manqués à ce jour : hors du taux d'absence"),
        ),
    ]
    if figures.to_come:  # the current year's report only
        items.append(KeyFigure(_("Rendez-vous à venir"), figures.to_come))
    blocks = [KeyFigures(items)]
    if figures.provisional:
        blocks.append(
            Text(
                _(
                    "Chiffres provisoires : %(n)s rendez-vous de l'année sont passés sans que "
                    "l'on sache encore s'ils ont été tenus ou manqués. Ils ne comptent ni parmi "
                    "les rendez-vous tenus ni dans le taux d'absence ; ces chiffres changeront "
                    "quand leur issue sera notée dans l'agenda."
                )
                % {"n": format_value(figures.to_complete, "int")}
            )
        )
    if figures.held:
        blocks.append(
            _breakdown_table(
                _("Rendez-vous tenus par forme"),
                _("Forme"),
                figures.held_by_mode,
                figures.held,
                counted=_("Rendez-vous tenus"),
            )
        )
    return Section(title, blocks)


def _trainings_section(
    figures: trainings.TrainingFigures, by_provider: list[trainings.ProviderRow], year: int
) -> Section:
    title = _("Formations et certifications")
    if not (figures.trainings or figures.certifications):
        return Section(
            title,
            [
                Text(
                    _("Aucune formation suivie ni certification obtenue en %(year)s.")
                    % {"year": year}
                )
            ],
        )
    items = [
        KeyFigure(_("Certifications obtenues"), figures.certifications),
        KeyFigure(_("Personnes certifiées"), figures.persons_certified),
        KeyFigure(_("Personnes en formation"), figures.persons_in_training),
        KeyFigure(_("Formations suivies"), figures.trainings),
        KeyFigure(_("Formations terminées"), figures.completed),
        KeyFigure(_("Formations abandonnées"), figures.abandoned),
        KeyFigure(
            _("Heures de formation"),
            figures.hours,
            "hours",
            _("des formations terminées ou abandonnées dans l'année"),
        ),
        KeyFigure(_("Formations toujours en cours"), figures.ongoing),
        KeyFigure(
            _("Heures des formations en cours"),
            figures.ongoing_hours,
            "hours",
            _("suivies à ce jour ; comptées l'année où elles finiront"),
        ),
    ]
    if figures.ended_later:  # a past year's report only
        items.append(
            KeyFigure(
                _("Formations finies après l'année"),
                figures.ended_later,
                note=_("leurs heures comptent l'année de leur fin"),
            )
        )
    blocks = [KeyFigures(items)]
    if figures.certifications:
        blocks.append(
            _breakdown_table(
                _("Certifications obtenues par type"),
                _("Type"),
                figures.certifications_by_kind,
                figures.certifications,
                counted=_("Certifications"),
            )
        )
    if by_provider:
        blocks.append(
            Table(
                title=_("Formations suivies par organisme"),
                columns=[
                    Column(_("Organisme")),
                    Column(_("Formations suivies"), "int"),
                    Column(_("Terminées"), "int"),
                    Column(_("Abandonnées"), "int"),
                    Column(_("Heures de formation"), "hours"),
                ],
                rows=[
                    [row.label, row.trainings, row.completed, row.abandoned, row.hours]
                    for row in by_provider
                ],
                footer=[
                    _("Total"),
                    figures.trainings,
                    figures.completed,
                    figures.abandoned,
                    figures.hours,
                ],
                note=_(
                    "Par partenaire de l'application qui donne la formation ; « Autre "
                    "organisme » regroupe les organismes qui n'en sont pas. Terminées, "
                    "abandonnées et heures : dans l'année."
                ),
            )
        )
    return Section(title, blocks)


def _modules_section(figures: workshops.ModuleFigures, year: int) -> Section:
    title = _("Modules collectifs")
    if not figures.sessions_held:
        return Section(
            title,
            [Text(_("Aucune séance de module collectif tenue en %(year)s.") % {"year": year})],
        )
    return Section(
        title,
        [
            KeyFigures(
                [
                    KeyFigure(_("Séances de modules tenues"), figures.sessions_held),
                    KeyFigure(_("Participant·es aux modules"), figures.participants),
                    KeyFigure(
                        _("Heures de participation aux modules"),
                        figures.hours,
                        "hours",
                        _("heures de présence des participant·es, additionnées"),
                    ),
                ]
            ),
            Table(
                title=_("Modules collectifs par type"),
                columns=[
                    Column(_("Type de module")),
                    Column(_("Séances tenues"), "int"),
                    Column(_("Participant·es"), "int"),
                    Column(_("Heures de participation"), "hours"),
                ],
                rows=[
                    [row.label, row.sessions, row.participants, row.hours]
                    for row in figures.by_kind
                ],
                # The kinds' participants do not add up: a person may come to two kinds.
                footer=[_("Total"), figures.sessions_held, None, figures.hours],
                note=_(
                    "Une personne venue à des modules de deux types compte dans chacun : les "
                    "personnes distinctes, tous types confondus, sont le chiffre « Participant·es "
                    "aux modules ». Les séances EPN comptent ici leurs participant·es "
                    "inscrit·es ; leurs visiteur·euses libres sont dans la section suivante."
                ),
            ),
        ],
    )


def _epn_section(figures: workshops.ModuleFigures, year: int) -> Section:
    title = _("Espace public numérique (EPN)")
    if not figures.epn_sessions_held:
        return Section(title, [Text(_("Aucune séance EPN tenue en %(year)s.") % {"year": year})])
    blocks = [
        KeyFigures(
            [
                KeyFigure(_("Séances EPN tenues"), figures.epn_sessions_held),
                KeyFigure(
                    _("Passages à l'EPN"),
                    figures.epn_visits,
                    note=_(
                        "%(presences)s présences de participant·es inscrit·es et %(people)s "
                        "visiteur·euses libres"
                    )
                    % {
                        "presences": format_value(figures.epn_presences, "int"),
                        "people": format_value(figures.drop_in_people, "int"),
                    },
                ),
                KeyFigure(
                    _("Personnes accueillies à l'EPN"),
                    figures.epn_people,
                    note=_(
                        "%(participants)s participant·es inscrit·es distinct·es et %(people)s "
                        "visiteur·euses libres, compté·es à chaque visite"
                    )
                    % {
                        "participants": format_value(figures.epn_participants, "int"),
                        "people": format_value(figures.drop_in_people, "int"),
                    },
                ),
                KeyFigure(_("Visiteur·euses libres"), figures.drop_in_people),
            ]
        )
    ]
    if figures.drop_in_people:
        for table_title, heading, rows in (
            (
                _("Visiteur·euses libres par aide apportée"),
                _("Aide apportée"),
                figures.drop_ins_by_need,
            ),
            (
                _("Visiteur·euses libres par tranche d'âge"),
                _("Tranche d'âge"),
                figures.drop_ins_by_age_band,
            ),
            (_("Visiteur·euses libres par genre"), _("Genre"), figures.drop_ins_by_gender),
        ):
            blocks.append(_breakdown_table(table_title, heading, rows, figures.drop_in_people))
    return Section(title, blocks)


def _volunteers_section(figures: volunteers.VolunteerFigures) -> Section:
    """« Bénévolat et proximité »: counts only, no volunteer, no person met, no signal's
    content (``reporting.indicators.volunteers``)."""
    blocks = [
        KeyFigures(
            [
                KeyFigure(
                    _("Bénévoles actif·ves"),
                    figures.volunteers_active,
                    note=_(
                        "%(sheets)s avec une fiche de prestation validée, %(outreach)s à une "
                        "action de proximité ; %(registered)s bénévoles inscrit·es dans l'année"
                    )
                    % {
                        "sheets": format_value(figures.active_with_sheets, "int"),
                        "outreach": format_value(figures.active_in_outreach, "int"),
                        "registered": format_value(figures.volunteers_registered, "int"),
                    },
                ),
                KeyFigure(_("Fiches de prestation validées"), figures.sheets),
                KeyFigure(_("Heures de bénévolat"), figures.hours, "hours"),
                KeyFigure(
                    _("Défraiements des bénévoles"),
                    figures.indemnities,
                    "money",
                    _("forfaits %(flat)s et indemnités kilométriques %(mileage)s")
                    % {
                        "flat": format_value(figures.flat_rate, "money"),
                        "mileage": format_value(figures.mileage, "money"),
                    },
                ),
                KeyFigure(_("Frais réels des bénévoles"), figures.real_costs, "money"),
            ]
        ),
        KeyFigures(
            [
                KeyFigure(_("Actions de proximité"), figures.outreach_actions),
                KeyFigure(
                    _("Personnes rencontrées en proximité"),
                    figures.people_met,
                    note=_("comptées sans nom, à chaque action"),
                ),
            ]
        ),
        KeyFigures(
            [
                KeyFigure(
                    _("Signalements reçus"),
                    figures.signals_raised,
                    note=_("dont %(n)s par des bénévoles relais")
                    % {"n": format_value(figures.signals_by_volunteers, "int")},
                ),
                KeyFigure(_("Signalements pris en charge"), figures.signals_taken_up),
                KeyFigure(_("Signalements clôturés"), figures.signals_closed),
                KeyFigure(_("Signalements en attente"), figures.signals_open),
            ]
        ),
    ]
    if figures.people_met:
        blocks += [
            _breakdown_table(
                _("Personnes rencontrées en proximité par genre"),
                _("Genre"),
                figures.by_gender,
                figures.people_met,
            ),
            _breakdown_table(
                _("Personnes rencontrées en proximité par tranche d'âge"),
                _("Tranche d'âge"),
                figures.by_age_band,
                figures.people_met,
            ),
        ]
    if figures.outreach_actions or figures.signals_raised:
        blocks.append(
            Table(
                title=_("Thèmes des actions et besoins signalés"),
                columns=[
                    Column(_("Besoin")),
                    Column(_("Actions de proximité"), "int"),
                    Column(_("Signalements"), "int"),
                ],
                rows=[
                    [theme.label, theme.count, need.count]
                    for theme, need in zip(figures.themes, figures.signals_by_need, strict=True)
                ],
                # An action may touch several themes: its column does not add up.
                footer=[_("Total"), None, figures.signals_raised],
                note=_(
                    "Actions : celles où le thème a été abordé ; une action qui touche trois "
                    "thèmes compte dans trois lignes. Signalements : ceux reçus dans l'année, "
                    "selon le besoin signalé."
                ),
            )
        )
    if figures.signals_closed:
        blocks.append(
            Table(
                title=_("Signalements clôturés par suite donnée"),
                columns=[Column(_("Suite donnée")), Column(_("Signalements"), "int")],
                rows=[[row.label, row.count] for row in figures.signals_by_outcome],
                footer=[_("Total"), figures.signals_closed],
                note=_("Les signalements reçus dans l'année et clôturés aujourd'hui."),
            )
        )
    return Section(_("Bénévolat et proximité"), blocks)


def _needs_section(needs, year: int) -> Section:
    if not any(row.identified or row.resolved for row in needs):
        return Section(
            _("Besoins d'accompagnement"),
            [Text(_("Aucun besoin identifié ni levé en %(year)s.") % {"year": year})],
        )
    return Section(
        _("Besoins d'accompagnement"),
        [
            Table(
                title=_("Besoins identifiés et levés dans l'année"),
                columns=[
                    Column(_("Besoin")),
                    Column(_("Identifiés"), "int"),
                    Column(_("Levés"), "int"),
                ],
                rows=[[row.label, row.identified, row.resolved] for row in needs],
                footer=[
                    _("Total"),
                    sum(row.identified for row in needs),
                    sum(row.resolved for row in needs),
                ],
            )
        ],
    )


def _referrals_section(referrals, year: int) -> Section:
    if not referrals:
        return Section(
            _("Orientations vers les partenaires"),
            [Text(_("Aucune orientation envoyée en %(year)s.") % {"year": year})],
        )
    statuses = Referral.Status.choices
    return Section(
        _("Orientations vers les partenaires"),
        [
            Table(
                title=_("Orientations envoyées dans l'année"),
                columns=[
                    Column(_("Type de partenaire")),
                    *[Column(str(label), "int") for _code, label in statuses],
                    Column(_("Total"), "int"),
                ],
                rows=[
                    [row.label, *[row.by_status[code] for code, _label in statuses], row.total]
                    for row in referrals
                ],
                footer=[
                    _("Total"),
                    *[sum(row.by_status[code] for row in referrals) for code, _label in statuses],
                    sum(row.total for row in referrals),
                ],
                note=_("État actuel des orientations envoyées pendant l'année."),
            )
        ],
    )


def _employers_section(figures, year: int) -> Section:
    if not (figures.contacts or figures.matchings or figures.hires):
        return Section(
            _("Relations avec les employeurs"),
            [
                Text(
                    _("Aucun contact de prospection ni mise en relation en %(year)s.")
                    % {"year": year}
                )
            ],
        )
    return Section(
        _("Relations avec les employeurs"),
        [
            KeyFigures(
                [
                    KeyFigure(_("Employeurs contactés"), figures.employers_contacted),
                    KeyFigure(_("Contacts de prospection"), figures.contacts),
                    KeyFigure(_("Mises en relation proposées"), figures.matchings),
                    KeyFigure(_("Engagements"), figures.hires),
                ]
            ),
            Table(
                title=_("Mises en relation proposées dans l'année, par résultat"),
                columns=[Column(_("Résultat")), Column(_("Mises en relation"), "int")],
                rows=[
                    [str(label), figures.matchings_by_status[code]]
                    for code, label in Matching.Status.choices
                ],
                footer=[_("Total"), figures.matchings],
                note=_("Engagements : mises en relation passées à « engagé·e » dans l'année."),
            ),
        ],
    )


def persons_listing(*, organization: Organization, year: int) -> Table:
    """One row per person accompanied, from the same annotated query as the breakdowns."""
    # Every label translated once, not once per row (thousands of rows).
    genders = _labels(Gender.choices)
    ages = _labels(activity.AGE_BANDS)
    education = _labels(EducationLevel.choices)
    jobseeking = _labels(activity.JOBSEEKING_BANDS)
    incomes = _labels(activity.INCOME_KINDS)
    outcomes = _labels(ExitOutcome.choices)
    unknown, yes, no = _("inconnue"), _yes_no(True), _yes_no(False)
    rows = [
        [
            pseudonym(pk),
            genders.get(gender, gender),
            ages[age_band],
            education.get(education_level, education_level),
            jobseeking[jobseeking_band],
            # A confidential address's commune reads "inconnue", as in the counts by commune.
            commune or unknown,
            incomes.get(income, income),
            yes if is_new else no,
            exit_on,
            outcomes[exit_outcome] if exit_outcome else "",
            yes if exit_positive else no,
        ]
        for (
            pk,
            gender,
            age_band,
            education_level,
            jobseeking_band,
            commune,
            income,
            is_new,
            exit_on,
            exit_outcome,
            exit_positive,
        ) in activity.persons_accompanied(organization=organization, year=year).values_list(
            "pk",
            "gender",
            "age_band",
            "education_level",
            "jobseeking_band",
            "commune_shown",
            "income",
            "is_new",
            "exit_on",
            "exit_outcome",
            "exit_positive",
        )
    ]
    return Table(
        title=_("Personnes accompagnées"),
        columns=[
            Column(_("Identifiant")),
            Column(_("Genre")),
            Column(_("Âge au 31 décembre")),
            Column(_("Niveau de diplôme")),
            Column(_("Durée de recherche d'emploi")),
            Column(_("Commune")),
            Column(_("Source de revenus")),
            Column(_("Nouvelle personne")),
            Column(_("Date de sortie"), "date"),
            Column(_("Situation à la sortie")),
            Column(_("Sortie positive")),
        ],
        rows=rows,
        note=_(
            "Une ligne par personne, identifiée par un pseudonyme. La sortie indiquée est la "
            "sortie positive de l'année s'il y en a une, sinon la dernière sortie de l'année. "
            "La commune d'une adresse confidentielle est « inconnue », ici comme dans la "
            "répartition par commune."
        ),
    )


def exits_listing(*, organization: Organization, year: int) -> Table:
    groups = dict(activity.outcome_groups())
    outcomes = _labels(ExitOutcome.choices)
    yes, no = _yes_no(True), _yes_no(False)
    rows = [
        [
            pseudonym(participant_id),
            programme,
            started_on,
            ended_on,
            outcomes[outcome],
            groups[activity.outcome_group(outcome)],
            yes if outcome in POSITIVE_OUTCOMES else no,
        ]
        for participant_id, programme, started_on, ended_on, outcome in activity.exits_ended_in(
            organization=organization, year=year
        )
        .order_by("ended_on", "pk")
        .values_list("participant_id", "programme__name", "started_on", "ended_on", "exit_outcome")
    ]
    return Table(
        title=_("Sorties"),
        columns=[
            Column(_("Identifiant")),
            Column(_("Programme")),
            Column(_("Début du parcours"), "date"),
            Column(_("Fin du parcours"), "date"),
            Column(_("Situation à la sortie")),
            Column(_("Groupe")),
            Column(_("Positive")),
        ],
        rows=rows,
    )


def statements_listing(*, organization: Organization, year: int) -> Table:
    """The paid monthly statements whose amounts make the key figure « Défraiements payés »."""
    rows = [
        [pseudonym(participant_id), month, amount]
        for participant_id, month, amount in statements_paid(
            organization=organization, period=Period.year(year)
        )
        .order_by("month", "participant_id", "pk")
        .values_list("participant_id", "month", "amount")
    ]
    return Table(
        title=_("Défraiements payés"),
        columns=[
            Column(_("Identifiant")),
            Column(_("Mois"), "date"),
            Column(_("Montant"), "money"),
        ],
        rows=rows,
        footer=[_("Total"), None, sum((row[2] for row in rows), ZERO)],
        note=_(
            "Une ligne par fiche mensuelle payée d'un mois de l'année (le mois est daté de son "
            "premier jour). Le total est le chiffre « Défraiements payés »."
        ),
    )


def appointments_listing(*, organization: Organization, year: int, now: datetime) -> Table:
    """The appointments behind « Rendez-vous individuels », one row each whatever its outcome:
    the person by pseudonym (the figures count persons met); no purpose, place nor reason of a
    cancellation (free text)."""
    modes = _labels(appointments.MODES)
    outcomes = _labels(appointments.OUTCOMES)
    rows = [
        [
            str(pk),
            starts_at,
            pseudonym(participant_id),
            f"{first_name} {last_name}".strip(),
            modes[mode],
            minutes,
            outcomes[outcome],
        ]
        for (
            pk,
            starts_at,
            participant_id,
            first_name,
            last_name,
            mode,
            minutes,
            outcome,
        ) in appointments.appointments_of_year(organization=organization, year=year, now=now)
        .order_by("starts_at", "pk")
        .values_list(
            "pk",
            "starts_at",
            "pathway__participant_id",
            "counsellor__first_name",
            "counsellor__last_name",
            "mode",
            "minutes",
            "outcome",
        )
    ]
    return Table(
        title=_("Rendez-vous"),
        columns=[
            Column(_("N°")),
            Column(_("Date et heure"), "date"),
            Column(_("Identifiant")),
            Column(_("Conseiller·ère")),
            Column(_("Forme")),
            Column(_("Durée (minutes)"), "int"),
            Column(_("Issue")),
        ],
        rows=rows,
        note=_(
            "Une ligne par rendez-vous de l'année (heure de Bruxelles), quelle que soit son "
            "issue : les chiffres de la section « Rendez-vous individuels » comptent ces lignes "
            "par issue. Durée : la durée réelle notée pour un rendez-vous tenu, sinon la durée "
            "prévue ; les heures des rendez-vous tenus en sont la somme."
        ),
    )


def trainings_listing(*, organization: Organization, year: int) -> Table:
    """The trainings behind « Formations et certifications », one row each whatever its
    outcome: the person by pseudonym (the figures count persons in training), the partner
    giving it by name; no title nor free-text provider (free text, emptied by anonymisation)."""
    outcomes = _labels(trainings.OUTCOMES)
    rows = [
        [
            str(pk),
            pseudonym(participant_id),
            provider or "",
            starts_on,
            ended_on,
            hours_done,
            outcomes[outcome],
        ]
        for (
            pk,
            participant_id,
            provider,
            starts_on,
            ended_on,
            hours_done,
            outcome,
        ) in trainings.trainings_of_year(organization=organization, year=year)
        .order_by("starts_on", "pk")
        .values_list(
            "pk",
            "participant_id",
            "provider_organization__name",
            "starts_on",
            "ended_on",
            "hours_done",
            "outcome",
        )
    ]
    return Table(
        title=_("Formations"),
        columns=[
            Column(_("N°")),
            Column(_("Identifiant")),
            Column(_("Partenaire qui la donne")),
            Column(_("Début"), "date"),
            Column(_("Fin"), "date"),
            Column(_("Heures suivies"), "hours"),
            Column(_("Issue")),
        ],
        rows=rows,
        note=_(
            "Une ligne par formation suivie dans l'année (commencée au plus tard le 31/12, pas "
            "finie avant le 01/01, pas seulement prévue), avec son issue : les chiffres de la "
            "section « Formations et certifications » comptent ces lignes. Fin : la date de "
            "fin, ou le début d'une formation abandonnée sans date de fin ; vide tant qu'elle "
            "est en cours. Les heures de formation sont la somme des heures suivies des lignes "
            "terminées ou abandonnées dans l'année."
        ),
    )


def certifications_listing(*, organization: Organization, year: int) -> Table:
    """The certifications behind « Certifications obtenues »: the person by pseudonym, the
    training it crowns by number; no title nor issuing body (free text)."""
    kinds = _labels(trainings.KINDS)
    rows = [
        [
            str(pk),
            pseudonym(participant_id),
            kinds[kind],
            obtained_on,
            str(training_id) if training_id else None,
        ]
        for pk, participant_id, kind, obtained_on, training_id in trainings.certifications_of_year(
            organization=organization, year=year
        )
        .order_by("obtained_on", "pk")
        .values_list("pk", "participant_id", "kind", "obtained_on", "training_id")
    ]
    return Table(
        title=_("Certifications"),
        columns=[
            Column(_("N°")),
            Column(_("Identifiant")),
            Column(_("Type")),
            Column(_("Obtenue le"), "date"),
            Column(_("Formation (N°)")),
        ],
        rows=rows,
        note=_(
            "Une ligne par certification obtenue dans l'année ; « Formation » : le numéro de "
            "la formation qu'elle couronne, dans la liste « Formations » quand celle-ci a été "
            "suivie dans l'année."
        ),
    )


def module_presences_listing(*, organization: Organization, year: int) -> Table:
    """The marks behind « Modules collectifs » and the registered participants of « Espace
    public numérique (EPN) »: one row per presence (present, late, left early) at a session of
    the year, the person by pseudonym (the figures count distinct persons); no note (free
    text)."""
    kinds = _labels(workshops.KINDS)
    statuses = _labels(Presence.choices)
    rows = [
        [
            str(pk),
            str(session_id),
            day,
            title,
            kinds[kind],
            pseudonym(participant_id),
            statuses[status],
            hours,
        ]
        for pk, session_id, day, title, kind, participant_id, status, hours in (
            workshops.presences_of_year(organization=organization, year=year)
            .order_by("session__date", "session__starts_at", "session_id", "pk")
            .values_list(
                "pk",
                "session_id",
                "session__date",
                "session__module__title",
                "kind",
                "participant_id",
                "status",
                "hours",
            )
        )
    ]
    return Table(
        title=_("Présences aux modules"),
        columns=[
            Column(_("N°")),
            Column(_("Séance (N°)")),
            Column(_("Date"), "date"),
            Column(_("Module")),
            Column(_("Type de module")),
            Column(_("Identifiant")),
            Column(_("Présence")),
            Column(_("Heures"), "hours"),
        ],
        rows=rows,
        note=_(
            "Une ligne par présence (présent·e, en retard, parti·e plus tôt) à une séance de "
            "l'année qui n'est pas annulée. Les séances tenues sont les séances distinctes de "
            "cette liste et de la liste « Visites libres de l'EPN » ; les participant·es, les "
            "identifiants distincts ; les heures de participation, la somme des heures."
        ),
    )


def drop_ins_listing(*, organization: Organization, year: int) -> Table:
    """The drop-in visits behind « Visiteur·euses libres » and its tables: no person (they
    have no name)."""
    kinds = _labels(workshops.KINDS)
    ages = _labels(workshops.AGE_BANDS)
    genders = _labels(workshops.GENDERS)
    needs = _labels(workshops.NEEDS)
    rows = [
        [
            str(pk),
            str(session_id),
            day,
            title,
            kinds[kind],
            people,
            ages[age_band],
            genders[gender],
            needs[need],
        ]
        for pk, session_id, day, title, kind, people, age_band, gender, need in (
            workshops.drop_ins_of_year(organization=organization, year=year)
            .order_by("session__date", "session__starts_at", "session_id", "pk")
            .values_list(
                "pk",
                "session_id",
                "session__date",
                "session__module__title",
                "kind",
                "people",
                "age_band",
                "gender",
                "need",
            )
        )
    ]
    return Table(
        title=_("Visites libres de l'EPN"),
        columns=[
            Column(_("N°")),
            Column(_("Séance (N°)")),
            Column(_("Date"), "date"),
            Column(_("Module")),
            Column(_("Type de module")),
            Column(_("Personnes"), "int"),
            Column(_("Tranche d'âge")),
            Column(_("Genre")),
            Column(_("Aide apportée")),
        ],
        rows=rows,
        note=_(
            "Une ligne par visite libre comptée à une séance de l'année, sans nom : une ligne "
            "peut compter plusieurs personnes venues ensemble. Les visiteur·euses libres sont "
            "la somme de la colonne « Personnes »."
        ),
    )


def volunteers_listing(*, organization: Organization, year: int) -> Table:
    """The volunteers behind « Bénévoles actif·ves »: one row per volunteer active in the year,
    by pseudonym, with their validated sheets, hours and outreach actions of the year."""
    rows = [
        [pseudonym(participant_id), sheets, hours, actions]
        for participant_id, sheets, hours, actions in (
            volunteers.volunteers_active_with_counts(organization=organization, year=year)
            .order_by("participant_id")
            .values_list("participant_id", "sheets", "hours", "actions")
        )
    ]
    return Table(
        title=_("Bénévoles actif·ves"),
        columns=[
            Column(_("Identifiant")),
            Column(_("Fiches validées"), "int"),
            Column(_("Heures"), "hours"),
            Column(_("Actions de proximité"), "int"),
        ],
        rows=rows,
        note=_(
            "Une ligne par bénévole actif·ve dans l'année : au moins une fiche de prestation "
            "validée datée de l'année, ou présent·e à une action de proximité de l'année."
        ),
    )


def service_sheets_listing(*, organization: Organization, year: int) -> Table:
    """The validated sheets behind « Heures de bénévolat », « Défraiements des bénévoles » and
    « Frais réels des bénévoles »: the volunteer by pseudonym; no activity nor expense
    (free text)."""
    rows = [
        [str(pk), pseudonym(participant_id), day, hours, indemnity, mileage, real_cost]
        for pk, participant_id, day, hours, indemnity, mileage, real_cost in (
            volunteers.validated_sheets_of_year(organization=organization, year=year)
            .order_by("date", "pk")
            .values_list(
                "pk",
                "participant_id",
                "date",
                "hours",
                "indemnity",
                "mileage",
                "real_cost__amount",
            )
        )
    ]
    return Table(
        title=_("Fiches de prestation"),
        columns=[
            Column(_("N°")),
            Column(_("Identifiant")),
            Column(_("Date"), "date"),
            Column(_("Heures"), "hours"),
            Column(_("Défraiement"), "money"),
            Column(_("Indemnité kilométrique"), "money"),
            Column(_("Frais réels"), "money"),
        ],
        rows=rows,
        note=_(
            "Une ligne par fiche de prestation validée datée de l'année. Les défraiements des "
            "bénévoles sont la somme des colonnes « Défraiement » et « Indemnité "
            "kilométrique » ; les frais réels, celle de la colonne « Frais réels »."
        ),
    )


def outreach_listing(*, organization: Organization, year: int) -> Table:
    """The outreach actions behind « Actions de proximité » and « Personnes rencontrées en
    proximité »:
    counts only (the people met have no name), the contact point's name; no other place nor
    note (free text), no volunteer."""
    themes = _labels(volunteers.NEEDS)
    rows = []
    for pk, day, point, present, met, women, men, young, middle, old, codes in (
        volunteers.outreach_with_counts(organization=organization, year=year)
        .order_by("date", "pk")
        .values_list(
            "pk",
            "date",
            "contact_point__name",
            "volunteers_present",
            "people_met",
            "women",
            "men",
            "under_25",
            "from_25_to_54",
            "from_55",
            "themes",
        )
    ):
        rows.append(
            [
                str(pk),
                day,
                point or _("Autre lieu"),
                present,
                met,
                women,
                men,
                met - women - men,
                young,
                middle,
                old,
                met - young - middle - old,
                # " ; ": a category's label may hold a comma (« Juridique, séjour »).
                " ; ".join(themes.get(code, code) for code in codes or []),
            ]
        )
    return Table(
        title=_("Actions de proximité"),
        columns=[
            Column(_("N°")),
            Column(_("Date"), "date"),
            Column(_("Point de contact")),
            Column(_("Bénévoles présent·es"), "int"),
            Column(_("Personnes rencontrées"), "int"),
            Column(_("Femmes"), "int"),
            Column(_("Hommes"), "int"),
            Column(_("Genre non précisé"), "int"),
            Column(_("Moins de 25 ans"), "int"),
            Column(_("25 à 54 ans"), "int"),
            Column(_("55 ans et plus"), "int"),
            Column(_("Âge non précisé"), "int"),
            Column(_("Thèmes abordés")),
        ],
        rows=rows,
        note=_(
            "Une ligne par action de proximité datée de l'année ; les personnes rencontrées "
            "sont comptées sans nom, à chaque action."
        ),
    )


def signals_listing(*, organization: Organization, year: int) -> Table:
    """The signals behind « Signalements reçus » and its tables: no person (neither who raised
    it nor whom it is about) and no description (free text)."""
    needs = _labels(volunteers.NEEDS)
    urgencies = _labels(volunteers.URGENCIES)
    statuses = _labels(volunteers.STATUSES)
    outcomes = _labels(volunteers.OUTCOMES)
    rows = [
        [
            str(pk),
            raised_on,
            needs.get(need, need),
            urgencies.get(urgency, urgency),
            _("Bénévole relais") if by_volunteer else _("Équipe"),
            statuses[status],
            _yes_no(taken_up),
            outcomes.get(outcome, "") if outcome else None,
        ]
        for pk, raised_on, need, urgency, by_volunteer, status, taken_up, outcome in (
            volunteers.signals_of_year(organization=organization, year=year)
            .order_by("raised_on", "pk")
            .values_list(
                "pk",
                "raised_on",
                "need_category",
                "urgency",
                "raised_by_id",
                "status",
                "taken_up",
                "outcome",
            )
        )
    ]
    return Table(
        title=_("Signalements"),
        columns=[
            Column(_("N°")),
            Column(_("Date"), "date"),
            Column(_("Besoin")),
            Column(_("Urgence")),
            Column(_("Relevé par")),
            Column(_("État")),
            Column(_("Pris en charge")),
            Column(_("Suite donnée")),
        ],
        rows=rows,
        note=_(
            "Une ligne par signalement reçu dans l'année, avec son état aujourd'hui. Pris en "
            "charge : pris en charge par l'équipe (puis clôturé ou non), ou clôturé directement "
            "avec une autre suite que « Pas de suite nécessaire »."
        ),
    )


def needs_listing(*, organization: Organization, year: int) -> Table:
    """The needs counted in « Besoins identifiés et levés dans l'année »: no note (free text),
    and no person: a category such as health beside a pseudonym would tell too much, and no
    figure counts persons here."""
    categories = _labels(NeedCategory.choices)
    rows = [
        [categories.get(category, category), identified, resolved]
        for category, identified, resolved in activity.needs_of_year(
            organization=organization, year=year
        )
        .order_by("identified_on", "pk")
        .values_list("category", "identified_on", "resolved_on")
    ]
    return Table(
        title=_("Besoins"),
        columns=[
            Column(_("Besoin")),
            Column(_("Identifié le"), "date"),
            Column(_("Levé le"), "date"),
        ],
        rows=rows,
        note=_(
            "Une ligne par besoin identifié ou levé dans l'année : le tableau des besoins compte "
            "ceux identifiés dans l'année et ceux levés dans l'année."
        ),
    )


def referrals_listing(*, organization: Organization, year: int) -> Table:
    """The referrals counted in « Orientations envoyées dans l'année »: the partner is an
    organization; no reason, no refusal reason (free text), and no person (a health service
    beside a pseudonym would tell too much; the figures count referrals)."""
    kinds = _labels(Organization.Kind.choices)
    statuses = _labels(Referral.Status.choices)
    rows = [
        [kinds.get(kind, kind), partner, statuses[status], sent_on]
        for kind, partner, status, sent_on in activity.referrals_sent(
            organization=organization, year=year
        )
        .order_by("sent_on", "pk")
        .values_list("to_organization__kind", "to_organization__name", "status", "sent_on")
    ]
    return Table(
        title=_("Orientations"),
        columns=[
            Column(_("Type de partenaire")),
            Column(_("Partenaire")),
            Column(_("État")),
            Column(_("Envoyée le"), "date"),
        ],
        rows=rows,
        note=_("Une ligne par orientation envoyée dans l'année, avec son état aujourd'hui."),
    )


def matchings_listing(*, organization: Organization, year: int) -> Table:
    """The matchings behind « Mises en relation proposées » and « Engagements »: no position
    (free text)."""
    statuses = _labels(Matching.Status.choices)
    hired = Matching.Status.HIRED
    rows = [
        [
            pseudonym(participant_id),
            employer,
            proposed_on,
            statuses[status],
            status_on if status == hired else None,
        ]
        for participant_id, employer, proposed_on, status, status_on in activity.matchings_of_year(
            organization=organization, year=year
        )
        .order_by("proposed_on", "pk")
        .values_list("participant_id", "employer__name", "proposed_on", "status", "status_on")
    ]
    return Table(
        title=_("Mises en relation"),
        columns=[
            Column(_("Identifiant")),
            Column(_("Employeur")),
            Column(_("Proposée le"), "date"),
            Column(_("Résultat")),
            Column(_("Engagé·e le"), "date"),
        ],
        rows=rows,
        note=_(
            "Les mises en relation proposées dans l'année et celles qui ont abouti à un "
            "engagement dans l'année, même proposées plus tôt ; résultat : l'état aujourd'hui."
        ),
    )


def employer_contacts_listing(*, organization: Organization, year: int) -> Table:
    """The prospection contacts behind « Contacts de prospection » and « Employeurs contactés »:
    no person met (a name), no note."""
    outcomes = _labels(EmployerContact.Outcome.choices)
    rows = [
        [employer, day, outcomes.get(outcome, outcome)]
        for employer, day, outcome in activity.employer_contacts(
            organization=organization, year=year
        )
        .order_by("date", "pk")
        .values_list("employer__name", "date", "outcome")
    ]
    return Table(
        title=_("Contacts de prospection"),
        columns=[Column(_("Employeur")), Column(_("Date"), "date"), Column(_("Résultat"))],
        rows=rows,
        note=_(
            "Une ligne par contact de prospection de l'année ; « Employeurs contactés » compte "
            "les employeurs distincts."
        ),
    )


def build(*, organization: Organization, parameters: dict, progress: Progress) -> Document:
    year = year_param(parameters=parameters, today=timezone.localdate())
    period = Period.year(year)
    # One moment for the appointments' figures and their listing: which planned appointments
    # are "to complete" (begun) or "to come" must not change between the two queries.
    now = timezone.now()

    progress(5, _("Chiffres clés"))
    headline, years = activity.headline_and_trend(organization=organization, year=year)
    paid = indemnities_paid(organization=organization, period=period)
    progress(25, _("Profil des personnes accompagnées"))
    breakdowns = activity.breakdowns(organization=organization, year=year)
    progress(45, _("Sorties"))
    exits = activity.exits_by_outcome(organization=organization, year=year)
    progress(55, _("Chantiers"))
    chantiers = chantier_figures(organization=organization, period=period)
    progress(60, _("Rendez-vous"))
    appointment_figures = appointments.appointment_figures(
        organization=organization, year=year, now=now
    )
    progress(62, _("Formations et certifications"))
    training_figures = trainings.training_figures(organization=organization, year=year)
    by_provider = trainings.trainings_by_provider(organization=organization, year=year)
    progress(63, _("Modules collectifs"))
    module_figures = workshops.module_figures(organization=organization, year=year)
    progress(64, _("Bénévolat et proximité"))
    volunteer_figures = volunteers.volunteer_figures(organization=organization, year=year)
    progress(65, _("Besoins, orientations et employeurs"))
    needs = activity.needs_by_category(organization=organization, year=year)
    referrals = activity.referrals_by_kind(organization=organization, year=year)
    employers = activity.employers(organization=organization, year=year)
    progress(80, _("Listes détaillées"))
    listings = [
        persons_listing(organization=organization, year=year),
        exits_listing(organization=organization, year=year),
        statements_listing(organization=organization, year=year),
        appointments_listing(organization=organization, year=year, now=now),
        trainings_listing(organization=organization, year=year),
        certifications_listing(organization=organization, year=year),
        module_presences_listing(organization=organization, year=year),
        drop_ins_listing(organization=organization, year=year),
        # The rows behind « Bénévolat et proximité », only when the section is shown.
        *(
            [
                listing(organization=organization, year=year)
                for listing in (
                    volunteers_listing,
                    service_sheets_listing,
                    outreach_listing,
                    signals_listing,
                )
            ]
            if volunteer_figures.shown
            else []
        ),
        needs_listing(organization=organization, year=year),
        referrals_listing(organization=organization, year=year),
        matchings_listing(organization=organization, year=year),
        employer_contacts_listing(organization=organization, year=year),
    ]
    progress(95, _("Mise en page"))

    total = headline.persons_accompanied
    document = Document(
        kind="activity",
        title=_("Rapport d'activités %(year)s") % {"year": year},
        organization_name=organization.name,
        period_label=_("Année %(year)s") % {"year": year},
        parameters=[(_("Année"), str(year))],
        sections=[
            Section(_("Chiffres clés"), [_key_figures(headline, paid)]),
            _trend_section(years),
            _profile_section(breakdowns, total, year),
            _exits_section(exits, year),
            _chantiers_section(chantiers, paid, year),
            _appointments_section(appointment_figures, year),
            _trainings_section(training_figures, by_provider, year),
            _modules_section(module_figures, year),
            _epn_section(module_figures, year),
            # Only for an operator with volunteering or outreach in the year (issue 21).
            *([_volunteers_section(volunteer_figures)] if volunteer_figures.shown else []),
            _needs_section(needs, year),
            _referrals_section(referrals, year),
            _employers_section(employers, year),
        ],
        listings=listings,
    )
    document.sections.append(
        definitions_section(
            "activity", period_label=document.period_label, parameters=document.parameters
        )
    )
    return document
