"""The trainings and certifications on a participant's page: a training noted, its news (hours
done, state, end), a certification noted. What a partner notes on the referral it accepted is
partners' (partners/views_trainings.py); both land in the same section of the page."""

from django.views.decorators.http import require_POST

from accounts.access import get_scoped_or_404, role_required
from accounts.forms import apply_form
from participants import services
from participants.forms import CertificationForm, TrainingForm, TrainingUpdateForm
from participants.models import Training
from participants.views.access import CASELOAD_ROLES, participant_or_404
from participants.views.page import section_answer

SECTION = "participants/_trainings.html"
ANCHOR = "#trainings"


def training_or_404(request, pk) -> Training:
    queryset = Training.objects.filter(participant__anonymised_at__isnull=True).select_related(
        "participant__counsellor"
    )
    return get_scoped_or_404(request, queryset, via="participant__organization", pk=pk)


@role_required(*CASELOAD_ROLES)
@require_POST
def training_add(request, pk):
    participant = participant_or_404(request, pk)
    form = TrainingForm(request.POST, prefix="training")
    ok = apply_form(
        form,
        lambda data: services.training_add(
            participant=participant,
            recorded_by=request.user,
            recorded_by_organization=request.organization,
            **data,
        ),
    )
    return section_answer(
        request, participant, SECTION, ANCHOR, ok, training_form=None if ok else form
    )


@role_required(*CASELOAD_ROLES)
@require_POST
def training_update(request, pk):
    training = training_or_404(request, pk)
    form = TrainingUpdateForm(request.POST, prefix=f"training-{training.pk}")
    ok = apply_form(form, lambda data: services.training_update(training=training, **data))
    return section_answer(
        request, training.participant, SECTION, ANCHOR, ok, training_bound=None if ok else form
    )


@role_required(*CASELOAD_ROLES)
@require_POST
def certification_add(request, pk):
    participant = participant_or_404(request, pk)
    form = CertificationForm(request.POST, prefix="certification", participant=participant)
    ok = apply_form(
        form,
        lambda data: services.certification_add(
            participant=participant,
            recorded_by=request.user,
            recorded_by_organization=request.organization,
            **data,
        ),
    )
    return section_answer(
        request, participant, SECTION, ANCHOR, ok, certification_form=None if ok else form
    )
