"""Monthly statements of a chantier's group: prepare, confirm the days not paid, validate; an
administrator reopens a validated month with a reason (DESIGN §4 rule 5)."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.dates import add_months
from accounts.forms import apply_form
from accounts.forms_input import parse_id
from accounts.models import Role
from chantiers import selectors, services
from chantiers.forms import StatementUnlockForm
from chantiers.views.access import (
    CHANTIER_ROLES,
    READ_ROLES,
    chantier_or_404,
    month_or_404,
    statement_or_404,
    visible_chantiers,
)


@role_required(*READ_ROLES)
def month_statements(request, pk, year, month):
    chantier = chantier_or_404(request, pk)
    first = month_or_404(year, month)
    if request.method == "POST" and request.membership.role != Role.ADMIN:
        services.statements_prepare(chantier=chantier, month=first)
        messages.success(request, _("Les fiches du mois sont à jour."))
        return redirect("chantiers:month_statements", pk=chantier.pk, year=year, month=month)
    return _month_page(request, chantier, first)


def _month_page(request, chantier, first, *, unlocking=None):
    """``unlocking``: a refused reopening, given back as typed on its statement's line."""
    group = selectors.month_group_ids(chantier=chantier, month=first)
    statements = selectors.month_statements(
        organization=chantier.organization_id, participant_ids=group, month=first
    )
    waiting = selectors.statements_waiting(participant_ids=group, month=first)
    excesses = selectors.excesses_open_of(participant_ids=group, year=first.year)
    rows = [
        {
            "statement": s,
            "waiting": waiting.get(s.participant_id, 0),
            "excess": excesses.get(s.participant_id),
        }
        for s in statements
    ]
    context = {
        "chantier": chantier,
        "month": first,
        "previous": add_months(first, -1),
        "next": add_months(first, 1),
        "rows": rows,
        "can_validate": request.membership.role in CHANTIER_ROLES,
        "can_unlock": request.membership.role == Role.ADMIN,
        "unlocking": unlocking,
    }
    return render(request, "chantiers/month_statements.html", context)


def _posted_chantier(request):
    """The chantier whose month page the form came from (one this user may see), or None."""
    return visible_chantiers(request).filter(pk=parse_id(request.POST.get("chantier"))).first()


def _back(request, statement):
    """Back to the month page the form came from."""
    chantier = _posted_chantier(request)
    if chantier is None:
        return redirect("chantiers:list")
    return redirect(
        "chantiers:month_statements",
        pk=chantier.pk,
        year=statement.month.year,
        month=statement.month.month,
    )


@role_required(*CHANTIER_ROLES)
@require_POST
def statement_action(request, pk):
    statement = statement_or_404(request, pk)
    action = request.POST.get("action")
    try:
        if action == "acknowledge":
            count = services.attendance_acknowledge(statement=statement)
            messages.info(
                request, _("%(count)s jour(s) non payable(s) confirmé(s).") % {"count": count}
            )
        elif action == "validate":
            services.statement_validate(statement=statement, by=request.user)
            messages.success(
                request, _("Fiche de %(name)s validée.") % {"name": statement.participant}
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(request, statement)


@role_required(Role.ADMIN)
@require_POST
def statement_unlock(request, pk):
    statement = statement_or_404(request, pk)
    # Ids of the statement's own line (one reopening form per validated statement on the page).
    form = StatementUnlockForm(request.POST, auto_id=f"id_s{statement.pk}_%s")
    unlock = partial(services.statement_unlock, statement=statement, by=request.user)
    if apply_form(form, lambda data: unlock(reason=data["reason"])):
        messages.success(
            request, _("Fiche de %(name)s rouverte.") % {"name": statement.participant}
        )
        return _back(request, statement)
    # Refused: the month page again, the reason as typed on its line, and why beside it.
    chantier = _posted_chantier(request)
    if chantier is None:  # no page to give it back on (a form not posted from one)
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("chantiers:list")
    return _month_page(
        request, chantier, statement.month, unlocking={"pk": statement.pk, "form": form}
    )
