"""What a partner notes on a referral it accepted to a training it gives: the training (its
dates and hours) and the certification it issued (issue 20). It sees, of the person, the
minimum of every referral (partners/views_partner.py) and what it noted itself: never the
record's notes, nor the trainings noted by others."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_scoped_or_404, role_required
from accounts.forms import apply_form
from accounts.models import AccessLog, Role
from accounts.services import access_log_record
from partners import selectors, services
from partners.forms import PartnerCertificationForm, PartnerTrainingForm
from partners.models import Referral


def _received_or_404(request, pk) -> Referral:
    """A referral addressed to the partner's organization (another's: 404), its minimum."""
    return get_scoped_or_404(
        request, selectors.referrals_minimal(Referral.objects), via="to_organization", pk=pk
    )


def _page(request, referral, *, training_form=None, certification_form=None):
    trainings = list(selectors.trainings_noted_by_partner(referral=referral))
    context = {
        "referral": referral,
        "refusal": services.referral_training_refusal(referral=referral),
        "trainings": trainings,
        "certifications": selectors.certifications_noted_by_partner(referral=referral),
        "training_form": training_form or PartnerTrainingForm(prefix="training"),
        "certification_form": certification_form
        or PartnerCertificationForm(
            prefix="certification", participant=referral.participant, trainings=trainings
        ),
    }
    return render(request, "partners/referral_trainings.html", context)


@role_required(Role.PARTNER)
def referral_trainings(request, pk):
    referral = _received_or_404(request, pk)
    access_log_record(
        user=request.user,
        organization=request.organization,
        obj=referral,
        action=AccessLog.Action.VIEW,
    )
    return _page(request, referral)


@role_required(Role.PARTNER)
@require_POST
def referral_training_add(request, pk):
    referral = _received_or_404(request, pk)
    form = PartnerTrainingForm(request.POST, prefix="training")
    if apply_form(
        form,
        lambda data: services.referral_training_add(referral=referral, by=request.user, **data),
    ):
        messages.success(request, _("La formation est notée et transmise."))
        return redirect("partners:referral_trainings", pk=referral.pk)
    return _page(request, referral, training_form=form)


@role_required(Role.PARTNER)
@require_POST
def referral_certification_add(request, pk):
    referral = _received_or_404(request, pk)
    form = PartnerCertificationForm(
        request.POST,
        prefix="certification",
        participant=referral.participant,
        trainings=list(selectors.trainings_noted_by_partner(referral=referral)),
    )
    if apply_form(
        form,
        lambda data: services.referral_certification_add(
            referral=referral, by=request.user, **data
        ),
    ):
        messages.success(request, _("La certification est notée et transmise."))
        return redirect("partners:referral_trainings", pk=referral.pk)
    return _page(request, referral, certification_form=form)
