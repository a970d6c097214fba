"""Points for more than purchases (issue 17): the profile per field, a poll, a review once the
owner approves it, the anniversary of joining; each pays once, all within a monthly cap."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members import roles
from members.models import Member
from rewards.errors import RewardsError
from rewards.models import LedgerEntry, PointsProgram, Poll, Review, Wallet
from rewards.services.actions import anniversaries_award, profile_fields_award
from rewards.services.feedback import poll_answer, review_decide, review_write
from tests.factories import MemberFactory, staff_user

pytestmark = pytest.mark.django_db


def priced(**points) -> PointsProgram:
    program = PointsProgram.load()
    for name, value in points.items():
        setattr(program, name, value)
    program.save()
    return program


def balance(member) -> int:
    return Wallet.objects.filter(member=member).values_list("balance", flat=True).first() or 0


def poll() -> Poll:
    return Poll.objects.create(question="Hva vil du ha mer av?", choices="Surdeig\nKanelboller\nVegansk")


def test_each_profile_field_pays_once(program):
    priced(profile_field_points=20)
    member = MemberFactory(birthday=date(1990, 5, 1))

    profile_fields_award(member=member)
    Member.objects.filter(pk=member.pk).update(postcode="0555")
    member.refresh_from_db()
    profile_fields_award(member=member)
    profile_fields_award(member=member)

    assert balance(member) == 40
    assert sorted(LedgerEntry.objects.filter(wallet__member=member).values_list("reason", flat=True)) == [
        "profile:birthday",
        "profile:postcode",
    ]


def test_a_poll_pays_once_and_a_second_answer_is_refused(program):
    priced(poll_points=15)
    member, question = MemberFactory(), poll()

    poll_answer(poll=question, member=member, choice="Surdeig")
    with pytest.raises(RewardsError) as refused:
        poll_answer(poll=question, member=member, choice="Vegansk")

    assert refused.value.code == "poll_answered" and balance(member) == 15


def test_a_review_earns_only_when_approved_and_once(program):
    priced(review_points=50)
    owner, member = staff_user(roles.OWNER), MemberFactory()
    rejected = review_write(member=member, rating=2, text="Kaldt")
    review_decide(review=rejected, approve=False, by=owner)
    assert balance(member) == 0

    review = review_write(member=member, rating=5, text="Nydelig surdeig")
    assert balance(member) == 0  # written, not approved yet
    assert review_decide(review=review, approve=True, by=owner)
    assert not review_decide(review=review, approve=True, by=owner)  # a second click
    second = review_write(member=member, rating=4, text="Fortsatt bra")
    review_decide(review=second, approve=True, by=owner)  # the same shop: paid once

    assert balance(member) == 50
    assert Review.objects.filter(status=Review.Status.APPROVED).count() == 2


def test_the_monthly_cap_holds_all_actions_together(program):
    priced(poll_points=60, review_points=60, action_points_monthly_cap=100)
    member, owner = MemberFactory(), staff_user(roles.OWNER)

    poll_answer(poll=poll(), member=member, choice="Surdeig")
    review_decide(review=review_write(member=member, rating=5, text="Topp"), approve=True, by=owner)
    poll_answer(poll=poll(), member=member, choice="Vegansk")

    assert balance(member) == 100


def test_the_anniversary_pays_once_a_year_and_the_leap_day_on_28_february(program):
    priced(anniversary_points=100)
    leap = MemberFactory()
    Member.objects.filter(pk=leap.pk).update(joined_at=timezone.make_aware(datetime(2024, 2, 29, 12)))

    assert anniversaries_award(today=date(2027, 2, 28)) == 1
    assert anniversaries_award(today=date(2027, 2, 28)) == 0
    assert anniversaries_award(today=date(2028, 2, 28)) == 0  # a leap year: the 29th
    assert anniversaries_award(today=date(2028, 2, 29)) == 1
    assert balance(leap) == 200


def test_the_member_answers_a_poll_and_a_review_without_stars_is_a_clear_error(
    member_client, member, program
):
    question = poll()
    page = reverse("rewards:feedback")
    assert "Hva vil du ha mer av?" in member_client.get(page).content.decode()

    member_client.post(reverse("rewards:feedback_poll", args=[question.pk]), {"choice": "Kanelboller"})
    refused = member_client.post(reverse("rewards:feedback_review"), {"text": "Hyggelig betjening"})

    assert question.answers.get().member == member
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Velg fra 1 til 5 stjerner." in body and "Hyggelig betjening" in body
    assert "Hva vil du ha mer av?" not in member_client.get(page).content.decode()  # answered: gone
