"""A counsellor's appointments as a calendar feed (ICS) for their phone or desktop calendar:
its address is signed and carries a key the counsellor can renew, which revokes the old one.
A calendar app reads it without logging in, so it says as little as it can: the time, the
person's first name and initial, the form and place — never the purpose, never a note."""

import datetime as dt

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from icalendar import Event

from accounts import calendar_feeds
from accounts.access import role_required
from accounts.calendar_feeds import COMING_DAYS, PAST_DAYS
from accounts.models import Membership
from agenda.models import Appointment, CalendarFeed
from agenda.selectors import appointments_between
from participants.views.access import CASELOAD_ROLES

SALT = "agenda.calendar-feed"


def feed_token(feed: CalendarFeed) -> str:
    return calendar_feeds.feed_token(feed, salt=SALT)


def _feed_for(token: str) -> CalendarFeed:
    feed = calendar_feeds.feed_from_token(CalendarFeed.objects, token, salt=SALT)
    still_member = Membership.objects.active().filter(
        user=feed.user, organization=feed.organization, role__in=CASELOAD_ROLES
    )
    if not still_member.exists():
        raise Http404
    return feed


@role_required(*CASELOAD_ROLES)
def feed_settings(request):
    """The page that gives the address (and renews or revokes it)."""
    feed = CalendarFeed.objects.filter(user=request.user, organization=request.organization).first()
    if request.method == "POST":
        calendar_feeds.feed_change(request, CalendarFeed)
        return redirect("agenda:feed")
    address = (
        request.build_absolute_uri(reverse("agenda:feed_ics", args=[feed_token(feed)]))
        if feed
        else None
    )
    texts = calendar_feeds.FeedTexts(
        title=_("Mon agenda dans mon calendrier"),
        back_url=reverse("agenda:agenda"),
        back=_("Agenda"),
        holds=_(
            "Ajoutez cette adresse à votre calendrier (Outlook, Google Agenda, le calendrier du "
            "téléphone : « s'abonner à un calendrier » ou « ajouter par URL »). Il y verra vos "
            "rendez-vous du mois passé et des six mois à venir : l'heure, le prénom et l'initiale "
            "de la personne, la forme et le lieu ; jamais l'objet ni une note."
        ),
        private=_(
            "Quiconque a l'adresse voit ces rendez-vous : gardez-la pour vous. Si elle a pu être "
            "vue par d'autres, remplacez-la : l'ancienne ne répondra plus."
        ),
    )
    return calendar_feeds.feed_page(request, feed=feed, address=address, texts=texts)


def _short_name(participant) -> str:
    return f"{participant.first_name} {participant.last_name[:1]}.".strip()


@require_GET
def feed_ics(request, token):
    feed = _feed_for(token)
    today = timezone.localdate()
    found = appointments_between(
        organization=feed.organization,
        start=today - dt.timedelta(days=PAST_DAYS),
        end=today + dt.timedelta(days=COMING_DAYS),
        counsellor=feed.user,
    ).exclude(status=Appointment.Status.NO_SHOW)
    calendar = calendar_feeds.new_calendar(
        product="agenda", name=f"{feed.organization.name} — {_('rendez-vous')}"
    )
    host = request.get_host()
    for appointment in found:
        name = _short_name(appointment.participant)
        event = Event()
        event.add("uid", f"appointment-{appointment.pk}@{host}")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", timezone.localtime(appointment.starts_at))
        event.add("dtend", timezone.localtime(appointment.ends_at))
        event.add(
            "summary",
            _("RDV %(name)s (%(mode)s)")
            % {
                "name": name,
                "mode": appointment.get_mode_display(),
            },
        )
        if appointment.place:
            event.add("location", appointment.place)
        event.add(
            "url", request.build_absolute_uri(reverse("agenda:detail", args=[appointment.pk]))
        )
        cancelled = appointment.status == Appointment.Status.CANCELLED
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        calendar.add_component(event)
    return calendar_feeds.ics_response(calendar, feed)
