"""Subsidy report (ESF+): the participant indicators of a programme for a period, the hours and
indemnities of its chantiers, and (spreadsheet only) the participants behind the figures.

Parameters: ``{"programme": code, "start": "YYYY-MM-DD", "end": "YYYY-MM-DD",
"identify": "pseudonyms" | "names"}``. This module also holds the parameter checks that the
impact and chantier summary reports share.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from chantiers.models import Attendance, Chantier, WorkSession
from participants.models import ExitOutcome, Programme
from participants.services import add_months
from reporting.document import Chart, Column, Document, Section, Table, Text
from reporting.indicators.chantiers import ZERO, chantier_figures
from reporting.indicators.common import Period, pathways_open_during
from reporting.indicators.esf import EsfRow, esf_indicators
from reporting.reports import Progress, ReportParameterError

FIRST_YEAR = 2000  # no ISP record in the app goes further back
MAX_PERIOD_YEARS = 3
IDENTIFY = ("pseudonyms", "names")


# --- Parameters shared by the subsidy, impact and chantier summary reports -------------------


def programme_param(*, organization: Organization, parameters: dict) -> Programme:
    code = parameters.get("programme")
    programme = (
        Programme.objects.filter(organization=organization, code=code).first()
        if isinstance(code, str) and code
        else None
    )
    if programme is None:
        raise ReportParameterError(
            _("Le programme « %(code)s » n'existe pas dans cette organisation.")
            % {"code": code or ""}
        )
    return programme


def chantier_param(*, organization: Organization, parameters: dict) -> Chantier:
    code = parameters.get("chantier")
    chantier = (
        Chantier.objects.filter(organization=organization, code=code)
        .select_related("host", "programme")
        .first()
        if isinstance(code, str) and code
        else None
    )
    if chantier is None:
        raise ReportParameterError(
            _("Le chantier « %(code)s » n'existe pas dans cette organisation.")
            % {"code": code or ""}
        )
    return chantier


def _plausible(year: int, today: date) -> bool:
    return FIRST_YEAR <= year <= today.year + 1


def year_param(*, parameters: dict, today: date) -> int:
    raw = parameters.get("year")
    if raw in (None, ""):
        raise ReportParameterError(_("Indiquez l'année du rapport."))
    try:
        year = int(raw)
    except (TypeError, ValueError):
        message = _("L'année « %(year)s » n'est pas valable.") % {"year": raw}
        raise ReportParameterError(message) from None
    if not FIRST_YEAR <= year <= today.year:
        raise ReportParameterError(
            _("L'année doit être comprise entre %(first)s et %(last)s.")
            % {"first": FIRST_YEAR, "last": today.year}
        )
    return year


def period_param(*, parameters: dict, today: date) -> Period:
    """``start`` and ``end`` (ISO dates, end included): in order, at most three years long."""
    days = {}
    for name, label in (("start", _("de début")), ("end", _("de fin"))):
        try:
            days[name] = date.fromisoformat(str(parameters.get(name)))
        except ValueError:
            raise ReportParameterError(
                _("La date %(which)s de la période est manquante ou invalide.") % {"which": label}
            ) from None
        if not _plausible(days[name].year, today):
            raise ReportParameterError(
                _("La date %(which)s de la période doit tomber entre %(first)s et %(last)s.")
                % {"which": label, "first": FIRST_YEAR, "last": today.year + 1}
            )
    start, end = days["start"], days["end"]
    if start > end:
        raise ReportParameterError(_("La date de début de la période est après sa date de fin."))
    if end >= add_months(start, 12 * MAX_PERIOD_YEARS):
        raise ReportParameterError(
            _("La période ne peut pas dépasser %(years)s ans.") % {"years": MAX_PERIOD_YEARS}
        )
    return Period(start, end)


def identify_param(*, parameters: dict) -> str:
    identify = parameters.get("identify", "pseudonyms")
    if identify not in IDENTIFY:
        raise ReportParameterError(
            _("L'identification des personnes doit être « pseudonymes » ou « noms ».")
        )
    return identify


def period_label(period: Period) -> str:
    return _("du %(start)s au %(end)s") % {
        "start": f"{period.start:%d/%m/%Y}",
        "end": f"{period.end:%d/%m/%Y}",
    }


def pseudonym(participant_id: int) -> str:
    """Stable within the operator, meaningless outside it (the funder sees no name)."""
    return f"P{participant_id:06d}"


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


def _hours_per_pathway(pathways: list[dict], days: dict) -> dict[int, Decimal]:
    """Each day's hours to the pathway of the person open that day; to the later-started one
    when two are (one closed and the next opened on the same day)."""
    by_person: dict[int, list[dict]] = {}
    for pathway in sorted(pathways, key=lambda p: (p["started_on"], p["pk"])):
        by_person.setdefault(pathway["participant_id"], []).append(pathway)
    hours = {pathway["pk"]: ZERO for pathway in pathways}
    for participant_id, worked in days.items():
        own = by_person.get(participant_id, [])
        for day, amount in worked:
            open_that_day = [
                p for p in own if p["started_on"] <= day <= (p["ended_on"] or date.max)
            ]
            if open_that_day:
                hours[open_that_day[-1]["pk"]] += amount
    return hours


def participant_hours_listing(
    *, organization: Organization, programme: Programme, period: Period, identify: str
) -> Table:
    """Pathways of the programme open during the period, with the hours each person worked on
    the programme's chantiers while that pathway was open in the period (present-like marks of
    held sessions, the chantier figures' definition). A day shared by two pathways of the
    person (one closed, the next opened that day) counts once, for the later one.

    Two queries: the pathways, and the hours per person and day, given to the pathways here.
    (One query with a subquery per pathway read every session of the period once per pathway:
    4.3 s for 2 500 pathways on the benchmark's data.)"""
    pathways = pathways_open_during(organization=organization, period=period, programme=programme)
    worked = (
        Attendance.objects.filter(
            session__chantier__organization=organization,
            session__chantier__programme=programme,
            session__status=WorkSession.Status.HELD,
            session__date__range=(period.start, period.end),
            status__in=Attendance.PRESENT_LIKE,
            participant__in=pathways.values("participant_id"),
        )
        .values_list("participant_id", "session__date")
        .annotate(hours=Sum("hours"))
        .order_by()
    )
    days: dict[int, list[tuple[date, Decimal]]] = {}
    for participant_id, day, hours in worked:
        days.setdefault(participant_id, []).append((day, hours))
    if identify == "names":
        pathways = pathways.order_by("participant__last_name", "participant__first_name", "pk")
    else:
        pathways = pathways.order_by("participant_id", "started_on", "pk")
    listed = list(
        pathways.values(
            "pk",
            "participant_id",
            "participant__last_name",
            "participant__first_name",
            "started_on",
            "ended_on",
            "exit_outcome",
        )
    )
    hours = _hours_per_pathway(listed, days)
    rows = []
    for row in listed:
        if identify == "names":
            who = f"{row['participant__last_name'].upper()} {row['participant__first_name']}"
        else:
            who = pseudonym(row["participant_id"])
        outcome = ExitOutcome(row["exit_outcome"]).label if row["exit_outcome"] else ""
        rows.append([who, row["started_on"], row["ended_on"], str(outcome), hours[row["pk"]]])
    return Table(
        title=_("Participant·es du programme pendant la période"),
        columns=[
            Column(_("Personne")),
            Column(_("Entrée"), "date"),
            Column(_("Sortie"), "date"),
            Column(_("Situation à la sortie")),
            Column(_("Heures prestées sur les chantiers du programme"), "hours"),
        ],
        rows=rows,
        footer=[_("Total"), None, None, "", sum((r[4] for r in rows), ZERO)],
        note=_(
            "Un parcours par ligne ; heures des présences (présent·e, en retard, parti·e plus "
            "tôt) aux séances tenues pendant ce parcours et dans la période. Un jour commun à "
            "deux parcours (l'un clôturé, le suivant ouvert ce jour-là) compte pour le second."
        ),
    )


def chantier_columns() -> list[Column]:
    """The columns a report's table of chantiers starts with (``chantier_cells`` fills them)."""
    return [
        Column(_("Code")),
        Column(_("Chantier")),
        Column(_("Participant·es"), "int"),
        Column(_("Séances tenues"), "int"),
        Column(_("Heures prestées"), "hours"),
        Column(_("Taux de présence"), "percent"),
        Column(_("Défraiements"), "money"),
    ]


def chantier_cells(row) -> list:
    """A ``ChantierRow`` in the ``chantier_columns``."""
    return [
        row.code,
        row.name,
        row.participants,
        row.sessions_held,
        row.hours,
        row.attendance_rate,
        row.indemnities,
    ]


def chantiers_table(figures) -> Table:
    return Table(
        title=_("Heures et défraiements par chantier du programme"),
        columns=chantier_columns(),
        rows=[chantier_cells(row) for row in figures.rows],
        footer=[_("Total"), "", *chantier_cells(figures.total)[2:]],
        note=_(
            "Taux de présence : présences (présent·e, en retard, parti·e plus tôt) sur toutes "
            "les présences enregistrées aux séances tenues. Participant·es du total : personnes "
            "distinctes."
        ),
    )


def build(*, organization: Organization, parameters: dict, progress: Progress) -> Document:
    today = timezone.localdate()
    programme = programme_param(organization=organization, parameters=parameters)
    period = period_param(parameters=parameters, today=today)
    identify = identify_param(parameters=parameters)

    progress(10, _("Indicateurs FSE+"))
    esf = esf_indicators(organization=organization, programme=programme, period=period, as_of=today)
    progress(40, _("Chantiers du programme"))
    figures = chantier_figures(organization=organization, period=period, programme=programme)
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
        Section(
            _("Chantiers du programme"),
            [
                chantiers_table(figures)
                if figures.rows
                else Text(_("Aucun chantier du programme dans la période."))
            ]
            + (
                [
                    Chart(
                        title=_("Taux de présence par chantier"),
                        categories=[row.code for row in figures.rows],
                        series=[
                            (
                                _("Taux de présence"),
                                [row.attendance_rate for row in figures.rows],
                            )
                        ],
                        style="hbar",
                        percent=True,
                    )
                ]
                if figures.rows
                else []
            ),
        ),
    ]
    identification = _("Noms") if identify == "names" else _("Pseudonymes")
    return Document(
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
