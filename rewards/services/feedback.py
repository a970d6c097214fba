"""A member's review of a shop (points when the owner approves it, once per member and shop)
and answers to the owner's polls (points once per poll)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Location, Member, User
from rewards.config import config
from rewards.errors import RewardsError
from rewards.models import Poll, PollAnswer, Review
from rewards.services.actions import action_points_award


def review_write(*, member: Member, rating: int, text: str, location: Location | None = None) -> Review:
    text = (text or "").strip()
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise RewardsError("bad_rating")
    if not text:
        raise RewardsError("review_empty")
    return Review.objects.create(member=member, location=location, rating=rating, text=text[:1000])


@transaction.atomic
def review_decide(*, review: Review, approve: bool, by: User, at: datetime | None = None) -> bool:
    """Approve (shown, and points once per member and shop) or reject a waiting review.
    Returns whether this call decided it (a second click finds it decided)."""
    now = at or timezone.now()
    status = Review.Status.APPROVED if approve else Review.Status.REJECTED
    decided = Review.objects.filter(pk=review.pk, status=Review.Status.PENDING).update(
        status=status, decided_at=now, decided_by=by
    )
    if decided and approve:
        action_points_award(
            member=review.member,
            action="review",
            occasion=f"shop:{review.location_id or 0}",
            points=config().program.review_points,
            reason="review",
            at=now,
        )
    return bool(decided)


@transaction.atomic
def poll_answer(*, poll: Poll, member: Member, choice: str, at: datetime | None = None) -> PollAnswer:
    """Answer once; a second answer is refused ('poll_answered')."""
    now = at or timezone.now()
    if not poll.is_active:
        raise RewardsError("poll_closed")
    if choice not in poll.choice_list:
        raise RewardsError("poll_choice")
    try:
        with transaction.atomic():
            answer = PollAnswer.objects.create(poll=poll, member=member, choice=choice, answered_at=now)
    except IntegrityError as error:
        raise RewardsError("poll_answered") from error
    action_points_award(
        member=member,
        action="poll",
        occasion=str(poll.pk),
        points=config().program.poll_points,
        reason="poll",
        at=now,
    )
    return answer
