"""Refused scans and the guessing limit at the till.

A refused scan or action is kept for the owner (ScanRefusal) and counts against a limit per
staff user and per IP, so that nobody can try member numbers or voucher codes at speed.
"""

from __future__ import annotations

from django.core.cache import cache

from members.models import Location, Member, User
from rewards.errors import RewardsError
from rewards.models import ScanRefusal

RAW_KEPT = 100  # characters of a refused input kept for the owner
# Guessing codes or numbers: refusals allowed per staff user and per IP in GUESS_WINDOW seconds.
GUESS_LIMIT = 30
GUESS_WINDOW = 600


def refusal_record(
    *,
    reason: str,
    raw: str = "",
    staff: User | None,
    location: Location | None,
    ip: str | None = None,
    member: Member | None = None,
) -> ScanRefusal:
    """Keep a refused scan or action for the owner, and count it against guessing."""
    for key in _guess_keys(staff, ip):
        if cache.add(key, 1, GUESS_WINDOW) is False:
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, GUESS_WINDOW)
    return ScanRefusal.objects.create(
        reason=reason[:40],
        # PostgreSQL's text cannot hold NUL: kept as the symbol that shows one.
        raw_input=(raw or "")[:RAW_KEPT].replace("\x00", "\N{SYMBOL FOR NULL}"),
        staff=staff,
        location=location,
        member=member,
        ip=ip or None,
    )


def _guess_keys(staff: User | None, ip: str | None) -> list[str]:
    keys = [f"counter:refused:staff:{staff.pk}"] if staff is not None else []
    if ip:
        keys.append(f"counter:refused:ip:{ip}")
    return keys


def guessing_check(*, staff: User | None, ip: str | None) -> None:
    """Refuse further lookups once a staff user or an IP has been refused too often."""
    if any((cache.get(key) or 0) >= GUESS_LIMIT for key in _guess_keys(staff, ip)):
        raise RewardsError("too_many_attempts")
