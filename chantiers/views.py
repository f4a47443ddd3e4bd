from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.access import get_scoped_or_404, role_required
from accounts.addresses import address_for_each
from accounts.models import AccessLog, Role
from accounts.services import access_log_record
from chantiers import selectors
from chantiers.models import (
    Attendance,
    Enrolment,
    IndemnityCeiling,
    VolunteerAgreement,
    WorkSession,
)
from chantiers.pdf import render_pdf
from chantiers.services import Mark, attendance_record

CHANTIER_ROLES = (Role.COORDINATOR, Role.DIRECTION)

# Short labels for the buttons of the grid: one tap each, readable on a phone.
SHORT_LABELS = [
    (Attendance.Status.PRESENT, gettext_lazy("Présent"), "success"),
    (Attendance.Status.LATE, gettext_lazy("Retard"), "warning"),
    (Attendance.Status.LEFT_EARLY, gettext_lazy("Parti tôt"), "warning"),
    (Attendance.Status.EXCUSED, gettext_lazy("Excusé"), "secondary"),
    (Attendance.Status.UNEXCUSED, gettext_lazy("Absent"), "danger"),
]


# One radio button of the attendance grid; ``_status_buttons`` fills it in.
STATUS_BUTTON = (
    '<input type="radio" class="btn-check" name="status-{pk}" id="s-{pk}-{value}" value="{value}" '
    'autocomplete="off"{checked}{present}>\n'
    '<label class="btn btn-outline-{color}" for="s-{pk}-{value}">{label}</label>'
)


def _status_buttons(labels) -> Callable[[int, str], str]:
    """The grid's five radio buttons of a person, built here rather than in a template loop
    (75 inputs for a group of 15 took 6 ms through the template engine). The labels are escaped
    once per request; the person's id is an integer."""
    escaped = [
        (value, {"value": escape(value), "color": escape(color), "label": escape(label)})
        for value, label, color in labels
    ]
    present = Attendance.Status.PRESENT

    def buttons(person_pk: int, status: str) -> str:
        return mark_safe(
            "\n".join(
                STATUS_BUTTON.format(
                    pk=int(person_pk),
                    checked=" checked" if status == value else "",
                    present=" data-present" if value == present else "",
                    **parts,
                )
                for value, parts in escaped
            )
        )

    return buttons


def _chantiers(request):
    return selectors.chantiers_for(
        organization=request.organization, user=request.user, role=request.membership.role
    )


def _session(request, pk) -> WorkSession:
    sessions = WorkSession.objects.filter(chantier__in=_chantiers(request)).select_related(
        "chantier"
    )
    return get_scoped_or_404(request, sessions, via="chantier__organization", pk=pk)


# The administration reopens validated months: it reads the chantiers, it does not mark them.
READ_ROLES = (*CHANTIER_ROLES, Role.ADMIN)


@role_required(*READ_ROLES)
def chantier_list(request):
    chantiers = _chantiers(request).select_related("host").order_by("status", "-starts_on")
    context = {"chantiers": chantiers, "can_create": request.membership.role in CHANTIER_ROLES}
    return render(request, "chantiers/chantier_list.html", context)


@role_required(*READ_ROLES)
def chantier_detail(request, pk):
    chantier = get_scoped_or_404(request, _chantiers(request).select_related("host"), pk=pk)
    day = timezone.localdate()
    group = selectors.group_paperwork(chantier=chantier, on=day)
    # Each row's address reversed once, not per row in the template.
    pdf_address = address_for_each("chantiers:agreement_pdf")
    for row in group:
        row["pdf_url"] = pdf_address(row["agreement"].pk) if row["agreement"] else ""
    next_sessions = list(chantier.sessions.filter(date__gte=day).order_by("date", "starts_at")[:6])
    grid_address = address_for_each("chantiers:session_attendance")
    for session in next_sessions:
        session.grid_url = grid_address(session.pk)
    context = {
        "chantier": chantier,
        "figures": selectors.chantier_figures(
            chantier=chantier, enrolments=[row["enrolment"] for row in group]
        ),
        "next_sessions": next_sessions,
        "group": group,
        "today": day,
        "can_edit": request.membership.role in CHANTIER_ROLES,
    }
    return render(request, "chantiers/chantier_detail.html", context)


@role_required(*CHANTIER_ROLES)
def agreement_pdf(request, pk):
    """The agreement with its organisation note, ready to sign; the printing is logged."""
    # Only the agreements of people in the group of a chantier this user may see.
    visible = Enrolment.objects.filter(chantier__in=_chantiers(request)).values("participant")
    agreements = VolunteerAgreement.objects.filter(participant__in=visible).select_related(
        "participant", "chantier", "organization"
    )
    agreement = get_scoped_or_404(request, agreements, pk=pk)
    access_log_record(
        user=request.user,
        organization=request.organization,
        obj=agreement.participant,
        action=AccessLog.Action.PRINT,
    )
    pdf = render_pdf(
        "pdf/volunteer_agreement.html",
        {
            "agreement": agreement,
            "participant": agreement.participant,
            "chantier": agreement.chantier,
            "organization": agreement.organization,
            "ceiling": IndemnityCeiling.objects.filter(year=agreement.starts_on.year).first(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(f"convention-{agreement.participant.last_name}-{agreement.starts_on:%Y}")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@role_required(*CHANTIER_ROLES)
def today(request):
    day = timezone.localdate()
    sessions = selectors.sessions_on(chantiers=_chantiers(request), day=day)
    return render(request, "chantiers/today.html", {"sessions": sessions, "day": day})


def _marks_from(request, group, attendances) -> list[Mark]:
    """One mark per row the coordinator set; "everyone present" fills the rows left unset."""
    everyone = "all_present" in request.POST
    marks = []
    for enrolment in group:
        pk = enrolment.participant_id
        status = request.POST.get(f"status-{pk}", "")
        if not status and everyone and pk not in attendances:
            status = Attendance.Status.PRESENT
        if not status:
            continue
        hours_text = request.POST.get(f"hours-{pk}", "").replace(",", ".").strip()
        try:
            hours = Decimal(hours_text) if hours_text else None
        except InvalidOperation:
            raise ValidationError(
                _("Heures illisibles pour %(name)s : « %(value)s ».")
                % {"name": enrolment.participant, "value": hours_text}
            ) from None
        version = request.POST.get(f"version-{pk}", "")
        marks.append(
            Mark(
                participant_id=pk,
                status=status,
                hours=hours,
                note=request.POST.get(f"note-{pk}", "").strip()[:300],
                version=int(version) if version.isascii() and version.isdigit() else None,
            )
        )
    return marks


@role_required(*CHANTIER_ROLES)
def session_attendance(request, pk):
    """The attendance grid of a session: one tap per person, one save for the whole group."""
    session = _session(request, pk)
    group = selectors.group_on(session=session)
    attendances = {a.participant_id: a for a in session.attendances.all()}
    if request.method == "POST":
        try:
            result = attendance_record(
                session=session, marks=_marks_from(request, group, attendances), by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if result.saved:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s présence enregistrée.",
                        "%(count)s présences enregistrées.",
                        len(result.saved),
                    )
                    % {"count": len(result.saved)},
                )
            for attendance in result.conflicts:
                messages.warning(
                    request,
                    _(
                        "%(name)s : modifié entre-temps par %(by)s ; votre choix n'a pas été "
                        "enregistré, vérifiez la ligne."
                    )
                    % {"name": attendance.participant, "by": attendance.recorded_by},
                )
            return redirect("chantiers:session_attendance", pk=session.pk)
    balances = selectors.year_balances(
        participant_ids=[e.participant_id for e in group],
        organization=request.organization,
        year=session.date.year,
    )
    status_buttons = _status_buttons(SHORT_LABELS)
    rows = []
    for enrolment in group:
        attendance = attendances.get(enrolment.participant_id)
        rows.append(
            {
                "participant": enrolment.participant,
                "pk": str(enrolment.participant_id),  # a string: no number formatting per use
                "attendance": attendance,
                "balance": balances[enrolment.participant_id],
                "status_buttons": status_buttons(
                    enrolment.participant_id, attendance.status if attendance else ""
                ),
            }
        )
    context = {
        "session": session,
        "rows": rows,
        "total": sum((a.indemnity for a in attendances.values()), Decimal("0.00")),
        "no_ceiling": bool(rows) and rows[0]["balance"].annual_ceiling is None,
    }
    return render(request, "chantiers/session_attendance.html", context)
