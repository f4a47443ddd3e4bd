"""Signals (issue 21, point 3): a relay raises a situation from their phone and sees what became
of it — its state only, never the outcome, the person's name nor the counsellor's; the
team (counsellors and direction) reads them in an inbox, takes them up and closes them, turning
them into an intake or a need.

The coordinators raise signals too (about someone of their chantiers, or no one) and follow
them as a relay does; they do not read the inbox: the situations described (health, debts,
residence papers) are the counsellors' business, as the people's files are
(``participants.views.access.CASELOAD_ROLES``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_scoped_or_404, role_required
from accounts.forms import apply_form, forms_still_shown
from accounts.forms_input import SEARCH_LENGTH
from accounts.models import Role
from chantiers.models import Enrolment
from chantiers.views.access import visible_chantiers
from participants.models import Participant
from participants.selectors import participant_list
from participants.views.access import CASELOAD_ROLES
from volunteers import signals as services
from volunteers.forms_signals import SignalCloseForm, SignalForm, StaffSignalForm
from volunteers.models import Signal
from volunteers.services import volunteer_of

TEAM_ROLES = CASELOAD_ROLES
RAISING_ROLES = (*TEAM_ROLES, Role.COORDINATOR)
# The relay's latest signals, and the inbox's latest closed ones: the work is in the others.
MINE_SHOWN = 50
CLOSED_SHOWN = 20
URGENCY_RANK = {Signal.Urgency.URGENT: 0, Signal.Urgency.NORMAL: 1, Signal.Urgency.LOW: 2}
# The people a search offers at most: a longer list asks for more of the name.
FOUND_SHOWN = 10


def _signals(request):
    return Signal.objects.filter(organization=request.organization).select_related(
        "raised_by__participant", "raised_by_user", "contact_point", "participant", "taken_up_by"
    )


def _signal_or_404(request, pk) -> Signal:
    return get_scoped_or_404(request, _signals(request), pk=pk)


def _people(request):
    """Whom a signal may name: the organisation's people (not anonymised: nobody works on them
    any more); for a coordinator, only the people of their chantiers."""
    people = Participant.objects.filter(
        organization=request.organization, anonymised_at__isnull=True
    )
    return _theirs(request, people).order_by("last_name", "first_name", "pk")


def _theirs(request, people):
    if request.membership.role != Role.COORDINATOR:
        return people
    enrolled = Enrolment.objects.filter(
        participant=OuterRef("pk"), chantier__in=visible_chantiers(request)
    )
    return people.filter(Exists(enrolled))


def _found(request) -> dict:
    """The people whose name matches the search posted (the participants list's own search,
    by name without case or accents), among those the user may name: at most FOUND_SHOWN."""
    query = request.POST.get("person_query", "")[:SEARCH_LENGTH].strip()
    if not query:
        return {"query": "", "people": [], "more": False}
    people = participant_list(
        organization=request.organization, query=query, with_volunteers=True
    ).prefetch_related(None)  # the list's open pathways: not shown here
    people = list(_theirs(request, people)[: FOUND_SHOWN + 1])
    return {"query": query, "people": people[:FOUND_SHOWN], "more": len(people) > FOUND_SHOWN}


def _searching(request) -> bool:
    """The button "Chercher" (or Enter in a field): the form comes back with the people found
    and everything typed, nothing saved and nothing refused yet."""
    return request.method == "POST" and "search" in request.POST


def _person_form(request, form_class, *, searching: bool, initial=None, **kwargs):
    """The form with the people found; when searching, unbound with what was typed (no error
    said about a form the user has not sent)."""
    search = _found(request) if request.method == "POST" else None
    found = search["people"] if search else ()
    if searching:
        typed = {**(initial or {}), **request.POST.dict()}
        form = form_class(initial=typed, found=found, **kwargs)
    else:
        form = form_class(request.POST or None, initial=initial, found=found, **kwargs)
    return form, search


# --- The relay's page --------------------------------------------------------------------------


@role_required(Role.VOLUNTEER, Role.COORDINATOR)
def my_signals(request):
    """A volunteer's signals and the form to raise one; a coordinator's, with a link to theirs."""
    form = None
    if request.membership.role == Role.VOLUNTEER:
        volunteer = volunteer_of(user=request.user, organization=request.organization)
        if volunteer is None:
            raise Http404
        mine = Signal.objects.filter(raised_by=volunteer)
        signal = Signal(organization=request.organization, raised_by=volunteer)
        form = SignalForm(request.POST or None, instance=signal, organization=request.organization)
        if request.method == "POST" and apply_form(
            form,
            lambda data: services.signal_raise(signal=form.save(commit=False), by=request.user),
        ):
            messages.success(
                request, _("Signalement envoyé : l'équipe d'accompagnement va s'en occuper.")
            )
            return redirect("volunteers:my_signals")
    else:
        mine = Signal.objects.filter(raised_by_user=request.user, raised_by__isnull=True)
    signals = (
        mine.filter(organization=request.organization)
        .select_related("contact_point")
        .order_by("-raised_on", "-pk")[:MINE_SHOWN]
    )
    context = {"form": form, "signals": signals, "shown": MINE_SHOWN}
    return render(request, "volunteers/my_signals.html", context)


# --- The team's inbox and a signal's page ------------------------------------------------------


@role_required(*TEAM_ROLES)
def signal_list(request):
    active = list(
        _signals(request).exclude(status=Signal.Status.CLOSED).order_by("raised_on", "pk")
    )
    # The oldest first within each urgency: nothing waits forever behind newer ones.
    waiting = sorted(
        (s for s in active if s.status == Signal.Status.OPEN), key=lambda s: URGENCY_RANK[s.urgency]
    )
    taken = sorted(
        (s for s in active if s.status == Signal.Status.TAKEN_UP),
        key=lambda s: s.taken_up_by_id != request.user.pk,
    )
    closed = list(
        _signals(request)
        .filter(status=Signal.Status.CLOSED)
        .order_by("-closed_at", "-pk")[:CLOSED_SHOWN]
    )
    sections = [
        {
            "id": "open",
            "title": _("À prendre en charge"),
            "signals": waiting,
            "empty": _("Aucun signalement n'attend."),
        },
        {
            "id": "taken",
            "title": _("En cours"),
            "signals": taken,
            "empty": _("Aucun signalement en cours."),
        },
        {
            "id": "closed",
            "title": _("Derniers clôturés"),
            "signals": closed,
            "empty": _("Aucun signalement clôturé."),
        },
    ]
    return render(request, "volunteers/signal_list.html", {"sections": sections})


@role_required(*TEAM_ROLES)
def signal_detail(request, pk):
    return _detail_page(request, _signal_or_404(request, pk))


def _detail_page(request, signal: Signal, *, close_form=None):
    if signal.status == Signal.Status.CLOSED:
        close_form = None
    elif close_form is None:
        close_form = SignalCloseForm(
            participants=_people(request), initial={"participant": signal.participant_id}
        )
    return render(
        request, "volunteers/signal_detail.html", {"signal": signal, "close_form": close_form}
    )


@role_required(*TEAM_ROLES)
@require_POST
def signal_take_up(request, pk):
    signal = _signal_or_404(request, pk)
    try:
        services.signal_take_up(signal=signal, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Vous avez pris ce signalement en charge."))
    return redirect("volunteers:signal", pk=signal.pk)


@role_required(*TEAM_ROLES)
@require_POST
def signal_close(request, pk):
    signal = _signal_or_404(request, pk)
    form = SignalCloseForm(request.POST, participants=_people(request))

    def close(data):
        services.signal_close(
            signal=signal, by=request.user, outcome=data["outcome"], participant=data["participant"]
        )

    if apply_form(form, close):
        messages.success(request, _("Signalement clôturé."))
        return redirect("volunteers:signal", pk=signal.pk)
    # Closed meanwhile (a second click, a colleague): the form is gone, its reason is said.
    signal = _signal_or_404(request, pk)
    kept = forms_still_shown(
        request, {"close": form}, {"close": signal.status != Signal.Status.CLOSED}
    )
    if not kept:
        return redirect("volunteers:signal", pk=signal.pk)
    return _detail_page(request, signal, close_form=kept["close"])


# --- A signal raised by the team ---------------------------------------------------------------


@role_required(*RAISING_ROLES)
def signal_new(request):
    signal = Signal(organization=request.organization)
    searching = _searching(request)
    form, search = _person_form(
        request,
        StaffSignalForm,
        searching=searching,
        instance=signal,
        organization=request.organization,
        participants=_people(request),
    )
    coordinator = request.membership.role == Role.COORDINATOR
    if (
        request.method == "POST"
        and not searching
        and apply_form(
            form,
            lambda data: services.signal_raise(signal=form.save(commit=False), by=request.user),
        )
    ):
        if coordinator:
            messages.success(
                request, _("Signalement envoyé : l'équipe d'accompagnement va s'en occuper.")
            )
            return redirect("volunteers:my_signals")
        messages.success(request, _("Signalement enregistré."))
        return redirect("volunteers:signal", pk=signal.pk)
    back = "volunteers:my_signals" if coordinator else "volunteers:signals"
    context = {"form": form, "back": back, "search": search}
    return render(request, "volunteers/signal_form.html", context)
