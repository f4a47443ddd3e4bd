from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_scoped_or_404, role_required
from accounts.addresses import address_for_each
from accounts.forms import add_service_errors, apply_form
from accounts.models import AccessLog, Role
from accounts.services import access_log_record, access_log_record_many
from participants import selectors, services
from participants.exports import participants_xlsx
from participants.forms import (
    EventForm,
    FollowUpForm,
    GoalForm,
    IncomeSourceForm,
    NeedForm,
    ParticipantCreateForm,
    ParticipantFilterForm,
    ParticipantForm,
    PathwayCloseForm,
    PathwayOpenForm,
    PathwayReopenForm,
    PhaseForm,
)
from participants.models import FollowUp, Goal, Need, Participant, Pathway, Programme

CASELOAD_ROLES = (Role.COUNSELLOR, Role.DIRECTION)
PAGE_SIZE = 25
EXPORT_LIMIT = 20_000


def _participant(request, pk) -> Participant:
    return get_scoped_or_404(request, Participant.objects.select_related("counsellor"), pk=pk)


def _pathway(request, pk) -> Pathway:
    queryset = Pathway.objects.select_related("participant", "programme")
    return get_scoped_or_404(request, queryset, via="participant__organization", pk=pk)


FILTERS = ("q", "status", "programme", "mine")
FILTERS_SESSION_KEY = "participant_filters"


def _filters(request) -> ParticipantFilterForm:
    """The list's filters live in the session, posted by the search form: a name or a national
    number typed in the search box never appears in a URL, so never in a server log, the
    browser history or a shared link. Read again by the form: a bad value kept there is dropped."""
    stored = request.session.get(FILTERS_SESSION_KEY, {})
    if stored.get("organization") != request.organization.pk:
        stored = {}
    stored = {key: stored.get(key, "") for key in FILTERS}
    return ParticipantFilterForm(stored, organization=request.organization)


def _filtered_participants(request, form: ParticipantFilterForm):
    filters = form.filters()
    return selectors.participant_list(
        organization=request.organization,
        query=filters["q"],
        counsellor=request.user if filters["mine"] else None,
        programme=form.cleaned_data.get("programme"),
        status=filters["status"],
    )


# What the list shows of each person (the file and the counsellor's account are wide rows).
LIST_COLUMNS = (
    "first_name",
    "last_name",
    "birth_date",
    "national_number",
    "commune",
    "counsellor__first_name",
    "counsellor__last_name",
)


@role_required(*CASELOAD_ROLES)
def participant_list(request):
    if request.method == "POST":
        form = ParticipantFilterForm(request.POST, organization=request.organization)
        filters = form.filters()  # what can be used; what is refused is said, not stored
        if form.errors:
            messages.error(request, form.problems())
        request.session[FILTERS_SESSION_KEY] = {**filters, "organization": request.organization.pk}
        if not request.htmx:
            return redirect("participants:list")
    form = _filters(request)
    filters = form.filters()
    participants = _filtered_participants(request, form).only(*LIST_COLUMNS)
    page = Paginator(participants, PAGE_SIZE).get_page(request.GET.get("page"))
    # Each row's address reversed once, not per row in the template.
    detail_url = address_for_each("participants:detail")
    for participant in page:
        participant.detail_url = detail_url(participant.pk)
    context = {
        "page": page,
        "filters": filters,
        "programmes": Programme.objects.filter(organization=request.organization),
    }
    template = "participants/_participant_rows.html" if request.htmx else None
    return render(request, template or "participants/participant_list.html", context)


@role_required(*CASELOAD_ROLES)
def participant_export(request):
    participants = list(_filtered_participants(request, _filters(request))[:EXPORT_LIMIT])
    access_log_record_many(
        user=request.user,
        organization=request.organization,
        objects=participants,
        action=AccessLog.Action.EXPORT,
    )
    response = HttpResponse(
        participants_xlsx(participants),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="participants-{stamp}.xlsx"'
    return response


@role_required(*CASELOAD_ROLES)
def participant_create(request):
    form = ParticipantCreateForm(request.POST or None, organization=request.organization)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.participant_register(
                organization=request.organization, by=request.user, **form.cleaned_data
            )
        except services.PossibleDuplicate as error:
            duplicates = error.duplicates
            add_service_errors(form, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("La fiche de %(name)s est créée.") % {"name": participant})
            return redirect("participants:detail", pk=participant.pk)
    return render(
        request, "participants/participant_form.html", {"form": form, "duplicates": duplicates}
    )


@role_required(*CASELOAD_ROLES)
def participant_edit(request, pk):
    participant = _participant(request, pk)
    form = ParticipantForm(
        request.POST or None, instance=participant, organization=request.organization
    )
    if request.method == "POST" and form.is_valid():
        duplicates = selectors.participant_duplicates(
            organization=request.organization,
            national_number=form.cleaned_data["national_number"],
            exclude_pk=participant.pk,
        )
        taken = _("Une autre fiche existe déjà avec ce numéro.")
        if form.cleaned_data["national_number"] and duplicates.exists():
            form.add_error("national_number", taken)
        else:
            try:
                with transaction.atomic():
                    form.save()
            except IntegrityError:  # the same number saved elsewhere at this very moment
                form.add_error("national_number", taken)
            else:
                messages.success(request, _("La fiche est enregistrée."))
                return redirect("participants:detail", pk=participant.pk)
    return render(
        request, "participants/participant_form.html", {"form": form, "participant": participant}
    )


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


def _detail_context(
    request,
    participant,
    *,
    need_form=None,
    income_form=None,
    open_form=None,
    bound_pathway=None,
    bound=None,
) -> dict:
    return {
        "participant": participant,
        "income": selectors.current_income_source(participant=participant),
        "needs": participant.needs.all(),
        # the partners app's section (reverse relation: participants imports nothing of it)
        "referrals": participant.referrals.select_related("to_organization", "service"),
        "need_form": need_form or NeedForm(prefix="need"),
        "income_form": income_form or IncomeSourceForm(prefix="income"),
        "open_form": open_form or PathwayOpenForm(prefix="open", organization=request.organization),
        "pathways": _pathway_blocks(request, participant, bound_pathway, bound),
        "sections": selectors.page_sections(
            participant=participant, organization=request.organization
        ),
    }


@role_required(*CASELOAD_ROLES)
def participant_detail(request, pk):
    participant = _participant(request, pk)
    access_log_record(user=request.user, organization=request.organization, obj=participant)
    return render(
        request, "participants/participant_detail.html", _detail_context(request, participant)
    )


def _section(request, participant, template, anchor, ok, **forms):
    """htmx gets the updated section; a plain form post is redirected, or shown with its errors."""
    if request.htmx:
        context = _detail_context(request, participant, **forms)
        if "bound_pathway" in forms:
            context["block"] = next(
                b for b in context["pathways"] if b["pathway"].pk == forms["bound_pathway"]
            )
        return render(request, template, context)
    if ok:
        return redirect(reverse("participants:detail", args=[participant.pk]) + anchor)
    context = _detail_context(request, participant, **forms)
    return render(request, "participants/participant_detail.html", context)


@role_required(*CASELOAD_ROLES)
@require_POST
def need_add(request, pk):
    participant = _participant(request, pk)
    form = NeedForm(request.POST, prefix="need")
    ok = apply_form(form, lambda data: services.need_add(participant=participant, **data))
    return _section(
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
    need = get_scoped_or_404(
        request, Need.objects.select_related("participant"), via="participant__organization", pk=pk
    )
    services.need_resolve(need=need, resolved_on=timezone.localdate())
    return _section(request, need.participant, "participants/_needs.html", "#needs", True)


@role_required(*CASELOAD_ROLES)
@require_POST
def income_change(request, pk):
    participant = _participant(request, pk)
    form = IncomeSourceForm(request.POST, prefix="income")
    ok = apply_form(
        form, lambda data: services.income_source_change(participant=participant, **data)
    )
    if ok:
        messages.success(request, _("La source de revenus est mise à jour."))
    return _section(
        request,
        participant,
        "participants/_identity.html",
        "#identity",
        ok,
        income_form=None if ok else form,
    )


@role_required(*CASELOAD_ROLES)
@require_POST
def pathway_open(request, pk):
    participant = _participant(request, pk)
    form = PathwayOpenForm(request.POST, prefix="open", organization=request.organization)
    ok = apply_form(
        form,
        lambda data: services.pathway_open(participant=participant, by=request.user, **data),
    )
    if ok:
        messages.success(request, _("Le parcours est ouvert."))
    return _section(
        request,
        participant,
        "participants/participant_detail.html",
        "#pathways",
        ok,
        open_form=None if ok else form,
    )


def _pathway_action(request, pk, form_class, name, action):
    """The pattern of every form on a pathway card: bind, call the service, answer the section."""
    pathway = _pathway(request, pk)
    form = form_class(request.POST, prefix=f"p{pathway.pk}-{name}")
    ok = apply_form(form, lambda data: action(pathway, data))
    bound = {} if ok else {f"{name}_form": form}
    return _section(
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
    goal = get_scoped_or_404(
        request,
        Goal.objects.select_related("pathway__participant"),
        via="pathway__participant__organization",
        pk=pk,
    )
    status = request.POST.get("status")
    if status in Goal.Status.values:
        services.goal_set_status(goal=goal, status=status)
    return _section(
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
    follow_up = get_scoped_or_404(
        request,
        FollowUp.objects.select_related("pathway__participant", "pathway__programme"),
        via="pathway__participant__organization",
        pk=pk,
    )
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


@role_required(*CASELOAD_ROLES)
def caseload(request):
    """The counsellor's desk: follow-ups due, pathways without news, their participants."""
    mine = request.user if request.membership.role == Role.COUNSELLOR else None
    context = {
        "follow_ups": selectors.follow_ups_due(organization=request.organization, counsellor=mine)[
            :50
        ],
        "stale": selectors.stale_pathways(organization=request.organization, counsellor=mine)[:50],
        "mine": mine,
        "stale_days": selectors.STALE_AFTER_DAYS,
        "today": timezone.localdate(),
    }
    return render(request, "participants/caseload.html", context)
