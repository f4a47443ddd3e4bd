"""The rota's pages (issue 21, point 4). Every role of an operator but partners, volunteers
included, sees the week's shifts and signs up or withdraws; the coordination and the direction
plan the shifts and assign people. A volunteer sees the others by first name and initial only.
Each person's own shifts are a calendar feed (the shared pieces are ``accounts.calendar_feeds``).
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from icalendar import Event

from accounts import calendar_feeds
from accounts.access import get_scoped_or_404, role_required
from accounts.calendar_feeds import COMING_DAYS, PAST_DAYS
from accounts.forms import apply_form
from accounts.models import Membership, Role
from volunteers import rota
from volunteers.forms_rota import AssignForm, RotaWeekForm, ShiftForm
from volunteers.models import RotaFeed, Shift, ShiftAssignment
from volunteers.rota import ROTA_MANAGERS, ROTA_ROLES, Person

FEED_SALT = "volunteers.rota-feed"


def _person_or_404(request) -> Person:
    person = rota.person_of(
        user=request.user, organization=request.organization, role=request.membership.role
    )
    if person is None:  # a volunteer whose volunteering has ended
        raise Http404
    return person


def _shifts(request):
    people = ShiftAssignment.objects.select_related("user", "volunteer__participant").order_by(
        "created_at", "pk"
    )
    return rota.with_counts(
        Shift.objects.filter(organization=request.organization)
        .select_related("contact_point")
        .prefetch_related(Prefetch("assignments", people))
    )


def _name(assignment: ShiftAssignment, *, person: Person, full: bool) -> str:
    """The team sees full names; a volunteer sees the others by first name and initial."""
    if assignment.user_id:
        if person.user is not None and assignment.user_id == person.user.pk:
            return _("vous")
        first, last = assignment.user.first_name, assignment.user.last_name
        if not (first or last):  # a member who gave no name
            return assignment.user.email if full else _("membre de l'équipe")
    else:
        if person.volunteer is not None and assignment.volunteer_id == person.volunteer.pk:
            return _("vous")
        participant = assignment.volunteer.participant
        first, last = participant.first_name, participant.last_name
    if full:
        return f"{first} {last}".strip()
    return f"{first} {last[:1]}.".strip() if last else first


def _dress(shift: Shift, *, person: Person, full: bool, now: dt.datetime) -> Shift:
    """What the rota shows of a shift: its people, its gap, what the viewer may do."""
    mine = [
        a
        for a in shift.assignments.all()
        if (person.user is not None and a.user_id == person.user.pk)
        or (person.volunteer is not None and a.volunteer_id == person.volunteer.pk)
    ]
    shift.people = [
        {"assignment": a, "name": _name(a, person=person, full=full), "me": a in mine}
        for a in shift.assignments.all()
    ]
    shift.gap = rota.gap(shift)
    shift.cancelled = shift.cancelled_at is not None
    shift.started = shift.starts_at <= now
    shift.mine = bool(mine)
    shift.can_sign_up = not (shift.mine or shift.cancelled or shift.started or not shift.gap)
    shift.can_withdraw = shift.mine and not shift.started and not shift.cancelled
    return shift


def _bounds(monday: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(monday + dt.timedelta(days=7), dt.time()))
    return start, end


@role_required(*ROTA_ROLES)
@require_GET
def rota_week(request):
    form = RotaWeekForm(request.GET)
    if not form.is_valid():
        raise Http404
    person = _person_or_404(request)
    monday = form.monday()
    start, end = _bounds(monday)
    shifts = _shifts(request).filter(starts_at__gte=start, starts_at__lt=end)
    open_only = form.cleaned_data["a_pourvoir"]
    now = timezone.now()
    if open_only:
        shifts = shifts.filter(cancelled_at__isnull=True, ends_at__gt=now, taken__lt=F("needed"))
    full = request.membership.role != Role.VOLUNTEER
    days = {monday + dt.timedelta(days=n): [] for n in range(7)}
    for shift in shifts.order_by("starts_at", "pk"):
        days[timezone.localdate(shift.starts_at)].append(
            _dress(shift, person=person, full=full, now=now)
        )
    week = monday.isocalendar()
    context = {
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
        "week_number": week.week,
        "days": [{"day": day, "shifts": found} for day, found in days.items()],
        "open_only": open_only,
        "previous": (monday - dt.timedelta(days=7)).isoformat(),
        "next": (monday + dt.timedelta(days=7)).isoformat(),
        "this_week": monday <= timezone.localdate() < monday + dt.timedelta(days=7),
        "manager": request.membership.role in ROTA_MANAGERS,
        "today": timezone.localdate(),
    }
    return render(request, "volunteers/rota.html", context)


def _week_url(shift: Shift) -> str:
    day = timezone.localdate(shift.starts_at)
    return f"{reverse('volunteers:rota')}?semaine={day.isoformat()}#creneau-{shift.pk}"


@role_required(*ROTA_ROLES)
def shift_detail(request, pk):
    return _detail(request, pk)


def _detail(request, pk, *, assign_form=None):
    person = _person_or_404(request)
    shift = get_scoped_or_404(request, _shifts(request), pk=pk)
    manager = request.membership.role in ROTA_MANAGERS
    full = request.membership.role != Role.VOLUNTEER
    _dress(shift, person=person, full=full, now=timezone.now())
    if manager and assign_form is None and not shift.cancelled and shift.gap:
        staff, volunteers = rota.assignable(organization=request.organization)
        assign_form = AssignForm(staff=staff, volunteers=volunteers)
    context = {
        "shift": shift,
        "manager": manager,
        "assign_form": assign_form if not shift.cancelled else None,
        "week_url": _week_url(shift),
    }
    return render(request, "volunteers/rota_shift.html", context)


@role_required(*ROTA_MANAGERS)
def shift_new(request):
    shift = Shift(organization=request.organization)
    day = RotaWeekForm(request.GET)
    initial = {"needed": 1, "repeat_weeks": 0}
    if day.is_valid() and day.cleaned_data["semaine"]:
        initial["date"] = day.cleaned_data["semaine"]
    return _shift_page(request, shift, initial=initial)


@role_required(*ROTA_MANAGERS)
def shift_edit(request, pk):
    shift = get_scoped_or_404(request, Shift.objects.select_related("contact_point"), pk=pk)
    if shift.cancelled_at is not None:
        messages.error(request, _("Ce créneau est annulé : il ne change plus."))
        return redirect("volunteers:shift", pk=shift.pk)
    return _shift_page(request, shift)


def _shift_page(request, shift: Shift, initial=None):
    saved = str(shift) if shift.pk else ""
    form = ShiftForm(request.POST or None, shift=shift, initial=initial)
    created = []

    def save(data):
        weeks = form.apply()
        created.extend(rota.shift_save(shift=shift, by=request.user, repeat_weeks=weeks))

    if request.method == "POST" and apply_form(form, save):
        if len(created) > 1:
            messages.success(
                request,
                _("%(count)s créneaux « %(role)s » enregistrés, un par semaine.")
                % {"count": len(created), "role": shift.role},
            )
        else:
            messages.success(request, _("Créneau « %(role)s » enregistré.") % {"role": shift.role})
        return redirect("volunteers:shift", pk=shift.pk)
    return render(request, "volunteers/rota_shift_form.html", {"form": form, "saved": saved})


def _act(request, shift: Shift, action, done: str):
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)


@role_required(*ROTA_MANAGERS)
@require_POST
def shift_cancel(request, pk):
    shift = get_scoped_or_404(request, Shift.objects, pk=pk)
    _act(
        request,
        shift,
        lambda: rota.shift_cancel(shift=shift, by=request.user),
        _("Créneau annulé : les personnes inscrites le voient annulé."),
    )
    return redirect("volunteers:shift", pk=shift.pk)


@role_required(*ROTA_ROLES)
@require_POST
def shift_sign_up(request, pk):
    person = _person_or_404(request)
    shift = get_scoped_or_404(request, Shift.objects, pk=pk)
    _act(
        request,
        shift,
        lambda: rota.shift_sign_up(shift=shift, person=person, by=request.user),
        _("Vous êtes inscrit·e : %(role)s, le %(day)s.")
        % {"role": shift.role, "day": timezone.localtime(shift.starts_at).strftime("%d/%m")},
    )
    return redirect(_back(request, shift))


@role_required(*ROTA_ROLES)
@require_POST
def shift_withdraw(request, pk):
    person = _person_or_404(request)
    shift = get_scoped_or_404(request, Shift.objects, pk=pk)
    _act(
        request,
        shift,
        lambda: rota.shift_withdraw(shift=shift, person=person),
        _("Vous n'êtes plus sur ce créneau."),
    )
    return redirect(_back(request, shift))


def _back(request, shift: Shift) -> str:
    """Back to the page the button was on: the week, or the shift's own page."""
    if request.POST.get("back") == "shift":
        return reverse("volunteers:shift", args=[shift.pk])
    return _week_url(shift)


@role_required(*ROTA_MANAGERS)
@require_POST
def shift_assign(request, pk):
    shift = get_scoped_or_404(request, Shift.objects, pk=pk)
    staff, volunteers = rota.assignable(organization=request.organization)
    form = AssignForm(request.POST, staff=staff, volunteers=volunteers)

    def assign(data):
        kind, chosen = data["person"]
        rota.shift_assign(shift=shift, person=Person(**{kind: chosen}), by=request.user)

    if apply_form(form, assign):
        messages.success(request, _("Personne ajoutée au créneau."))
        return redirect("volunteers:shift", pk=shift.pk)
    return _detail(request, shift.pk, assign_form=form)


@role_required(*ROTA_MANAGERS)
@require_POST
def assignment_remove(request, pk):
    assignment = get_scoped_or_404(
        request, ShiftAssignment.objects.select_related("shift"), via="shift__organization", pk=pk
    )
    _act(
        request,
        assignment.shift,
        lambda: rota.shift_unassign(assignment=assignment, by=request.user),
        _("Personne retirée du créneau."),
    )
    return redirect("volunteers:shift", pk=assignment.shift_id)


# --- The calendar feed -----------------------------------------------------------------------


def feed_token(feed: RotaFeed) -> str:
    return calendar_feeds.feed_token(feed, salt=FEED_SALT)


@role_required(*ROTA_ROLES)
def rota_feed(request):
    """The page that gives the address of one's own shifts (and renews or revokes it)."""
    _person_or_404(request)
    if request.method == "POST":
        calendar_feeds.feed_change(request, RotaFeed)
        return redirect("volunteers:rota_feed")
    feed = RotaFeed.objects.filter(user=request.user, organization=request.organization).first()
    address = (
        request.build_absolute_uri(reverse("volunteers:rota_feed_ics", args=[feed_token(feed)]))
        if feed
        else None
    )
    texts = calendar_feeds.FeedTexts(
        title=_("Mon planning dans mon calendrier"),
        back_url=reverse("volunteers:rota"),
        back=_("Planning"),
        holds=_(
            "Ajoutez cette adresse à votre calendrier (Outlook, Google Agenda, le calendrier du "
            "téléphone : « s'abonner à un calendrier » ou « ajouter par URL »). Il y verra vos "
            "créneaux du mois passé et des six mois à venir : le rôle, le lieu, l'heure, et "
            "s'ils sont annulés ; jamais le nom d'une autre personne."
        ),
        private=_(
            "Quiconque a l'adresse voit ces créneaux : gardez-la pour vous. Si elle a pu être "
            "vue par d'autres, remplacez-la : l'ancienne ne répondra plus."
        ),
    )
    return calendar_feeds.feed_page(request, feed=feed, address=address, texts=texts)


@require_GET
def rota_feed_ics(request, token):
    feed = calendar_feeds.feed_from_token(RotaFeed.objects, token, salt=FEED_SALT)
    membership = (
        Membership.objects.active()
        .filter(user=feed.user, organization=feed.organization, role__in=ROTA_ROLES)
        .first()
    )
    if membership is None:
        raise Http404
    person = rota.person_of(user=feed.user, organization=feed.organization, role=membership.role)
    if person is None:  # the volunteering has ended
        raise Http404
    now = timezone.now()
    shifts = rota.shifts_of(
        person=person,
        organization=feed.organization,
        start=now - dt.timedelta(days=PAST_DAYS),
        end=now + dt.timedelta(days=COMING_DAYS),
    )
    calendar = calendar_feeds.new_calendar(
        product="planning", name=f"{feed.organization.name} — {_('planning')}"
    )
    host = request.get_host()
    for shift in shifts:
        event = Event()
        event.add("uid", f"shift-{shift.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", timezone.localtime(shift.starts_at))
        event.add("dtend", timezone.localtime(shift.ends_at))
        event.add("summary", shift.role)
        if shift.where:
            event.add("location", shift.where)
        event.add("url", request.build_absolute_uri(reverse("volunteers:shift", args=[shift.pk])))
        event.add("status", "CANCELLED" if shift.cancelled_at else "CONFIRMED")
        calendar.add_component(event)
    return calendar_feeds.ics_response(calendar, feed)
