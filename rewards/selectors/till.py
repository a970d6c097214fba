"""The till's reads: the shop and whether the staff user works there, the member asked for,
their last visits, and the last action that undo would take back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet, Sum

from members.models import Location, Member, User
from rewards.models import CounterAction, LedgerEntry, Operation, Visit

VISITS_SHOWN = 5  # on the member panel
PURCHASES_SHOWN = 5  # that staff may refund, on the member panel


@dataclass(frozen=True)
class Till:
    """Who is at the till: the shop (None: no such active shop), whether the staff user is
    assigned to it, and the member asked for (None: none asked, or no such member) with
    their last visits, newest first."""

    location: Location | None
    assigned: bool
    member: Member | None = None
    visits: list[Visit] | None = None


def till_read(*, user: User, location_id: int, number: str | None = None) -> Till:
    """The active shop `location_id` for `user`, and with `number` the member and their
    last visits."""
    works_here = User.locations.through.objects.filter(location=OuterRef("pk"), user=user)
    location = (
        Location.objects.filter(pk=location_id, is_active=True).annotate(assigned=Exists(works_here)).first()
    )
    assigned = location is not None and location.assigned
    if number is None:
        return Till(location, assigned)
    member = member_by_number(number)
    return Till(location, assigned, member=member, visits=visits_recent(member) if member else [])


def member_by_number(number: str) -> Member | None:
    """The member (not erased) with this number, with their user; None if there is none."""
    if "\x00" in (number or ""):  # no number holds one, and PostgreSQL refuses it in a query
        return None
    members = Member.objects.select_related("user").filter(erased_at=None)
    return members.filter(number=(number or "").strip().upper()[:12]).first()


def visits_recent(member: Member) -> list[Visit]:
    """The member's last visits, newest first, each with its shop."""
    visits = Visit.objects.filter(member=member).select_related("location")
    return list(visits.order_by("-started_at", "-id")[:VISITS_SHOWN])


def locations_for(user: User) -> QuerySet[Location]:
    """Where a user may work the till: customer service and the owner anywhere, counter
    staff at the shops they are assigned to."""
    active = Location.objects.filter(is_active=True)
    return active if user.is_customer_service else active.filter(staff=user)


def last_action(member: Member, location: Location) -> CounterAction | None:
    """The member's last action at this shop that undo would take back (not an undo, not
    undone yet). A membership sold is not undone at the till: money changed hands, and the
    owner corrects a mistaken sale in admin."""
    return (
        CounterAction.objects.filter(member=member, location=location, undone_by__isnull=True)
        .exclude(kind__in=[CounterAction.Kind.UNDO, CounterAction.Kind.MEMBERSHIP])
        .select_related("voucher", "voucher__reward")
        .order_by("-created_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class RecentPurchase:
    """A purchase staff may refund from the panel: what is left of it to refund."""

    operation_id: int
    at: datetime
    amount_ore: int
    refunded_ore: int

    @property
    def left_ore(self) -> int:
        return self.amount_ore - self.refunded_ore


def purchases_recent(member: Member) -> list[RecentPurchase]:
    """The member's last purchases that are neither undone nor refunded in whole, newest
    first. One query."""
    undone = LedgerEntry.objects.filter(
        operation=OuterRef("pk"), kind=LedgerEntry.Kind.EARN, reversal__isnull=False
    )
    operations = (
        Operation.objects.filter(wallet__member=member, kind="purchase")
        .exclude(Exists(undone))
        .annotate(refunded=Sum("refunds__amount_ore", default=0))
        .order_by("-created_at", "-id")
        .values_list("pk", "created_at", "result", "refunded")[: PURCHASES_SHOWN * 2]
    )
    rows = [
        RecentPurchase(pk, at, (result or {}).get("amount_ore") or 0, refunded)
        for pk, at, result, refunded in operations
    ]
    return [row for row in rows if row.left_ore > 0][:PURCHASES_SHOWN]
