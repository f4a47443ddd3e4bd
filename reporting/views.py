"""The reports page: the year's key figures, a form per report kind, the history of runs with a
live progress bar, and the downloads (DESIGN §1: "one click, a progress bar, a PDF").

Direction and administration make every kind; a coordinator makes the summaries of the chantiers
they coordinate and sees only those runs. Another organization's run answers 404.
"""

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import AccessLog, Role
from accounts.services import access_log_record
from chantiers.selectors import chantiers_for
from reporting import services
from reporting.forms import FIRST_YEAR, FORMS, ReportForm
from reporting.indicators import activity
from reporting.models import ReportRun
from reporting.render.formats import format_value
from reporting.selectors import (
    names_allowed_for,
    report_kinds_for,
    report_run_rows,
    report_runs_for,
)

ROLES = (Role.DIRECTION, Role.ADMIN, Role.COORDINATOR)
HISTORY_SIZE = 20
TREND_YEARS = 5
# htmx stops polling an element when the answer has this status (the run is finished).
STOP_POLLING = 286
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _runs(request):
    return report_runs_for(
        organization=request.organization, user=request.user, role=request.membership.role
    )


def _run(request, pk) -> ReportRun:
    """A run the person may see, or 404 (another organization's, or a chantier not theirs)."""
    return get_object_or_404(_runs(request).select_related("requested_by"), pk=pk)


def _dashboard_year(request) -> int:
    this_year = timezone.localdate().year
    raw = request.GET.get("annee", "")
    if raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw) <= this_year:
        return int(raw)
    return this_year


def _page(request, bound: ReportForm | None = None):
    organization, role = request.organization, request.membership.role
    chantiers = chantiers_for(organization=organization, user=request.user, role=role)
    names = names_allowed_for(role)
    forms = [
        bound
        if bound is not None and bound.kind == kind
        else FORMS[kind](organization=organization, chantiers=chantiers, names_allowed=names)
        for kind in report_kinds_for(role)
    ]
    runs = _runs(request).select_related("requested_by")
    page = Paginator(runs, HISTORY_SIZE).get_page(request.GET.get("page"))
    context = {
        "forms": forms,
        "page": page,
        "rows": report_run_rows(organization=organization, runs=page.object_list),
        "headline": None,
    }
    if role in (Role.DIRECTION, Role.ADMIN):
        # The same figures as the activity report: one definition (reporting.indicators).
        year = _dashboard_year(request)
        this_year = timezone.localdate().year
        headline = activity.headline(organization=organization, year=year)
        context["headline"] = headline
        context["key_figures"] = _key_figures(headline)
        context["years"] = range(this_year, this_year - TREND_YEARS, -1)
    return render(request, "reporting/report_index.html", context)


def _key_figures(h: activity.Headline) -> list[dict]:
    """Formatted as in the PDF (``format_value``), so the page and the report read the same."""

    def figure(code, label, value, kind="int", note=""):
        return {"code": code, "label": label, "value": format_value(value, kind), "note": note}

    return [
        figure(
            "persons-accompanied",
            _("personnes accompagnées"),
            h.persons_accompanied,
            note=_("dont %(new)s nouvelles") % {"new": format_value(h.new, "int")},
        ),
        figure(
            "positive-exits",
            _("sorties positives"),
            h.positive_exits,
            note=_("sur %(exits)s sorties") % {"exits": format_value(h.exits, "int")},
        ),
        figure(
            "positive-exit-rate",
            _("taux de sorties positives"),
            h.positive_exit_rate,
            "percent",
            _("des personnes accompagnées ; %(rate)s des sorties")
            % {"rate": format_value(h.positive_over_exits, "percent")},
        ),
        figure(
            "target-attainment",
            _("de l'objectif annuel"),
            h.target_attainment,
            "percent",
            _("objectif : %(target)s personnes") % {"target": format_value(h.target, "int")}
            if h.target
            else _("aucun objectif fixé"),
        ),
    ]


@role_required(*ROLES)
def report_index(request):
    return _page(request)


@role_required(*ROLES)
@require_POST
def report_request(request, kind):
    if kind not in ReportRun.Kind.values:
        raise Http404
    if kind not in report_kinds_for(request.membership.role):
        raise PermissionDenied
    organization = request.organization
    chantiers = chantiers_for(
        organization=organization, user=request.user, role=request.membership.role
    )
    form = FORMS[kind](
        request.POST,
        organization=organization,
        chantiers=chantiers,
        names_allowed=names_allowed_for(request.membership.role),
    )
    if not form.is_valid():
        return _page(request, bound=form)  # with the messages and what was typed
    run = services.report_request(
        organization=organization,
        kind=kind,
        parameters=form.parameters(),
        by=request.user,
        language=request.LANGUAGE_CODE,
    )
    # After the commit, once the run was handed to the queue — or failed, the broker being
    # unreachable (services._enqueue, registered before): the one message that is true.
    transaction.on_commit(functools.partial(_tell_requested, request, run))
    # To the run's row: on a phone the history is below the forms.
    return redirect(f"{reverse('reporting:index')}#run-{run.pk}")


def _tell_requested(request, run: ReportRun) -> None:
    run.refresh_from_db(fields=["status", "error"])
    if run.status == ReportRun.Status.FAILED:
        messages.error(request, _(run.error))
        return
    messages.success(
        request,
        _("%(kind)s demandé : il se prépare ci-dessous ; vous pouvez quitter la page.")
        % {"kind": run.get_kind_display()},
    )


@role_required(*ROLES)
def run_status(request, pk):
    """The run's row, polled by htmx while it is queued or running."""
    run = _run(request, pk)
    row = report_run_rows(organization=request.organization, runs=[run])[0]
    status = STOP_POLLING if run.is_finished else 200
    return render(request, "reporting/_run_row.html", {"row": row}, status=status)


@role_required(*ROLES)
def run_download(request, pk, fmt):
    run = get_object_or_404(_runs(request).select_related("organization"), pk=pk)
    if fmt not in CONTENT_TYPES or run.status != ReportRun.Status.DONE:
        raise Http404
    file = run.pdf if fmt == "pdf" else run.xlsx
    # Every report holds personal data (pseudonymised data still is; a subsidy listing may hold
    # names): who took a copy, and when, is written down like any other export (DESIGN §4).
    access_log_record(
        user=request.user,
        organization=request.organization,
        obj=run,
        action=AccessLog.Action.DOWNLOAD,
    )
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=run.download_name(fmt),
        content_type=CONTENT_TYPES[fmt],
    )
    return response
