"""Marks taken on the phone without network, sent when it is back: the server side of the
offline grid. JSON in, JSON out; the same rules as the grid (chantiers.services)."""

import json
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from chantiers import services
from chantiers.views.access import CHANTIER_ROLES, session_or_404

MAX_MARKS = 500  # a day of a big group, many times over: more is not a phone's queue


def _mark(raw: dict) -> tuple[uuid.UUID, services.Mark]:
    hours = raw.get("hours")
    km = raw.get("km")
    version = raw.get("version")
    if not all(value is None or isinstance(value, int) for value in (km, version)):
        raise ValueError
    return uuid.UUID(str(raw["client_id"])), services.Mark(
        participant_id=int(raw["participant"]),
        status=str(raw["status"]),
        hours=None if hours in (None, "") else Decimal(str(hours)),
        note=str(raw.get("note") or "")[:300],
        version=version,
        km=km,
        vehicle=None if raw.get("vehicle") is None else str(raw["vehicle"]),
    )


@require_POST
@role_required(*CHANTIER_ROLES)
def offline_marks(request, pk):
    """``{"user": id, "marks": [{"client_id", "participant", "status", "version", "hours",
    "note", "km", "vehicle"}]}`` → ``{"saved": [client ids], "conflicts": [{client id, the
    server's mark}]}``; 400 for what cannot be read, 409 with the reason for a sending refused
    whole (``user``, the account that took the marks, when it is not the one logged in)."""
    session = session_or_404(request, pk)
    try:
        if request.content_type != "application/json":  # a form's body is read already
            raise ValueError
        payload = json.loads(request.body)
        raw, taken_by = payload["marks"], payload.get("user")
        if not isinstance(raw, list) or len(raw) > MAX_MARKS:
            raise ValueError
        if not (taken_by is None or isinstance(taken_by, int)):
            raise ValueError
        marks = [_mark(item) for item in raw]
    except (ValueError, KeyError, TypeError, InvalidOperation, AttributeError):
        message = _("Envoi illisible : les présences en attente sont gardées sur le téléphone.")
        return JsonResponse({"error": message}, status=400)
    if taken_by is not None and taken_by != request.user.pk:
        # The phone's queue holds another account's marks: they wait for that account.
        message = _(
            "Ces présences ont été notées sous un autre compte : elles seront envoyées quand ce "
            "compte se connectera sur ce téléphone."
        )
        return JsonResponse({"error": message, "code": "other_account"}, status=409)
    try:
        result = services.offline_marks_receive(session=session, marks=marks, by=request.user)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=409)
    return JsonResponse(
        {
            "saved": [str(client_id) for client_id in result.saved],
            "conflicts": [
                {
                    "client_id": str(client_id),
                    "participant": attendance.participant_id,
                    "status": attendance.status,
                    "status_label": str(attendance.get_status_display()),
                    "hours": str(attendance.hours),
                    "version": attendance.version,
                    "by": str(attendance.recorded_by or ""),
                    "at": attendance.recorded_at.isoformat(),
                }
                for client_id, attendance in result.conflicts
            ],
        }
    )
