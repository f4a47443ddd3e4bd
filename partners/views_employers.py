"""Employers: the directory of employers, the operator's prospection log and the matchings
(a participant proposed for a position), for counsellors and the direction.

Employers are organizations of kind ``employer``, shared like every organization; what the
operator did with them (prospections, matchings) is its own and is always read through the
current organization."""

import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import get_scoped_or_404, role_required
from accounts.models import Organization, Role
from participants.forms import DateInput
from participants.models import EMPLOYMENT_OUTCOMES, ExitOutcome, Participant
from participants.services import pathway_close
from partners import services
from partners.models import EmployerContact, Matching

EMPLOYER_ROLES = (Role.COUNSELLOR, Role.DIRECTION)
PAGE_SIZE = 25
FILTERS_SESSION_KEY = "employer_filters"


# --- Forms -----------------------------------------------------------------------------------


class EmployerForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "street", "postcode", "city", "email", "phone"]

    def save(self, commit=True):
        employer = super().save(commit=False)
        employer.kind = Organization.Kind.EMPLOYER
        # The slug is only an identifier: the name, and a random tail so two "Colruyt" can exist.
        employer.slug = f"{slugify(employer.name)[:40] or 'employeur'}-{secrets.token_hex(3)}"
        if commit:
            employer.save()
        return employer


class EmployerContactForm(forms.ModelForm):
    class Meta:
        model = EmployerContact
        fields = ["date", "person_met", "outcome", "note"]
        widgets = {"date": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError(_("Une prospection ne peut pas être datée dans le futur."))
        return date


class MatchingForm(forms.ModelForm):
    class Meta:
        model = Matching
        fields = ["employer", "position", "proposed_on"]
        widgets = {"proposed_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = _employers()
        self.fields["employer"].empty_label = "—"
        self.initial.setdefault("proposed_on", timezone.localdate())

    def clean_proposed_on(self):
        day = self.cleaned_data["proposed_on"]
        if day > timezone.localdate():
            raise ValidationError(_("La date de proposition ne peut pas être future."))
        return day


EMPLOYMENT_CHOICES = [(o.value, o.label) for o in ExitOutcome if o in EMPLOYMENT_OUTCOMES]


class MatchingUpdateForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Nouvel état"))
    on = forms.DateField(label=gettext_lazy("Depuis le"), widget=DateInput())
    close_pathway = forms.BooleanField(
        label=gettext_lazy("Engagé·e : clôturer aussi le parcours à cette date"), required=False
    )
    exit_outcome = forms.ChoiceField(
        label=gettext_lazy("Situation à la sortie"),
        choices=[("", "—"), *EMPLOYMENT_CHOICES],
        required=False,
    )

    def __init__(self, *args, matching: Matching, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = services.MATCHING_NEXT.get(matching.status, set())
        self.fields["status"].choices = [
            (s.value, s.label) for s in Matching.Status if s in allowed
        ]
        self.initial.setdefault("on", timezone.localdate())

    def clean(self):
        data = super().clean()
        if data.get("close_pathway"):
            if data.get("status") != Matching.Status.HIRED:
                self.add_error(
                    "close_pathway", _("Seule une embauche peut clôturer le parcours ici.")
                )
            elif not data.get("exit_outcome"):
                self.add_error("exit_outcome", _("Indiquez la situation à la sortie."))
        return data


# --- Reads -----------------------------------------------------------------------------------


def _employers():
    return Organization.objects.filter(kind=Organization.Kind.EMPLOYER, is_active=True)


def _employer(pk) -> Organization:
    return get_object_or_404(_employers(), pk=pk)


def _matching(request, pk) -> Matching:
    queryset = Matching.objects.select_related("participant", "pathway", "employer")
    return get_scoped_or_404(request, queryset, via="participant__organization", pk=pk)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            field = {"ended_on": "on"}.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Employers and prospection -----------------------------------------------------------------


@role_required(*EMPLOYER_ROLES)
def employer_list(request):
    if request.method == "POST":
        query = request.POST.get("q", "").strip()[:100]
        request.session[FILTERS_SESSION_KEY] = {"q": query, "organization": request.organization.pk}
        return redirect("partners:employer_list")
    stored = request.session.get(FILTERS_SESSION_KEY, {})
    query = stored.get("q", "") if stored.get("organization") == request.organization.pk else ""
    mine = Q(prospections__organization=request.organization)
    employers = _employers().annotate(
        prospection_count=Count("prospections", filter=mine),
        last_prospection=Max("prospections__date", filter=mine),
    )
    if query:
        employers = employers.filter(Q(name__icontains=query) | Q(city__icontains=query))
    page = Paginator(employers.order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "partners/employer_list.html", {"page": page, "query": query})


@role_required(*EMPLOYER_ROLES)
def employer_create(request):
    form = EmployerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        employer = form.save()
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
        contact.save()
        messages.success(request, _("Prospection enregistrée."))
        return redirect("partners:employer_detail", pk=employer.pk)
    context = {
        "employer": employer,
        "form": form,
        "contacts": EmployerContact.objects.filter(
            organization=request.organization, employer=employer
        ).select_related("by"),
        "matchings": Matching.objects.filter(
            participant__organization=request.organization, employer=employer
        ).select_related("participant"),
    }
    return render(request, "partners/employer_detail.html", context)


# --- Matchings -------------------------------------------------------------------------------


@role_required(*EMPLOYER_ROLES)
def matching_list(request):
    status = request.GET.get("status", "")
    matchings = Matching.objects.filter(
        participant__organization=request.organization
    ).select_related("participant", "employer")
    if status in Matching.Status.values:
        matchings = matchings.filter(status=status)
    elif status == "open":
        matchings = matchings.exclude(status__in=Matching.CLOSED)
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
        matching = form.save(commit=False)
        if matching.proposed_on < pathway.started_on:
            form.add_error("proposed_on", _("La proposition ne peut précéder le parcours."))
        else:
            matching.participant, matching.pathway, matching.by = (
                participant,
                pathway,
                request.user,
            )
            matching.status_on = matching.proposed_on
            matching.save()
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
            # One step: the hire and the end of the pathway are saved together, or neither.
            with transaction.atomic():
                services.matching_update(
                    matching=matching, status=data["status"], on=data["on"], by=request.user
                )
                if data["close_pathway"]:
                    pathway_close(
                        pathway=matching.pathway,
                        ended_on=data["on"],
                        exit_outcome=data["exit_outcome"],
                        job_searching_at_exit=False,
                        by=request.user,
                    )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if data["close_pathway"]:
                messages.success(request, _("Embauche enregistrée, parcours clôturé."))
            else:
                messages.success(request, _("Mise en relation mise à jour."))
            return redirect("partners:matching_list")
    return render(request, "partners/matching_update.html", {"form": form, "matching": matching})
