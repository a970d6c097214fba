"""The POS API (issue 19): a register identifies a member, registers purchases and refunds
against its receipt ids, uses vouchers, all with idempotency keys, at its own shop only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from members.services import card_code
from rewards.models import ApiCall, LedgerEntry, PosKey, Voucher, Wallet
from rewards.services import points_deduct, voucher_gift
from tests.factories import LocationFactory, MemberFactory, RewardFactory, StampCardFactory, TierFactory
from tests.rewards.api_client import Register, error, make_key
from tests.rewards.wallet_helpers import give

pytestmark = pytest.mark.django_db


@pytest.fixture
def kari(db):
    member = MemberFactory(number="KAR2345Q", user__first_name="Kari")
    member.user.phone = "+4791234567"
    member.user.save(update_fields=["phone"])
    return member


def balance(member) -> int:
    return Wallet.objects.get(member=member).balance


def test_a_member_is_identified_by_card_code_number_or_mobile(register, kari):
    by_card = register.get("members/identify/", card=card_code(member=kari))
    by_number = register.get("members/identify/", number="kar2-345q")
    by_phone = register.get("members/identify/", phone="912 34 567")

    assert by_card.status_code == by_number.status_code == by_phone.status_code == 200
    assert by_card.json() == by_number.json() == by_phone.json()
    assert by_card.json()["number"] == "KAR2345Q" and by_card.json()["first_name"] == "Kari"
    assert "email" not in by_card.json() and "phone" not in by_card.json()


def test_unknown_or_missing_members_are_clear_errors_in_one_shape(register):
    unknown = register.get("members/identify/", number="ZZZZ2345")
    nothing = register.get("members/identify/")

    assert (unknown.status_code, error(unknown)) == (404, "member_not_found")
    assert (nothing.status_code, error(nothing)) == (422, "member_not_given")
    assert unknown.json()["error"]["message"] == "Ingen medlemmer har dette nummeret."


def test_the_wallet_has_points_value_tier_stamp_cards_and_vouchers(register, kari):
    StampCardFactory(name="Kaffekort")
    give(kari, 250)
    voucher_gift(member=kari, reward=RewardFactory(name="Kanelbolle"), idempotency_key="g")

    wallet = register.get(f"members/{kari.number}/wallet/").json()

    assert wallet["points"] == 250 and wallet["value"] == "25.00"
    assert [c["card"] for c in wallet["stamp_cards"]] == ["Kaffekort"]
    assert [v["reward"] for v in wallet["vouchers"]] == ["Kanelbolle"]


def test_a_purchase_earns_as_at_the_till_at_the_keys_shop(register, kari, shop):
    response = register.buy(kari, amount="129.50", receipt="R-1001")

    assert response.status_code == 201
    body = response.json()
    assert (body["points"], body["balance"], body["amount"]) == (129, 129, "129.50")
    entry = LedgerEntry.objects.get(wallet__member=kari)
    assert (entry.amount_ore, entry.location) == (12950, shop)


def test_a_purchase_says_how_far_the_member_has_to_the_next_tier(register, kari):
    TierFactory(name="Sølv", threshold=500)
    TierFactory(name="Gull", threshold=2000)

    first = register.buy(kari, amount="129.50", receipt="R-1").json()
    second = register.buy(kari, amount="400.00", receipt="R-2").json()

    assert (first["tier"], first["next_tier"], first["points_to_next_tier"]) == (None, "Sølv", 371)
    assert (second["tier"], second["next_tier"], second["points_to_next_tier"]) == ("Sølv", "Gull", 1471)


def test_the_same_idempotency_key_returns_the_first_answer_and_another_body_is_refused(register, kari):
    first = register.buy(kari, key="k-1")
    again = register.buy(kari, key="k-1")
    other = register.buy(kari, amount="55.00", key="k-1")

    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert (other.status_code, error(other)) == (422, "idempotency_key_reused")
    assert balance(kari) == 100


def test_a_write_without_an_idempotency_key_is_refused(register, kari):
    response = register.buy(kari, key=None)

    assert (response.status_code, error(response)) == (400, "idempotency_key_missing")
    assert not LedgerEntry.objects.exists()


def test_a_receipt_id_is_one_purchase_and_reused_with_another_amount_is_refused(register, kari):
    register.buy(kari, receipt="R7")
    resent = register.buy(kari, receipt="R7")  # the register retried under a new key
    changed = register.buy(kari, amount="200.00", receipt="R7")

    assert resent.status_code == 200 and resent.json()["points"] == 100
    assert (changed.status_code, error(changed)) == (409, "receipt_reused")
    assert balance(kari) == 100


def test_bad_amounts_and_times_are_refused_field_by_field(register, kari):
    for amount in ["0", "-5", "12.345", "abc", "99999999"]:
        response = register.buy(kari, amount=amount, receipt=f"R-{amount}")
        assert (response.status_code, error(response)) == (422, "invalid_input")
        assert "amount" in response.json()["error"]["fields"]
    future = register.buy(kari, receipt="F", sold_at=(timezone.now() + timedelta(hours=2)).isoformat())
    too_many = register.buy(kari, receipt="L", lines=[{"category": "Brød", "amount": "150.00"}])

    assert "sold_at" in future.json()["error"]["fields"] and "lines" in too_many.json()["error"]["fields"]
    assert not LedgerEntry.objects.exists()


def test_a_purchase_keeps_its_time_of_sale(register, kari):
    sold = timezone.now() - timedelta(hours=3)

    register.buy(kari, sold_at=sold.isoformat())

    assert abs(LedgerEntry.objects.get().created_at - sold) < timedelta(seconds=1)


def test_a_refund_takes_back_in_proportion_never_more_and_never_twice(register, kari):
    register.buy(kari, amount="200.00", receipt="R1")

    part = register.post("refunds/", {"receipt_id": "R1", "amount": "50.00"})
    too_much = register.post("refunds/", {"receipt_id": "R1", "amount": "200.00"})
    rest = register.post("refunds/", {"receipt_id": "R1"})
    twice = register.post("refunds/", {"receipt_id": "R1"})

    assert part.status_code == 201 and part.json()["points_taken_back"] == 50
    assert (too_much.status_code, error(too_much)) == (409, "refund_too_large")
    assert rest.json()["refunded"] == "150.00" and rest.json()["balance"] == 0
    assert (twice.status_code, error(twice)) == (409, "refund_too_large")


def test_a_partial_refund_after_the_points_were_spent_takes_what_is_left(register, kari):
    """The wallet's rule: the balance never goes below zero; what could not be taken back is
    reported (points_already_spent), for the owner to settle with the customer if they wish."""
    register.buy(kari, amount="100.00", receipt="R1")
    points_deduct(member=kari, points=90, reason="brukt", idempotency_key="spent")

    response = register.post("refunds/", {"receipt_id": "R1", "amount": "50.00"})

    assert response.json()["points_taken_back"] == 10 and response.json()["points_already_spent"] == 40
    assert balance(kari) == 0


def test_a_key_never_reaches_another_shops_receipts(client, register, kari, program):
    other_shop = LocationFactory(name="Majorstuen")
    _key, raw = make_key(other_shop)
    other = Register(client, raw)
    other.buy(kari, receipt="R1")

    refund = register.post("refunds/", {"receipt_id": "R1"})

    assert (refund.status_code, error(refund)) == (404, "receipt_not_found")
    assert LedgerEntry.objects.get().location == other_shop


def test_scopes_revoked_and_expired_keys_and_no_key(client, shop, kari, program):
    _read_only, raw = make_key(shop, scopes=["read"])
    revoked, raw_revoked = make_key(shop)
    PosKey.objects.filter(pk=revoked.pk).update(revoked=True)
    _old, raw_old = make_key(shop, expiry_date=timezone.now() - timedelta(days=1))

    scoped = Register(client, raw).buy(kari)
    gone = Register(client, raw_revoked).get("members/identify/", number=kari.number)
    old = Register(client, raw_old).get("members/identify/", number=kari.number)
    anonymous = client.get("/api/v1/members/identify/", {"number": kari.number})
    wrong = Register(client, "abc.def").get("members/identify/", number=kari.number)

    assert (scoped.status_code, error(scoped)) == (403, "scope_missing")
    for refused in (gone, old, anonymous, wrong):
        assert (refused.status_code, error(refused)) == (401, "not_authenticated")
    assert not LedgerEntry.objects.exists()


def test_vouchers_are_checked_and_used_once(register, kari, shop):
    voucher = voucher_gift(member=kari, reward=RewardFactory(name="Kanelbolle"), idempotency_key="g")

    checked = register.get(f"vouchers/{voucher.code}/").json()
    used = register.post(f"vouchers/{voucher.code}/redeem/")
    again = register.post(f"vouchers/{voucher.code}/redeem/")

    assert checked["usable"] is True and checked["member"] == kari.number
    assert used.status_code == 200 and used.json()["status"] == "used"
    assert (again.status_code, error(again)) == (409, "voucher_used")
    assert Voucher.objects.get().used_location == shop


def test_a_reward_is_redeemed_for_points_and_a_purchase_previewed(register, kari):
    give(kari, 300)
    bun = RewardFactory(name="Kanelbolle", cost_points=200)

    preview = register.post("purchases/preview/", {"member": kari.number, "amount": "80.00"}, key=None)
    redeemed = register.post(f"rewards/{bun.pk}/redeem/", {"member": kari.number})
    poor = register.post(f"rewards/{bun.pk}/redeem/", {"member": kari.number})

    assert preview.json()["points"] == 80 and balance(kari) == 100
    assert redeemed.status_code == 201 and redeemed.json()["reward"] == "Kanelbolle"
    assert (poor.status_code, error(poor)) == (409, "insufficient_points")


def test_each_key_has_its_own_rate_limit(client, shop, kari, program):
    _key, raw = make_key(shop, per_minute=2)
    register = Register(client, raw)

    statuses = [register.get("members/identify/", number=kari.number).status_code for _ in range(3)]
    limited = register.get("members/identify/", number=kari.number)

    assert statuses == [200, 200, 429] and error(limited) == "rate_limited" and limited["Retry-After"]


def test_every_call_is_logged_by_route_not_by_member(register, kari):
    register.get(f"members/{kari.number}/wallet/")
    register.buy(kari, amount="-1")

    calls = list(ApiCall.objects.order_by("pk").values_list("method", "endpoint", "status"))
    assert calls == [("GET", "api/v1/members/<str:number>/wallet/", 200), ("POST", "api/v1/purchases/", 422)]


def test_errors_speak_the_callers_language(register, kari):
    response = register.client.get(
        "/api/v1/members/identify/", {"number": "ZZZZ2345"}, HTTP_ACCEPT_LANGUAGE="en", **register.auth
    )

    assert response.json()["error"]["message"] == "No member has this number."


def test_the_schema_and_its_docs_are_served_from_here(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = client.get("/api/v1/docs/").content.decode()

    assert schema.status_code == 200
    assert "/api/v1/purchases/" in schema.json()["paths"] and "/api/v1/refunds/" in schema.json()["paths"]
    assert "drf_spectacular_sidecar/swagger-ui-dist" in docs and "cdn" not in docs.lower()
