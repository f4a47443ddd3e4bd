"""What is posted on a participant's page — needs, a pathway opened, its events, goals, phase,
closing and reopening — and the follow-ups recorded after an exit."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.forms import apply_form
from participants import services
from participants.forms import (
    EventForm,
    FollowUpForm,
    GoalForm,
    NeedForm,
    NeedResolveForm,
    PathwayCloseForm,
    PathwayOpenForm,
    PathwayReopenForm,
    PhaseForm,
)
from participants.models import Goal
from participants.views.access import (
    CASELOAD_ROLES,
    follow_up_or_404,
    goal_or_404,
    need_or_404,
    participant_or_404,
    pathway_or_404,
)
from participants.views.page import section_answer


@role_required(*CASELOAD_ROLES)
@require_POST
def need_add(request, pk):
    participant = participant_or_404(request, pk)
    form = NeedForm(request.POST, prefix="need")
    ok = apply_form(form, lambda data: services.need_add(participant=participant, **data))
    return section_answer(
        request,
        participant,
        "participants/_needs.html",
        "#needs",
        ok,
        need_form=None if ok else form,
    )


@role_required(*CASELOAD_ROLES)
@require_POST
def need_resolve(request, pk):
    need = need_or_404(request, pk)
    form = NeedResolveForm(request.POST, need=need)
    ok = apply_form(
        form, lambda data: services.need_resolve(need=need, resolved_on=data["resolved_on"])
    )
    return section_answer(
        request,
        need.participant,
        "participants/_needs.html",
        "#needs",
        ok,
        resolve_form=None if ok else form,
    )


@role_required(*CASELOAD_ROLES)
@require_POST
def pathway_open(request, pk):
    participant = participant_or_404(request, pk)
    form = PathwayOpenForm(request.POST, prefix="open", organization=request.organization)
    ok = apply_form(
        form,
        lambda data: services.pathway_open(participant=participant, by=request.user, **data),
    )
    if ok:
        messages.success(request, _("Le parcours est ouvert."))
    return section_answer(
        request,
        participant,
        "participants/participant_detail.html",
        "#pathways",
        ok,
        open_form=None if ok else form,
    )


def _pathway_action(request, pk, form_class, name, action):
    """The pattern of every form on a pathway card: bind, call the service, answer the section."""
    pathway = pathway_or_404(request, pk)
    form = form_class(request.POST, prefix=f"p{pathway.pk}-{name}")
    ok = apply_form(form, lambda data: action(pathway, data))
    bound = {} if ok else {f"{name}_form": form}
    return section_answer(
        request,
        pathway.participant,
        "participants/_pathway.html",
        f"#pathway-{pathway.pk}",
        ok,
        bound_pathway=pathway.pk,
        bound=bound,
    )


@role_required(*CASELOAD_ROLES)
@require_POST
def event_add(request, pk):
    return _pathway_action(
        request,
        pk,
        EventForm,
        "event",
        lambda pathway, data: services.event_add(pathway=pathway, by=request.user, **data),
    )


@role_required(*CASELOAD_ROLES)
@require_POST
def goal_add(request, pk):
    return _pathway_action(
        request,
        pk,
        GoalForm,
        "goal",
        lambda pathway, data: services.goal_add(pathway=pathway, **data),
    )


@role_required(*CASELOAD_ROLES)
@require_POST
def pathway_phase(request, pk):
    return _pathway_action(
        request,
        pk,
        PhaseForm,
        "phase",
        lambda pathway, data: services.pathway_change_phase(
            pathway=pathway, by=request.user, **data
        ),
    )


@role_required(*CASELOAD_ROLES)
@require_POST
def pathway_close(request, pk):
    return _pathway_action(
        request,
        pk,
        PathwayCloseForm,
        "close",
        lambda pathway, data: services.pathway_close(pathway=pathway, by=request.user, **data),
    )


@role_required(*CASELOAD_ROLES)
@require_POST
def pathway_reopen(request, pk):
    return _pathway_action(
        request,
        pk,
        PathwayReopenForm,
        "reopen",
        lambda pathway, data: services.pathway_reopen(pathway=pathway, by=request.user, **data),
    )


@role_required(*CASELOAD_ROLES)
@require_POST
def goal_status(request, pk):
    goal = goal_or_404(request, pk)
    status = request.POST.get("status")
    if status in Goal.Status.values:
        services.goal_set_status(goal=goal, status=status)
    return section_answer(
        request,
        goal.pathway.participant,
        "participants/_pathway.html",
        f"#pathway-{goal.pathway_id}",
        True,
        bound_pathway=goal.pathway_id,
        bound={},
    )


@role_required(*CASELOAD_ROLES)
def follow_up_record(request, pk):
    follow_up = follow_up_or_404(request, pk)
    form = FollowUpForm(request.POST or None, instance=follow_up)
    if request.method == "POST" and apply_form(
        form, lambda data: services.follow_up_record(follow_up=follow_up, **data)
    ):
        messages.success(request, _("Le suivi est enregistré."))
        return redirect(
            reverse("participants:detail", args=[follow_up.pathway.participant_id])
            + f"#pathway-{follow_up.pathway_id}"
        )
    return render(
        request, "participants/follow_up_form.html", {"form": form, "follow_up": follow_up}
    )
