"""The member's wallet, history, catalogue and voucher pages."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rewards import services
from rewards.models import LedgerEntry, Operation, Reward, StampCard, Tier, Voucher, Wallet
from rewards.services.tiers import qualifying_months_rebuild
from tests.factories import MemberFactory

WALLET = reverse("rewards:wallet")
HISTORY = reverse("rewards:history")
CATALOGUE = reverse("rewards:catalogue")


def make_history(member, entries: int) -> Wallet:
    """`entries` earnings of 10 points, written in bulk (consistent with the ledger rules)."""
    wallet = services.wallet_get_or_create(member)
    now = timezone.now()
    ops = Operation.objects.bulk_create(
        Operation(key=f"bulk:{member.pk}:{i}", kind="purchase", fingerprint="", wallet=wallet)
        for i in range(entries)
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            wallet=wallet,
            operation=op,
            kind=LedgerEntry.Kind.EARN,
            points=10,
            remaining=10,
            qualifying=True,
            amount_ore=1000,
            expires_at=now + timedelta(days=10 + i % 40),
            created_at=now - timedelta(minutes=i),
        )
        for i, op in enumerate(ops)
    )
    Wallet.objects.filter(pk=wallet.pk).update(balance=10 * entries)
    qualifying_months_rebuild(wallet=wallet)
    return wallet


@pytest.fixture
def club_setup(db):
    coffee = Reward.objects.create(name="Gratis kaffe", cost_points=100)
    Reward.objects.create(name="Kanelbolle", cost_points=50, stock=5)
    StampCard.objects.create(name="Kaffekort", stamps_needed=10, reward=coffee)
    Tier.objects.create(name="Sølv", threshold=500)
    Tier.objects.create(name="Gull", threshold=2000)
    return coffee


def _queries(client, url, **params) -> int:
    client.get(url, params)  # warm up: the club and program rows are created on first use
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url", [WALLET, HISTORY, CATALOGUE])
def test_pages_use_the_same_number_of_queries_for_10_and_1000_entries(client, club_setup, url):
    small, large = MemberFactory(), MemberFactory()
    make_history(small, 10)
    make_history(large, 1000)
    client.force_login(small.user)
    few = _queries(client, url)
    client.force_login(large.user)
    many = _queries(client, url)
    assert few == many
    assert many <= 10


@pytest.mark.django_db
def test_the_wallet_shows_balance_value_stamps_tier_progress_and_expiring_points(client, club_setup):
    member = MemberFactory()
    make_history(member, 12)  # 120 points, some expiring within 30 days
    client.force_login(member.user)
    response = client.get(WALLET)
    body = response.content.decode()
    summary = response.context["summary"]
    assert summary.wallet.balance == 120
    assert summary.value_ore == 1200  # 1000 points = 100 kr
    assert summary.progress.next_tier.name == "Sølv" and summary.progress.missing == 380
    assert "380" in body and "Sølv" in body
    assert sum(row.points for row in summary.expiring) == 120
    assert [c.card.name for c in summary.cards] == ["Kaffekort"]
    assert body.count('class="stamp"') == 10


@pytest.mark.django_db
def test_the_history_pages_through_entries_and_shows_reversals_beside_their_originals(client, club_setup):
    member = MemberFactory()
    make_history(member, 30)
    first = services.purchase_register(member=member, amount_ore=12_300, idempotency_key="a")
    services.entry_reverse(entry=first.entry, reason="refund", idempotency_key="b")
    client.force_login(member.user)
    page1 = client.get(HISTORY)
    rows = [row.entry for row in page1.context["rows"]]
    assert len(rows) == 25
    assert rows[0].reverses == rows[1] == first.entry
    body = page1.content.decode()
    assert "+123" in body and "-123" in body
    page2 = client.get(HISTORY, {"page": 2})
    assert len(page2.context["rows"]) == 32 - 25


@pytest.mark.django_db
def test_the_history_lists_stamps_beside_points_newest_first(client, club_setup):
    member = MemberFactory()
    card = StampCard.objects.get(name="Kaffekort")
    services.purchase_register(
        member=member, amount_ore=5_000, idempotency_key="p", at=timezone.now() - timedelta(hours=2)
    )
    stamped = services.stamps_add(member=member, card=card, stamps=1, idempotency_key="s")
    client.force_login(member.user)
    rows = client.get(HISTORY).context["rows"]
    assert [row.is_stamps for row in rows] == [True, False]
    assert rows[0].entry == stamped.stamp_entries[0]
    assert "Kaffekort" in client.get(HISTORY).content.decode()


@pytest.mark.django_db
def test_a_member_redeems_a_reward_into_a_voucher_and_a_double_submit_gives_the_same_voucher(
    client, club_setup
):
    member = MemberFactory()
    services.points_award(member=member, points=250, reason="gift", idempotency_key="g")
    client.force_login(member.user)
    nonce = str(uuid.uuid4())
    first = client.post(reverse("rewards:redeem", args=[club_setup.pk]), {"nonce": nonce})
    second = client.post(reverse("rewards:redeem", args=[club_setup.pk]), {"nonce": nonce})
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Voucher.objects.count() == 1
    assert Wallet.objects.get(member=member).balance == 150
    voucher_page = client.get(first.url).content.decode()
    assert Voucher.objects.get().code in voucher_page and 'class="qr"' in voucher_page


@pytest.mark.django_db
def test_the_member_hands_back_an_unused_voucher_and_gets_the_points_again(client, club_setup):
    member = MemberFactory()
    services.points_award(member=member, points=250, reason="gift", idempotency_key="g")
    voucher = services.reward_redeem(member=member, reward=club_setup, idempotency_key="r").voucher
    client.force_login(member.user)
    response = client.post(
        reverse("rewards:voucher_cancel", args=[voucher.code]), {"nonce": str(uuid.uuid4())}
    )
    assert response.url == WALLET
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.CANCELLED
    assert Wallet.objects.get(member=member).balance == 250
    assert LedgerEntry.objects.filter(kind="reversal", reverses=voucher.redeem_entry).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["missing", "inactive", "unaffordable", "no_nonce"])
def test_bad_redemptions_get_a_clear_message_and_change_nothing(client, club_setup, bad):
    member = MemberFactory()
    services.points_award(member=member, points=60, reason="gift", idempotency_key="g")
    reward = club_setup
    if bad == "inactive":
        Reward.objects.filter(pk=reward.pk).update(is_active=False)
    reward_id = 999_999 if bad == "missing" else reward.pk
    data = {} if bad == "no_nonce" else {"nonce": str(uuid.uuid4())}
    client.force_login(member.user)
    response = client.post(reverse("rewards:redeem", args=[reward_id]), data, follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])
    assert Voucher.objects.count() == 0
    assert Wallet.objects.get(member=member).balance == 60


@pytest.mark.django_db
def test_a_member_cannot_open_another_members_voucher(client, club_setup):
    owner, other = MemberFactory(), MemberFactory()
    services.points_award(member=owner, points=100, reason="gift", idempotency_key="g")
    voucher = services.reward_redeem(member=owner, reward=club_setup, idempotency_key="r").voucher
    client.force_login(other.user)
    assert client.get(reverse("rewards:voucher", args=[voucher.code])).status_code == 404
    assert (
        client.post(
            reverse("rewards:voucher_cancel", args=[voucher.code]), {"nonce": str(uuid.uuid4())}
        ).status_code
        == 404
    )
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ACTIVE


@pytest.mark.django_db
def test_the_catalogue_hides_what_the_member_may_not_take_and_marks_what_is_affordable(client, club_setup):
    member = MemberFactory()
    services.points_award(member=member, points=60, reason="gift", idempotency_key="g")
    Reward.objects.create(name="Gullkake", cost_points=10, min_tier=Tier.objects.get(name="Gull"))
    Reward.objects.create(name="Utsolgt", cost_points=10, stock=0)
    client.force_login(member.user)
    offers = {r.name: affordable for r, affordable, _early in client.get(CATALOGUE).context["offers"]}
    assert offers == {"Kanelbolle": True, "Gratis kaffe": False}


@pytest.mark.django_db
@pytest.mark.parametrize("url", [WALLET, HISTORY, CATALOGUE])
def test_wallet_pages_need_a_logged_in_member(client, url):
    assert client.get(url).status_code == 302
