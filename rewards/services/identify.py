"""Who is at the till: a rotating card code, a member number, a mobile number or a name.

Refused scans are kept for the owner and count against a guessing limit per staff user and
per IP; a member shown at the till is a visit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from clubsite.errors import CodedError
from members.models import Location, Member, User
from members.phone import InvalidPhoneNumber, phone_normalize
from members.services import NUMBER_ALPHABET, MembersError, member_identify
from rewards import signals
from rewards.errors import RewardsError
from rewards.models import ScanRefusal, Visit, Voucher
from rewards.services import core

VISIT_GAP = timedelta(minutes=30)  # scans of one member at one shop closer than this: one visit
RAW_KEPT = 100  # characters of a refused input kept for the owner
# Guessing codes or numbers: refusals allowed per staff user and per IP in GUESS_WINDOW.
GUESS_LIMIT = 30
GUESS_WINDOW = 600
_VOUCHER_CODE = re.compile(rf"^[{NUMBER_ALPHABET}]{{{core.VOUCHER_CODE_LENGTH}}}$")


# --- Refusals and guessing limits


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
        raw_input=(raw or "")[:RAW_KEPT],
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


# --- Finding the member


@dataclass(frozen=True)
class Found:
    """Members that match what was scanned or typed. `confirmed` when the input proves who it
    is (a rotating card code); otherwise staff check the hints before acting."""

    members: list[Member]
    confirmed: bool


def normalized(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw or "").upper()


def member_find(*, raw: str, staff: User | None, location: Location | None, ip: str | None = None) -> Found:
    """A rotating card code, a member number, a mobile number or a name → members.

    Raises CodedError (MembersError or RewardsError) with the reason; the refusal is recorded.
    """
    text = (raw or "").strip()
    try:
        guessing_check(staff=staff, ip=ip)
        if not text:
            raise RewardsError("scan_empty")
        if len(text) > 200:
            raise MembersError("token_invalid")
        found = _find(text)
        if not found.members:
            raise MembersError("member_not_found")
        return found
    except CodedError as error:
        if error.code != "too_many_attempts":
            refusal_record(reason=error.code, raw=text, staff=staff, location=location, ip=ip)
        raise


def _find(text: str) -> Found:
    compact = normalized(text)
    if _VOUCHER_CODE.match(compact) and Voucher.objects.filter(code=compact).exists():
        raise RewardsError("voucher_in_member_field")
    card_code = "." in text  # only rotating card codes have a dot
    if card_code or _is_number(compact):
        try:
            return Found([member_identify(raw=text)], confirmed=card_code)
        except MembersError as error:
            # Eight digits may also be a mobile number, eight letters a name: look below.
            if card_code or error.code != "member_not_found":
                raise
    members = Member.objects.select_related("user").filter(erased_at=None)
    try:
        phone = phone_normalize(text)
    except InvalidPhoneNumber:
        phone = None
    if phone:
        return Found(list(members.filter(user__phone=phone)[:1]), confirmed=False)
    if len(text) >= 2 and any(char.isalpha() for char in text):
        query = Q()
        for word in text.split()[:3]:
            query &= Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word)
        return Found(list(members.filter(query).order_by("user__first_name", "pk")[:10]), confirmed=False)
    return Found([], confirmed=False)


def looks_like_voucher(raw: str) -> bool:
    return bool(_VOUCHER_CODE.match(normalized(raw)[:40]))


def _is_number(compact: str) -> bool:
    """The static member number (typed or printed) proves less than a rotating code."""
    return bool(re.fullmatch(rf"[{NUMBER_ALPHABET}]{{8}}", compact))


def visit_record(*, member: Member, location: Location, staff: User, now: datetime | None = None) -> Visit:
    """A member shown at the till is a visit; another scan soon after is the same visit."""
    now = core.now_or(now)
    visit = (
        Visit.objects.filter(member=member, location=location, last_seen_at__gte=now - VISIT_GAP)
        .order_by("-last_seen_at")
        .first()
    )
    if visit is None:
        visit = Visit.objects.create(
            member=member, location=location, staff=staff, started_at=now, last_seen_at=now
        )
        transaction.on_commit(
            lambda: signals.visit_recorded.send(
                sender=Visit,
                member_id=member.pk,
                visit_id=visit.pk,
                location_id=location.pk,
                staff_id=staff.pk,
            )
        )
        return visit
    Visit.objects.filter(pk=visit.pk).update(last_seen_at=now)
    return visit
