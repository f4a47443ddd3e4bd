"""Work handed to the Celery broker once the transaction is committed, and what happens when the
broker (Redis) cannot be reached at that moment.

The data is committed by then: an error now would answer 500 for a change that was in fact
saved, and the person trying again would be told it already exists. So a publish that fails is
logged, the caller's ``on_broker_down`` records that the work is still owed (a periodic check
does it once the broker is back: ``accounts.tasks.memberships_send_due_invitations``,
``partners.tasks.referral_links_send_due``) or fails what cannot wait (a report), and the
person is told with ``notice`` on the page they land on (``BrokerNoticeMiddleware``).

Every app may use this module (it is in ``accounts``, at the bottom of the import arrows).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable

from django.contrib import messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# The notice of an e-mail the broker could not take: the periodic check sends it later.
MAIL_LATER = _(
    "Le service d'envoi des e-mails est momentanément indisponible : l'e-mail partira "
    "dès que possible, sans que vous ayez à refaire quoi que ce soit."
)

# The sentences for the person of the current request; None outside a request (the worker, a
# command), where the log is the only reader.
_notices: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "broker_notices", default=None
)


def enqueue_on_commit(
    task,
    *args,
    on_broker_down: Callable[[], object] | None = None,
    notice: str | None = None,
) -> None:
    """``task.delay(*args)`` once the current transaction is committed (at once outside one),
    never before: the worker must find the rows it is given. A broker that cannot take the
    message raises nothing here: see the module's docstring."""

    def publish() -> None:
        try:
            task.apply_async(args)
        # Whatever the publish raised (a refused connection, a timeout, a full Redis), the commit
        # is done: the work must be recorded as owed rather than the request answer 500.
        except Exception:
            logger.exception("Could not queue %s%r: the broker is unreachable.", task.name, args)
            if on_broker_down is not None:
                on_broker_down()
            told = _notices.get()
            if notice and told is not None and str(notice) not in told:
                told.append(str(notice))

    transaction.on_commit(publish)


class BrokerNoticeMiddleware:
    """Shows, as a warning on the next page, what ``enqueue_on_commit`` could not queue.

    After ``MessageMiddleware`` in MIDDLEWARE: the request's transaction (ATOMIC_REQUESTS) is
    committed inside the view's wrapper, so its publishes have happened when the response comes
    back through here, and the messages added now are still stored with the response.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        told: list[str] = []
        token = _notices.set(told)
        try:
            response = self.get_response(request)
        finally:
            _notices.reset(token)
        for notice in told:
            messages.warning(request, notice)
        return response
