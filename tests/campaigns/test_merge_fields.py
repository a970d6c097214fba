"""Each merge field is the member's own figure, in the member's language's format, and a
text reads only what its fields need (issue 15)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.sending.content import render
from rewards.models import Voucher
from rewards.services import stamps_add
from rewards.services.vouchers import voucher_gift
from tests.campaigns.sending_helpers import campaign, subscriber
from tests.factories import RewardFactory, StampCardFactory, TierFactory
from tests.rewards.wallet_helpers import give

pytestmark = pytest.mark.django_db


def test_every_merge_field_is_the_members_own(program):
    TierFactory(name="Bronse", threshold=0)
    TierFactory(name="Sølv", threshold=5_000)
    card = StampCardFactory(name="Kaffekort", stamps_needed=10, max_stamps_per_visit=3)
    kari = subscriber(user__first_name="Kari")
    give(kari, 1_234, at=timezone.now() - timedelta(days=350))  # expires within the month
    stamps_add(member=kari, card=card, stamps=3, idempotency_key="s")
    voucher = voucher_gift(member=kari, reward=RewardFactory(name="Kaffe"), idempotency_key="v")
    made = campaign()
    names = ["first_name", "points", "points_kr", "tier", "points_to_next_tier", "points_expiring"]
    fields = " | ".join(f"{{{name}}}" for name in [*names, "stamps_left", "voucher_code"])
    made.contents.update(body=fields)

    text = render(made, kari, voucher).text.split(" | ")

    assert text[0] == "Kari"
    assert text[1] == "1\xa0234"  # Norwegian grouping
    assert text[2] == "kr\xa0123,40"  # 1 234 points at the default 10 kr per 100
    assert text[3:5] == ["Bronse", "5000"]  # granted points do not count towards a tier
    assert text[5] == "1234"
    assert text[6] == "7"
    assert text[7] == voucher.code and isinstance(voucher, Voucher)


def test_a_text_with_only_the_first_name_reads_nothing_of_the_wallet():
    kari = subscriber(user__first_name="Kari")
    made = campaign()
    made.contents.update(subject="Hei {first_name}!", body="Velkommen innom.", sms="")
    made = type(made).objects.prefetch_related("contents").get(pk=made.pk)
    kari = type(kari).objects.select_related("user").get(pk=kari.pk)

    with CaptureQueriesContext(connection) as queries:
        rendered = render(made, kari)

    assert rendered.subject == "Hei Kari!"
    assert len(queries) == 0
