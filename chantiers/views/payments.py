"""Payment batches (DESIGN §1: direction approves them): choose the validated statements, get the
SEPA file for the bank and the CSV for the accountant, mark the batch paid.

Direction does everything here. The administration reads the list and the batches (it keeps the
organisation's account and reopens statements, and needs to see why a statement is locked in a
batch) but neither creates, downloads nor marks anything: the files hold every IBAN in full.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_scoped_or_404, role_required
from accounts.models import AccessLog, Role
from accounts.services import access_log_record_many
from chantiers import payments
from chantiers.forms_payments import BatchForm
from chantiers.models import PaymentBatch
from chantiers.views.access import PAYMENT_READ_ROLES

PAGE_SIZE = 25


def _batch(request, pk) -> PaymentBatch:
    return get_scoped_or_404(request, PaymentBatch.objects.all(), pk=pk)


@role_required(*PAYMENT_READ_ROLES)
def batch_list(request):
    batches = (
        PaymentBatch.objects.filter(organization=request.organization)
        .select_related("created_by", "paid_by")
        .defer("sepa_xml")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "can_act": request.membership.role == Role.DIRECTION}
    return render(request, "chantiers/payment_batch_list.html", context)


@role_required(Role.DIRECTION)
def batch_new(request):
    initial = {"execution_date": payments.next_business_day(timezone.localdate())}
    form = BatchForm(request.POST or None, initial=initial)
    chosen = None  # everything is checked until the person unchecks something
    if request.method == "POST":
        valid = form.is_valid()
        chosen = set(form.cleaned_data.get("statements", [])) if form.is_bound else set()
        if valid:
            try:
                batch = payments.batch_create(
                    organization=request.organization,
                    statement_ids=sorted(chosen),
                    execution_date=form.cleaned_data["execution_date"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Lot %(reference)s créé : %(count)s virement(s).")
                    % {"reference": batch.reference, "count": batch.count},
                )
                return redirect("chantiers:payment_batch_detail", pk=batch.pk)
    candidates = payments.batch_candidates(organization=request.organization)
    context = {
        "form": form,
        "candidates": candidates,
        "chosen": chosen,
        "account_problems": payments.operator_account_problems(request.organization),
    }
    return render(request, "chantiers/payment_batch_new.html", context)


@role_required(*PAYMENT_READ_ROLES)
def batch_detail(request, pk):
    batch = get_scoped_or_404(
        request, PaymentBatch.objects.select_related("created_by", "paid_by"), pk=pk
    )
    context = {
        "batch": batch,
        "transfers": payments.batch_transfers(batch=batch),
        "can_act": request.membership.role == Role.DIRECTION,
    }
    return render(request, "chantiers/payment_batch_detail.html", context)


def _log_export(request, batch: PaymentBatch, transfers) -> None:
    access_log_record_many(
        user=request.user,
        organization=request.organization,
        objects=[t.statement.participant for t in transfers],
        action=AccessLog.Action.EXPORT,
    )


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(Role.DIRECTION)
@require_POST
def batch_download_xml(request, pk):
    """The stored file, byte for byte (its sha256 is on the page); the first download marks the
    batch exported. A POST: it changes the batch."""
    batch = _batch(request, pk)
    try:
        payments.batch_mark_exported(batch=batch, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("chantiers:payment_batch_detail", pk=batch.pk)
    _log_export(request, batch, payments.batch_transfers(batch=batch))
    return _attachment(bytes(batch.sepa_xml), "application/xml", f"{batch.reference}.xml")


@role_required(Role.DIRECTION)
def batch_download_csv(request, pk):
    batch = _batch(request, pk)
    _log_export(request, batch, payments.batch_transfers(batch=batch))
    return _attachment(
        payments.batch_csv(batch=batch), "text/csv; charset=utf-8", f"{batch.reference}.csv"
    )


@role_required(Role.DIRECTION)
@require_POST
def batch_mark_paid(request, pk):
    batch = _batch(request, pk)
    if not request.POST.get("confirmed"):
        messages.error(request, _("Cochez la case pour confirmer que la banque a payé."))
        return redirect("chantiers:payment_batch_detail", pk=batch.pk)
    try:
        payments.batch_mark_paid(batch=batch, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Lot %(reference)s payé.") % {"reference": batch.reference})
    return redirect("chantiers:payment_batch_detail", pk=batch.pk)


@role_required(Role.DIRECTION)
@require_POST
def batch_cancel(request, pk):
    batch = _batch(request, pk)
    if not request.POST.get("confirmed"):
        messages.error(request, _("Cochez la case pour confirmer l'annulation."))
        return redirect("chantiers:payment_batch_detail", pk=batch.pk)
    try:
        count = payments.batch_cancel(batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("chantiers:payment_batch_detail", pk=batch.pk)
    messages.success(
        request,
        _("Lot %(reference)s annulé : %(count)s fiche(s) à nouveau à payer.")
        % {"reference": batch.reference, "count": count},
    )
    return redirect("chantiers:payment_batch_list")
