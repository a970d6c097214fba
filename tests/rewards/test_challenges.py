"""Challenges (issue 18): goals over what the ledger and the visits record, counting the past
where the owner says so, paid once, and taken back (with what can be) after a refund."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Segment, SegmentCondition
from rewards.models import Challenge, ChallengeCompletion, LedgerEntry, Voucher
from rewards.selectors import reason_label
from rewards.selectors.achievements import challenge_progress
from rewards.services import purchase_register, stamps_add, voucher_use
from rewards.services.achievements import achievements_evaluate
from rewards.services.refunds import purchase_refund
from rewards.services.visits import visit_record
from tests.counter.test_counter_pages import HTMX, act, nonce_in
from tests.factories import LocationFactory, MemberFactory, RewardFactory, StampCardFactory, TierFactory
from tests.rewards.wallet_helpers import balance, new_key, set_tier

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def challenge(**fields) -> Challenge:
    values = {
        "name": "3 besøk i desember",
        "goal": "visits",
        "target": 3,
        "starts_on": timezone.localdate(NOW) - timedelta(days=10),
        "ends_on": timezone.localdate(NOW) + timedelta(days=10),
        "points": 50,
    } | fields
    return Challenge.objects.create(**values)


def visits(member, shop, staff, *days_ago: int) -> None:
    for days in days_ago:
        visit_record(member=member, location=shop, staff=staff, now=NOW - timedelta(days=days))


def buy(member, kroner: int, *, days_ago: int = 1):
    result = purchase_register(
        member=member, amount_ore=kroner * 100, idempotency_key=new_key(), at=NOW - timedelta(days=days_ago)
    )
    return result


def test_a_challenge_created_today_counts_last_weeks_visits_when_the_owner_says_so(shop, cashier, program):
    member = MemberFactory()
    visits(member, shop, cashier, 7, 6, 5)
    counting = challenge(count_past=True)
    from_now_on = challenge(name="Tre nye besøk", count_past=False)

    achievements_evaluate(member=member)

    assert challenge_progress(counting, member) == 3
    assert challenge_progress(from_now_on, member) == 0
    completed = ChallengeCompletion.objects.get(member=member)
    assert completed.challenge == counting and completed.entry.points == 50
    assert balance(member) == 50


def test_the_reward_is_paid_once_however_often_the_evaluation_runs(shop, cashier, program):
    member = MemberFactory()
    visits(member, shop, cashier, 3, 2, 1)
    coffee = RewardFactory(name="Gratis kaffe")
    challenge(reward=coffee)

    first = achievements_evaluate(member=member)
    second = achievements_evaluate(member=member)

    assert len(first.completed) == 1 and second.completed == []
    assert LedgerEntry.objects.filter(wallet__member=member, reason__startswith="challenge:").count() == 1
    assert Voucher.objects.filter(wallet__member=member, source=Voucher.Source.CHALLENGE).count() == 1


def test_what_happened_outside_the_period_does_not_count(shop, cashier, program):
    member = MemberFactory()
    visits(member, shop, cashier, 30, 20, 2)
    running = challenge()

    achievements_evaluate(member=member)

    assert challenge_progress(running, member) == 1
    assert not ChallengeCompletion.objects.exists()


def test_a_refund_takes_the_progress_and_the_unused_reward_back(program):
    member = MemberFactory()
    coffee = RewardFactory(name="Gratis kaffe")
    spend = challenge(name="Handle for 500 kr", goal="spend", target=500, points=100, reward=coffee)
    buy(member, 300)
    second = buy(member, 250)
    achievements_evaluate(member=member)
    completion = ChallengeCompletion.objects.get()
    assert challenge_progress(spend, member) == 550 and completion.standing

    purchase_refund(purchase=second.entry.operation, amount_ore=10_000, idempotency_key=new_key())
    outcome = achievements_evaluate(member=member)

    completion.refresh_from_db()
    assert outcome.revoked == [completion] and not completion.standing and completion.kept == ""
    assert challenge_progress(spend, member) == 450
    assert Voucher.objects.get(source=Voucher.Source.CHALLENGE).status == Voucher.Status.CANCELLED
    taken_back = LedgerEntry.objects.get(reverses=completion.entry)
    assert reason_label(taken_back.reason) == "Belønning for utfordring tatt tilbake: et kjøp ble refundert"
    assert balance(member) == 550 - 100  # the purchases' points less the refund's 100; the 100 given back


def test_a_reward_already_used_stays_with_the_member_and_their_page_says_so(client, program):
    member = MemberFactory()
    coffee = RewardFactory(name="Gratis kaffe")
    challenge(name="To kjøp", goal="purchases", target=2, points=0, reward=coffee)
    buy(member, 100)
    second = buy(member, 100)
    achievements_evaluate(member=member)
    voucher = Voucher.objects.get(source=Voucher.Source.CHALLENGE)
    voucher_use(code=voucher.code, idempotency_key=new_key())

    purchase_refund(purchase=second.entry.operation, amount_ore=10_000, idempotency_key=new_key())
    achievements_evaluate(member=member)

    completion = ChallengeCompletion.objects.get()
    assert not completion.standing and completion.kept == "voucher"
    client.force_login(member.user)
    page = client.get(reverse("rewards:badges")).content.decode()
    assert "et kjøp som telte refundert" in page and "så du beholder den" in page


def test_reaching_the_goal_again_after_a_refund_gives_the_reward_anew(program):
    member = MemberFactory()
    challenge(name="To kjøp", goal="purchases", target=2, points=40)
    buy(member, 100)
    second = buy(member, 100)
    achievements_evaluate(member=member)
    purchase_refund(purchase=second.entry.operation, amount_ore=10_000, idempotency_key=new_key())
    achievements_evaluate(member=member)

    buy(member, 120, days_ago=0)
    achievements_evaluate(member=member)

    completion = ChallengeCompletion.objects.get()
    assert completion.standing and completion.round == 2
    rewards = LedgerEntry.objects.filter(wallet__member=member, reason__startswith="challenge:")
    assert rewards.count() == 2 and LedgerEntry.objects.filter(reverses__in=rewards).count() == 1


def test_different_shops_and_different_stamp_cards_count_once_each(cashier, program):
    member = MemberFactory()
    here, there = cashier.locations.first(), LocationFactory(name="Grünerløkka")
    visits(member, here, cashier, 5, 4, 3)
    visits(member, there, cashier, 2)
    both = challenge(name="Besøk begge butikkene", goal="locations", target=2)
    coffee_card, bun_card = StampCardFactory(name="Kaffe"), StampCardFactory(name="Bolle")
    cards = challenge(name="Prøv to stempelkort", goal="stamp_cards", target=2)
    for card in (coffee_card, coffee_card, bun_card):
        stamps_add(member=member, card=card, stamps=1, idempotency_key=new_key())

    assert challenge_progress(both, member) == 2
    assert challenge_progress(cards, member) == 2


def test_a_challenge_for_a_tier_or_a_segment_is_only_for_those_members(shop, cashier, program):
    gold = TierFactory(name="Gull", threshold=1000)
    regular, vip = MemberFactory(), MemberFactory()
    set_tier(vip, gold)
    segment = Segment.objects.create(name="Nye medlemmer")
    SegmentCondition.objects.create(segment=segment, kind="joined", comparison="at_most", number=30)
    for_gold = challenge(name="Gullutfordring", tier=gold, target=1)
    for_new = challenge(name="For nye", audience=f"segment:{segment.pk}", target=1)
    for member in (regular, vip):
        visits(member, shop, cashier, 1)
    type(regular).objects.filter(pk=regular.pk).update(joined_at=NOW - timedelta(days=400))

    achievements_evaluate(member=regular)
    achievements_evaluate(member=vip)

    done = set(ChallengeCompletion.objects.values_list("challenge", "member"))
    assert done == {(for_gold.pk, vip.pk), (for_new.pk, vip.pk)}


def test_the_card_page_shows_progress_and_a_surprise_only_once_it_is_completed(
    client, shop, cashier, program
):
    member = MemberFactory()
    visits(member, shop, cashier, 2, 1)
    challenge()
    challenge(name="Hemmelig bolle", hidden=True, target=2, points=10)
    client.force_login(member.user)

    before = client.get(reverse("members:card")).content.decode()
    achievements_evaluate(member=member)
    celebrated = client.get(reverse("members:card")).content.decode()
    later = client.get(reverse("members:card")).content.decode()

    assert "3 besøk i desember" in before and "2 av 3" in before and "Hemmelig bolle" not in before
    assert 'aria-valuenow="2"' in before
    assert "Du fullførte «Hemmelig bolle»" in celebrated and "Hemmelig bolle" in later
    assert "Du fullførte" not in later  # celebrated once


def test_a_purchase_at_the_till_completes_the_challenge_after_commit(
    till, shop, cashier, program, after_commit
):
    member = MemberFactory(number="KAR2345Q")
    challenge(goal="purchases", target=1, name="Første kjøp")
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, member.number]), **HTMX)

    with after_commit():
        act(till, shop, member, "kjop", {"nonce": nonce_in(panel), "amount": "45"}, **HTMX)

    assert ChallengeCompletion.objects.filter(member=member, challenge__name="Første kjøp").exists()


def test_saving_a_challenge_in_admin_completes_it_for_those_who_already_did_it(
    admin_client, shop, cashier, program, after_commit
):
    member = MemberFactory()
    visits(member, shop, cashier, 3, 2, 1)
    today = timezone.localdate(NOW)
    form = {
        "name": "3 besøk i desember",
        "description": "",
        "is_active": "on",
        "goal": "visits",
        "target": "3",
        "starts_on": (today - timedelta(days=5)).isoformat(),
        "ends_on": (today + timedelta(days=5)).isoformat(),
        "count_past": "on",
        "points": "50",
        "reward": "",
        "tier": "",
        "audience": "",
    }

    with after_commit():
        response = admin_client.post(reverse("admin:rewards_challenge_add"), form)

    assert response.status_code == 302
    assert ChallengeCompletion.objects.get().member == member


def test_a_challenge_without_a_reward_or_ending_before_it_starts_is_refused_in_admin(admin_client, program):
    today = timezone.localdate(NOW)
    form = {"name": "Uten premie", "goal": "visits", "target": "3", "points": "0", "is_active": "on"}
    form |= {"starts_on": today.isoformat(), "ends_on": (today - timedelta(days=1)).isoformat()}

    response = admin_client.post(reverse("admin:rewards_challenge_add"), form)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Utfordringen må slutte" in page
    assert not Challenge.objects.exists()
