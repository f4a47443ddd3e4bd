"""Forming a chantier's group: candidates found with a posted search and shown with their
eligibility, then selection (a justification when a condition fails), start, departure, safety
briefing and protective equipment (DESIGN §3 "Enrolment")."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import get_scoped_or_404, role_required
from accounts.forms import add_service_errors
from accounts.forms_input import SearchForm
from accounts.offline import keep_offline
from chantiers import selectors, services
from chantiers.forms import (
    CandidatesForm,
    EnrolmentActivateForm,
    EnrolmentLeaveForm,
    EnrolmentSafetyForm,
    EnrolmentSelectForm,
)
from chantiers.indemnities import DECLARATION_REQUIRED
from chantiers.models import (
    Chantier,
    Enrolment,
    VolunteerAgreement,
)
from chantiers.views.access import (
    CHANTIER_ROLES,
    chantier_or_404,
    visible_chantiers,
)

CANDIDATES_PAGE_SIZE = 25
SEARCH_SESSION_KEY = "group_candidate_search"


Status = Enrolment.Status


def _enrolment(request, pk) -> Enrolment:
    enrolments = Enrolment.objects.filter(chantier__in=visible_chantiers(request)).select_related(
        "chantier", "participant"
    )
    return get_scoped_or_404(request, enrolments, via="chantier__organization", pk=pk)


def _paperwork_day(chantier: Chantier) -> dt.date:
    """Today, within the chantier's dates: before it starts, its first day tells what is missing."""
    day = max(timezone.localdate(), chantier.starts_on)
    return min(day, chantier.ends_on) if chantier.ends_on else day


def _row_forms(enrolment: Enrolment, today: dt.date) -> dict:
    auto_id = _auto_id(enrolment)  # one page, many forms: ids stay unique
    return {
        "select_form": EnrolmentSelectForm(auto_id=auto_id),
        "activate_form": EnrolmentActivateForm(auto_id=auto_id, initial={"joined_on": today}),
        "leave_form": EnrolmentLeaveForm(
            auto_id=auto_id, initial={"left_on": today, "status": Status.COMPLETED}
        ),
        "safety_form": EnrolmentSafetyForm(auto_id=auto_id, instance=enrolment),
    }


# The sections of the page, in the order of a person's way through the chantier.
SECTION_OF = {
    Status.CANDIDATE: "candidates",
    Status.SELECTED: "selected",
    Status.ACTIVE: "active",
    Status.WITHDRAWN: "left",
    Status.COMPLETED: "left",
}


# The forms each row shows (templates/chantiers/_group_row.html).
FORMS_SHOWN = {
    Status.CANDIDATE: {"select_form"},
    Status.SELECTED: {"activate_form", "safety_form", "leave_form"},
    Status.ACTIVE: {"safety_form", "leave_form"},
    Status.WITHDRAWN: set(),
    Status.COMPLETED: set(),
}


def _render_group(request, chantier: Chantier, bound: dict | None = None):
    """The group page; ``bound``: {enrolment pk: {form name: form}} kept as typed after an error."""
    today, bound = timezone.localdate(), bound or {}
    day = _paperwork_day(chantier)
    rows = selectors.group_paperwork(chantier=chantier, on=day)  # three queries, whatever the size
    in_group = {
        row["enrolment"].participant_id
        for row in rows
        if row["enrolment"].status in Enrolment.IN_GROUP
    }
    eligibility = selectors.enrolment_eligibility_many(
        chantier=chantier,
        participants=[
            row["enrolment"].participant
            for row in rows
            if row["enrolment"].status == Status.CANDIDATE
        ],
        in_group=in_group,
    )
    sections = {
        "candidates": {"key": "candidates", "title": _("Candidat·es"), "rows": []},
        "selected": {"key": "selected", "title": _("Sélectionné·es"), "rows": []},
        "active": {"key": "active", "title": _("Actif·ves"), "rows": []},
        "left": {"key": "left", "title": _("Parti·es"), "rows": []},
    }
    incomes = selectors.incomes_on(
        participant_ids=[row["enrolment"].participant_id for row in rows], day=day
    )
    for row in rows:
        enrolment = row["enrolment"]
        income = incomes[enrolment.participant_id]
        row["income"] = income
        row["required_declaration"] = (
            VolunteerAgreement.Declaration(DECLARATION_REQUIRED[income.kind]) if income else None
        )
        row.update(_row_forms(enrolment, today))
        row.update(bound.get(enrolment.pk, {}))
        row["problems"] = eligibility.get(enrolment.participant_id, [])
        row["open"] = enrolment.pk in bound
        sections[SECTION_OF[enrolment.status]]["rows"].append(row)
    # Said at the top too, with the reasons when the row no longer shows that form (someone
    # else moved the person on meanwhile).
    refused = [
        {
            "enrolment": row["enrolment"],
            "errors": [] if name in FORMS_SHOWN[row["enrolment"].status] else _errors(form),
        }
        for row in rows
        for name, form in bound.get(row["enrolment"].pk, {}).items()
    ]
    context = {
        "chantier": chantier,
        "refused": refused,
        "sections": list(sections.values()),
        "taken": len(in_group),
        "paperwork_day": day,
    }
    return render(request, "chantiers/group.html", context)


def _errors(form) -> list[str]:
    return [error for errors in form.errors.values() for error in errors]


@keep_offline
@role_required(*CHANTIER_ROLES)
def group(request, pk):
    return _render_group(request, chantier_or_404(request, pk))


def _act(request, enrolment, form_name: str, form, action, success: str, *, field=None):
    """Run ``action`` with the form's data; on refusal, the group page with the form as typed
    (a refusal without a field goes to ``field`` when given, above the form otherwise)."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, unnamed=field)
        else:
            messages.success(request, success % {"name": enrolment.participant})
            url = reverse("chantiers:group", args=[enrolment.chantier_id])
            return redirect(f"{url}#enrolment-{enrolment.pk}")  # back to the row, on a phone
    return _render_group(request, enrolment.chantier, bound={enrolment.pk: {form_name: form}})


def _auto_id(enrolment) -> str:
    return f"id_e{enrolment.pk}_%s"


@role_required(*CHANTIER_ROLES)
@require_POST
def enrolment_select(request, pk):
    enrolment = _enrolment(request, pk)
    form = EnrolmentSelectForm(request.POST, auto_id=_auto_id(enrolment))
    return _act(
        request,
        enrolment,
        "select_form",
        form,
        lambda data: services.enrolment_select(
            enrolment=enrolment, justification=data["justification"]
        ),
        _("%(name)s est sélectionné·e."),
        field="justification",
    )


@role_required(*CHANTIER_ROLES)
@require_POST
def enrolment_activate(request, pk):
    enrolment = _enrolment(request, pk)
    form = EnrolmentActivateForm(request.POST, auto_id=_auto_id(enrolment))
    return _act(
        request,
        enrolment,
        "activate_form",
        form,
        lambda data: services.enrolment_activate(enrolment=enrolment, joined_on=data["joined_on"]),
        _("%(name)s a commencé le chantier."),
    )


@role_required(*CHANTIER_ROLES)
@require_POST
def enrolment_leave(request, pk):
    enrolment = _enrolment(request, pk)
    form = EnrolmentLeaveForm(request.POST, auto_id=_auto_id(enrolment))

    def leave(data):
        services.enrolment_leave(
            enrolment=enrolment,
            status=data["status"],
            left_on=data["left_on"],
            reason=data["leave_reason"],
        )

    return _act(request, enrolment, "leave_form", form, leave, _("Départ de %(name)s enregistré."))


@role_required(*CHANTIER_ROLES)
@require_POST
def enrolment_safety(request, pk):
    enrolment = _enrolment(request, pk)
    form = EnrolmentSafetyForm(request.POST, instance=enrolment, auto_id=_auto_id(enrolment))

    def save(data):
        form.save(commit=False).save(
            update_fields=["safety_briefing_on", "protective_equipment_on"]
        )

    return _act(
        request, enrolment, "safety_form", form, save, _("Sécurité de %(name)s enregistrée.")
    )


def _search_query(request) -> str:
    """The search lives in the session, posted by the form: a national number typed in the box
    never appears in a URL, so never in a server log or the browser history."""
    stored = request.session.get(SEARCH_SESSION_KEY, {})
    if stored.get("organization") != request.organization.pk:
        return ""
    return SearchForm({"q": stored.get("q", "")}).query()  # whatever a session holds


@role_required(*CHANTIER_ROLES)
def group_add(request, pk):
    chantier = chantier_or_404(request, pk)
    if request.method == "POST" and "add" in request.POST:
        return _add_candidates(request, chantier)
    if request.method == "POST":
        search = SearchForm(request.POST)
        if search.is_valid():
            request.session[SEARCH_SESSION_KEY] = {
                "q": search.query(),
                "organization": request.organization.pk,
            }
        else:
            messages.error(request, search.problem())
        if not request.htmx:
            return redirect("chantiers:group_add", pk=chantier.pk)
    query = _search_query(request)
    people = selectors.candidates(organization=request.organization, query=query)
    page = Paginator(people, CANDIDATES_PAGE_SIZE).get_page(request.GET.get("page"))
    enrolled = dict(chantier.enrolments.values_list("participant", "status"))
    in_group = {p for p, status in enrolled.items() if status in Enrolment.IN_GROUP}
    eligibility = selectors.enrolment_eligibility_many(
        chantier=chantier, participants=list(page.object_list), in_group=in_group
    )
    labels = dict(Status.choices)
    rows = [
        {
            "participant": person,
            "problems": eligibility[person.pk],
            "enrolled": labels.get(enrolled.get(person.pk), ""),
        }
        for person in page.object_list
    ]
    context = {"chantier": chantier, "page": page, "rows": rows, "query": query}
    template = "chantiers/_group_candidates.html" if request.htmx else "chantiers/group_add.html"
    return render(request, template, context)


def _add_candidates(request, chantier):
    form = CandidatesForm(request.POST)
    ids = form.cleaned_data["participant"] if form.is_valid() else []
    people = list(
        selectors.candidates(organization=request.organization)
        .filter(pk__in=ids)
        .exclude(enrolments__chantier=chantier)
    )
    if not people:
        messages.error(request, _("Cochez au moins une personne à ajouter."))
        return redirect("chantiers:group_add", pk=chantier.pk)
    services.enrolments_add(chantier=chantier, participants=people)
    messages.success(
        request,
        ngettext(
            "%(count)s personne ajoutée aux candidat·es.",
            "%(count)s personnes ajoutées aux candidat·es.",
            len(people),
        )
        % {"count": len(people)},
    )
    return redirect("chantiers:group_add", pk=chantier.pk)
