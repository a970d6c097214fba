"""Small helpers shared by the referral tests (not a test module)."""

from __future__ import annotations

import uuid

from members.models import Member
from members.services import member_join
from referrals import services
from referrals.models import Referral
from rewards.models import Wallet
from rewards.services import purchase_register

_counter = iter(range(10_000))


def new_friend(first_name: str = "Ola", **contact) -> Member:
    """A member who has just joined (with an e-mail unlike anyone else's unless given)."""
    if not contact:
        contact = {"email": f"venn{next(_counter)}@example.org"}
    return member_join(first_name=first_name, welcome=False, **contact)


def invited(code, first_name: str = "Ola", channel: str = Referral.Channel.LINK, **kwargs) -> Referral:
    """A new friend joins and the invitation with `code` is recorded."""
    contact = {k: kwargs.pop(k) for k in ("email", "phone") if k in kwargs}
    friend = new_friend(first_name, **contact)
    return services.referral_attribute(friend=friend, code=code.code, channel=channel, **kwargs)


def buy(member: Member, amount_ore: int = 15_000, *, at=None):
    """A purchase at the till (the wallet service; its signal goes out after commit)."""
    return purchase_register(
        member=member, amount_ore=amount_ore, idempotency_key=f"buy:{uuid.uuid4().hex}", at=at
    )


def balance(member: Member) -> int:
    wallet = Wallet.objects.filter(member=member).first()
    return wallet.balance if wallet else 0


def fresh(referral: Referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)
