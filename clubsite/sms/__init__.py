"""Sending SMS, shaped like Django's e-mail API: a backend chosen by settings.SMS_BACKEND.

    send_sms("+4791234567", "Your code is 123456")

Backends: console (default, prints), filebased (one file per message, for tests and
debugging), locmem (collects into `outbox`, for tests), twilio (a real HTTP provider).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

# Filled by the locmem backend, like django.core.mail.outbox.
outbox: list[SmsMessage] = []


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    sender: str = ""


class SmsError(Exception):
    """The provider refused or could not be reached."""


def get_connection(backend: str | None = None, **kwargs):
    return import_string(backend or settings.SMS_BACKEND)(**kwargs)


def send_sms(to: str, body: str, *, sender: str | None = None, fail_silently: bool = False) -> int:
    """Send one SMS to an E.164 number; return how many were sent (0 or 1)."""
    message = SmsMessage(to=to, body=body, sender=sender or settings.SMS_SENDER)
    return get_connection(fail_silently=fail_silently).send_messages([message])
