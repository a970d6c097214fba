"""What campaigns adds to the other apps' registries: the survey waiting to be answered,
linked from the card page as well as from the message (members.registry), and segments as
the groups a challenge may be restricted to (rewards.registry)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Flow, Message
from campaigns.nps import survey_token
from campaigns.segments.selectors import audience_choices, audience_contains
from members.registry import card_links
from rewards.registry import Audience, audiences

OPEN_DAYS = 14  # a survey about a visit longer ago than this is not worth asking any more


def open_survey(member):
    """The member's latest survey sent in the last two weeks and not answered yet."""
    message = (
        Message.objects.filter(
            member=member,
            campaign__flow__kind=Flow.Kind.NPS,
            status=Message.Status.SENT,
            sent_at__gte=timezone.now() - timedelta(days=OPEN_DAYS),
            nps_answer__isnull=True,
        )
        .order_by("-sent_at")
        .first()
    )
    if message is None:
        return None
    return _("How was your visit? Answer one quick question"), reverse(
        "campaigns:nps", args=[survey_token(message)]
    )


def register() -> None:
    card_links.register(open_survey)
    # A challenge may be for the members of a segment.
    audiences.register(Audience(choices=audience_choices, contains=audience_contains))
