"""What django-axes locks out by (AXES_USERNAME_CALLABLE)."""

from __future__ import annotations

from django.conf import settings

AXES_USERNAME_LENGTH = 255  # axes' AccessAttempt.username


def axes_username(request, credentials: dict | None = None) -> str | None:
    """What django-axes records and locks out by: the name typed at a failed login, as axes
    would take it (AXES_USERNAME_FORM_FIELD from the credentials, else the form), cut to its
    column and with NUL shown as ␀. A 10,000-character or NUL-holding login was a 500: the
    attempt could not be saved on PostgreSQL."""
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else getattr(request, "POST", {})
    value = source.get(field) if source else None
    if value is None:
        return None
    return str(value)[:AXES_USERNAME_LENGTH].replace("\x00", "\N{SYMBOL FOR NULL}")
