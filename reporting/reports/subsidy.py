"""Subsidy report (ESF+): the participant indicators of a programme for a period, the hours and
indemnities of its chantiers, and (spreadsheet only) the participants behind the figures.

Parameters: ``{"programme": code, "start": "YYYY-MM-DD", "end": "YYYY-MM-DD",
"identify": "pseudonyms" | "names"}``.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from participants.models import ExitOutcome, Gender, Programme
from reporting.document import Chart, Column, Document, Section, Table, Text
from reporting.indicators.chantiers import (
    ZERO,
    ProgrammeHours,
    chantier_figures,
    pathway_hours,
    programme_hours,
)
from reporting.indicators.common import Period
from reporting.indicators.esf import EsfRow, esf_indicators
from reporting.reports import Progress
from reporting.reports.common import (
    chantier_cells,
    chantier_columns,
    identify_param,
    period_label,
    period_param,
    programme_param,
    pseudonym,
)
from reporting.reports.definitions import definitions_section

# --- The report ------------------------------------------------------------------------------


def _esf_table(title: str, rows: list[EsfRow], note: str = "") -> Table:
    notes = [f"{row.label} : {row.note}" for row in rows if row.note]
    return Table(
        title=title,
        columns=[
            Column(_("Indicateur")),
            Column(_("Femmes"), "int"),
            Column(_("Hommes"), "int"),
            Column(_("X"), "int"),
            Column(_("Total"), "int"),
        ],
        rows=[[row.label, *row.cells()] for row in rows],
        note=" ".join([note, *notes]).strip(),
    )


def participant_hours_listing(
    *, organization: Organization, programme: Programme, period: Period, identify: str
) -> Table:
    """Pathways of the programme open during the period, with the hours each person worked on
    the programme's chantiers while that pathway was open (``pathway_hours``)."""
    listed = pathway_hours(
        organization=organization, programme=programme, period=period, by_name=identify == "names"
    )
    # The gender splits the ESF+ tables' entries and exits; labels translated once.
    genders = {code: str(label) for code, label in Gender.choices}
    rows = []
    for row in listed:
        if identify == "names":
            who = f"{row['participant__last_name'].upper()} {row['participant__first_name']}"
        else:
            who = pseudonym(row["participant_id"])
        outcome = ExitOutcome(row["exit_outcome"]).label if row["exit_outcome"] else ""
        rows.append(
            [
                who,
                genders[row["participant__gender"]],
                row["started_on"],
                row["ended_on"],
                str(outcome),
                row["hours"],
            ]
        )
    return Table(
        title=_("Participant·es du programme pendant la période"),
        columns=[
            Column(_("Personne")),
            Column(_("Genre")),
            Column(_("Entrée"), "date"),
            Column(_("Sortie"), "date"),
            Column(_("Situation à la sortie")),
            Column(_("Heures prestées sur les chantiers du programme"), "hours"),
        ],
        rows=rows,
        footer=[_("Total"), "", None, None, "", sum((r[-1] for r in rows), ZERO)],
        note=_(
            "Un parcours par ligne ; heures des présences (présent·e, en retard, parti·e plus "
            "tôt) aux séances tenues pendant ce parcours et dans la période. Un jour commun à "
            "deux parcours (l'un clôturé, le suivant ouvert ce jour-là) compte pour le second. "
            "Le total est celui des heures prestées du rapport (voir « Rapprochement des "
            "heures »)."
        ),
    )


def chantiers_table(figures, hours: ProgrammeHours) -> Table:
    """The programme's chantiers; their hours are those of people in a pathway of the programme
    that day (the listing's), the others' hours beside them, not counted."""

    def cells(row, inside, outside):
        return [
            *chantier_cells(row)[:4],
            inside,
            outside,
            row.attendance_rate,
            row.indemnities,
        ]

    columns = chantier_columns()
    return Table(
        title=_("Heures et défraiements par chantier du programme"),
        columns=[
            *columns[:4],
            Column(_("Heures prestées (parcours du programme)"), "hours"),
            Column(_("Heures hors parcours du programme (non comptées)"), "hours"),
            *columns[5:],
        ],
        rows=[
            cells(row, *hours.by_chantier.get(row.chantier_id, (ZERO, ZERO)))
            for row in figures.rows
        ],
        footer=[_("Total"), "", *cells(figures.total, hours.in_pathways, hours.outside)[2:]],
        note=_(
            "Heures prestées : heures des présences (présent·e, en retard, parti·e plus tôt) aux "
            "séances tenues, les jours où la personne avait un parcours du programme ouvert ; "
            "les heures des autres personnes sont montrées à part et ne sont pas comptées. Taux "
            "de présence : présences sur toutes les présences enregistrées aux séances tenues. "
            "Participant·es du total : personnes distinctes."
        ),
    )


def hours_reconciliation(hours: ProgrammeHours, listing: Table) -> Table:
    """From all the hours worked on the programme's chantiers to the hours of the listing."""
    return Table(
        title=_("Rapprochement des heures"),
        columns=[Column(_("Heures")), Column(_("Total"), "hours")],
        rows=[
            [_("Heures prestées sur les chantiers du programme (toutes les présences)"), hours.all],
            [
                _("moins : heures de personnes sans parcours du programme ce jour-là"),
                hours.outside,
            ],
            [
                _("= heures prestées du rapport (total de la liste des parcours)"),
                listing.footer[-1],
            ],
        ],
    )


def _chantier_blocks(figures, hours: ProgrammeHours, listing: Table) -> list:
    if not figures.rows:
        return [Text(_("Aucun chantier du programme dans la période."))]
    return [
        chantiers_table(figures, hours),
        hours_reconciliation(hours, listing),
        Chart(
            title=_("Taux de présence par chantier"),
            categories=[row.code for row in figures.rows],
            series=[(_("Taux de présence"), [row.attendance_rate for row in figures.rows])],
            style="hbar",
            percent=True,
        ),
    ]


def build(*, organization: Organization, parameters: dict, progress: Progress) -> Document:
    today = timezone.localdate()
    programme = programme_param(organization=organization, parameters=parameters)
    period = period_param(parameters=parameters, today=today)
    identify = identify_param(parameters=parameters)

    progress(10, _("Indicateurs FSE+"))
    esf = esf_indicators(organization=organization, programme=programme, period=period, as_of=today)
    progress(40, _("Chantiers du programme"))
    figures = chantier_figures(organization=organization, period=period, programme=programme)
    hours = programme_hours(organization=organization, programme=programme, period=period)
    progress(60, _("Liste des participant·es"))
    listing = participant_hours_listing(
        organization=organization, programme=programme, period=period, identify=identify
    )
    progress(80, _("Mise en page"))

    sections = [
        Section(
            _("Indicateurs FSE+ à l'entrée"),
            [
                _esf_table(
                    _("Situation le jour de l'entrée dans le programme"),
                    esf.entry,
                    _("Personnes dont un parcours du programme a commencé dans la période."),
                )
            ],
        ),
        Section(
            _("Indicateurs FSE+ à la sortie"),
            [
                _esf_table(
                    _("Situation à la sortie du programme"),
                    esf.exit,
                    _("Personnes dont un parcours du programme s'est terminé dans la période."),
                )
            ],
        ),
        Section(
            _("Indicateurs FSE+ six mois après la sortie"),
            [
                _esf_table(
                    _("Suivi à 6 mois des sorties de la période"),
                    esf.six_months,
                    _(
                        "Seuls les suivis réalisés sont comptés ; un suivi manquant n'est compté "
                        "ni comme un succès ni comme un échec. Situation au %(day)s."
                    )
                    % {"day": f"{today:%d/%m/%Y}"},
                )
            ],
        ),
        Section(_("Chantiers du programme"), _chantier_blocks(figures, hours, listing)),
    ]
    identification = _("Noms") if identify == "names" else _("Pseudonymes")
    document = Document(
        kind="subsidy",
        title=_("Rapport de subvention FSE+"),
        organization_name=organization.name,
        period_label=period_label(period),
        parameters=[
            (_("Programme"), f"{programme.name} ({programme.code})"),
            (_("Période"), period_label(period)),
            (_("Identification des personnes"), identification),
        ],
        sections=sections,
        listings=[listing],
    )
    document.sections.append(
        definitions_section(
            "subsidy", period_label=document.period_label, parameters=document.parameters
        )
    )
    return document
