"""The counter page as staff use it: find, act, see the result; bad input never breaks it."""

import re

import pytest
from django.urls import reverse

from members.services import card_code
from rewards.models import CounterAction, LedgerEntry, ScanRefusal, Visit
from rewards.services import reward_redeem
from tests.factories import RewardFactory, StampCardFactory
from tests.rewards.wallet_helpers import balance, give

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def find(till, shop, raw, **headers):
    return till.post(reverse("rewards:counter_find", args=[shop.pk]), {"q": raw}, **headers)


def act(till, shop, member, action, data, **headers):
    url = reverse("rewards:counter_action", args=[shop.pk, member.number, action])
    return till.post(url, data, **headers)


def nonce_in(response) -> str:
    return re.search(r'name="nonce" value="([0-9a-f]{32})"', response.content.decode())[1]


def test_a_cashier_with_one_shop_goes_straight_to_its_till(till, shop):
    response = till.get(reverse("rewards:counter"))

    assert response.status_code == 302
    assert response.url == reverse("rewards:counter_page", args=[shop.pk])


def test_the_till_page_has_a_focused_scan_field(till, shop):
    page = till.get(reverse("rewards:counter_page", args=[shop.pk])).content.decode()

    assert 'id="scan-input"' in page and "autofocus" in page
    assert "htmx.min.js" in page
    # The camera library is named for counter.js to fetch on a tap, not loaded with the page.
    assert 'data-library="/static/vendor/html5-qrcode/html5-qrcode.min.js"' in page
    assert '<script src="/static/vendor/html5-qrcode' not in page


def test_scanning_the_card_shows_the_member_panel_and_records_a_visit(till, shop, guest, program):
    response = find(till, shop, card_code(member=guest), **HTMX)

    assert response.status_code == 200
    assert "Kari Nordmann" in response.content.decode()
    assert "<html" not in response.content.decode()  # htmx gets the panel only
    assert Visit.objects.filter(member=guest, location=shop).count() == 1


def test_every_form_of_the_panel_posts_to_its_actions_url(till, shop, guest, program, coffee_card):
    page = find(till, shop, card_code(member=guest), **HTMX).content.decode()

    posted_to = set(re.findall(r'hx-post="([^"]+)"', page))
    assert posted_to == {
        reverse("rewards:counter_action", args=[shop.pk, guest.number, action])
        for action in ("kjop", "stempel", "kupong")
    }


def test_a_typed_number_asks_staff_to_confirm_with_identity_hints(till, shop, guest):
    page = find(till, shop, "kar2345q", **HTMX).content.decode()

    assert "Kari" in page and "67" in page  # first name and the last two digits of the mobile
    assert reverse("rewards:counter_member", args=[shop.pk, guest.number]) in page
    assert not Visit.objects.exists()


def test_register_a_purchase_in_norwegian_format_and_see_the_new_balance(till, shop, guest, program):
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX)

    response = act(till, shop, guest, "kjop", {"nonce": nonce_in(panel), "amount": "12,50"}, **HTMX)

    assert response.status_code == 200
    assert balance(guest) == 12
    assert 'id="balance">12<' in response.content.decode()


def test_a_replayed_form_credits_once_and_says_so(till, shop, guest, program):
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX)
    data = {"nonce": nonce_in(panel), "amount": "100"}

    act(till, shop, guest, "kjop", data, **HTMX)
    again = act(till, shop, guest, "kjop", data, **HTMX)

    assert again.status_code == 200
    assert "alert-info" in again.content.decode()
    assert balance(guest) == 100


@pytest.mark.parametrize("amount", ["-5", "1e9", "abc", "", "0", "12,505", "99999999"])
def test_bad_amounts_get_a_clear_message_and_change_nothing(till, shop, guest, program, amount):
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX)

    response = act(till, shop, guest, "kjop", {"nonce": nonce_in(panel), "amount": amount}, **HTMX)

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    "raw", ["", "x" * 10_000, "ZZZZ2345", "<script>alert(1)</script>", "kari\x00", "\x00"]
)
def test_bad_scans_get_a_clear_message_without_a_server_error(till, shop, raw):
    response = find(till, shop, raw, **HTMX)

    assert response.status_code in (400, 404)
    assert 'role="alert"' in response.content.decode()
    assert "<script>alert" not in response.content.decode()
    assert ScanRefusal.objects.count() == 1


def test_the_page_works_without_javascript(till, shop, guest, program):
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]))
    assert "<html" in panel.content.decode()

    response = act(till, shop, guest, "kjop", {"nonce": nonce_in(panel), "amount": "50"})

    assert response.status_code == 200 and "<html" in response.content.decode()
    assert balance(guest) == 50


def test_undo_button_undoes_the_last_action(till, shop, guest, program):
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX)
    after = act(till, shop, guest, "kjop", {"nonce": nonce_in(panel), "amount": "80"}, **HTMX)
    assert "angre" in after.content.decode()

    act(till, shop, guest, "angre", {"nonce": nonce_in(after)}, **HTMX)

    assert balance(guest) == 0
    assert CounterAction.objects.filter(kind=CounterAction.Kind.UNDO).count() == 1


def test_an_unknown_action_or_member_is_not_found(till, shop, guest):
    assert act(till, shop, guest, "hack", {}).status_code == 404
    url = reverse("rewards:counter_action", args=[shop.pk, "NOSUCH22", "kjop"])
    assert till.post(url, {}).status_code == 404


def test_a_voucher_scanned_while_the_members_panel_is_open_is_used_once(till, shop, guest, program):
    give(guest, 300)
    voucher = reward_redeem(
        member=guest, reward=RewardFactory(name="Kanelbolle"), idempotency_key="r"
    ).voucher
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX)
    scan = {"q": voucher.code, "member": guest.number, "nonce": nonce_in(panel)}

    first = till.post(reverse("rewards:counter_find", args=[shop.pk]), scan, **HTMX)
    again = till.post(reverse("rewards:counter_find", args=[shop.pk]), scan, **HTMX)

    assert first.status_code == 200 and 'data-kind="voucher"' in first.content.decode()
    assert "alert-info" in again.content.decode()  # shown again, not used twice
    assert CounterAction.objects.filter(kind=CounterAction.Kind.VOUCHER).count() == 1


def test_another_members_voucher_scanned_into_a_panel_is_refused(till, shop, guest, other_member, program):
    give(other_member, 300)
    voucher = reward_redeem(member=other_member, reward=RewardFactory(), idempotency_key="r").voucher
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX)
    scan = {"q": voucher.code, "member": guest.number, "nonce": nonce_in(panel)}

    response = till.post(reverse("rewards:counter_find", args=[shop.pk]), scan, **HTMX)

    assert response.status_code == 409 and 'role="alert"' in response.content.decode()
    assert not CounterAction.objects.exists()


def test_a_scan_sent_with_a_broken_open_panel_number_is_a_plain_scan(till, shop, guest):
    scan = {"q": guest.number, "member": "KAR\x00", "nonce": "0" * 32}

    response = till.post(reverse("rewards:counter_find", args=[shop.pk]), scan, **HTMX)

    assert response.status_code == 200
    assert guest.user.first_name in response.content.decode()  # the member, to confirm


def test_a_voucher_scanned_in_the_main_field_opens_its_member_ready_to_use_it(till, shop, guest, program):
    give(guest, 500)
    voucher = reward_redeem(
        member=guest, reward=RewardFactory(name="Gratis kaffe"), idempotency_key="r"
    ).voucher

    page = find(till, shop, voucher.code, **HTMX).content.decode()

    assert "Kari Nordmann" in page
    assert "Kupong skannet: Gratis kaffe" in page and "Bruk nå" in page
    used = act(till, shop, guest, "kupong", {"nonce": nonce_in_ready(page), "code": voucher.code}, **HTMX)
    assert used.status_code == 200 and 'data-kind="voucher"' in used.content.decode()


def test_a_stamp_that_fills_the_card_says_so_with_the_voucher_to_hand_over(
    till, shop, guest, program, coffee_card
):
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX)
    act(till, shop, guest, "stempel", {"nonce": nonce_in(panel), "card": coffee_card.pk, "stamps": 2}, **HTMX)
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX)
    assert "Kortet er fullt" not in panel.content.decode()

    page = act(
        till, shop, guest, "stempel", {"nonce": nonce_in(panel), "card": coffee_card.pk, "stamps": 1}, **HTMX
    ).content.decode()

    assert f"Kortet er fullt – gi {coffee_card.reward.name}" in page and "Bruk nå" in page


def nonce_in_ready(page: str) -> str:
    form = re.search(r'<form class="counter-action counter-ready.*?</form>', page, re.S)[0]
    return re.search(r'name="nonce" value="([0-9a-f]{32})"', form)[1]


def test_ids_in_the_panels_forms_are_plain_digits_however_large(till, shop, guest, program):
    # With USE_THOUSAND_SEPARATOR a pk of 1234 was written "1 234": the form then pointed
    # at nothing (found on PostgreSQL, whose ids had passed 1000 in a long test run).
    card = StampCardFactory(pk=1234, name="Kaffekort")
    give(guest, 500)
    RewardFactory(pk=2345, cost_points=100)

    page = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX).content.decode()

    assert f'name="card" value="{card.pk}"' in page and 'name="reward" value="2345"' in page
