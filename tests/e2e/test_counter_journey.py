"""The counter as it is used: a member shows the card, staff scan and act, the wallet shows it."""

import pytest

from members import roles
from rewards.models import CounterAction, Voucher
from rewards.services import reward_redeem
from tests.factories import LocationFactory, MemberFactory, RewardFactory, StampCardFactory, staff_user
from tests.rewards.wallet_helpers import balance, give

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_staff_scan_the_card_add_a_stamp_register_a_purchase_use_a_voucher_and_undo(logged_in, artifacts):
    shop = LocationFactory(name="Bakeriet Løkka")
    cashier = staff_user(roles.COUNTER_STAFF, shop, first_name="Ola")
    kari = MemberFactory(number="KAR2345Q", user__first_name="Kari", user__last_name="Nordmann")
    StampCardFactory(name="Kaffekort", stamps_needed=10)
    give(kari, 200)
    voucher = reward_redeem(member=kari, reward=RewardFactory(name="Kanelbolle"), idempotency_key="v").voucher

    # The member opens the card on the phone: the page derives the code itself.
    member = logged_in(kari.user, **PHONE).new_page()
    member.goto("/medlem/kort/")
    member.wait_for_selector(".member-card-qr svg")
    member.screenshot(path=artifacts / "member-card.png")
    code = member.evaluate(
        """() => {
            const data = JSON.parse(document.getElementById("member-card-data").textContent);
            return LojalCard.codeFor(data.key, data.number, LojalCard.stepAt(Date.now(), data.stepSeconds));
        }"""
    )

    # Staff on a phone-sized screen: the scanner types the code and presses Enter.
    till = logged_in(cashier, **PHONE).new_page()
    till.goto("/kasse/")
    scan = till.locator("#scan-input")
    assert scan.evaluate("el => el === document.activeElement")
    scan.type(code)
    scan.press("Enter")
    till.wait_for_selector("#member-name:has-text('Kari Nordmann')")

    till.locator("form.counter-stamps button").click()
    till.wait_for_selector(".counter-feedback[data-kind='stamps']")
    till.fill("#amount", "129,50")
    till.press("#amount", "Enter")
    till.wait_for_selector("#balance:has-text('229')")
    scan.type(voucher.code)  # the voucher's QR, scanned into the same field
    scan.press("Enter")
    till.wait_for_selector(".counter-feedback[data-kind='voucher']:has-text('Kanelbolle')")
    till.screenshot(path=artifacts / "counter.png", full_page=True)
    till.locator("form[action$='/angre/'] button").click()
    till.wait_for_selector(".counter-feedback[data-kind='undo']")

    assert balance(kari) == 229
    assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.ACTIVE  # the use was undone
    assert CounterAction.objects.filter(kind=CounterAction.Kind.UNDO).count() == 1

    member.goto("/medlem/lommebok/")
    wallet = member.content()
    assert "229" in wallet and "Kanelbolle" in wallet
    assert member.locator(".stamp.filled").count() == 1


def test_the_camera_library_is_fetched_only_when_the_camera_is_asked_for(logged_in):
    shop = LocationFactory(name="Bakeriet Løkka")
    cashier = staff_user(roles.COUNTER_STAFF, shop)
    till = logged_in(cashier, **PHONE).new_page()
    fetched = []
    till.on("request", lambda request: fetched.append(request.url))

    till.goto("/kasse/")
    till.wait_for_load_state("networkidle")
    assert not [url for url in fetched if "html5-qrcode" in url]

    with till.expect_request(lambda request: "html5-qrcode" in request.url):
        till.locator("#camera-start").click()
    # A function, not an expression: Playwright polls an expression string through eval(),
    # which the page's Content-Security-Policy refuses once the first check comes out false.
    till.wait_for_function("() => typeof Html5Qrcode !== 'undefined'")


def test_the_till_fits_a_phone_screen_390_px_wide(logged_in, artifacts):
    shop = LocationFactory(name="Bakeriet på Grünerløkka sentrum")
    cashier = staff_user(roles.COUNTER_STAFF, shop, LocationFactory(name="Majorstuen"))
    kari = MemberFactory(number="KAR2345Q", user__first_name="Kari", user__last_name="Nordmann-Haugeland")
    StampCardFactory(name="Kaffekort for store kopper", stamps_needed=10, max_stamps_per_visit=2)
    till = logged_in(cashier, **PHONE).new_page()
    till.goto(f"/kasse/{shop.pk}/medlem/{kari.number}/")
    till.wait_for_selector("#member-name")
    till.screenshot(path=artifacts / "counter-390.png", full_page=True)

    overflow = till.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the page scrolls sideways"
    stamp = till.locator("form.counter-stamps button").bounding_box()
    assert stamp["x"] >= 0 and stamp["x"] + stamp["width"] <= 390, "'+ stempel' is clipped"
    heading = till.locator("h1").bounding_box()
    change = till.locator("a:has-text('Bytt butikk')").bounding_box()
    apart = (
        heading["x"] + heading["width"] + 8 <= change["x"]  # a clear gap beside it
        or change["y"] >= heading["y"] + heading["height"]  # or a line of its own
    )
    assert apart, "the heading runs into 'Bytt butikk'"
    number = till.locator(".member-number")
    assert number.evaluate("el => el.getClientRects().length") == 1, "the member number wraps"
