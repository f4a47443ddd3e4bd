"""Chantier summary (bilan de chantier): one chantier over its whole life, or up to today.

Parameters: ``{"chantier": code}``. Counts only: no name, no incident description.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from chantiers.models import Enrolment, WorkSession
from reporting.document import Column, Document, KeyFigure, KeyFigures, Section, Table
from reporting.indicators.chantiers import ENROLLED, ZERO, chantier_figures
from reporting.indicators.impact import (
    chantier_group,
    chantier_incidents,
    chantier_people,
    chantier_sessions,
    cohort_for_chantier,
    exit_outcomes,
)
from reporting.reports import Progress
from reporting.reports.common import (
    chantier_life,
    chantier_param,
    outcomes_blocks,
    period_label,
    pseudonym,
    share_table,
    standing,
    standing_labels,
)
from reporting.reports.definitions import definitions_section


def build(*, organization: Organization, parameters: dict, progress: Progress) -> Document:
    today = timezone.localdate()
    chantier = chantier_param(organization=organization, parameters=parameters)
    period = chantier_life(chantier, today)

    progress(10, _("Groupe et séances"))
    group = chantier_group(chantier=chantier)
    sessions = {share.key: share.count for share in chantier_sessions(chantier=chantier)}
    incidents = chantier_incidents(chantier=chantier)
    progress(40, _("Heures et défraiements"))
    figures = chantier_figures(organization=organization, period=period, chantier=chantier).total
    progress(60, _("Sorties des parcours"))
    # The group's persons, the same as "Personnes inscrites", so that where they stand adds up.
    cohort = cohort_for_chantier(
        organization=organization, chantier=chantier, today=today, statuses=ENROLLED
    )
    outcomes = exit_outcomes(cohort=cohort)
    people = chantier_people(chantier=chantier, cohort=cohort, period=period)
    progress(80, _("Mise en page"))

    identity = Section(
        _("Le chantier"),
        [
            KeyFigures(
                [
                    KeyFigure(
                        _("Partenaire d'accueil"),
                        chantier.host.name if chantier.host else None,
                        "text",
                    ),
                    KeyFigure(
                        _("Programme"),
                        chantier.programme.name if chantier.programme else None,
                        "text",
                    ),
                    KeyFigure(_("Métier"), str(chantier.get_trade_display()), "text"),
                    KeyFigure(_("Début"), chantier.starts_on, "date"),
                    KeyFigure(_("Fin"), chantier.ends_on, "date"),
                    KeyFigure(_("Places"), chantier.capacity),
                    KeyFigure(_("État"), str(chantier.get_status_display()), "text"),
                ]
            )
        ],
    )
    group_section = Section(
        _("Le groupe"),
        [
            KeyFigures(
                [
                    KeyFigure(
                        _("Personnes inscrites"),
                        group.enrolled,
                        note=_("sélectionnées, actives, ayant terminé ou sorties"),
                    ),
                    KeyFigure(_("Candidat·es non retenu·es ou en attente"), group.candidates),
                ]
            ),
            share_table(
                _("Inscriptions par état"),
                group.by_status,
                sum(share.count for share in group.by_status),
                _("État"),
            ),
        ],
    )
    activity = Section(
        _("L'activité"),
        [
            KeyFigures(
                [
                    KeyFigure(_("Séances tenues"), figures.sessions_held),
                    KeyFigure(_("Séances annulées"), sessions[WorkSession.Status.CANCELLED]),
                    KeyFigure(_("Séances prévues"), sessions[WorkSession.Status.PLANNED]),
                    KeyFigure(_("Heures prestées"), figures.hours, "hours"),
                    KeyFigure(_("Taux de présence"), figures.attendance_rate, "percent"),
                    KeyFigure(_("Défraiements"), figures.indemnities, "money"),
                    KeyFigure(_("Taux d'achèvement"), figures.completion_rate, "percent"),
                ]
            ),
            Table(
                title=_("Incidents par type"),
                columns=[Column(_("Type")), Column(_("Incidents"), "int")],
                rows=[[share.label, share.count] for share in incidents],
                footer=[_("Total"), sum(share.count for share in incidents)],
            ),
        ],
    )
    document = Document(
        kind="chantier_summary",
        title=_("Bilan de chantier"),
        organization_name=organization.name,
        period_label=period_label(period),
        parameters=[(_("Chantier"), f"{chantier.name} ({chantier.code})")],
        sections=[
            identity,
            group_section,
            activity,
            Section(
                _("Sorties des parcours des personnes du groupe"),
                outcomes_blocks(outcomes, people=_("du groupe")),
            ),
        ],
        listings=[people_listing(people)],
    )
    document.sections.append(
        definitions_section(
            "chantier_summary", period_label=document.period_label, parameters=document.parameters
        )
    )
    return document


def people_listing(rows: list[dict]) -> Table:
    """The enrolments behind the figures, pseudonymous: their marks add up to the activity's
    figures, their standing to « Où en sont les personnes du groupe ». Not their exit outcome:
    a coordinator may ask for this report, and an outcome (health reasons) is not theirs to
    read; the chantier's impact report, for counsellors and direction, lists it."""
    statuses = {code: str(label) for code, label in Enrolment.Status.choices}
    standings = standing_labels()
    outside = _("hors groupe (candidature)")
    lines = [
        [
            pseudonym(row["participant_id"]),
            statuses[row["status"]],
            row["joined_on"],
            row["left_on"],
            row["recorded"],
            row["present"],
            row["hours"],
            row["indemnities"],
            standing(standings, is_open=row["is_open"], exited=row["exited"])
            if row["in_cohort"]
            else outside,
        ]
        for row in rows
    ]
    return Table(
        title=_("Personnes inscrites et candidatures"),
        columns=[
            Column(_("Personne")),
            Column(_("Inscription")),
            Column(_("Entrée"), "date"),
            Column(_("Sortie du chantier"), "date"),
            Column(_("Présences enregistrées"), "int"),
            Column(_("dont présent·e"), "int"),
            Column(_("Heures prestées"), "hours"),
            Column(_("Défraiements"), "money"),
            Column(_("Parcours aujourd'hui")),
        ],
        rows=lines,
        footer=[
            _("Total"),
            "",
            None,
            None,
            *(sum(line[i] for line in lines) for i in (4, 5)),
            *(sum((line[i] for line in lines), ZERO) for i in (6, 7)),
            "",
        ],
        note=_(
            "Une ligne par inscription. Présences des séances tenues ; défraiements de toutes "
            "les présences de la période du chantier. La situation à la sortie de chacun·e n'est "
            "pas listée ici : le rapport d'impact du chantier la donne."
        ),
    )
