"""The right of access (GDPR art. 15): administration and direction find a person of the
organization and download everything held on them (privacy/subject_access.py)."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.forms_input import SEARCH_LENGTH, TextRuleMixin
from accounts.models import Role
from participants.selectors import participant_list
from participants.views.access import participant_or_404
from privacy.subject_access import Requester, subject_access_filename, subject_access_zip

ROLES = (Role.ADMIN, Role.DIRECTION)
SHOWN = 20


class SearchForm(TextRuleMixin, forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Nom, prénom ou numéro de registre national"),
        max_length=SEARCH_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


@role_required(*ROLES)
def subject_access(request):
    """The explanation and the search: posted, so that a name typed never appears in an
    address (a server log, the history). Each person found by name and birth year only."""
    form = SearchForm(request.POST if request.method == "POST" else None)
    found = None
    if form.is_bound and form.is_valid():
        people = (
            participant_list(
                organization=request.organization,
                query=form.cleaned_data["q"],
                with_volunteers=True,
            )
            .select_related(None)
            .prefetch_related(None)
            .only("first_name", "last_name", "birth_date")
        )
        found = list(people[: SHOWN + 1])
    return render(
        request,
        "privacy/subject_access.html",
        {
            "form": form,
            "found": found[:SHOWN] if found is not None else None,
            "more": found is not None and len(found) > SHOWN,
            "shown": SHOWN,
            "title": _("Droit d'accès"),
        },
    )


@role_required(*ROLES)
@require_POST
def subject_access_export(request, pk):
    participant = participant_or_404(request, pk)  # 404: another organization's, anonymised
    requester = Requester(user=request.user, membership=request.membership)
    response = HttpResponse(
        subject_access_zip(participant=participant, requester=requester),
        content_type="application/zip",
    )
    name = subject_access_filename(participant)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    patch_cache_control(response, private=True, no_store=True)
    return response
