"""Drawing a surprise after a purchase (after commit, by a task: not on the till's path).

The outcome is a pure function of the recorded seed and inputs: sha256 of "seed:purchase"
as a number, modulo N, is 0 for a win, so an auditor recomputes it from the row. A win
takes the surprise's cost from the month's budget by one conditional UPDATE (spent + cost
<= budget); PostgreSQL re-checks that condition on the row it locks, so tills drawing at
the same moment can never pass the budget between them. One draw per purchase.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from rewards.errors import RewardsError
from rewards.models import LedgerEntry, SurpriseDraw, SurpriseMonth, SurpriseSettings, Voucher
from rewards.services.vouchers import voucher_gift, voucher_withdraw


def draw_outcome(seed: str, purchase_id: int, one_in: int) -> bool:
    digest = hashlib.sha256(f"{seed}:{purchase_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % one_in == 0


def surprise_draw(*, purchase_id: int, seed: str | None = None) -> SurpriseDraw | None:
    """Draw for the purchase once; None when surprises are off or it was drawn already."""
    settings = SurpriseSettings.load()
    purchase = (
        LedgerEntry.objects.select_related("wallet__member")
        .filter(pk=purchase_id, kind=LedgerEntry.Kind.EARN)
        .first()
    )
    if not settings.on or purchase is None or SurpriseDraw.objects.filter(purchase=purchase).exists():
        return None
    seed = seed or secrets.token_hex(16)
    won = draw_outcome(seed, purchase.pk, settings.one_in)
    member = purchase.wallet.member
    try:
        with transaction.atomic():
            outcome = SurpriseDraw.Outcome.NOTHING
            if won:
                outcome = (
                    SurpriseDraw.Outcome.WON
                    if _take_from_budget(settings, purchase)
                    else SurpriseDraw.Outcome.NO_BUDGET
                )
            draw = SurpriseDraw.objects.create(
                purchase=purchase,
                member=member,
                seed=seed,
                one_in=settings.one_in,
                outcome=outcome,
                cost_ore=settings.value_kr * 100 if outcome == SurpriseDraw.Outcome.WON else 0,
            )
            if outcome == SurpriseDraw.Outcome.WON:
                draw.voucher = voucher_gift(
                    member=member,
                    reward=settings.reward,
                    idempotency_key=f"surprise:{purchase.pk}",
                    source=Voucher.Source.SURPRISE,
                )
                draw.save(update_fields=["voucher"])
    except IntegrityError:  # the same purchase drawn at this very moment by a twin task
        return None
    return draw


@transaction.atomic
def surprise_take_back(*, purchase_id: int, at=None) -> bool:
    """The purchase that won a surprise was undone or refunded in whole: withdraw the surprise
    if it is unused and give its cost back to its month's budget. Once only; a used surprise
    stays with the member. Returns whether it was taken back."""
    draw = (
        SurpriseDraw.objects.select_for_update(of=("self",))
        .select_related("voucher__wallet__member", "purchase")
        .filter(purchase_id=purchase_id, outcome=SurpriseDraw.Outcome.WON, taken_back_at=None)
        .first()
    )
    if draw is None or draw.voucher is None:
        return False
    try:
        voucher_withdraw(voucher=draw.voucher, idempotency_key=f"surprise:{purchase_id}:back", at=at)
    except RewardsError:  # used already: the member keeps it
        return False
    month = timezone.localtime(draw.purchase.created_at).date().replace(day=1)
    SurpriseMonth.objects.filter(month=month, spent_ore__gte=draw.cost_ore).update(
        spent_ore=F("spent_ore") - draw.cost_ore
    )
    draw.taken_back_at = at or timezone.now()
    draw.save(update_fields=["taken_back_at"])
    return True


def _take_from_budget(settings: SurpriseSettings, purchase: LedgerEntry) -> bool:
    month = timezone.localtime(purchase.created_at).date().replace(day=1)
    SurpriseMonth.objects.get_or_create(month=month)
    cost, budget = settings.value_kr * 100, settings.budget_kr * 100
    return bool(
        SurpriseMonth.objects.filter(month=month, spent_ore__lte=budget - cost).update(
            spent_ore=F("spent_ore") + cost
        )
    )
