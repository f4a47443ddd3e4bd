"""What several report builders share: the checks of their parameters (a programme, a chantier,
a year, a period, how people are identified), how a period and a person are written, and the
blocks more than one report draws. The builders import this, never one another."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.dates import add_months
from accounts.models import Organization
from chantiers.models import Chantier
from participants.models import Programme
from reporting.document import Column, KeyFigure, KeyFigures, Table
from reporting.indicators.common import Period, rate
from reporting.indicators.impact import Outcomes, Share
from reporting.reports import ReportParameterError

FIRST_YEAR = 2000  # no ISP record in the app goes further back
MAX_PERIOD_YEARS = 3
IDENTIFY = ("pseudonyms", "names")


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


def chantier_life(chantier, today) -> Period:
    """From the chantier's start to its end, or to today while it is still going."""
    end = min(chantier.ends_on, today) if chantier.ends_on else today
    return Period(chantier.starts_on, max(end, chantier.starts_on))


def share_table(title: str, shares: list[Share], total: int, label: str, note: str = "") -> Table:
    """Persons by category with their share of ``total``; the footer adds up to ``total``."""
    return Table(
        title=title,
        columns=[Column(label), Column(_("Personnes"), "int"), Column(_("Part"), "percent")],
        rows=[[share.label, share.count, rate(share.count, total)] for share in shares],
        footer=[_("Total"), sum(share.count for share in shares), rate(total, total)],
        note=note,
    )


def standing_labels() -> tuple[str, str, str]:
    """Where a person stands among the pathways a report counts, as « Où en sont les
    personnes » counts them: still in one, exited from all, without any (translated once)."""
    return _("Encore en parcours"), _("Sorties, sans parcours ouvert"), _("Sans parcours")


def standing(labels: tuple[str, str, str], *, is_open: bool, exited: bool) -> str:
    """A listing's row in one of the ``standing_labels``: an open pathway first, then an exit."""
    still_open, exited_only, without = labels
    if is_open:
        return still_open
    return exited_only if exited else without


def outcomes_blocks(outcomes: Outcomes, *, people: str) -> list:
    """Persons by exit outcome, the positive rate, and every person of the cohort (``people``:
    "de la cohorte", "du groupe") once in where they stand; shared with the chantier summary."""
    reopened = (
        ngettext(
            "dont %(n)s encore dans un autre parcours",
            "dont %(n)s encore dans un autre parcours",
            n,
        )
        % {"n": n}
        if (n := outcomes.reopened)
        else ""
    )
    return [
        KeyFigures(
            [
                KeyFigure(_("Personnes sorties"), outcomes.exited, note=reopened),
                KeyFigure(
                    _("Sorties positives (emploi ou formation)"),
                    outcomes.positive,
                    note=ngettext("sur %(n)s sortie", "sur %(n)s sorties", outcomes.exited)
                    % {"n": outcomes.exited},
                ),
                KeyFigure(
                    _("Taux de sorties positives"),
                    outcomes.positive_rate,
                    "percent",
                    # Not the activity report's rate, which divides by the persons accompanied.
                    _("parmi les personnes sorties, pas parmi toutes les personnes suivies"),
                ),
                KeyFigure(_("Toujours en parcours"), outcomes.still_open),
            ]
        ),
        Table(
            title=_("Où en sont les personnes %(people)s") % {"people": people},
            columns=[
                Column(_("Situation")),
                Column(_("Personnes"), "int"),
                Column(_("Part"), "percent"),
            ],
            rows=[
                [label, count, rate(count, outcomes.persons)]
                for label, count in zip(
                    standing_labels(),
                    (outcomes.still_open, outcomes.exited_only, outcomes.without_pathway),
                    strict=True,
                )
            ],
            footer=[_("Total"), outcomes.persons, rate(outcomes.persons, outcomes.persons)],
            note=_(
                "Chaque personne est comptée une fois, d'après les parcours que ce rapport "
                "compte (voir les définitions) : encore en parcours si l'un d'eux est ouvert, "
                "même après être sortie d'un autre ; sortie si tous sont terminés."
            ),
        ),
        Table(
            title=_("Situation à la sortie"),
            columns=[
                Column(_("Situation")),
                Column(_("Personnes"), "int"),
                Column(_("Part des sorties"), "percent"),
            ],
            rows=[
                [share.label, share.count, rate(share.count, outcomes.exited)]
                for share in outcomes.by_outcome
                if share.count
            ],
            footer=[_("Total"), outcomes.exited, rate(outcomes.exited, outcomes.exited)],
            note=_(
                "Chaque personne sortie est comptée une fois, selon la situation de son dernier "
                "parcours terminé."
            ),
        ),
    ]
