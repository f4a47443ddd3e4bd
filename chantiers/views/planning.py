"""A chantier's work sessions: the month's list, one added, a weekly pattern between two dates
(Belgian public holidays skipped and named), a session cancelled with its reason."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import role_required
from accounts.dates import add_months
from accounts.forms import apply_form
from accounts.models import Role
from chantiers import selectors, services
from chantiers.forms_planning import (
    CancelForm,
    SessionForm,
    WeeklyPlanForm,
)
from chantiers.views.access import (
    CHANTIER_ROLES,
    chantier_or_404,
    session_or_404,
)


def _month_param(value: str | None) -> dt.date:
    """``?mois=2026-11`` (not personal data: a query string is fine here)."""
    if not value:
        return timezone.localdate().replace(day=1)
    try:
        month = dt.datetime.strptime(value, "%Y-%m").date()
        add_months(month, -1), add_months(month, 1)  # the page links both
    except ValueError:  # unreadable, or at the edge of the calendar (0001-01, 9999-12)
        raise Http404 from None
    return month


@role_required(*CHANTIER_ROLES, Role.ADMIN)
def session_list(request, pk):
    """The sessions of a chantier month by month, with how many marks each has."""
    chantier = chantier_or_404(request, pk)
    month = _month_param(request.GET.get("mois"))
    sessions = selectors.month_sessions(chantier=chantier, month=month)
    context = {
        "chantier": chantier,
        "month": month,
        "previous": add_months(month, -1),
        "next": add_months(month, 1),
        "sessions": sessions,
        "today": timezone.localdate(),
        "can_plan": request.membership.role in CHANTIER_ROLES,
    }
    return render(request, "chantiers/session_list.html", context)


def _back_to_month(chantier, day: dt.date):
    return redirect(f"{reverse('chantiers:sessions', args=[chantier.pk])}?mois={day:%Y-%m}")


@role_required(*CHANTIER_ROLES)
def session_create(request, pk):
    chantier = chantier_or_404(request, pk)
    form = SessionForm(request.POST or None, chantier=chantier)
    if request.method == "POST" and apply_form(
        form, lambda data: services.session_create(chantier=chantier, **data)
    ):
        day = form.cleaned_data["date"]
        messages.success(
            request, _("Séance du %(day)s ajoutée.") % {"day": date_format(day, "l j F")}
        )
        return _back_to_month(chantier, day)
    return render(request, "chantiers/session_form.html", {"form": form, "chantier": chantier})


@role_required(*CHANTIER_ROLES)
def sessions_weekly(request, pk):
    """Many sessions from a weekly pattern, Belgian public holidays skipped and said."""
    chantier = chantier_or_404(request, pk)
    initial = {"first_day": max(chantier.starts_on, timezone.localdate())}
    if chantier.ends_on:
        initial["last_day"] = chantier.ends_on
    form = WeeklyPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.sessions_create_weekly(
                chantier=chantier,
                first_day=data["first_day"],
                last_day=data["last_day"],
                weekdays=set(data["weekdays"]),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = len(plan.created)
            messages.success(
                request,
                ngettext("%(count)s séance planifiée.", "%(count)s séances planifiées.", count)
                % {"count": count},
            )
            for day, name in plan.holidays:
                messages.info(
                    request,
                    _("Pas de séance le %(day)s : jour férié (%(name)s).")
                    % {"day": date_format(day, "l j F Y"), "name": name},
                )
            if plan.stopped_at:
                messages.info(
                    request,
                    _("Planification arrêtée le %(day)s : le chantier se termine ce jour-là.")
                    % {"day": date_format(plan.stopped_at, "l j F Y")},
                )
            if plan.existing:
                messages.info(
                    request,
                    _("Déjà planifiées, laissées telles quelles : %(days)s.")
                    % {"days": ", ".join(f"{day:%d/%m}" for day in plan.existing)},
                )
            return _back_to_month(chantier, data["first_day"])
    return render(request, "chantiers/sessions_weekly.html", {"form": form, "chantier": chantier})


@role_required(*CHANTIER_ROLES)
def session_cancel(request, pk):
    session = session_or_404(request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(session=session, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Séance du %(day)s annulée.") % {"day": date_format(session.date, "l j F")},
            )
            return _back_to_month(session.chantier, session.date)
    context = {"form": form, "session": session, "chantier": session.chantier}
    return render(request, "chantiers/session_cancel.html", context)
