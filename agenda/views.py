"""The agenda: a counsellor's (or the team's) day or week, an appointment planned from the
person's page, moved, cancelled or said held or missed, the reminders' consent."""

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_scoped_or_404, role_required
from accounts.forms import apply_form, forms_still_shown
from accounts.forms_input import parse_id
from agenda import selectors, services
from agenda.forms import (
    AgendaViewForm,
    AppointmentForm,
    CancelForm,
    OutcomeForm,
    ReminderConsentForm,
    open_pathways,
)
from agenda.models import Appointment, ReminderConsent
from participants.models import Pathway
from participants.views.access import CASELOAD_ROLES, participant_or_404

TEAM = "equipe"


def appointment_or_404(request, pk) -> Appointment:
    queryset = Appointment.objects.filter(
        pathway__participant__anonymised_at__isnull=True
    ).select_related("pathway__participant", "pathway__programme", "counsellor", "event")
    return get_scoped_or_404(request, queryset, via="pathway__participant__organization", pk=pk)


def _days(view: str, around: dt.date) -> list[dt.date]:
    if view == "jour":
        return [around]
    monday = around - dt.timedelta(days=around.weekday())
    return [monday + dt.timedelta(days=n) for n in range(7)]


@role_required(*CASELOAD_ROLES)
def agenda(request):
    form = AgendaViewForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("vue") or "semaine"
    around = data.get("date") or timezone.localdate()
    team = list(selectors.team(organization=request.organization))
    whose = data.get("conseiller") or str(request.user.pk)
    if whose == TEAM:
        counsellor = None
    else:
        counsellor = next((u for u in team if u.pk == parse_id(whose)), None)
        if counsellor is None:
            raise Http404
    days = _days(view, around)
    found = selectors.appointments_between(
        organization=request.organization, start=days[0], end=days[-1], counsellor=counsellor
    )
    by_day = {day: [] for day in days}
    for appointment in found:
        by_day[timezone.localdate(appointment.starts_at)].append(appointment)
    step = dt.timedelta(days=1 if view == "jour" else 7)
    context = {
        "view": view,
        "around": around,
        "days": list(by_day.items()),
        "counsellor": counsellor,
        "team": team,
        "whose": TEAM if counsellor is None else str(counsellor.pk),
        "previous": around - step,
        "next": around + step,
        "today": timezone.localdate(),
        "now": timezone.now(),
    }
    return render(request, "agenda/agenda.html", context)


def _slot(data) -> dict:
    """What the booking form says of the appointment, for the booking and moving services."""
    names = ("counsellor", "starts_at", "duration_minutes", "mode", "place", "purpose")
    return {name: data[name] for name in names}


@role_required(*CASELOAD_ROLES)
def appointment_book(request, participant_pk):
    participant = participant_or_404(request, participant_pk)
    pathways = open_pathways(participant)
    form = AppointmentForm(
        request.POST or None,
        team=selectors.team(organization=request.organization),
        pathways=pathways,
        initial={"counsellor": request.user.pk, "duration_minutes": 60},
    )
    if request.method == "POST" and apply_form(
        form,
        lambda data: services.appointment_book(
            pathway=data["pathway"], by=request.user, **_slot(data)
        ),
    ):
        local = timezone.localtime(form.cleaned_data["starts_at"])
        messages.success(
            request,
            _("Le rendez-vous du %(date)s à %(time)s est planifié.")
            % {"date": f"{local:%d/%m/%Y}", "time": f"{local:%H:%M}"},
        )
        return redirect(reverse("participants:detail", args=[participant.pk]) + "#appointments")
    context = {"form": form, "participant": participant, "pathways": form.pathway_choices}
    return render(request, "agenda/appointment_form.html", context)


def _reminder_still_due(appointment) -> bool:
    """Whether the beat's runs of the day before are still to come for this appointment."""
    day_before = timezone.localdate(appointment.starts_at) - dt.timedelta(days=1)
    last_run = timezone.make_aware(dt.datetime.combine(day_before, services.LAST_REMINDER_RUN))
    return timezone.now() < last_run


def _detail(request, appointment, **forms):
    """The appointment's page; a refused form (``forms``) is shown with what was typed, or, if
    the page no longer shows that form (the appointment said or moved meanwhile, here or
    elsewhere), its reasons are said as messages."""
    if forms:
        appointment.refresh_from_db()
    planned = appointment.status == Appointment.Status.PLANNED
    begun = appointment.starts_at <= timezone.now()
    shown = {"outcome_form": planned and begun, "cancel_form": planned}
    forms = forms_still_shown(request, forms, shown)
    context = {
        "appointment": appointment,
        "participant": appointment.participant,
        "reminders": list(appointment.reminders.all()),
        "consent": ReminderConsent.objects.filter(participant=appointment.participant).first(),
        "begun": begun,
        "reminder_due": _reminder_still_due(appointment),
        "last_reminder_run": services.LAST_REMINDER_RUN,
        "outcome_form": forms.get("outcome_form") or OutcomeForm(prefix="outcome"),
        "cancel_form": forms.get("cancel_form") or CancelForm(prefix="cancel"),
    }
    return render(request, "agenda/appointment_detail.html", context)


@role_required(*CASELOAD_ROLES)
def appointment_detail(request, pk):
    return _detail(request, appointment_or_404(request, pk))


@role_required(*CASELOAD_ROLES)
def appointment_move(request, pk):
    appointment = appointment_or_404(request, pk)
    if appointment.status != Appointment.Status.PLANNED:
        messages.error(request, _("Ce rendez-vous n'est plus prévu : il ne se déplace plus."))
        return redirect("agenda:detail", pk=appointment.pk)
    pathways = Pathway.objects.filter(pk=appointment.pathway_id).select_related("programme")
    form = AppointmentForm(
        request.POST or None,
        team=selectors.team(organization=request.organization),
        pathways=pathways,
        initial=AppointmentForm.initial_for(appointment),
    )
    if request.method == "POST" and apply_form(
        form,
        lambda data: services.appointment_move(appointment=appointment, **_slot(data)),
    ):
        messages.success(request, _("Le rendez-vous est modifié."))
        return redirect("agenda:detail", pk=appointment.pk)
    context = {
        "form": form,
        "participant": appointment.participant,
        "appointment": appointment,
        "pathways": form.pathway_choices,
    }
    return render(request, "agenda/appointment_form.html", context)


@role_required(*CASELOAD_ROLES)
@require_POST
def appointment_outcome(request, pk):
    appointment = appointment_or_404(request, pk)
    form = OutcomeForm(request.POST, prefix="outcome")

    def record(data):
        if data["outcome"] == Appointment.Status.HELD:
            services.appointment_held(
                appointment=appointment,
                text=data["text"],
                confidentiality=data["confidentiality"],
                duration_minutes=data["duration_minutes"],
                by=request.user,
            )
        else:
            services.appointment_no_show(appointment=appointment, by=request.user)

    if apply_form(form, record):
        held = form.cleaned_data["outcome"] == Appointment.Status.HELD
        messages.success(
            request,
            _("Le rendez-vous est noté tenu : l'entretien est dans le journal du parcours.")
            if held
            else _("L'absence est notée."),
        )
        return redirect("agenda:detail", pk=appointment.pk)
    return _detail(request, appointment, outcome_form=form)


@role_required(*CASELOAD_ROLES)
@require_POST
def appointment_cancel(request, pk):
    appointment = appointment_or_404(request, pk)
    form = CancelForm(request.POST, prefix="cancel")
    if apply_form(
        form,
        lambda data: services.appointment_cancel(
            appointment=appointment, reason=data["reason"], by=request.user
        ),
    ):
        messages.success(request, _("Le rendez-vous est annulé."))
        return redirect("agenda:detail", pk=appointment.pk)
    return _detail(request, appointment, cancel_form=form)


@role_required(*CASELOAD_ROLES)
def reminder_consent(request, participant_pk):
    participant = participant_or_404(request, participant_pk)
    consent = ReminderConsent.objects.filter(participant=participant).first()
    form = ReminderConsentForm(request.POST or None, instance=consent)
    if request.method == "POST" and apply_form(
        form,
        lambda data: services.reminder_consent_record(
            participant=participant, by=request.user, **data
        ),
    ):
        messages.success(request, _("L'accord pour les rappels est enregistré."))
        return redirect(reverse("participants:detail", args=[participant.pk]) + "#appointments")
    context = {"form": form, "participant": participant, "consent": consent}
    return render(request, "agenda/reminder_consent.html", context)
