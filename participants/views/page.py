"""A participant's page, shown whole or one section at a time: what it holds, and how a form
posted on it is answered."""

from django.shortcuts import redirect, render
from django.urls import reverse

from participants import selectors
from participants.confidential import address_on_page, recent_reveals
from participants.forms import (
    AddressRevealForm,
    CertificationForm,
    EventForm,
    GoalForm,
    IncomeSourceForm,
    NeedForm,
    NeedResolveForm,
    PathwayCloseForm,
    PathwayOpenForm,
    PathwayReopenForm,
    PhaseForm,
    TrainingForm,
    TrainingUpdateForm,
)
from participants.models import Participant, Pathway


def _pathway_forms(pathway: Pathway, bound: dict | None = None) -> dict:
    """The forms the pathway's card shows: an open pathway takes notes, goals, a phase change
    or its closing; a closed one can only be reopened."""
    prefix = f"p{pathway.pk}"
    if pathway.is_open:
        forms = {
            "event_form": EventForm(prefix=f"{prefix}-event"),
            "goal_form": GoalForm(prefix=f"{prefix}-goal"),
            "phase_form": PhaseForm(prefix=f"{prefix}-phase", initial={"phase": pathway.phase}),
            "close_form": PathwayCloseForm(prefix=f"{prefix}-close"),
        }
    else:
        forms = {"reopen_form": PathwayReopenForm(prefix=f"{prefix}-reopen")}
    forms.update(bound or {})
    return forms


def _pathway_blocks(request, participant, bound_pathway=None, bound=None) -> list[dict]:
    pathways = selectors.pathways_for_page(
        participant=participant, user=request.user, membership=request.membership
    )
    return [
        {
            "pathway": pathway,
            "forms": _pathway_forms(pathway, bound if pathway.pk == bound_pathway else None),
            "timeline": _timeline(pathway),
        }
        for pathway in pathways
    ]


def _timeline(pathway: Pathway) -> list[dict]:
    """Events and phase changes of a pathway, the most recent first."""
    items = [{"date": e.date, "event": e} for e in pathway.events.all()]
    items += [{"date": t.at.date(), "transition": t} for t in pathway.transitions.all()]
    return sorted(items, key=lambda item: item["date"], reverse=True)


def _needs(participant: Participant, bound=None) -> list:
    """The person's needs, each open one with its form to say when it was lifted (the one
    refused, with what was typed)."""
    needs = list(participant.needs.all())
    for need in needs:
        if need.resolved_on is None:
            same = bound is not None and bound.prefix == f"need-{need.pk}"
            need.resolve_form = bound if same else NeedResolveForm(need=need)
    return needs


def _trainings(participant: Participant, bound=None) -> list:
    """The person's trainings (whoever noted them: the counsellors, or a partner that gives
    one), each with its form to say how it goes (the one refused, with what was typed)."""
    trainings = list(participant.trainings.select_related("recorded_by_organization"))
    for training in trainings:
        same = bound is not None and bound.prefix == f"training-{training.pk}"
        training.update_form = bound if same else TrainingUpdateForm.of(training)
    return trainings


def _certifications(participant: Participant) -> list:
    return list(participant.certifications.select_related("training", "recorded_by_organization"))


def detail_context(
    request,
    participant: Participant,
    *,
    need_form=None,
    resolve_form=None,
    training_form=None,
    training_bound=None,
    certification_form=None,
    income_form=None,
    open_form=None,
    bound_pathway=None,
    bound=None,
    address_form=None,
    address_revealed=False,
) -> dict:
    """The page's context; a form given (refused, with what was typed) replaces the empty one.
    ``address_revealed``: a confidential address is shown in this answer (its reveal logged)."""
    address = address_on_page(request.membership, participant, revealed=address_revealed)
    trainings = _trainings(participant, training_bound)
    return {
        "participant": participant,
        "address": address,
        "address_form": address_form or AddressRevealForm(prefix="address"),
        # Read only when the template shows them: a confidential address, a role that sees it.
        "address_reveals": recent_reveals(participant=participant),
        "income": selectors.current_income_source(participant=participant),
        "needs": _needs(participant, resolve_form),
        "referrals": selectors.participant_referrals(participant=participant),
        "need_form": need_form or NeedForm(prefix="need"),
        "trainings": trainings,
        "certifications": _certifications(participant),
        "training_form": training_form or TrainingForm(prefix="training"),
        "certification_form": certification_form
        or CertificationForm(prefix="certification", participant=participant, trainings=trainings),
        "income_form": income_form or IncomeSourceForm(prefix="income"),
        "open_form": open_form or PathwayOpenForm(prefix="open", organization=request.organization),
        "pathways": _pathway_blocks(request, participant, bound_pathway, bound),
        "sections": selectors.page_sections(
            participant=participant, organization=request.organization
        ),
    }


def section_answer(request, participant, template, anchor, ok, **forms):
    """htmx gets the updated section; a plain form post is redirected, or shown with its errors."""
    if request.htmx:
        context = detail_context(request, participant, **forms)
        if "bound_pathway" in forms:
            context["block"] = next(
                b for b in context["pathways"] if b["pathway"].pk == forms["bound_pathway"]
            )
        return render(request, template, context)
    if ok:
        return redirect(reverse("participants:detail", args=[participant.pk]) + anchor)
    context = detail_context(request, participant, **forms)
    return render(request, "participants/participant_detail.html", context)
