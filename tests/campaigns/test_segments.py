"""A segment picks the members its conditions describe, counted in one query (issue 15).

The club is conftest.py's, seen on 15 April 2025 (NOW): A, B, C, D and F are members, E was
erased. Last purchase or visit: A 20 March, B 12 March, C 25 March, D a visit on 11 March,
F never.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.insights.selectors import Period, ledger
from campaigns.models import CampaignSettings, Segment, SegmentCondition
from campaigns.segments import rfm
from campaigns.segments.selectors import segment_count, segment_members
from members.models import Interest, Member
from rewards.models import Membership, Tier
from tests.campaigns.conftest import NOW, at, buy
from tests.factories import MemberFactory, PlanFactory

pytestmark = pytest.mark.django_db
Kind = SegmentCondition.Kind
ALL, ANY = Segment.Match.ALL, Segment.Match.ANY


def condition(kind, **values) -> SegmentCondition:
    row = SegmentCondition(kind=kind, **values)
    row.full_clean(exclude=["segment"])
    return row


def who(club, *conditions, match=ALL, now=NOW) -> set[str]:
    names = {getattr(club, n).pk: n.upper() for n in "abcdef"}
    return {names.get(pk, "?") for pk in segment_members(match, conditions, now).values_list("pk", flat=True)}


def test_days_since_the_last_purchase_or_visit_counts_members_never_seen_as_long_ago(club):
    assert who(club, condition(Kind.LAST_SEEN, comparison="at_least", number=30)) == {"B", "D", "F"}
    assert who(club, condition(Kind.LAST_SEEN, comparison="at_most", number=30)) == {"A", "C"}


def test_spend_in_a_period_subtracts_refunds_and_counts_no_purchase_as_zero(club):
    assert who(club, condition(Kind.SPEND, comparison="at_least", number=1000, days=60)) == {"C"}
    # B bought for 400 kr and got it all refunded: 0 kr, with D and F who bought nothing.
    assert who(club, condition(Kind.SPEND, comparison="at_most", number=100, days=60)) == {"B", "D", "F"}


def test_purchases_in_a_period_are_counted_per_member(club):
    assert who(club, condition(Kind.PURCHASES, comparison="at_least", number=2, days=60)) == {"A"}


def test_consent_is_the_members_latest_choice_and_an_erased_member_is_never_in_a_segment(club):
    # A said yes to e-mail, then no; E said yes but was erased.
    assert who(club, condition(Kind.CONSENT, choice="email")) == {"D"}
    assert who(club, condition(Kind.CONSENT, choice="sms")) == {"B"}


def test_referrals_tier_and_the_shop_last_visited(club):
    assert who(club, condition(Kind.REFERRER, choice="yes")) == {"A"}
    assert who(club, condition(Kind.REFERRED, choice="yes")) == {"D"}
    assert who(club, condition(Kind.REFERRED, choice="no")) == {"A", "B", "C", "F"}
    assert who(club, condition(Kind.TIER, tier=Tier.objects.get(name="Sølv"))) == {"C"}
    assert who(club, condition(Kind.LAST_SHOP, location=club.s1)) == {"D"}
    # A and B first bought at Sentrum (E too, but erased); C at Torget.
    assert who(club, condition(Kind.HOME_SHOP, location=club.s1)) == {"A", "B"}
    assert who(club, condition(Kind.HOME_SHOP, location=club.s2)) == {"C"}


def test_an_expired_voucher_is_not_an_unused_one(club):
    # C's gift voucher ran out on 2 March; B's was used and A's handed back.
    assert who(club, condition(Kind.VOUCHER, choice="yes")) == set()


def test_all_needs_every_condition_and_any_needs_one(club):
    long_ago = condition(Kind.LAST_SEEN, comparison="at_least", number=30)
    referred = condition(Kind.REFERRED, choice="yes")
    assert who(club, long_ago, referred, match=ALL) == {"D"}
    assert who(club, long_ago, referred, match=ANY) == {"B", "D", "F"}
    assert who(club) == {"A", "B", "C", "D", "F"}  # no conditions: every member


def test_vip_regulars_and_occasional_rank_the_last_months_spend(club):
    # 12 months to 15 April 2025: C 1000 kr, B 500, A 400 (A's 2024-03-10 purchase is older),
    # E 250 (erased). Four buyers: VIP the top 10 % rounded up (C), regulars up to 40 % (B).
    assert who(club, condition(Kind.RFM, choice="vip")) == {"C"}
    assert who(club, condition(Kind.RFM, choice="regular")) == {"B"}
    assert who(club, condition(Kind.RFM, choice="occasional")) == {"A"}
    assert who(club, condition(Kind.RFM, choice="none")) == {"D", "F"}


def test_the_dashboards_split_and_the_segments_classes_are_the_same_definition(club):
    shares = CampaignSettings.load()
    shares.rfm_months, shares.vip_percent, shares.regular_percent = 12, 25, 50
    shares.save()
    now = at(2025, 4, 1, hour=0)
    split = ledger.segments(Period(date(2024, 4, 1), date(2025, 3, 31)), location_id=None, shares=shares)

    for row in split:
        in_class = Member.objects.filter(rfm.member_in_class(row.key, now))  # the erased E too
        assert in_class.count() == row.members, row.key


def test_birthdays_within_days_run_across_new_year_and_29_february_counts_on_the_28th(club):
    january = MemberFactory(birthday=date(1990, 1, 3))
    leap = MemberFactory(birthday=date(1992, 2, 29))
    MemberFactory(birthday=date(1990, 6, 1))
    soon = condition(Kind.BIRTHDAY_SOON, days=20)

    assert set(segment_members(ALL, [soon], at(2024, 12, 20))) == {january}
    assert set(segment_members(ALL, [soon], at(2025, 2, 20))) == {leap}  # 2025 has no 29 February


def test_language_left_empty_is_the_clubs_norwegian_and_interests_pick_their_members(club):
    swede = MemberFactory(language="sv")
    bread = Interest.objects.create(name="Brød")
    swede.interests.add(bread)

    assert set(segment_members(ALL, [condition(Kind.LANGUAGE, choice="sv")], NOW)) == {swede}
    assert swede not in segment_members(ALL, [condition(Kind.LANGUAGE, choice="nb")], NOW)
    assert club.f in segment_members(ALL, [condition(Kind.LANGUAGE, choice="nb")], NOW)
    assert set(segment_members(ALL, [condition(Kind.INTEREST, interest=bread)], NOW)) == {swede}


def test_the_count_and_who_can_be_reached_is_one_query_however_many_members(club):
    club.b.user.phone = "+4791234567"
    club.b.user.save()
    conditions = [
        condition(Kind.LAST_SEEN, comparison="at_least", number=30),
        condition(Kind.SPEND, comparison="at_most", number=100, days=60),
        condition(Kind.REFERRED, choice="no"),
    ]
    with CaptureQueriesContext(connection) as few:
        counted = segment_count(ANY, conditions, NOW)
    for i in range(10):
        buy(MemberFactory(), 50 + i, club.s1, at(2025, 3, 1 + i))
    with CaptureQueriesContext(connection) as many:
        more = segment_count(ANY, conditions, NOW)

    assert len(few) == len(many) == 1
    # B (SMS consent) and D (e-mail consent) are in it; A said no to e-mail.
    assert (counted.members, counted.email, counted.sms) == (5, 1, 1)
    assert more.members == 15


def test_paused_marketing_and_a_missing_address_are_not_reachable(club):
    club.b.user.phone = "+4791234567"
    club.b.user.save()
    assert segment_count(ALL, [], NOW).sms == 1
    Member.objects.filter(pk=club.d.pk).update(marketing_paused=True)
    club.b.user.phone = None
    club.b.user.save()

    counted = segment_count(ALL, [], NOW)

    assert (counted.email, counted.sms) == (0, 0)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": Kind.SPEND, "comparison": "at_least", "number": 100}, "days"),
        ({"kind": Kind.TIER}, "tier"),
        ({"kind": Kind.POINTS, "comparison": "at_least", "number": 10, "days": 5}, "days"),
        ({"kind": Kind.RFM, "choice": "yes"}, "choice"),
        ({"kind": Kind.BIRTHDAY_MONTH, "choice": "13"}, "choice"),
    ],
)
def test_a_condition_without_the_values_it_needs_or_with_others_is_refused_naming_the_field(values, field):
    with pytest.raises(ValidationError) as refused:
        SegmentCondition(**values).full_clean(exclude=["segment"])
    assert field in refused.value.message_dict


def test_vip_and_regulars_cannot_share_more_than_all_buyers():
    shares = CampaignSettings(vip_percent=30, regular_percent=80)
    with pytest.raises(ValidationError) as refused:
        shares.full_clean()
    assert "regular_percent" in refused.value.message_dict


def test_members_with_a_paid_membership_running_now(club):
    vip = PlanFactory()
    Membership.objects.create(
        member=club.a, plan=vip, starts_at=NOW - timedelta(days=5), ends_at=NOW + timedelta(days=25)
    )
    Membership.objects.create(
        member=club.b, plan=vip, starts_at=NOW - timedelta(days=40), ends_at=NOW - timedelta(days=10)
    )

    assert who(club, condition(Kind.PAID_MEMBER, choice="yes")) == {"A"}
    assert "A" not in who(club, condition(Kind.PAID_MEMBER, choice="no"))
