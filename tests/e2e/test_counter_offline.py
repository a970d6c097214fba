"""The till survives a dropped network (issue 19): two stamps and a purchase made offline are
kept in the browser, survive a reload while still offline, and reach the server once each,
at the time they were made, when the network is back. A voucher used offline that was used
at another till meanwhile is shown as a conflict, not lost."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members import roles
from rewards.models import CounterAction, LedgerEntry, StampEntry, Voucher
from rewards.services import reward_redeem, voucher_use
from tests.factories import LocationFactory, MemberFactory, RewardFactory, StampCardFactory, staff_user
from tests.rewards.wallet_helpers import balance, give

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop():
    return LocationFactory(name="Bakeriet Løkka")


@pytest.fixture
def kari():
    return MemberFactory(number="KAR2345Q", user__first_name="Kari", user__last_name="Nordmann")


def open_till(logged_in, shop, kari):
    cashier = staff_user(roles.COUNTER_STAFF, shop, first_name="Ola")
    context = logged_in(cashier)
    till = context.new_page()
    till.goto(f"/kasse/{shop.pk}/")
    till.wait_for_selector("body[data-offline-ready='1']")  # the page is kept for a reload
    till.fill("#scan-input", kari.number)
    till.press("#scan-input", "Enter")
    till.locator("#panel a:has-text('Dette er medlemmet')").click()  # a typed number is confirmed
    till.wait_for_selector("#member-name:has-text('Kari Nordmann')")
    return context, till


def test_two_stamps_and_a_purchase_made_offline_reach_the_server_once_each_after_a_reload(
    logged_in, shop, kari, artifacts
):
    StampCardFactory(name="Kaffekort", stamps_needed=10)
    context, till = open_till(logged_in, shop, kari)

    context.set_offline(True)
    till.wait_for_selector("#offline-banner:visible")
    before = timezone.now()
    till.locator("form.counter-stamps button").click()
    till.wait_for_selector("#offline-queue-list li:nth-child(1)")
    till.locator("form.counter-stamps button").click()
    till.wait_for_selector("#offline-queue-list li:nth-child(2)")
    till.fill("#amount", "129,50")
    till.press("#amount", "Enter")
    till.wait_for_selector("#offline-queue-list li:nth-child(3)")
    assert StampEntry.objects.count() == 0 and not LedgerEntry.objects.exists()  # nothing reached it

    till.reload()  # still offline: the service worker serves the page, IndexedDB the queue
    till.wait_for_selector("#offline-queue-list li:nth-child(3)")
    assert till.locator("#offline-queue-list li[data-status='waiting']").count() == 3
    till.screenshot(path=artifacts / "counter-offline.png", full_page=True)

    back_online = timezone.now()
    context.set_offline(False)
    till.evaluate("window.dispatchEvent(new Event('online'))")
    till.wait_for_selector("#offline-queue", state="hidden", timeout=15_000)

    assert list(StampEntry.objects.values_list("stamps", flat=True)) == [1, 1]
    [purchase] = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.EARN)
    assert purchase.amount_ore == 12_950 and balance(kari) == purchase.points
    assert CounterAction.objects.count() == 3  # once each
    made = sorted(CounterAction.objects.values_list("created_at", flat=True))
    # Recorded at the time each happened (by the till's clock), not when it reached the server.
    assert all(before - timedelta(seconds=5) <= at < back_online for at in made)
    till.fill("#scan-input", kari.number)  # the next look-up shows what the server now holds
    till.press("#scan-input", "Enter")
    till.locator("#panel a:has-text('Dette er medlemmet')").click()
    till.wait_for_selector(f"#balance:has-text('{purchase.points}')")


def test_a_voucher_used_offline_but_used_elsewhere_meanwhile_is_shown_as_a_conflict(logged_in, shop, kari):
    give(kari, 100)
    voucher = reward_redeem(member=kari, reward=RewardFactory(name="Kanelbolle"), idempotency_key="v").voucher
    context, till = open_till(logged_in, shop, kari)

    context.set_offline(True)
    till.wait_for_selector("#offline-banner:visible")
    till.locator(f"form[data-code='{voucher.code}'] button").first.click()
    till.wait_for_selector("#offline-queue-list li[data-status='waiting']")
    voucher_use(code=voucher.code, idempotency_key="the other till")  # the other till had network

    context.set_offline(False)
    till.evaluate("window.dispatchEvent(new Event('online'))")
    conflict = till.wait_for_selector("#offline-queue-list li[data-status='conflict']", timeout=15_000)
    assert "Kanelbolle" in conflict.text_content()
    assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.USED
    assert CounterAction.objects.count() == 0

    till.reload()
    till.locator("#offline-queue-list li[data-status='conflict'] button").click()  # staff settled it
    till.wait_for_selector("#offline-queue", state="hidden")


def test_logging_out_forgets_the_members_the_till_has_shown(logged_in, shop, kari):
    _context, till = open_till(logged_in, shop, kari)
    remembered = "() => idbKeyval.get('till-panels').then(all => Object.keys(all || {}))"
    till.wait_for_function(f"({remembered})().then(numbers => numbers.includes('{kari.number}'))")

    with till.expect_navigation():
        till.locator("nav button:has-text('Logg ut')").click()

    till.add_script_tag(url="/static/vendor/idb-keyval/umd.js")  # to read what the till kept
    assert till.evaluate(remembered) == []
