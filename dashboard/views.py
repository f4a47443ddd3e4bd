"""The dashboard: what each role should see first on arriving — the team, the protection of
personal data, the referrals waiting for an answer, the volunteers above a ceiling, the
year's appointments, certifications and training hours, collective modules and EPN visits,
volunteering and outreach for the direction."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone

from accounts import selectors as accounts_selectors
from accounts.access import role_required
from accounts.addresses import address_for_each
from accounts.models import Role
from chantiers.selectors import excesses_open
from partners.selectors import referrals_awaiting_answer
from privacy.services import anonymisation_review_pending
from reporting.indicators.appointments import appointment_figures
from reporting.indicators.trainings import training_figures
from reporting.indicators.volunteers import volunteer_figures
from reporting.indicators.workshops import module_figures
from reporting.render.formats import format_value

REMINDERS_SHOWN = 10


@role_required()
def home(request):
    organization = request.organization
    role = request.membership.role
    if role == Role.VOLUNTEER:  # a volunteer's home is their own sheets, nothing else
        return redirect("volunteers:mine")
    context = {"team": accounts_selectors.team_counts(organization=organization)}
    if role in (Role.ADMIN, Role.DIRECTION):
        context["access_count"] = accounts_selectors.access_log_count(organization=organization)
    if role == Role.ADMIN:
        context["failed_logins"] = accounts_selectors.failed_login_count(organization=organization)
        # The month's dry run of the retention rule, waiting for this administration to confirm.
        review = anonymisation_review_pending(organization=organization)
        context["anonymisation_due"] = len(review.participant_ids) if review else 0
    if role in (Role.COUNSELLOR, Role.DIRECTION):
        context |= _referral_reminders(request)
    if role in (Role.COORDINATOR, Role.DIRECTION):
        # DESIGN §4 rule 7: a year above a ceiling is a case to answer, shown until it is.
        context["ceiling_excesses"] = excesses_open(
            organization=organization, user=request.user, role=role
        )
    if role == Role.DIRECTION:
        context["appointments"] = _appointments_this_year(organization)
        context["trainings"] = _trainings_this_year(organization)
        context["modules"] = _modules_this_year(organization)
        volunteering = _volunteers_this_year(organization)
        if volunteering:
            context["volunteering"] = volunteering
    return render(request, "dashboard/home.html", context)


def favicon(request):
    """``/favicon.ico``, which browsers and tools ask for whatever the page links: the static
    icon (its hashed name in production). Not permanent, so a new icon is picked up."""
    return redirect(static("icons/favicon.ico"))


def _appointments_this_year(organization) -> dict:
    """This year's appointments as the activity report counts them (one definition, in
    ``reporting.indicators.appointments``; one aggregate query), formatted as the PDF prints
    them."""
    figures = appointment_figures(organization=organization, year=timezone.localdate().year)
    return {
        "year": str(figures.year),
        "held": format_value(figures.held, "int"),
        "no_show_rate": format_value(figures.no_show_rate, "percent"),
        "to_complete": format_value(figures.to_complete, "int") if figures.provisional else "",
    }


def _trainings_this_year(organization) -> dict:
    """This year's certifications and training hours as the activity report counts them (one
    definition, in ``reporting.indicators.trainings``; one query), formatted as the PDF prints
    them."""
    figures = training_figures(organization=organization, year=timezone.localdate().year)
    return {
        "year": str(figures.year),
        "certifications": format_value(figures.certifications, "int"),
        "hours": format_value(figures.hours, "hours"),
        "ongoing_hours": format_value(figures.ongoing_hours, "hours"),
    }


def _modules_this_year(organization) -> dict:
    """This year's collective modules and EPN visits as the activity report counts them (one
    definition, in ``reporting.indicators.workshops``; one query), formatted as the PDF prints
    them."""
    figures = module_figures(organization=organization, year=timezone.localdate().year)
    return {
        "year": str(figures.year),
        "sessions_held": format_value(figures.sessions_held, "int"),
        "participants": format_value(figures.participants, "int"),
        "hours": format_value(figures.hours, "hours"),
        "epn_visits": format_value(figures.epn_visits, "int"),
    }


def _volunteers_this_year(organization) -> dict | None:
    """This year's volunteering and outreach as the activity report counts them (one
    definition, in ``reporting.indicators.volunteers``; one query), formatted as the PDF prints
    them, and the signals waiting today; None for an organisation without volunteering, outreach
    or signal this year nor a signal waiting (no card)."""
    figures = volunteer_figures(organization=organization, year=timezone.localdate().year)
    if not (figures.shown or figures.signals_waiting):
        return None
    return {
        "year": str(figures.year),
        "active": format_value(figures.volunteers_active, "int"),
        "hours": format_value(figures.hours, "hours"),
        "people_met": format_value(figures.people_met, "int"),
        "signals_waiting": format_value(figures.signals_waiting, "int"),
    }


def _referral_reminders(request) -> dict:
    """The referrals sent by this counsellor (all of them, for the direction) still unanswered."""
    mine = request.user if request.membership.role == Role.COUNSELLOR else None
    reminders = referrals_awaiting_answer(organization=request.organization, sent_by=mine).only(
        "participant__first_name", "participant__last_name", "to_organization__name", "sent_on"
    )
    reminders = list(reminders[:REMINDERS_SHOWN])
    participant_url = address_for_each("participants:detail", anchor="#referrals")
    for referral in reminders:
        referral.participant_url = participant_url(referral.participant_id)
    return {
        "referral_reminders": reminders,
        "referral_reminder_days": settings.REFERRAL_REMINDER_DAYS,
    }
