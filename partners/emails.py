"""The e-mails about referrals: the answer link for a partner without members, and the daily
digest (one e-mail per person per day, never one per event). What they say is read in
``selectors`` and what they record is written in ``services``; this module composes and sends.

Only the minimum of the person referred travels: first and last name, phone, e-mail and the
referral's reason. Never notes, needs details, other referrals, national number or address.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partners import selectors, services
from partners.models import Referral

logger = logging.getLogger(__name__)


def referral_links_send_due(*, now: dt.datetime | None = None) -> int:
    """Periodic (celery beat): send the answer links owed; how many were sent. One that fails
    (the mail server) is logged and tried again by the next check."""
    sent = 0
    for referral in selectors.referrals_due_link(now=now).order_by("pk"):
        try:
            sent += referral_link_send(referral=referral)
        except Exception:
            logger.exception(
                "Answer link of referral %s: not sent, tried again later.", referral.pk
            )
    return sent


def referral_link_send(*, referral: Referral) -> bool:
    """E-mail a new answer link (the previous one stops working). False when there is no
    address to send it to, or the referral was answered meanwhile."""
    referral = selectors.referrals_minimal(Referral.objects).get(pk=referral.pk)
    address = selectors.referral_link_address(referral)
    if not address or referral.status != Referral.Status.SENT:
        return False
    token = services.referral_link_token(referral=referral)
    # The token rides in the query string: the access log keeps the path only (Dockerfile).
    link = f"{settings.SITE_URL}{reverse('partners:link_answer')}?t={token}"
    with translation.override(settings.LANGUAGE_CODE):  # no account, so no language chosen
        subject = _("Orientation de %(from)s : merci de répondre") % {
            "from": referral.from_organization.name
        }
        body = render_to_string(
            "partners/email/referral_link.txt",
            {
                "referral": referral,
                "link": link,
                "days": services.referral_link_days(referral=referral),
            },
        )
    send_mail(subject, body, None, [address])
    return True


# --- The daily digest -----------------------------------------------------------------------


def referrals_digest_send(*, now: dt.datetime | None = None) -> int:
    """One e-mail per person with something to read, at most once a day; how many were sent.

    Each e-mail is recorded (``services.referral_digest_record``) in the transaction that sends
    it: a second run the same day skips who already had theirs, and an e-mail that failed is
    sent by the next."""
    now = now or timezone.now()
    day = timezone.localdate(selectors.digest_window(now)[1])
    already = selectors.referral_digest_recipients(day=day)
    sent = 0
    for digest in selectors.referrals_digests(now=now):
        user = digest.user
        if user.pk in already:
            continue
        with transaction.atomic():
            if not services.referral_digest_record(user=user, day=day):
                continue  # another run got there first
            with translation.override(user.language or settings.LANGUAGE_CODE):
                body = render_to_string(
                    "partners/email/digest.txt",
                    {
                        "user": user,
                        "digest": digest,
                        "days": selectors.reminder_days(),
                        "site_url": settings.SITE_URL,
                        "inbox_url": settings.SITE_URL + reverse("partners:inbox"),
                    },
                )
                subject = _("Chantiers & Parcours : vos orientations du jour")
            send_mail(subject, body, None, [user.email])
        sent += 1
    return sent
