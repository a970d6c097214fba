"""Who is at the till: a rotating card code, a member number, a mobile number or a name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from clubsite.errors import CodedError
from members.models import Location, Member, User
from members.phone import InvalidPhoneNumber, phone_normalize
from members.services import NUMBER_ALPHABET, MembersError, member_identify
from rewards.errors import RewardsError
from rewards.models import Voucher
from rewards.services.core import VOUCHER_CODE_LENGTH
from rewards.services.guessing import guessing_check, refusal_record

_VOUCHER_CODE = re.compile(rf"^[{NUMBER_ALPHABET}]{{{VOUCHER_CODE_LENGTH}}}$")


@dataclass(frozen=True)
class Found:
    """Members that match what was scanned or typed. `confirmed` when the input proves who it
    is (a rotating card code); otherwise staff check the hints before acting."""

    members: list[Member]
    confirmed: bool
    voucher: Voucher | None = None  # a voucher's code was scanned: its member, it ready to use


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
        if len(text) > 200 or "\x00" in text:  # no code, number or name holds a NUL
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
    if _VOUCHER_CODE.match(compact):
        voucher = (
            Voucher.objects.select_related("reward", "wallet__member__user")
            .filter(code=compact, wallet__member__erased_at=None)
            .first()
        )
        if voucher is not None:
            # The code on the member's phone: open their panel with it ready to use. Like a
            # card code it is unguessable, so it is taken as proof of who stands there.
            return Found([voucher.wallet.member], confirmed=True, voucher=voucher)
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
