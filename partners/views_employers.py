"""Employers: the directory of employers, the operator's prospection log and the matchings
(a participant proposed for a position), for counsellors and the direction.

Employers are organizations of kind ``employer``, shared like every organization; what the
operator did with them (prospections, matchings) is its own and is always read through the
current organization."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import get_scoped_or_404, role_required
from accounts.forms import add_service_errors
from accounts.forms_input import SearchForm
from accounts.models import Organization, Role
from participants.models import Participant
from partners import selectors, services
from partners.forms import (
    EmployerContactForm,
    EmployerForm,
    MatchingForm,
    MatchingUpdateForm,
)
from partners.models import Matching

EMPLOYER_ROLES = (Role.COUNSELLOR, Role.DIRECTION)
PAGE_SIZE = 25
FILTERS_SESSION_KEY = "employer_filters"


# --- Reads -----------------------------------------------------------------------------------


def _employer(pk) -> Organization:
    return get_object_or_404(selectors.employers(), pk=pk)


def _matching(request, pk) -> Matching:
    queryset = Matching.objects.select_related("participant", "pathway", "employer")
    return get_scoped_or_404(request, queryset, via="participant__organization", pk=pk)


# --- Employers and prospection -----------------------------------------------------------------


@role_required(*EMPLOYER_ROLES)
def employer_list(request):
    if request.method == "POST":
        search = SearchForm(request.POST)
        if search.is_valid():
            request.session[FILTERS_SESSION_KEY] = {
                "q": search.query(),
                "organization": request.organization.pk,
            }
        else:
            messages.error(request, search.problem())
        return redirect("partners:employer_list")
    stored = request.session.get(FILTERS_SESSION_KEY, {})
    mine_stored = stored.get("organization") == request.organization.pk
    query = SearchForm({"q": stored.get("q", "")}).query() if mine_stored else ""
    employers = selectors.employer_list(organization=request.organization, query=query)
    page = Paginator(employers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "partners/employer_list.html", {"page": page, "query": query})


@role_required(*EMPLOYER_ROLES)
def employer_create(request):
    form = EmployerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            employer = services.employer_add(
                employer=form.save(commit=False), by_organization=request.organization
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Employeur « %(name)s » ajouté.") % {"name": employer.name})
            return redirect("partners:employer_detail", pk=employer.pk)
    return render(request, "partners/employer_form.html", {"form": form})


@role_required(*EMPLOYER_ROLES)
def employer_detail(request, pk):
    employer = _employer(pk)
    form = EmployerContactForm(
        request.POST or None, initial={"date": timezone.localdate()}, prefix="contact"
    )
    if request.method == "POST" and form.is_valid():
        contact = form.save(commit=False)
        contact.organization, contact.employer, contact.by = (
            request.organization,
            employer,
            request.user,
        )
        if services.prospection_record(contact=contact):
            messages.success(request, _("Prospection enregistrée."))
        else:
            messages.info(request, _("Cette prospection est déjà enregistrée."))
        return redirect("partners:employer_detail", pk=employer.pk)
    context = {
        "employer": employer,
        "form": form,
        "contacts": selectors.prospection_list(
            organization=request.organization, employer=employer
        ),
        "matchings": selectors.employer_matchings(
            organization=request.organization, employer=employer
        ),
    }
    return render(request, "partners/employer_detail.html", context)


# --- Matchings -------------------------------------------------------------------------------


@role_required(*EMPLOYER_ROLES)
def matching_list(request):
    status = request.GET.get("status", "")
    matchings = selectors.matching_list(organization=request.organization, status=status)
    page = Paginator(matchings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/matching_list.html",
        {"page": page, "status": status, "statuses": Matching.Status.choices},
    )


@role_required(*EMPLOYER_ROLES)
def matching_create(request, participant_pk):
    participant = get_scoped_or_404(request, Participant.objects.all(), pk=participant_pk)
    pathway = participant.pathways.open().order_by("-started_on").first()
    form = MatchingForm(request.POST or None)
    if pathway is not None and request.method == "POST" and form.is_valid():
        try:
            matching = services.matching_propose(
                matching=form.save(commit=False), participant=participant, by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error, renames={"ended_on": "on"})
        else:
            messages.success(
                request,
                _("%(name)s est proposé·e à %(employer)s.")
                % {"name": participant, "employer": matching.employer},
            )
            return redirect("partners:matching_list")
    return render(
        request,
        "partners/matching_form.html",
        {"form": form, "participant": participant, "pathway": pathway},
    )


@role_required(*EMPLOYER_ROLES)
def matching_update(request, pk):
    matching = _matching(request, pk)
    if matching.status in Matching.CLOSED:
        messages.info(request, _("Cette mise en relation est terminée."))
        return redirect("partners:matching_list")
    form = MatchingUpdateForm(request.POST or None, matching=matching)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.matching_update(
                matching=matching,
                status=data["status"],
                on=data["on"],
                by=request.user,
                close_pathway=data["close_pathway"],
                exit_outcome=data["exit_outcome"],
            )
        except ValidationError as error:
            add_service_errors(form, error, renames={"ended_on": "on"})
        else:
            if data["close_pathway"]:
                messages.success(request, _("Embauche enregistrée, parcours clôturé."))
            else:
                messages.success(request, _("Mise en relation mise à jour."))
            return redirect("partners:matching_list")
    return render(request, "partners/matching_update.html", {"form": form, "matching": matching})
