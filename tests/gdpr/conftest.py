"""A member with a full life in the club, and the people around her.

Zelmira joins on the web with consent, fills in her profile, buys, collects stamps, redeems a
reward, visits the shop, is looked up by name and phone at the till (one lookup refused),
joined through Olga's link and invites Viktor through her own, tries to log in with a wrong
password, and the owner edits her in admin. Everything goes through the real services and
pages, so that every table a real member touches has her in it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members import roles
from members.models import Interest, Member
from members.services import MembersError, consent_set, member_join, profile_update
from referrals import services as referrals
from referrals.models import ReferralProgram
from rewards.models import PointsProgram
from rewards.services import counter, guessing, member_search, reward_redeem, visits, voucher_gift
from tests.factories import RewardFactory, StampCardFactory, staff_user

ZELMIRA_IP = "203.0.113.77"
ZELMIRA_DEVICE = "zelmira-phone-device-id"


@dataclass
class Life:
    member: Member
    olga: Member  # invited Zelmira
    viktor: Member  # invited by Zelmira
    browser: Client  # Zelmira's logged-in browser
    owner: object
    personal: list[str]  # every value that identifies Zelmira


@pytest.fixture
def owner(db):
    return staff_user(roles.OWNER, email="eier@example.com")


@pytest.fixture
def referral_programme(db):
    PointsProgram.load()
    program = ReferralProgram.load()
    program.is_active = True
    program.referrer_points, program.friend_points = 200, 100
    program.min_purchase_ore, program.hold_days = 10_000, 0
    program.save()
    return program


def nonce() -> str:
    return uuid.uuid4().hex


def friend_joins(first_name: str, email: str) -> Member:
    return member_join(first_name=first_name, email=email, welcome=False)


@pytest.fixture
def life(db, shop, cashier, owner, referral_programme, after_commit) -> Life:
    olga = friend_joins("Olga", "olga.brekke@example.org")
    olga_code = referrals.referral_code_get_or_create(member=olga)
    referrals.link_open_record(code=olga_code, device=ZELMIRA_DEVICE)

    # She joins on the web, with consent, and is logged in by the join.
    browser = Client(REMOTE_ADDR=ZELMIRA_IP)
    with after_commit():
        response = browser.post(
            reverse("members:join"),
            {"first_name": "Zelmira", "contact": "zelmira.quist@example.com", "marketing_consent": "on"},
        )
    assert response.status_code == 302
    member = Member.objects.select_related("user").get(user__email="zelmira.quist@example.com")
    referrals.referral_attribute(
        friend=member, code=olga_code.code, channel="link", ip=ZELMIRA_IP, device=ZELMIRA_DEVICE
    )
    user = member.user
    user.phone, user.phone_verified = "+4791234567", True  # added and verified by a code
    user.save(update_fields=["phone", "phone_verified"])
    user.set_password("a long password she forgot")
    user.save(update_fields=["password"])
    with after_commit():
        profile_update(
            member=member,
            first_name="Zelmira",
            last_name="Quist-Ødegård",
            birthday=date(1987, 3, 14),
            postcode="9713",
            interests=[Interest.objects.create(name="Surdeig")],
        )
    consent_set(member=member, channel="sms", granted=True, source="preferences")

    # At the till: found by phone (a visit), a purchase, stamps, a reward, a grant.
    card = StampCardFactory(name="Kaffekort", stamps_needed=5)
    reward = RewardFactory(name="Kanelbolle", cost_points=50)
    found = member_search.member_find(raw="912 34 567", staff=cashier, location=shop, ip="10.1.1.1")
    assert found.members == [member]
    visits.visit_record(member=member, location=shop, staff=cashier)
    with after_commit():
        counter.counter_purchase(
            member=member, amount_ore=25_000, nonce=nonce(), staff=cashier, location=shop
        )
    counter.counter_stamps(member=member, card=card, stamps=1, nonce=nonce(), staff=cashier, location=shop)
    counter.counter_reward(member=member, reward=reward, nonce=nonce(), staff=cashier, location=shop)
    reward_redeem(member=member, reward=reward, idempotency_key=nonce())
    # Customer service makes up for a mistake, and the reason typed names her.
    service = staff_user(roles.CUSTOMER_SERVICE, shop, email="kundeservice@example.com")

    def grant(to: Member, points: int, reason: str) -> None:
        counter.counter_adjust(
            member=to, points=points, reason=reason, nonce=nonce(), staff=service, location=shop
        )

    grant(member, 15, "Zelmira Quist-Ødegård fikk feil pris")
    voucher_gift(member=member, reward=RewardFactory(name="Gratis kaffe"), idempotency_key=nonce())
    # Refused: her name mistyped, and her phone typed into the voucher field (the counter
    # view records what was typed, with the member whose panel was open).
    with pytest.raises(MembersError):
        member_search.member_find(raw="Zelmira Quistt", staff=cashier, location=shop, ip="10.1.1.1")
    guessing.refusal_record(
        reason="voucher_not_found",
        raw="912 34 567",
        staff=cashier,
        location=shop,
        ip="10.1.1.1",
        member=member,
    )

    # She invites Viktor through her own link; he joins and buys.
    code = referrals.referral_code_get_or_create(member=member)
    referrals.link_open_record(code=code, device="viktor-device")
    viktor = friend_joins("Viktor", "viktor.lund@example.org")
    referrals.referral_attribute(
        friend=viktor, code=code.code, channel="link", ip="198.51.100.9", device="viktor-device"
    )
    with after_commit():
        counter.counter_purchase(
            member=viktor, amount_ore=15_000, nonce=nonce(), staff=cashier, location=shop
        )
    referrals.referrals_pay_due(now=timezone.now())
    # Customer service thanks Viktor for bringing her along, and names her in his grant.
    grant(viktor, 10, "Takk for at du tok med Zelmira (91234567)")

    # Login attempts: a wrong password on the member login (with her mobile number: the
    # lock-out record of her address is cleared by her later login with it) and on the
    # admin login, and a login code asked for and left (a session holding her address).
    Client(REMOTE_ADDR=ZELMIRA_IP).post(
        reverse("account_login"), {"login": "+4791234567", "password": "wrong"}
    )
    Client(REMOTE_ADDR=ZELMIRA_IP).post(
        reverse("admin:login"), {"username": "zelmira.quist@example.com", "password": "wrong"}
    )
    Client(REMOTE_ADDR=ZELMIRA_IP).post(reverse("account_request_login_code"), {"login": "+4791234567"})
    # The owner changed her in admin (the history names the object it changed).
    LogEntry.objects.create(
        user=owner,
        content_type=ContentType.objects.get_for_model(Member),
        object_id=str(member.pk),
        object_repr=str(member),
        action_flag=CHANGE,
        change_message="[]",
    )
    # Setting the password ended the join's session; she logs in again with it.
    browser.post(
        reverse("account_login"),
        {"login": "zelmira.quist@example.com", "password": "a long password she forgot"},
    )
    assert browser.get(reverse("members:card")).status_code == 200  # the session is live (and cached)

    member.refresh_from_db()
    personal = [
        "zelmira.quist@example.com",
        "Zelmira",
        "Quist-Ødegård",
        "+4791234567",
        "912 34 567",
        "1987-03-14",
        "9713",
        member.number,
        member.display_number,
        code.code,
        ZELMIRA_IP,
        referrals.fingerprint(ZELMIRA_IP),
        referrals.fingerprint(ZELMIRA_DEVICE),
    ]
    return Life(member=member, olga=olga, viktor=viktor, browser=browser, owner=owner, personal=personal)
