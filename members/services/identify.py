"""The rotating code on the member card (format in members/card.py) and the till's lookup."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from members import card
from members.models import Member
from members.services.accounts import MembersError

IDENTIFY_MAX_LENGTH = 200  # longer input is junk (a scanner stuck on repeat); refuse it unread


def card_code(*, member: Member, at: datetime | None = None) -> str:
    """The code the member card shows during the time step containing `at` (default: now)."""
    return card.code_for(
        key=card.member_key(member.card_secret),
        number=member.number,
        step=card.step_at(at or timezone.now()),
    )


def member_identify(*, raw: str, now: datetime | None = None) -> Member:
    """The member a scanned card code or a typed member number belongs to.

    `raw` is what the till received: a rotating card code (any case, surrounding whitespace,
    as a handheld scanner types it) or the member number (any case, spaces and dashes
    ignored, so "ab23 cd45" and "AB23-CD45" both work). Erased members are never found.
    Raises MembersError:
    - "token_invalid": empty, too long or malformed input, or a card code whose MAC does
      not match the member it names (tampered, or another member's code edited);
    - "member_not_found": well formed, but no (non-erased) member has that number. We say
      so rather than "invalid" because the number can be typed anyway, so the answer
      tells nobody more than the till already could, and it helps the cashier fix a typo;
    - "token_expired": a genuine code from outside the accepted window (an old screenshot,
      or a phone clock far off).
    """
    if not raw or len(raw) > IDENTIFY_MAX_LENGTH:
        raise MembersError("token_invalid")
    text = raw.strip().upper()
    if "." in text:  # only card codes have a dot; numbers and vouchers never do
        return _member_from_card_code(text, now=now or timezone.now())
    number = text.replace(" ", "").replace("-", "")
    if not card.NUMBER_PATTERN.fullmatch(number):
        raise MembersError("token_invalid")
    return _member_with_number(number)


def _member_from_card_code(text: str, *, now: datetime) -> Member:
    code = card.parse(text)
    if code is None:
        raise MembersError("token_invalid")
    member = _member_with_number(code.number)
    # The MAC first: only a genuine code may learn that it is merely old.
    if not card.mac_is_valid(key=card.member_key(member.card_secret), code=code):
        raise MembersError("token_invalid")
    if not card.step_is_current(step=code.step, now=now):
        raise MembersError("token_expired")
    return member


def _member_with_number(number: str) -> Member:
    member = Member.objects.select_related("user").filter(number=number, erased_at=None).first()
    if member is None:
        raise MembersError("member_not_found")
    return member
