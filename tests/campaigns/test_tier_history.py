"""The wallet keeps only the current tier; campaigns records each change for the upgrade rate."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from campaigns.models import TierChange
from rewards import services
from rewards.models import Wallet
from tests.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.django_db


def buy(member, kr):
    return services.purchase_register(member=member, amount_ore=kr * 100, idempotency_key=uuid.uuid4().hex)


def test_reaching_a_tier_is_recorded_once_the_purchase_commits(django_capture_on_commit_callbacks):
    silver, gold = TierFactory(name="Sølv", threshold=1000), TierFactory(name="Gull", threshold=3000)
    member = MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        buy(member, 500)
    assert not TierChange.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        buy(member, 600)
        buy(member, 2000)
    changes = list(
        TierChange.objects.order_by("changed_at", "id").values_list("from_tier", "to_tier", "upgrade")
    )
    assert changes == [(None, silver.pk, True), (silver.pk, gold.pk, True)]


def test_a_rolled_back_purchase_records_nothing(django_capture_on_commit_callbacks):
    TierFactory(name="Sølv", threshold=1000)
    member = MemberFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        buy(member, 1500)
    assert callbacks  # queued for after commit, which never came in this test
    assert not TierChange.objects.exists()


def test_the_yearly_review_records_a_step_down(django_capture_on_commit_callbacks):
    silver, gold = TierFactory(name="Sølv", threshold=1000), TierFactory(name="Gull", threshold=3000)
    member = MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        buy(member, 3500)
    Wallet.objects.filter(member=member).update(tier_review_at=date.today())
    later = timezone.localdate() + timedelta(days=400)  # the purchase has left the 12-month window
    with django_capture_on_commit_callbacks(execute=True):
        services.tier_review_due(today=later)
    step = TierChange.objects.order_by("-changed_at", "-id").first()
    assert (step.from_tier_id, step.to_tier_id, step.upgrade) == (gold.pk, silver.pk, False)
