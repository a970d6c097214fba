"""The member's challenges (a section of the card page) and badges (a page of their own).

Progress is shown as it stands, with the end date plainly: no countdowns, no "you will lose".
What was completed or awarded since the member last looked is celebrated once.
"""

from __future__ import annotations

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from members.models import Member
from members.views import member_required
from rewards.config import config
from rewards.models import ChallengeCompletion
from rewards.selectors.achievements import badges_for, celebrations, challenges_for
from rewards.services.achievements import celebrations_seen


def card_section(member: Member) -> str:
    """Running challenges with progress bars, and a celebration of what is new (then marked
    seen, so it is shown once)."""
    if not config().achievements:
        return ""  # the club has no challenge or badge: no queries on every card page
    states = challenges_for(member)
    completed, awarded = celebrations(member)
    if not (states or completed or awarded):
        return ""
    if completed or awarded:
        celebrations_seen(member=member)
    return render_to_string(
        "rewards/_card_challenges.html", {"challenges": states, "completed": completed, "awarded": awarded}
    )


@member_required
def badges(request):
    member = request.member
    completions = (
        ChallengeCompletion.objects.filter(member=member)
        .select_related("challenge", "voucher__reward")
        .order_by("-completed_at")
    )
    context = {"badges": badges_for(member, timezone.now()), "completions": completions}
    return render(request, "rewards/badges.html", context)
