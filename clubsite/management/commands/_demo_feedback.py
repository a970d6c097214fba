"""The demo club's points for more than purchases (Belønninger -> Poengprogram), a poll to
answer (Kari sees it on her card page) and reviews: two approved and shown, one waiting for
the owner (Belønninger -> Omtaler)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from members.models import Location, Member
from members.roles import OWNER
from rewards.models import PointsProgram, Poll
from rewards.services.feedback import review_decide, review_write

REVIEWS = [
    (5, "Beste surdeigen på Løkka, og alltid et smil i kassen.", True),
    (4, "Gode kanelboller. Litt kø på lørdager.", True),
    (3, "Fint, men kaffen var lunken i dag.", None),  # waiting for the owner
]


def load_feedback_demo(kari: Member) -> None:
    program = PointsProgram.load()
    program.profile_field_points, program.review_points, program.poll_points = 20, 50, 10
    program.anniversary_points, program.action_points_monthly_cap = 100, 300
    program.save()
    Poll.objects.create(
        question="Hva vil du ha mer av i disken?",
        choices="Surdeigsbrød\nKanelboller\nVeganske kaker\nGlutenfritt",
    )
    owner = get_user_model().objects.filter(groups__name=OWNER).first()
    shop = Location.objects.order_by("pk").first()
    writers = Member.objects.filter(erased_at=None).exclude(pk=kari.pk).order_by("pk")[: len(REVIEWS)]
    for member, (rating, text, approve) in zip(writers, REVIEWS, strict=False):
        review = review_write(member=member, rating=rating, text=text, location=shop)
        if approve is not None:
            review_decide(review=review, approve=approve, by=owner)
