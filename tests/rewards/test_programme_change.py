"""Changing a live programme safely (issue 17): the preview's figures are what happens when
the change applies, on a club the size of the demo's; nothing earned is taken away."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone

from members import roles
from rewards.config import config
from rewards.models import (
    LedgerEntry,
    MemberStampCard,
    PointsProgram,
    ProgrammeChange,
    StampCard,
    Tier,
    Voucher,
    Wallet,
)
from rewards.services import purchase_register, stamps_add
from rewards.services.programme import programme_change_apply, programme_changes_apply_due, programme_preview
from tests.factories import MemberFactory, StampCardFactory, staff_user

pytestmark = pytest.mark.django_db


def owed_ore(now) -> int:
    owed = LedgerEntry.objects.filter(remaining__gt=0).filter(Q(expires_at=None) | Q(expires_at__gt=now))
    return PointsProgram.load().value_ore(owed.aggregate(p=Sum("remaining", default=0))["p"])


def test_nothing_earned_is_taken_away_and_a_card_begun_finishes_on_its_size(program):
    member = MemberFactory()
    card = StampCardFactory(name="Kaffekort", stamps_needed=10)
    earned = purchase_register(member=member, amount_ore=10000, idempotency_key="before").entry
    stamps_add(member=member, card=card, stamps=1, idempotency_key="s0")
    change = ProgrammeChange.objects.create(
        effective_at=timezone.now(),
        points_per_krone=Decimal("2.00"),
        expiry_months=3,
        card_sizes={str(card.pk): 5},
    )
    programme_change_apply(change=change)
    card.refresh_from_db()

    for i in range(9):  # the card begun at 10 fills at 10, the next at 5
        stamps_add(member=member, card=card, stamps=1, idempotency_key=f"s{i + 1}")
    assert Voucher.objects.filter(wallet__member=member, source=Voucher.Source.STAMP_CARD).count() == 1
    for i in range(5):
        stamps_add(member=member, card=card, stamps=1, idempotency_key=f"t{i}")
    assert Voucher.objects.filter(wallet__member=member, source=Voucher.Source.STAMP_CARD).count() == 2
    later = purchase_register(member=member, amount_ore=10000, idempotency_key="after").entry
    assert later.points == 200 and LedgerEntry.objects.get(pk=earned.pk).expires_at == earned.expires_at
    assert later.expires_at < earned.expires_at  # the new, shorter expiry is for what is earned now


def test_a_dated_change_applies_on_its_date_once(program):
    change = ProgrammeChange.objects.create(
        effective_at=timezone.now() + timedelta(days=7), points_per_krone=Decimal("3.00")
    )

    assert programme_changes_apply_due() == 0
    at = change.effective_at + timedelta(minutes=1)
    assert programme_changes_apply_due(now=at) == 1
    assert programme_changes_apply_due(now=at) == 0
    assert PointsProgram.load().points_per_krone == Decimal("3.00")


def test_the_owner_sees_the_effect_before_saving(client, program):
    client.force_login(staff_user(roles.OWNER))
    url = reverse("admin:rewards_programmechange_new")
    form = client.get(url).context["form"]
    data = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    data["effective_at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    data["points_per_krone"] = "1.50"

    shown = client.post(url, {**data, "preview": "1"})
    assert 'id="programme-preview"' in shown.content.decode() and not ProgrammeChange.objects.exists()
    saved = client.post(url, {**data, "confirm": "1"})

    assert saved.status_code == 302
    change = ProgrammeChange.objects.get()
    assert change.applied_at is not None and change.preview["expiry_after"] == 12  # the preview, as shown
    assert PointsProgram.load().points_per_krone == Decimal("1.50")


def test_a_change_that_changes_nothing_or_muddles_the_tiers_is_refused(client, program):
    Tier.objects.create(name="Sølv", threshold=2000)
    Tier.objects.create(name="Gull", threshold=5000)
    client.force_login(staff_user(roles.OWNER))
    url = reverse("admin:rewards_programmechange_new")
    form = client.get(url).context["form"]
    data = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    data["effective_at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    unchanged = client.post(url, {**data, "preview": "1"}).content.decode()
    gold = Tier.objects.get(name="Gull")
    muddled = client.post(url, {**data, f"tier_{gold.pk}": "1000", "preview": "1"}).content.decode()

    assert "Ingenting er endret" in unchanged
    assert "Hold nivåene i rekkefølge" in muddled
    assert not ProgrammeChange.objects.exists()


# Last in the module: the demo club, once loaded, stays for the module's remaining tests.
def test_the_preview_says_what_the_change_does_on_the_demo_club(demo_club):
    now = timezone.now()
    silver, coffee = Tier.objects.get(name="Sølv"), StampCard.objects.get(name="Kaffekort")
    change = ProgrammeChange(
        effective_at=now,
        points_per_krone=Decimal("2.00"),
        redeem_value_kr=80,
        tier_thresholds={str(silver.pk): 800},
        card_sizes={str(coffee.pk): 8},
    )
    preview = programme_preview(change, now)
    tiers_before = dict(Wallet.objects.values_list("pk", "tier_id"))
    in_progress = MemberStampCard.objects.filter(card=coffee, stamps__gt=0).count()
    assert preview.tiers_up > 0 and in_progress > 0  # the demo has members near Sølv and cards begun

    change.save()
    assert programme_change_apply(change=change, now=now)

    moved = sum(1 for pk, tier in Wallet.objects.values_list("pk", "tier_id") if tiers_before[pk] != tier)
    assert moved == preview.tiers_up
    assert owed_ore(now) == preview.liability_after_ore
    assert (
        MemberStampCard.objects.filter(card=coffee, needed=10).count()
        == preview.cards[0].in_progress
        == in_progress
    )
    assert config().program.points_per_krone == Decimal("2.00")
