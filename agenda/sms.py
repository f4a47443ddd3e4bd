"""Text messages, through a backend named by the ``SMS_BACKEND`` setting, as Django does for
e-mail: the console's in the demo (the message is printed by the worker), an outbox in memory
for the tests, or an organisation's own gateway (a class with ``send_messages``)."""

import re
import sys
import threading
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

# A Belgian mobile number (04xx xx xx xx, also written +32 (0)4…: the trunk 0 kept after the
# country code) or an international one written with its +.
_SEPARATORS = re.compile(r"[\s./()-]")
_BELGIAN_MOBILE = re.compile(r"^(?:\+320?|00320?|0)(4\d{8})$")
_INTERNATIONAL = re.compile(r"^(?:\+|00)([1-9]\d{7,14})$")


def mobile_number(phone: str) -> str | None:
    """The number in E.164 (+324…) if ``phone`` can receive a text: a Belgian mobile, or a
    foreign number written with its country code; None for a Belgian landline or nonsense."""
    compact = _SEPARATORS.sub("", phone or "")
    belgian = _BELGIAN_MOBILE.match(compact)
    if belgian:
        return f"+32{belgian.group(1)}"
    if compact.startswith(("+32", "0032")):
        return None  # a Belgian landline
    foreign = _INTERNATIONAL.match(compact)
    return f"+{foreign.group(1)}" if foreign else None


@dataclass(frozen=True)
class Message:
    to: str
    text: str


class ConsoleBackend:
    """Prints the message (the demo's worker shows it in its log)."""

    def send_messages(self, messages: list[Message]) -> int:
        for message in messages:
            sys.stdout.write(f"SMS to {message.to}:\n{message.text}\n{'-' * 40}\n")
        sys.stdout.flush()
        return len(messages)


outbox: list[Message] = []
_outbox_lock = threading.Lock()


class LocmemBackend:
    """Keeps the messages in ``agenda.sms.outbox`` (tests)."""

    def send_messages(self, messages: list[Message]) -> int:
        with _outbox_lock:
            outbox.extend(messages)
        return len(messages)


def send(*, to: str, text: str) -> None:
    """Raises when the message is not sent: the backend's own error, or its answer that it sent
    none (as Django's e-mail backends count what they sent), so that the reminder is recorded
    failed and tried again, never said sent."""
    backend = import_string(settings.SMS_BACKEND)()
    if backend.send_messages([Message(to=to, text=text)]) == 0:
        raise RuntimeError("the SMS backend sent nothing")
