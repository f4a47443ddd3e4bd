"""Calendar feeds (ICS) a member subscribes to in their phone's or desktop's calendar: the
counsellors' appointments (agenda) and everyone's shifts (volunteers' rota). A calendar app reads
the feed without logging in, so its address is signed and carries a key the member can renew,
which revokes the old address, or delete (revoke it for good).

Each app keeps its own feed model (``user``, ``organization``, ``key``, ``last_read_at``, one per
member and organization) and says who may still read it; the signing, the lookup, the renewal,
the revocation and the response are here, once."""

import secrets
from dataclasses import dataclass

from django.contrib import messages
from django.core import signing
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from icalendar import Calendar

# What a feed holds: the last month and the next six.
PAST_DAYS, COMING_DAYS = 31, 183


def feed_token(feed: models.Model, *, salt: str) -> str:
    return signing.Signer(salt=salt).sign_object({"feed": feed.pk, "key": feed.key})


def feed_from_token(queryset: models.QuerySet, token: str, *, salt: str):
    """The live feed a token names, or 404: a bad signature, a feed deleted, or a key renewed
    since. Whether its member may still read it is the caller's to say."""
    try:
        claim = signing.Signer(salt=salt).unsign_object(token)
        feed = queryset.select_related("user", "organization").get(pk=claim["feed"])
    except (signing.BadSignature, queryset.model.DoesNotExist, KeyError, TypeError, ValueError):
        raise Http404 from None
    if not secrets.compare_digest(str(claim.get("key", "")), feed.key):
        raise Http404  # renewed or revoked
    if not feed.user.is_active:
        raise Http404
    return feed


def feed_change(request, model: type[models.Model]) -> None:
    """The settings page's POST: ``renew`` gives a new address (the old one stops answering),
    ``revoke`` deletes the feed; each said in a message."""
    action = request.POST.get("action")
    mine = model.objects.filter(user=request.user, organization=request.organization)
    if action == "revoke" and mine.exists():
        mine.delete()
        messages.success(request, _("L'adresse du calendrier est révoquée : elle ne répond plus."))
    elif action == "renew":
        model.objects.update_or_create(
            user=request.user,
            organization=request.organization,
            defaults={"key": secrets.token_urlsafe(24), "last_read_at": None},
        )
        messages.success(
            request,
            _("Voici une nouvelle adresse ; l'ancienne, s'il y en avait une, ne répond plus."),
        )


@dataclass(frozen=True)
class FeedTexts:
    """What a feed's settings page says, in its app's words: its title, the page it goes back
    to (address and name), what the feed holds, and why the address stays private."""

    title: str
    back_url: str
    back: str
    holds: str
    private: str


def feed_page(request, *, feed, address: str | None, texts: FeedTexts):
    """The settings page of a feed: its address (if there is one), when it was last read, and
    the buttons to create, renew or revoke it."""
    context = {"feed": feed, "address": address, "texts": texts}
    return render(request, "accounts/calendar_feed.html", context)


def new_calendar(*, product: str, name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//Chantiers & Parcours//{product}//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def ics_response(calendar: Calendar, feed: models.Model) -> HttpResponse:
    """The feed's answer, never kept by a cache; the feed noted as read now."""
    calendar.add_missing_timezones()
    type(feed).objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    patch_cache_control(response, private=True, no_store=True)
    return response
