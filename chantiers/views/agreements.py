"""Volunteer agreements (convention de bénévolat indemnisé, DESIGN §3): written for a member of
the group, checked against the income source and the ceilings, and printed with the
organisation note the law of 3 July 2005 requires, ready to sign."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import get_scoped_or_404, role_required
from chantiers import selectors, services
from chantiers.forms import (
    AgreementForm,
)
from chantiers.indemnities import ZERO
from chantiers.models import (
    IndemnityCeiling,
    VolunteerAgreement,
)
from chantiers.pdf import render_pdf
from chantiers.views.access import (
    CHANTIER_ROLES,
    chantier_or_404,
    pdf_response,
    printed,
    visible_chantiers,
)


def _agreement(request, pk) -> VolunteerAgreement:
    """An agreement of someone in the group of a chantier this user may see (as for the PDF), or
    of a volunteer of the organisation (issue 21)."""
    agreements = selectors.group_agreements(
        chantiers=visible_chantiers(request)
    ) | VolunteerAgreement.objects.filter(participant__volunteer__organization=request.organization)
    return get_scoped_or_404(request, agreements, pk=pk)


@role_required(*CHANTIER_ROLES)
def agreement_new(request, chantier, enrolment):
    chantier = chantier_or_404(request, chantier)
    enrolment = get_object_or_404(chantier.enrolments.select_related("participant"), pk=enrolment)
    agreement = VolunteerAgreement(
        participant=enrolment.participant, organization=chantier.organization, chantier=chantier
    )
    initial = {
        "starts_on": enrolment.joined_on or chantier.starts_on,
        "ends_on": chantier.ends_on,
        "daily_rate": chantier.daily_indemnity,
        "insurance_policy": selectors.latest_insurance_policy(organization=chantier.organization),
    }
    return agreement_page(request, agreement, initial=initial, context={"chantier": chantier})


@role_required(*CHANTIER_ROLES)
def agreement_edit(request, pk):
    agreement = _agreement(request, pk)
    chantier = selectors.agreement_chantier(
        agreement=agreement, chantiers=visible_chantiers(request)
    )
    return agreement_page(request, agreement, context={"chantier": chantier})


def agreement_page(
    request,
    agreement,
    *,
    initial=None,
    context: dict,
    template="chantiers/agreement_form.html",
    edit_url="chantiers:agreement_edit",
):
    """The agreement's form and its aside; ``edit_url``: where a saved agreement is shown (a
    volunteer's agreement lives in the volunteers' pages, issue 21)."""
    previous_start = agreement.starts_on  # None for a new one; the form changes the instance
    form = AgreementForm(request.POST or None, instance=agreement, initial=initial)
    if request.method == "POST" and form.is_valid():
        agreement = services.agreement_save(
            agreement=form.save(commit=False), previous_start=previous_start
        )
        messages.success(request, _("Convention enregistrée ; les défraiements sont recalculés."))
        if form.unchecked_year:
            messages.warning(
                request,
                _(
                    "Les plafonds de %(year)s ne sont pas encore configurés : le forfait sera "
                    "vérifié quand l'administration les aura ajoutés, et aucun jour de %(year)s "
                    "n'est défrayé avant."
                )
                % {"year": form.unchecked_year},
            )
        return redirect(edit_url, pk=agreement.pk)
    context = context | {
        "form": form,
        "agreement": agreement,
        "participant": agreement.participant,
        "edit_url": edit_url,
        "ceiling": form.ceiling,
        "year": form.year,
        "days": selectors.agreement_year_days(agreement=agreement, year=form.year)
        if agreement.pk
        else [],
    }
    return render(request, template, context)


@role_required(*CHANTIER_ROLES)
def agreement_pdf(request, pk):
    """The agreement with its organisation note, ready to sign; the printing is logged."""
    agreement = _agreement(request, pk)
    printed(request, [agreement.participant])
    pdf = render_pdf(
        "pdf/volunteer_agreement.html",
        {
            "agreement": agreement,
            "participant": agreement.participant,
            "chantier": agreement.chantier,
            "organization": agreement.organization,
            "ceiling": IndemnityCeiling.objects.filter(year=agreement.starts_on.year).first(),
            "declared_elsewhere": selectors.declared_elsewhere(
                participant_ids=[agreement.participant_id], year=agreement.starts_on.year
            ).get(agreement.participant_id, (ZERO, 0))[0],
        },
    )
    return pdf_response(
        pdf, f"convention-{agreement.participant.last_name}-{agreement.starts_on:%Y}"
    )
