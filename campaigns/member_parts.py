"""What campaigns adds to the member's own pages (members.registry): the survey waiting to
be answered, linked from the card page as well as from the message."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Flow, Message
from campaigns.nps import survey_token
from members.registry import card_links

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
