"""How a membership period was paid: the small interface between the membership's rules
(rewards.services.membership.membership_pay) and whoever collected the money.

The rules need only a `Payment`: its kind, the amount, an idempotency key (so that a
repeated request pays once) and who and where. Its first two kinds are made here; an online
provider adds a function that turns its confirmed payment into a Payment (its payment id as
the key) and a MembershipPayment.Kind, and the rules stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from members.models import Location, User
from rewards.models import MembershipPayment, Plan


@dataclass(frozen=True)
class Payment:
    kind: str  # MembershipPayment.Kind
    amount_ore: int
    key: str
    staff: User | None = None
    location: Location | None = None


def paid_at_till(*, plan: Plan, key: str, staff: User, location: Location) -> Payment:
    """The plan's price taken at the till by `staff` (the counter's nonce is the key)."""
    return Payment(MembershipPayment.Kind.TILL, plan.price_kr * 100, key, staff, location)


def marked_paid_by_owner(*, plan: Plan, key: str, owner: User) -> Payment:
    """The owner says it was paid some other way (an invoice, a gift card)."""
    return Payment(MembershipPayment.Kind.OWNER, plan.price_kr * 100, key, owner, None)
