"""The coordinators' and direction's pages about volunteers (issue 21): the organisation's
volunteers and the service sheets waiting for an answer, a new volunteer, a volunteer's page
(identity, year's balance, agreements, log-in, sheets, months), their agreements without
chantier, a month's statement, the answer to a sheet and its receipt; a paper sheet typed for
a volunteer without log-in, and their details (contact, address, IBAN, income source).

Every volunteer of the organisation is the business of its coordinators and its direction: a
volunteer has no chantier that would narrow a coordinator's view, as a participant has."""

import datetime as dt
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import get_scoped_or_404, role_required
from accounts.dates import add_months
from accounts.forms import add_service_errors, apply_form
from accounts.forms_input import parse_id
from accounts.models import Membership, Role
from accounts.services import access_log_record
from accounts.templatetags.formatting import euros
from chantiers import selectors, services
from chantiers.models import (
    Attendance,
    MonthlyStatement,
    ServiceSheet,
    VolunteerAgreement,
)
from chantiers.sheets import sheet_enter_signed, sheet_return, sheet_validate
from chantiers.views.access import CHANTIER_ROLES, month_or_404
from chantiers.views.agreements import agreement_page
from chantiers.views.year_changes import document_response
from participants.confidential import address_in_form, address_roles_label, may_see_address
from participants.selectors import current_income_source, participant_duplicates
from participants.services import PossibleDuplicate
from participants.views.access import CASELOAD_ROLES
from volunteers import services as volunteer_services
from volunteers.forms_staff import (
    PaperSheetForm,
    SheetReviewForm,
    VolunteerCreateForm,
    VolunteerDetailsForm,
    VolunteerEndForm,
    VolunteerInviteForm,
)
from volunteers.models import Volunteer

# The coordinators and the direction manage the volunteers; the administration does not.
STAFF_ROLES = CHANTIER_ROLES
PAGE_SIZE = 50
# The oldest sheets waiting first: answering them brings up the next ones.
PENDING_SHOWN = 50
# The days already on a sheet that the paper sheet's form recalls, the most recent first.


def _volunteers():
    """Anonymised people are only counted any more (as for ``participant_or_404``)."""
    return Volunteer.objects.filter(participant__anonymised_at__isnull=True).select_related(
        "participant"
    )


def _volunteer_or_404(request, pk) -> Volunteer:
    return get_scoped_or_404(request, _volunteers(), pk=pk)


def _sheet_or_404(request, pk) -> ServiceSheet:
    return get_scoped_or_404(request, ServiceSheet.objects.select_related("participant"), pk=pk)


def _agreement_or_404(request, pk) -> VolunteerAgreement:
    """An agreement of one of the organisation's volunteers (with a chantier or without)."""
    agreements = VolunteerAgreement.objects.filter(
        participant__volunteer__organization=request.organization
    ).select_related("participant__volunteer", "chantier", "organization")
    return get_scoped_or_404(request, agreements, pk=pk)


def _reviews(sheets, reviewing) -> list[dict]:
    """Each sheet with the form that answers it; ``reviewing``: a refused answer, given back as
    typed on its sheet's line."""
    return [
        {
            "sheet": sheet,
            "form": reviewing["form"]
            if reviewing and reviewing["pk"] == sheet.pk
            else SheetReviewForm(sheet_pk=sheet.pk),
        }
        for sheet in sheets
    ]


# --- The list ------------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def volunteer_list(request):
    return _list_page(request)


def _list_page(request, *, reviewing=None):
    organization = request.organization
    waiting = ServiceSheet.objects.filter(
        organization=organization, status=ServiceSheet.Status.SUBMITTED
    )
    pending = list(
        waiting.select_related("participant__volunteer").order_by("date", "pk")[:PENDING_SHOWN]
    )
    waiting_of = (
        waiting.filter(participant=OuterRef("participant"))
        .order_by()
        .values("participant")
        .annotate(count=Count("pk"))
        .values("count")
    )
    logins = Membership.objects.filter(user=OuterRef("user"), organization=organization)
    volunteers = (
        _volunteers()
        .filter(organization=organization)
        .order_by("participant__last_name", "participant__first_name", "pk")
        .annotate(
            waiting=Coalesce(Subquery(waiting_of), Value(0), output_field=IntegerField()),
            login_active=Exists(logins.active()),
            login_pending=Exists(logins.pending()),
        )
    )
    context = {
        "pending": _reviews(pending, reviewing),
        "pending_total": waiting.count() if len(pending) == PENDING_SHOWN else len(pending),
        "page": Paginator(volunteers, PAGE_SIZE).get_page(request.GET.get("page")),
        "here": reverse("volunteers:list"),
    }
    return render(request, "volunteers/list.html", context)


# --- A new volunteer -----------------------------------------------------------------------


# A coordinator told that the person may be known already, without a name: making a known
# person a volunteer would open their money and income to the coordinator (the volunteer's
# page), so only the direction sees the records found and may choose one.
MAYBE_KNOWN = gettext_lazy(
    "Une fiche existe peut-être déjà pour cette personne. Demandez à la direction de l'inscrire "
    "comme bénévole, ou cochez « c'est une autre personne » si vous êtes sûr·e."
)


@role_required(*STAFF_ROLES)
def volunteer_new(request):
    direction = request.membership.role == Role.DIRECTION
    form = VolunteerCreateForm(
        request.POST or None, organization=request.organization, may_choose_existing=direction
    )
    duplicates = []
    if request.method == "POST":
        if form.is_valid():
            try:
                volunteer = volunteer_services.volunteer_register(
                    organization=request.organization, by=request.user, **form.registration()
                )
            except PossibleDuplicate as error:
                duplicates = error.duplicates
                if direction:
                    add_service_errors(form, error)
                else:
                    form.add_error(None, str(MAYBE_KNOWN))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s est inscrit·e comme bénévole.") % {"name": volunteer.participant},
                )
                return redirect("volunteers:detail", pk=volunteer.pk)
        if not duplicates and "offered" in request.POST:
            # The records found were offered: they stay offered while the form is refused.
            duplicates = _duplicates_of(form)
    context = {"form": form, "duplicates": [], "maybe_known": None}
    if not direction:
        # Nothing of the records found: neither a name, nor a link, nor how many.
        if duplicates:
            said = str(MAYBE_KNOWN) in form.non_field_errors()  # above the form already
            context["maybe_known"] = "" if said else str(MAYBE_KNOWN)
        return render(request, "volunteers/new.html", context)
    form.offer(duplicates)
    volunteers = dict(
        Volunteer.objects.filter(
            participant__in=duplicates, organization=request.organization
        ).values_list("participant", "pk")
    )
    context["duplicates"] = [
        {"person": person, "volunteer": volunteers.get(person.pk)} for person in duplicates
    ]
    return render(request, "volunteers/new.html", context)


def _duplicates_of(form) -> list:
    data = form.cleaned_data
    return list(
        participant_duplicates(
            organization=form.instance.organization,
            last_name=data.get("last_name", ""),
            first_name=data.get("first_name", ""),
            birth_date=data.get("birth_date"),
        )
    )


# --- A volunteer's page --------------------------------------------------------------------


def _year(request) -> int:
    """The year asked in the address, if it is one the pages can show; else this one."""
    today = timezone.localdate()
    year = parse_id(request.GET.get("year"))
    return year if year and 2000 <= year <= today.year + 1 else today.year


@role_required(*STAFF_ROLES)
def volunteer_detail(request, pk):
    volunteer = _volunteer_or_404(request, pk)
    access_log_record(
        user=request.user, organization=request.organization, obj=volunteer.participant
    )
    return _detail_page(request, volunteer, year=_year(request))


def _open_login(volunteer, organization) -> Membership | None:
    """The volunteer's access to the organisation, if open (active, or an invitation waiting
    for the person's answer); a declined or closed one leaves them to be invited again."""
    if volunteer.user_id is None:
        return None
    return (
        Membership.objects.open()
        .filter(user=volunteer.user_id, organization=organization)
        .select_related("user")
        .first()
    )


def _detail_page(request, volunteer, *, year, reviewing=None, invite_form=None, end_form=None):
    organization, participant = request.organization, volunteer.participant
    sheets = list(
        ServiceSheet.objects.filter(
            participant=participant, organization=organization, date__year=year
        )
        .select_related("participant")
        .order_by("date", "pk")
    )
    statements = {
        s.month: s
        for s in MonthlyStatement.objects.filter(
            participant=participant, organization=organization, month__year=year
        )
    }
    months = sorted({sheet.date.replace(day=1) for sheet in sheets} | set(statements))
    agreements = list(
        VolunteerAgreement.objects.filter(
            participant=participant, organization=organization
        ).select_related("chantier")
    )
    membership = _open_login(volunteer, organization)
    ended = volunteer.ended_on is not None
    # A log-in by link only (a made-up address) may still become one by e-mail and password.
    if ended or (membership is not None and membership.user.has_mail_address):
        invite_form = None
    elif invite_form is None:
        invite_form = VolunteerInviteForm(initial={"email": participant.email})
    if ended:
        end_form = None
    elif end_form is None:
        end_form = VolunteerEndForm()
    balance = selectors.year_balances(
        participant_ids=[participant.pk], organization=organization, year=year
    )[participant.pk]
    here = f"{reverse('volunteers:detail', args=[volunteer.pk])}?year={year}"
    context = {
        "volunteer": volunteer,
        "participant": participant,
        "income": participant.income_sources.filter(ends_on__isnull=True).first(),
        "iban_tail": participant.iban[-4:],
        "details_editable": details_editable(request, participant),
        "year": year,
        "years": (year - 1, year + 1 if year < timezone.localdate().year + 1 else None),
        "section": {
            "balance": balance,
            "participant": participant,
            "real_costs": any(a.scheme == a.Scheme.REAL_COSTS for a in agreements),
        },
        "agreements": agreements,
        "membership": membership,
        "invite_form": invite_form,
        "end_form": end_form,
        "sheets": _reviews(sheets, reviewing),
        "months": [{"month": month, "statement": statements.get(month)} for month in months],
        "here": here,
    }
    return render(request, "volunteers/detail.html", context)


@role_required(*STAFF_ROLES)
@require_POST
def volunteer_invite(request, pk):
    volunteer = _volunteer_or_404(request, pk)
    form = VolunteerInviteForm(request.POST)
    if apply_form(
        form,
        lambda data: volunteer_services.volunteer_invite(
            volunteer=volunteer, email=data["email"], language=data["language"]
        ),
    ):
        messages.success(
            request,
            _(
                "Invitation envoyée à %(email)s : la personne choisit son mot de passe par le "
                "lien reçu, puis voit ses fiches de prestation."
            )
            % {"email": form.cleaned_data["email"]},
        )
        return redirect("volunteers:detail", pk=volunteer.pk)
    volunteer.refresh_from_db(fields=["user", "ended_on"])
    login = _open_login(volunteer, request.organization)
    if volunteer.ended_on is not None or (login is not None and login.user.has_mail_address):
        # Given (or ended) meanwhile: the form is no longer on the page.
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("volunteers:detail", pk=volunteer.pk)
    return _detail_page(request, volunteer, year=timezone.localdate().year, invite_form=form)


@role_required(*STAFF_ROLES)
@require_POST
def volunteer_end(request, pk):
    volunteer = _volunteer_or_404(request, pk)
    form = VolunteerEndForm(request.POST)
    ended = []
    if apply_form(
        form,
        lambda data: ended.append(
            volunteer_services.volunteer_end(
                volunteer=volunteer, ended_on=data["ended_on"], by=request.user
            )
        ),
    ):
        done = _("Le bénévolat de %(name)s est terminé au %(date)s.") % {
            "name": volunteer.participant,
            "date": form.cleaned_data["ended_on"].strftime("%d/%m/%Y"),
        }
        reopened = len(ended[0].shifts_reopened)
        if reopened:  # the rota's shifts after the end, their places open again
            done += " " + _("Créneaux du planning rouverts : %(count)s.") % {"count": reopened}
        messages.success(request, done)
        return redirect("volunteers:detail", pk=volunteer.pk)
    volunteer.refresh_from_db(fields=["ended_on"])
    if volunteer.ended_on is not None:  # ended meanwhile: the form is no longer on the page
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("volunteers:detail", pk=volunteer.pk)
    return _detail_page(request, volunteer, year=timezone.localdate().year, end_form=form)


# --- A volunteer's details ------------------------------------------------------------------


def details_editable(request, participant) -> bool:
    """A volunteer who is also followed in a pathway: their contact, IBAN and income source are
    the caseload's (counsellors and direction, on the person's record), not the coordinators'."""
    return request.membership.role in CASELOAD_ROLES or not participant.pathways.exists()


@role_required(*STAFF_ROLES)
def volunteer_details(request, pk):
    """Contact, address, IBAN and income source of a volunteer, for the team (many volunteers
    have no log-in to tell them): opening the form is logged, as the person's page."""
    volunteer = _volunteer_or_404(request, pk)
    participant = volunteer.participant
    if not details_editable(request, participant):
        raise PermissionDenied
    income = current_income_source(participant=participant)
    may_see = may_see_address(request.membership, participant)
    form = VolunteerDetailsForm(
        request.POST or None,
        instance=participant,
        with_address=address_in_form(
            request, participant, may_see=may_see, fields=VolunteerDetailsForm.ADDRESS_FIELDS
        ),
        current_kind=income.kind if income else "",
    )
    if request.method == "POST" and apply_form(
        form,
        lambda data: volunteer_services.volunteer_details_update(
            volunteer=volunteer, contact=form.contact(), income=form.income()
        ),
    ):
        messages.success(
            request, _("Les coordonnées de %(name)s sont enregistrées.") % {"name": participant}
        )
        return redirect("volunteers:detail", pk=volunteer.pk)
    if request.method == "GET":
        access_log_record(user=request.user, organization=request.organization, obj=participant)
    context = {
        "volunteer": volunteer,
        "participant": participant,
        "form": form,
        "income": income,
        # Shown on the person's record with a reason, the address comes into this form; the
        # record is the caseload's (a coordinator named for the address asks the direction).
        "reveal_url": f"{reverse('participants:detail', args=[participant.pk])}#address"
        if may_see and request.membership.role in CASELOAD_ROLES
        else "",
        "address_roles": address_roles_label(request.organization),
    }
    return render(request, "volunteers/details_form.html", context)


# --- A paper sheet -------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def paper_sheet(request, pk):
    """A sheet the volunteer filled and signed on paper, typed by the team and validated by the
    same hand (``sheet_enter_signed``): every rule of a sheet holds, refusals come back beside
    their fields with everything typed."""
    volunteer = _volunteer_or_404(request, pk)
    sheet = ServiceSheet(participant=volunteer.participant, organization=request.organization)
    form = PaperSheetForm(
        request.POST or None, request.FILES or None, instance=sheet, activity=volunteer.activity
    )
    entered = []
    if request.method == "POST" and apply_form(
        form,
        lambda data: entered.append(
            sheet_enter_signed(sheet=form.save(commit=False), by=request.user)
        ),
    ):
        sheet = entered[0]
        said = {
            "day": date_format(sheet.date, "l j F Y"),
            "amount": euros(sheet.indemnity + sheet.mileage),
        }
        if sheet.status == ServiceSheet.Status.VALIDATED:
            messages.success(
                request, _("Fiche papier du %(day)s enregistrée et validée : %(amount)s.") % said
            )
            if sheet.not_payable:  # paid elsewhere that day, or under real costs: said
                messages.info(
                    request,
                    _("Pas de défraiement ce jour-là : %(reason)s.")
                    % {"reason": sheet.get_not_payable_display()},
                )
        else:  # not paid that day: validated by someone who has read why
            messages.warning(
                request,
                _(
                    "Fiche papier du %(day)s enregistrée, pas encore validée : pas de "
                    "défraiement ce jour-là (%(reason)s). Validez-la en connaissance de cause "
                    "dans les prestations en attente, ou corrigez la situation d'abord."
                )
                % {**said, "reason": sheet.get_not_payable_display()},
            )
        return redirect(
            f"{reverse('volunteers:detail', args=[volunteer.pk])}?year={sheet.date.year}"
        )
    context = {
        "volunteer": volunteer,
        "participant": volunteer.participant,
        "form": form,
        "recent_days": volunteer_services.sheet_days_recalled(volunteer=volunteer),
    }
    return render(request, "volunteers/paper_sheet.html", context)


# --- Agreements without chantier -----------------------------------------------------------


@role_required(*STAFF_ROLES)
def agreement_new(request, pk):
    volunteer = _volunteer_or_404(request, pk)
    agreement = VolunteerAgreement(
        participant=volunteer.participant, organization=request.organization, chantier=None
    )
    first_of_year = dt.date(timezone.localdate().year, 1, 1)
    initial = {
        "starts_on": max(volunteer.since, first_of_year),
        "ends_on": dt.date(first_of_year.year, 12, 31),
        "insurance_policy": selectors.latest_insurance_policy(organization=request.organization),
    }
    return _agreement_page(request, volunteer, agreement, initial=initial)


@role_required(*STAFF_ROLES)
def agreement_edit(request, pk):
    agreement = _agreement_or_404(request, pk)
    return _agreement_page(request, agreement.participant.volunteer, agreement)


def _agreement_page(request, volunteer, agreement, initial=None):
    return agreement_page(
        request,
        agreement,
        initial=initial,
        context={"volunteer": volunteer},
        template="volunteers/agreement_form.html",
        edit_url="volunteers:agreement_edit",
    )


# --- A month's statement -------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def month_statement(request, pk, year, month):
    volunteer = _volunteer_or_404(request, pk)
    first = _month_or_404(year, month)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("prepare", "acknowledge", "validate"):
            return HttpResponseBadRequest()
        _month_action(request, volunteer, first, action)
        return redirect("volunteers:month", pk=volunteer.pk, year=year, month=month)
    return _month_page(request, volunteer, first)


def _month_or_404(year: int, month: int) -> dt.date:
    if not dt.MINYEAR < year < dt.MAXYEAR:
        raise Http404  # the months before and after, linked from the page, must exist
    return month_or_404(year, month)


def _month_action(request, volunteer, first, action) -> None:
    person = volunteer.participant
    try:
        # The statement prepared (the year recomputed) before anything is confirmed on it.
        statement = services.statement_prepare(participant=person, month=first)
        if action == "prepare":
            messages.success(request, _("La fiche du mois est à jour."))
        elif action == "acknowledge":
            count = services.attendance_acknowledge(statement=statement)
            messages.info(
                request, _("%(count)s jour(s) non payable(s) confirmé(s).") % {"count": count}
            )
        else:
            services.statement_validate(statement=statement, by=request.user)
            messages.success(request, _("Fiche de %(name)s validée.") % {"name": person})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))


def _month_page(request, volunteer, first, *, reviewing=None):
    person = volunteer.participant
    statement = (
        MonthlyStatement.objects.filter(participant=person, month=first)
        .select_related("validated_by", "batch")
        .first()
    )
    days = services.month_days(person, first)
    prefetch_related_objects([d for d in days if isinstance(d, Attendance)], "session__chantier")
    # The days not paid that nobody confirmed (the service's own reading of the month).
    waiting = {
        (type(row), row.pk)
        for row in services.statement_unacknowledged(
            statement=statement or MonthlyStatement(participant=person, month=first)
        )
    }
    for day in days:
        if isinstance(day, ServiceSheet):
            day.participant = person  # named on its buttons: not a query per sheet
    submitted = [
        d for d in days if isinstance(d, ServiceSheet) and d.status == ServiceSheet.Status.SUBMITTED
    ]
    forms = {r["sheet"].pk: r["form"] for r in _reviews(submitted, reviewing)}
    rows = [
        {
            "day": row,
            "sheet": isinstance(row, ServiceSheet),
            "waiting": (type(row), row.pk) in waiting,
            "review": {"sheet": row, "form": forms[row.pk]}
            if isinstance(row, ServiceSheet) and row.pk in forms
            else None,
        }
        for row in days
    ]
    context = {
        "volunteer": volunteer,
        "participant": person,
        "month": first,
        "previous": add_months(first, -1),
        "next": add_months(first, 1),
        "statement": statement,
        "rows": rows,
        "waiting": len(waiting),
        "pending": len(submitted),
        "here": reverse("volunteers:month", args=[volunteer.pk, first.year, first.month]),
    }
    return render(request, "volunteers/month.html", context)


# --- A service sheet: the answer, the receipt ----------------------------------------------


def _next_url(request) -> str:
    """Back to the page the answer was given on: a path of this site, else the list."""
    wanted = request.POST.get("next") or ""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("volunteers:list")


@role_required(*STAFF_ROLES)
@require_POST
def sheet_review(request, pk):
    sheet = _sheet_or_404(request, pk)
    form = SheetReviewForm(request.POST, sheet_pk=sheet.pk)
    if request.POST.get("action") not in ("validate", "return"):
        return HttpResponseBadRequest()

    def answer(data):
        if data["action"] == "validate":
            sheet_validate(sheet=sheet, by=request.user)
        else:
            sheet_return(sheet=sheet, by=request.user, reason=data["reason"])

    said = {"name": sheet.participant, "date": sheet.date.strftime("%d/%m/%Y")}
    if apply_form(form, answer):
        if form.cleaned_data["action"] == "validate":
            messages.success(request, _("Prestation de %(name)s du %(date)s validée.") % said)
        else:
            messages.success(
                request, _("Prestation de %(name)s du %(date)s renvoyée pour correction.") % said
            )
        return redirect(_next_url(request))
    if "reason" in form.errors:
        return _refused(request, sheet, form)
    # Nothing typed to give back (the sheet was answered meanwhile, its month validated…).
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(_next_url(request))


def _refused(request, sheet, form):
    """The page the answer came from again, the reason as typed and why beside it."""
    reviewing = {"pk": sheet.pk, "form": form}
    try:
        match = resolve(urlsplit(_next_url(request)).path)
    except Resolver404:
        match = None
    if match is not None and match.view_name == "volunteers:detail":
        volunteer = _volunteer_or_404(request, match.kwargs["pk"])
        return _detail_page(request, volunteer, year=sheet.date.year, reviewing=reviewing)
    if match is not None and match.view_name == "volunteers:month":
        volunteer = _volunteer_or_404(request, match.kwargs["pk"])
        first = _month_or_404(match.kwargs["year"], match.kwargs["month"])
        return _month_page(request, volunteer, first, reviewing=reviewing)
    return _list_page(request, reviewing=reviewing)


@role_required(*STAFF_ROLES)
def sheet_receipt(request, pk):
    """The photo of the ticket, as the real costs' receipts: checked, logged, never cached."""
    sheet = _sheet_or_404(request, pk)
    return document_response(request, sheet, sheet.receipt, sheet.participant_id)
