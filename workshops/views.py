"""The collective modules: the catalogue, a module's sessions, a session's people (enrolled
from the session or from their page), its attendance grid and, at the EPN, the drop-in
visitors counted without a name."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import get_scoped_or_404, role_required
from accounts.forms import apply_form, forms_still_shown
from participants import grid
from participants.views.access import participant_or_404
from workshops import selectors, services
from workshops.forms import (
    CancelForm,
    EnrolForm,
    ModuleForm,
    SessionChoiceForm,
    SessionForm,
    VisitForm,
)
from workshops.models import DropInVisit, Module, ModuleEnrolment, ModuleSession
from workshops.services import MODULE_ROLES

# How far ahead the catalogue lists the sessions to come.
COMING_DAYS = 28


def module_or_404(request, pk) -> Module:
    return get_scoped_or_404(request, Module.objects.select_related("partner"), pk=pk)


def session_or_404(request, pk) -> ModuleSession:
    queryset = ModuleSession.objects.select_related("module__partner")
    return get_scoped_or_404(request, queryset, via="module__organization", pk=pk)


@role_required(*MODULE_ROLES)
def module_list(request):
    today = timezone.localdate()
    context = {
        "modules": selectors.modules_of(organization=request.organization),
        "coming": selectors.sessions_between(
            organization=request.organization,
            first=today,
            last=today + dt.timedelta(days=COMING_DAYS),
        ),
        "today": today,
    }
    return render(request, "workshops/module_list.html", context)


@role_required(*MODULE_ROLES)
def module_create(request):
    form = ModuleForm(request.POST or None, organization=request.organization)
    created = {}
    if request.method == "POST" and apply_form(
        form,
        lambda data: created.setdefault(
            "module", services.module_create(organization=request.organization, **data)
        ),
    ):
        messages.success(request, _("Le module est au catalogue."))
        return redirect("workshops:module", pk=created["module"].pk)
    return render(request, "workshops/module_form.html", {"form": form})


@role_required(*MODULE_ROLES)
def module_edit(request, pk):
    module = module_or_404(request, pk)
    form = ModuleForm(request.POST or None, instance=module, organization=request.organization)
    if request.method == "POST" and apply_form(
        form, lambda data: services.module_update(module=module, **data)
    ):
        messages.success(request, _("Le module est modifié."))
        return redirect("workshops:module", pk=module.pk)
    return render(request, "workshops/module_form.html", {"form": form, "module": module})


@role_required(*MODULE_ROLES)
def module_detail(request, pk):
    module = module_or_404(request, pk)
    sessions = list(selectors.sessions_of(module=module))
    today = timezone.localdate()
    context = {
        "module": module,
        "coming": [s for s in reversed(sessions) if s.date >= today],
        "past": [s for s in sessions if s.date < today],
    }
    return render(request, "workshops/module_detail.html", context)


def _session_fields(data) -> dict:
    return {name: data[name] for name in ("date", "starts_at", "room", "capacity")} | {
        "duration_minutes": data["duration_minutes"] or None
    }


@role_required(*MODULE_ROLES)
def session_plan(request, pk):
    module = module_or_404(request, pk)
    form = SessionForm(
        request.POST or None,
        initial={"duration_minutes": module.duration_minutes, "date": timezone.localdate()},
    )
    planned = {}
    if request.method == "POST" and apply_form(
        form,
        lambda data: planned.setdefault(
            "session",
            services.session_plan(module=module, by=request.user, **_session_fields(data)),
        ),
    ):
        session = planned["session"]
        messages.success(
            request,
            _("La séance du %(date)s est planifiée.") % {"date": f"{session.date:%d/%m/%Y}"},
        )
        return redirect("workshops:session", pk=session.pk)
    return render(request, "workshops/session_form.html", {"form": form, "module": module})


@role_required(*MODULE_ROLES)
def session_edit(request, pk):
    session = session_or_404(request, pk)
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and apply_form(
        form,
        lambda data: services.session_update(session=session, **_session_fields(data)),
    ):
        messages.success(request, _("La séance est modifiée."))
        return redirect("workshops:session", pk=session.pk)
    context = {"form": form, "module": session.module, "session": session}
    return render(request, "workshops/session_form.html", context)


def _session_page(request, session, **forms):
    """The session's page; a refused form (``forms``) is shown with what was typed, or, if the
    page no longer shows that form (the session full, cancelled or marked meanwhile), its
    reasons are said as messages."""
    if forms:
        session.refresh_from_db()
    is_epn = session.module.kind == Module.Kind.EPN
    enrolments = selectors.enrolments_of(session)
    marked = {a.participant_id: a for a in session.attendances.all()}
    for enrolment in enrolments:
        enrolment.mark = marked.get(enrolment.participant_id)
    visits = list(session.visits.all()) if is_epn else []
    full = session.capacity is not None and len(enrolments) >= session.capacity
    planned = not session.is_cancelled
    shown = {
        "enrol_form": planned and not full,
        "visit_form": planned and is_epn and services.has_begun(session),
        "cancel_form": planned and not marked and not visits,
    }
    forms = forms_still_shown(request, forms, shown)
    context = {
        "session": session,
        "module": session.module,
        "enrolments": enrolments,
        "marked": marked,
        "full": full,
        "begun": services.has_begun(session),
        "is_epn": is_epn,
        "visits": visits,
        "shown": shown,
        "enrol_form": forms.get("enrol_form")
        or EnrolForm(pathways=selectors.enrollable_pathways(session=session), prefix="enrol"),
        "cancel_form": forms.get("cancel_form") or CancelForm(prefix="cancel"),
        "visit_form": forms.get("visit_form") or VisitForm(prefix="visit"),
    }
    return render(request, "workshops/session_detail.html", context)


@role_required(*MODULE_ROLES)
def session_detail(request, pk):
    return _session_page(request, session_or_404(request, pk))


@role_required(*MODULE_ROLES)
@require_POST
def session_cancel(request, pk):
    session = session_or_404(request, pk)
    form = CancelForm(request.POST, prefix="cancel")
    if apply_form(
        form, lambda data: services.session_cancel(session=session, reason=data["reason"])
    ):
        messages.success(request, _("La séance est annulée."))
        return redirect("workshops:session", pk=session.pk)
    return _session_page(request, session, cancel_form=form)


@role_required(*MODULE_ROLES)
@require_POST
def session_enrol(request, pk):
    session = session_or_404(request, pk)
    form = EnrolForm(
        request.POST, pathways=selectors.enrollable_pathways(session=session), prefix="enrol"
    )
    if apply_form(
        form,
        lambda data: services.enrolment_add(
            session=session, pathway=data["pathway"], by=request.user
        ),
    ):
        messages.success(
            request,
            _("%(name)s est inscrit·e.") % {"name": form.cleaned_data["pathway"].participant},
        )
        return redirect("workshops:session", pk=session.pk)
    return _session_page(request, session, enrol_form=form)


@role_required(*MODULE_ROLES)
@require_POST
def enrolment_remove(request, pk):
    queryset = ModuleEnrolment.objects.select_related("session", "participant")
    enrolment = get_scoped_or_404(request, queryset, via="session__module__organization", pk=pk)
    try:
        services.enrolment_remove(enrolment=enrolment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s n'est plus inscrit·e.") % {"name": enrolment.participant}
        )
    return redirect("workshops:session", pk=enrolment.session_id)


@role_required(*MODULE_ROLES)
def participant_enrol(request, participant_pk):
    """From the person's page: a session to come, for one of their open pathways."""
    participant = participant_or_404(request, participant_pk)
    form = SessionChoiceForm(
        request.POST or None,
        sessions=selectors.open_sessions(
            organization=request.organization, participant=participant
        ),
        pathways=participant.pathways.filter(ended_on__isnull=True).select_related("programme"),
    )
    if request.method == "POST" and apply_form(
        form,
        lambda data: services.enrolment_add(
            session=data["session"], pathway=data["pathway"], by=request.user
        ),
    ):
        session = form.cleaned_data["session"]
        messages.success(
            request,
            _("Inscrit·e à « %(title)s » le %(date)s.")
            % {"title": session.module.title, "date": f"{session.date:%d/%m/%Y}"},
        )
        return redirect(reverse("participants:detail", args=[participant.pk]) + "#modules")
    context = {"form": form, "participant": participant, "pathways": form.pathway_choices}
    return render(request, "workshops/participant_enrol.html", context)


@role_required(*MODULE_ROLES)
def session_attendance(request, pk):
    """The session's attendance grid: the one every session shares (participants.grid)."""
    session = session_or_404(request, pk)
    people = selectors.group_of(session)
    recorded = {a.participant_id: a for a in session.attendances.select_related("recorded_by")}
    cells = [
        grid.Cell(
            key=str(person.pk),
            label=str(person),
            session=session,
            participant_id=person.pk,
            recorded=recorded.get(person.pk),
        )
        for person in people
    ]
    conflicts_key = f"module-attendance-conflicts-{session.pk}"
    form = None  # a refused save comes back as typed, its bad inputs marked
    if request.method == "POST":
        form = grid.GridForm(
            request.POST, cells=cells, everyone_present="all_present" in request.POST
        )
        saved = _save(request, session, form)
        if saved is not None:
            if saved.conflicts:  # shown on their rows once, after the redirect
                request.session[conflicts_key] = grid.conflicts_noted(form, saved.conflicts)
            return redirect("workshops:attendance", pk=session.pk)
    conflicts = request.session.pop(conflicts_key, {}) if request.method == "GET" else {}
    rows, summary = grid.grid_rows(
        people=people, recorded=recorded, form=form, conflicts=conflicts, recorded_of=_inputs
    )
    context = {
        "session": session,
        "rows": rows,
        "error_summary": summary,
        "statuses": grid.statuses(),
        "hours_placeholder": session.hours,
        "begun": services.has_begun(session),
    }
    return render(request, "workshops/session_attendance.html", context)


def _inputs(mark) -> dict:
    """A row's inputs as recorded; an absence's hours left empty when there are none, so that
    the row marked present later counts the session's length unless other hours are typed."""
    shown = grid.recorded_inputs(mark)
    if mark is not None and mark.status not in grid.PRESENT_LIKE and not mark.hours:
        shown["hours"] = ""
    return shown


def _save(request, session, form: grid.GridForm):
    """The grid's marks saved, all or nothing, and what happened said; None when refused."""
    if not form.is_valid():
        messages.error(request, form.problems())
        return None
    marks = [
        services.Mark(
            participant_id=t.cell.participant_id,
            status=t.status,
            hours=t.hours,
            note=t.note,
            version=t.version,
        )
        for t in form.typed()
    ]
    try:
        result = services.attendance_record(session=session, marks=marks, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    if result.saved:
        count = len(result.saved)
        messages.success(
            request,
            ngettext("%(count)s présence enregistrée.", "%(count)s présences enregistrées.", count)
            % {"count": count},
        )
    elif not result.conflicts:
        messages.info(request, _("Rien n'a changé."))
    for attendance in result.conflicts:
        messages.warning(
            request,
            _(
                "%(name)s : modifié entre-temps par %(by)s ; votre choix n'a pas été "
                "enregistré, vérifiez la ligne."
            )
            % {"name": attendance.participant, "by": attendance.recorded_by},
        )
    return result


@role_required(*MODULE_ROLES)
@require_POST
def visit_add(request, pk):
    session = session_or_404(request, pk)
    form = VisitForm(request.POST, prefix="visit")
    if apply_form(
        form, lambda data: services.visit_record(session=session, by=request.user, **data)
    ):
        people = form.cleaned_data["people"]
        messages.success(
            request,
            ngettext(
                "%(count)s visite libre comptée.", "%(count)s visites libres comptées.", people
            )
            % {"count": people},
        )
        return redirect(reverse("workshops:session", args=[session.pk]) + "#visits")
    return _session_page(request, session, visit_form=form)


@role_required(*MODULE_ROLES)
@require_POST
def visit_delete(request, pk):
    queryset = DropInVisit.objects.select_related("session")
    visit = get_scoped_or_404(request, queryset, via="session__module__organization", pk=pk)
    services.visit_delete(visit=visit)
    messages.success(request, _("La ligne de visites est supprimée."))
    return redirect(reverse("workshops:session", args=[visit.session_id]) + "#visits")
