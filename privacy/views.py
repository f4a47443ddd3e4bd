from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.access import role_required
from accounts.forms_input import TextRuleMixin
from accounts.models import Role
from privacy import services
from privacy.anonymisation import anonymisation_due


class ConfirmForm(TextRuleMixin, forms.Form):
    confirmed = forms.BooleanField(
        label=gettext_lazy(
            "Je confirme l'anonymisation de ces personnes : leurs noms, coordonnées et notes "
            "seront effacés définitivement."
        )
    )


@role_required(Role.ADMIN)
def anonymisation_review(request):
    """The month's dry run for this organization (ids and dates only: the administration does
    not open personal records), and its confirmation."""
    review = services.anonymisation_review_pending(organization=request.organization)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and review is not None and form.is_valid():
        try:
            count = services.anonymisation_review_confirm(
                review=review, by=request.user, today=timezone.localdate()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s personne anonymisée.", "%(count)s personnes anonymisées.", count
                )
                % {"count": count},
            )
            return redirect("privacy:review")
    due = []
    if review is not None:
        listed = set(review.participant_ids)
        due = [
            entry
            for entry in anonymisation_due(
                today=timezone.localdate(), organization=request.organization
            )
            if entry.participant.pk in listed
        ]
    return render(
        request,
        "privacy/anonymisation_review.html",
        {
            "review": review,
            "due": due,
            "form": form,
            "retention_years": request.organization.retention_years,
            "title": _("Anonymisation"),
        },
    )
