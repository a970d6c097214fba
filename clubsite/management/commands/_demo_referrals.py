"""The demo club's referrals: the programme, Kari's link, and friends in every state.

Everything goes through the services with `at=` in the past, as the wallet demo does, so the
dates, holds and rewards follow the real rules: Kari sees friends invited, joined, qualified
(on hold), rewarded and reversed; Nora has a referral waiting for the owner's review; Emma
reached the monthly cap; a self-referral and an old customer's code at the till were refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from members.models import Member, User
from members.services import member_join
from referrals import services
from referrals.errors import ReferralsError
from referrals.models import Referral, ReferralProgram
from referrals.services.fraud import month_start
from rewards.models import Reward
from rewards.services import entry_reverse, purchase_register

CAP_FRIENDS = ["Frida", "Marius", "Thea", "Kasper", "Julie", "Adrian", "Selma", "Ludvig", "Mia", "Oskar"]


def load_referral_demo(staff: list[User], kari: Member, backdate: Callable[..., None]) -> None:
    now = timezone.now()
    program = ReferralProgram.load()
    program.is_active = True
    program.referrer_kind, program.referrer_points = ReferralProgram.RewardKind.POINTS, 200
    program.friend_kind = ReferralProgram.RewardKind.VOUCHER
    program.friend_reward = Reward.objects.get(name="Gratis kaffe")
    program.min_purchase_ore, program.qualify_within_days, program.hold_days = 10_000, 30, 14
    program.cap_per_month, program.burst_count, program.burst_minutes = 10, 3, 60
    program.save()

    till = staff[0]
    shop = till.locations.first()
    code = services.referral_code_get_or_create(member=kari)
    n = iter(range(1000))

    def friend(first_name: str, days_ago: float, referrer_code=code, **contact) -> Member:
        """A friend opens the link (an hour before joining), joins and is attributed."""
        contact = contact or {"email": f"{first_name.lower()}.venn@example.com"}
        member = member_join(first_name=first_name, welcome=False, **contact)
        backdate(member, days_ago=days_ago)
        joined = now - timedelta(days=days_ago)
        device = f"demo-device-{next(n):04d}-{first_name.lower()}"
        services.link_open_record(code=referrer_code, device=device, at=joined - timedelta(hours=1))
        services.referral_attribute(
            friend=Member.objects.get(pk=member.pk),
            code=referrer_code.code,
            channel=Referral.Channel.LINK,
            device=device,
            at=joined,
        )
        return member

    def buy(member: Member, amount_ore: int, days_ago: float):
        at = now - timedelta(days=days_ago)
        result = purchase_register(
            member=member,
            amount_ore=amount_ore,
            idempotency_key=f"demo:referral:{member.pk}:{days_ago}",
            location=shop,
            staff=till,
            at=at,
        )
        # The purchase signal is sent when the demo commits; qualify now, at its own time.
        services.referral_qualify(friend_id=member.pk, entry_id=result.entry.pk, amount_ore=amount_ore)
        return result.entry

    def refund(member: Member, entry, days_ago: float) -> None:
        at = now - timedelta(days=days_ago)
        entry_reverse(
            entry=entry, reason="Refusjon", idempotency_key=f"demo:refund:{entry.pk}", staff=till, at=at
        )
        services.referral_refund(friend_id=member.pk, reverses_id=entry.pk, at=at)

    # Kari's friends, one in every state. Marte's hold ended long ago: both were rewarded.
    buy(friend("Marte", 40), 24_900, days_ago=38)
    knut = friend("Knut", 36)
    refund(knut, buy(knut, 18_900, days_ago=34), days_ago=5)  # after payment: reversed
    sigrid = friend("Sigrun", 12)
    refund(sigrid, buy(sigrid, 12_500, days_ago=8), days_ago=7)  # during the hold: cancelled
    buy(friend("Trond", 6), 12_900, days_ago=4)  # qualified, on hold for ten more days
    friend("Hanne", 2)  # joined, no purchase yet
    for opened in (3, 1):  # opened the link, did not join (yet)
        services.link_open_record(
            code=code, device=f"demo-device-open-{opened}", at=now - timedelta(days=opened)
        )
    friend("Kari", 1, email="kari+tilbud@example.com")  # her own address again: refused

    # Nora's friend has a mobile number next to hers: same household, waiting for review.
    nora = (
        Member.objects.filter(user__first_name="Nora", user__phone__isnull=False)
        .select_related("user")
        .first()
    )
    if nora is not None:
        neighbour = nora.user.phone[:-1] + str((int(nora.user.phone[-1]) + 1) % 10)
        if not User.objects.filter(phone=neighbour).exists():
            nils = friend(
                "Nils", 5, referrer_code=services.referral_code_get_or_create(member=nora), phone=neighbour
            )
            buy(nils, 15_900, days_ago=3)

    # Emma brought ten friends this month; the eleventh was refused: cap reached.
    emma = Member.objects.filter(user__first_name="Emma").first()
    if emma is not None:
        emma_code = services.referral_code_get_or_create(member=emma)
        start = max(month_start(now), now - timedelta(hours=12))
        for i, first_name in enumerate([*CAP_FRIENDS, "Tuva"]):
            member = member_join(
                first_name=first_name, email=f"{first_name.lower()}.emma@example.com", welcome=False
            )
            services.referral_attribute(
                friend=member,
                code=emma_code.code,
                channel=Referral.Channel.CODE,
                at=start + timedelta(minutes=20 * i),
            )

    # Staff typed Kari's code for a regular customer: refused, already a customer.
    regular = Member.objects.exclude(pk=kari.pk).filter(referral__isnull=True).order_by("joined_at").first()
    with contextlib.suppress(ReferralsError):
        services.referral_attribute(
            friend=regular, code=code.code, channel=Referral.Channel.COUNTER, staff=till, location=shop
        )
