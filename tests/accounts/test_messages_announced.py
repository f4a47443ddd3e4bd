"""Messages (saved, refused…) are read out by screen readers: present when the page loads, a
live region would stay silent, so app.js moves the focus to their box (tabindex=-1), after a
refused form's error summary. An error is an alert, the rest a status; without JavaScript they
are all still there, at the top of the page."""

import re

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.shortcuts import render
from django.test import RequestFactory


def _page_with(*levels_and_texts):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    for level, text in levels_and_texts:
        messages.add_message(request, level, text)
    return render(request, "base.html").content.decode()


def test_messages_sit_in_a_box_that_takes_the_focus_errors_as_alerts(db):
    html = _page_with(
        (messages.SUCCESS, "12 présences enregistrées."),
        (messages.ERROR, "Cochez la case pour confirmer que la banque a payé."),
        (messages.WARNING, "Lot vide."),
    )
    box = re.search(r'<div class="messages"([^>]*)>', html).group(1)
    assert 'tabindex="-1"' in box and "data-messages" in box
    found = re.findall(r'class="alert[^"]*" role="(\w+)">\s*([^<]+?)\s*<', html)
    roles = {text: role for role, text in found}
    assert roles == {
        "12 présences enregistrées.": "status",
        "Cochez la case pour confirmer que la banque a payé.": "alert",
        "Lot vide.": "status",
    }


def test_no_message_no_box(db):
    assert "data-messages" not in _page_with()
