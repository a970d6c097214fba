"""Small helpers shared by the referral tests (not a test module)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from django.template.loader import render_to_string

from members.models import Member
from members.services import member_join
from referrals import receivers, services
from referrals.models import Referral
from rewards import signals as wallet_signals
from rewards.models import Wallet
from rewards.registry import panel_sections
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


def referral_part(member: Member, shop) -> str:
    """The sections the other apps add to the till's member panel, included as the panel
    includes them (the referrals' is the only one)."""
    context = {"member": member, "location": shop}
    parts = [render_to_string(template, context | {"section": s}) for template, s in panel_sections(member)]
    return "".join(parts).strip()


@contextmanager
def purchase_signal_held_back():
    """As if the purchase's signal waited in a queue: the referrals' receiver is off while
    the block runs, so that a race test can deliver it itself, from many threads at once
    (in a transactional test it would otherwise qualify the referral at the commit)."""
    wallet_signals.purchase_recorded.disconnect(dispatch_uid="referrals.qualify")
    try:
        yield
    finally:
        wallet_signals.purchase_recorded.connect(
            receivers.on_purchase_recorded, dispatch_uid="referrals.qualify"
        )
