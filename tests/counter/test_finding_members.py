"""Staff find the member at the till: by card code, number, mobile number or name."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members.services import card_code
from rewards import signals
from rewards.models import ScanRefusal, Visit
from rewards.services import guessing, member_search, reward_redeem, visits
from tests.factories import MemberFactory, RewardFactory
from tests.rewards.wallet_helpers import give

pytestmark = pytest.mark.django_db


def find(raw, staff, shop, ip="10.0.0.1"):
    return member_search.member_find(raw=raw, staff=staff, location=shop, ip=ip)


def refusal_code(raw, staff, shop, ip="10.0.0.1"):
    with pytest.raises(Exception) as error:
        find(raw, staff, shop, ip)
    return error.value.code


def test_a_scanned_card_code_identifies_the_member_without_a_confirmation_step(guest, cashier, shop):
    found = find(card_code(member=guest), cashier, shop)

    assert found.members == [guest]
    assert found.confirmed


def test_a_typed_member_number_in_any_case_with_spaces_is_found_for_confirmation(guest, cashier, shop):
    found = find("kar2 345q", cashier, shop)

    assert found.members == [guest]
    assert not found.confirmed


def test_a_mobile_number_in_local_format_finds_the_member(guest, cashier, shop):
    assert find("912 34 567", cashier, shop).members == [guest]


def test_a_first_name_lists_the_members_with_that_name(guest, cashier, shop):
    MemberFactory(user__first_name="Ola")

    assert find("kari", cashier, shop).members == [guest]


def test_a_voucher_code_in_the_member_field_finds_its_member_with_the_voucher(guest, cashier, shop, program):
    give(guest, 500)
    voucher = reward_redeem(member=guest, reward=RewardFactory(), idempotency_key="r1").voucher

    found = find(voucher.code.lower(), cashier, shop)

    assert (found.members, found.confirmed, found.voucher) == ([guest], True, voucher)


def test_an_unknown_voucher_like_code_is_refused_and_counted_as_a_guess(cashier, shop):
    assert refusal_code("ABCDEFGHJK", cashier, shop) == "member_not_found"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "scan_empty"),
        ("   ", "scan_empty"),
        ("X" * 10_000, "token_invalid"),
        ("ZZZZ2345", "member_not_found"),
        ("!!!", "member_not_found"),
    ],
)
def test_bad_scans_are_refused_and_kept_for_the_owner(raw, code, cashier, shop):
    assert refusal_code(raw, cashier, shop) == code

    refusal = ScanRefusal.objects.get()
    assert refusal.reason == code
    assert refusal.staff == cashier and refusal.location == shop
    assert refusal.raw_input == raw.strip()[:100]


def test_a_scan_with_a_nul_character_is_refused_and_kept_with_the_nul_shown(guest, cashier, shop):
    assert refusal_code("kari\x00", cashier, shop) == "token_invalid"

    assert ScanRefusal.objects.get().raw_input == "kari\N{SYMBOL FOR NULL}"


def test_an_old_screenshot_of_the_card_is_refused_as_expired(guest, cashier, shop):
    old = card_code(member=guest, at=timezone.now() - timedelta(minutes=10))

    assert refusal_code(old, cashier, shop) == "token_expired"


def test_guessing_numbers_is_stopped_per_staff_user(cashier, shop):
    for n in range(guessing.GUESS_LIMIT):
        refusal_code(f"ZZZZ{n:04d}".replace("0", "2").replace("1", "3"), cashier, shop, ip=f"10.0.1.{n}")

    assert refusal_code("ZZZZ2345", cashier, shop, ip="10.9.9.9") == "too_many_attempts"


def test_guessing_numbers_is_stopped_per_ip_address_across_staff_users(cashier, service_desk, shop):
    for _ in range(guessing.GUESS_LIMIT):
        refusal_code("ZZZZ2345", cashier, shop, ip="10.0.0.7")

    assert refusal_code("ZZZZ2345", service_desk, shop, ip="10.0.0.7") == "too_many_attempts"


def test_scans_of_the_same_member_close_together_are_one_visit(guest, cashier, shop):
    now = timezone.now()
    visits.visit_record(member=guest, location=shop, staff=cashier, now=now)
    visits.visit_record(member=guest, location=shop, staff=cashier, now=now + timedelta(minutes=20))
    visits.visit_record(member=guest, location=shop, staff=cashier, now=now + timedelta(minutes=45))
    visits.visit_record(member=guest, location=shop, staff=cashier, now=now + timedelta(hours=3))

    assert Visit.objects.filter(member=guest).count() == 2


def test_a_new_visit_is_announced_after_commit_and_a_continued_one_is_not(
    guest, cashier, shop, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    signals.visit_recorded.connect(listener)
    try:
        now = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            visit = visits.visit_record(member=guest, location=shop, staff=cashier, now=now)
            visits.visit_record(member=guest, location=shop, staff=cashier, now=now + timedelta(minutes=5))
    finally:
        signals.visit_recorded.disconnect(listener)

    assert heard == [
        {
            "signal": signals.visit_recorded,
            "member_id": guest.pk,
            "visit_id": visit.pk,
            "location_id": shop.pk,
            "staff_id": cashier.pk,
        }
    ]
