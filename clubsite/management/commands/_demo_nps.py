"""The demo club's survey answers over the last months (Dashboard -> NPS, Kampanjer -> NPS-svar),
and Kari's 10 two days ago, whose referral invitation the first tick of the flows enters.

The surveys are demo history: their messages are written as sent back then (the terminal
does not print e-mails of months ago); the answers go through the same service as a member's.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from campaigns.flows.services import flows_enter
from campaigns.models import Campaign, Flow, Message, NpsAnswer
from campaigns.nps import nps_answer
from members.models import Member
from rewards.models import LedgerEntry

# (days ago, score, comment): a club that is liked, with a couple of bad days to follow up.
ANSWERS = [
    (112, 9, ""),
    (104, 10, "Beste kanelbollene i byen!"),
    (97, 6, "Lang kø på lørdag, og kaffen var lunken."),
    (88, 8, ""),
    (75, 10, ""),
    (66, 7, "Fint, men dyrt."),
    (58, 9, "Hyggelig betjening."),
    (47, 3, "Fikk ikke stempel på kortet, og ingen kunne hjelpe."),
    (39, 10, ""),
    (30, 8, ""),
    (24, 9, "Surdeigsbrødet er fantastisk."),
    (16, 5, "Utsolgt for brød klokka ti."),
    (9, 10, ""),
    (5, 7, ""),
]


def _survey(step: Campaign, member: Member, sent_at) -> Message:
    purchase = (
        LedgerEntry.objects.filter(wallet__member=member, kind=LedgerEntry.Kind.EARN, created_at__lt=sent_at)
        .order_by("-created_at")
        .first()
    )
    return Message.objects.create(
        campaign=step,
        member=member,
        occasion=str(purchase.pk) if purchase else "",
        channel="email",
        status=Message.Status.SENT,
        created_at=sent_at,
        due_at=sent_at,
        sending_at=sent_at,
        sent_at=sent_at,
    )


def load_nps_demo(kari: Member) -> None:
    step = Campaign.objects.filter(flow__kind=Flow.Kind.NPS).order_by("pk").first()
    now = timezone.now()
    members = list(Member.objects.filter(erased_at=None).exclude(pk=kari.pk).order_by("pk")[: len(ANSWERS)])
    for member, (days_ago, score, comment) in zip(members, ANSWERS, strict=False):
        sent_at = now - timedelta(days=days_ago, hours=3)
        message = _survey(step, member, sent_at)
        nps_answer(message=message, score=score, comment=comment, now=sent_at + timedelta(hours=2))
    first_detractor = NpsAnswer.objects.filter(score__lte=6).order_by("answered_at").first()
    if first_detractor is not None:
        first_detractor.follow_up = NpsAnswer.FollowUp.RESOLVED
        first_detractor.follow_up_note = "Ringte og ba om unnskyldning; ga en kaffe på huset."
        first_detractor.save(update_fields=["follow_up", "follow_up_note"])
    # Kari loved it two days ago: the promoters' flow invites her to refer a friend now.
    answered = now - timedelta(days=2, hours=1)
    nps_answer(
        message=_survey(step, kari, answered - timedelta(hours=1)),
        score=10,
        comment="Elsker brødkortet!",
        now=answered,
    )
    flows_enter(now=now)
