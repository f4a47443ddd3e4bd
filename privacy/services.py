"""The monthly review of who is due for anonymisation, and its confirmation by an
administrator (privacy/anonymisation.py holds the rule and the erasure)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, Role, User
from privacy.anonymisation import anonymisation_due, participant_anonymise
from privacy.models import AnonymisationReview


@transaction.atomic
def anonymisation_reviews_prepare(*, today: dt.date) -> list[AnonymisationReview]:
    """The dry run of every organization: one review waiting per organization with someone
    due (it replaces the one of last month if nobody confirmed it)."""
    reviews = []
    for organization in Organization.objects.filter(is_active=True):
        due = anonymisation_due(today=today, organization=organization)
        AnonymisationReview.objects.filter(
            organization=organization, confirmed_at__isnull=True
        ).delete()
        if due:
            reviews.append(
                AnonymisationReview.objects.create(
                    organization=organization,
                    participant_ids=[entry.participant.pk for entry in due],
                )
            )
    return reviews


def anonymisation_review_pending(*, organization: Organization) -> AnonymisationReview | None:
    return AnonymisationReview.objects.filter(
        organization=organization, confirmed_at__isnull=True
    ).first()


@transaction.atomic
def anonymisation_review_confirm(*, review: AnonymisationReview, by: User, today: dt.date) -> int:
    """An administrator of the organization confirms: the people of the review still due today
    (a pathway reopened meanwhile keeps its person) are anonymised. Returns how many."""
    review = AnonymisationReview.objects.select_for_update().get(pk=review.pk)
    if review.confirmed_at is not None:
        raise ValidationError(_("Cette liste a déjà été confirmée."))
    if not Membership.objects.holds(user=by, organization=review.organization, role=Role.ADMIN):
        raise ValidationError(_("Seule l'administration de l'organisation confirme."))
    listed = set(review.participant_ids)
    due = [
        entry
        for entry in anonymisation_due(today=today, organization=review.organization)
        if entry.participant.pk in listed
    ]
    for entry in due:
        participant_anonymise(participant=entry.participant)
    review.confirmed_at, review.confirmed_by, review.anonymised = timezone.now(), by, len(due)
    review.save(update_fields=["confirmed_at", "confirmed_by", "anonymised"])
    return len(due)
