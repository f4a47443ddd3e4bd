"""Reads of the run history, scoped by organization and, for coordinators, by their chantiers."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, Role, User
from chantiers.models import Chantier
from chantiers.selectors import chantiers_for
from participants.models import Programme
from reporting.models import ReportRun

Kind = ReportRun.Kind


def report_kinds_for(role: str) -> list[str]:
    """Coordinators make chantier summaries (of their chantiers); direction and admin, all."""
    if role == Role.COORDINATOR:
        return [Kind.CHANTIER_SUMMARY]
    return list(Kind.values)


# Who may have participants named in a report (the subsidy listing, when the funder requires
# names): direction, as on the pages. The administration sees counts and pseudonyms.
NAMES_ROLES = frozenset({Role.DIRECTION})


def names_allowed_for(role: str) -> bool:
    return role in NAMES_ROLES


def requester_may_see_names(*, organization: Organization, user: User) -> bool:
    """Their role in the organization now, as the run is requested (not what a form offered)."""
    return (
        Membership.objects.active()
        .filter(user=user, organization=organization, role__in=NAMES_ROLES)
        .exists()
    )


def report_runs_for(*, organization, user, role) -> QuerySet[ReportRun]:
    """The runs a person may follow and download: those of their organization; a coordinator,
    the summaries of their chantiers; without the right to names, no run that lists names
    (direction's subsidy report with names is not the administration's to download)."""
    runs = ReportRun.objects.filter(organization=organization)
    if not names_allowed_for(role):
        named = ReportRun.objects.filter(
            organization=organization, kind=Kind.SUBSIDY, parameters__identify="names"
        )
        runs = runs.exclude(pk__in=named.values("pk"))
    if role == Role.COORDINATOR:
        codes = list(
            chantiers_for(organization=organization, user=user, role=role).values_list(
                "code", flat=True
            )
        )
        runs = runs.filter(kind=Kind.CHANTIER_SUMMARY, parameters__chantier__in=codes)
    return runs


@dataclass
class HistoryRow:
    run: ReportRun
    parameters_label: str


def report_run_rows(*, organization, runs) -> list[HistoryRow]:
    """The runs with their parameters in words, in two more queries whatever their number
    (the names of the programmes and chantiers they name)."""
    runs = list(runs)
    programme_codes = {r.parameters.get("programme") for r in runs} - {None}
    chantier_codes = {r.parameters.get("chantier") for r in runs} - {None}
    programmes = dict(
        Programme.objects.filter(organization=organization, code__in=programme_codes).values_list(
            "code", "name"
        )
        if programme_codes
        else []
    )
    chantiers = dict(
        Chantier.objects.filter(organization=organization, code__in=chantier_codes).values_list(
            "code", "name"
        )
        if chantier_codes
        else []
    )
    return [HistoryRow(run, parameters_label(run, programmes, chantiers)) for run in runs]


def _date(value) -> str:
    try:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return str(value)


def parameters_label(run: ReportRun, programmes: dict, chantiers: dict) -> str:
    p = run.parameters
    programme = programmes.get(p.get("programme"), p.get("programme"))
    chantier = chantiers.get(p.get("chantier"), p.get("chantier"))
    if run.kind == Kind.ACTIVITY:
        return _("Année %(year)s") % {"year": p.get("year")}
    if run.kind == Kind.SUBSIDY:
        names = p.get("identify") == "names"
        return _("%(programme)s, du %(start)s au %(end)s, %(identify)s") % {
            "programme": programme,
            "start": _date(p.get("start")),
            "end": _date(p.get("end")),
            "identify": _("avec les noms") if names else _("pseudonymisé"),
        }
    if p.get("chantier"):
        return _("Chantier %(chantier)s") % {"chantier": chantier}
    return _("%(programme)s, année %(year)s") % {"programme": programme, "year": p.get("year")}
