"""The NPS survey: its signed link (answered without logging in), and the answer.

The survey is a flow's message (campaigns.flows, kind "nps"); its link carries the
message's key, signed, so that a link that was tampered with is refused and the answer
lands on the right member. One answer per survey: the answer's one-to-one on the message.
A detractor's answer opens a follow-up for customer service and the owner is told by
e-mail; a promoter is invited to refer friends two days later by a flow of its own.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from campaigns.errors import CampaignsError
from campaigns.models import CampaignSettings, Flow, Message, NpsAnswer
from members import roles
from members.mail import club_from_email
from members.models import User
from rewards.models import LedgerEntry
from rewards.services.actions import action_points_award

SALT = "campaigns.nps"


def survey_token(message) -> str:
    """The message's key, signed: the same link wherever it is shown (message, card page)."""
    return signing.Signer(salt=SALT).sign(str(message.key))


def survey_url(message) -> str:
    return settings.LOJAL_SITE_URL.rstrip("/") + reverse("campaigns:nps", args=[survey_token(message)])


def survey_message(token: str):
    """The survey message the link is for; CampaignsError('bad_link') when it is not one."""
    try:
        key = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature as error:
        raise CampaignsError("bad_link") from error
    message = (
        Message.objects.select_related("member", "campaign__flow")
        .filter(key=key, campaign__flow__kind=Flow.Kind.NPS)
        .first()
    )
    if message is None or message.member.erased_at is not None:
        raise CampaignsError("bad_link")
    return message


def nps_answer(*, message, score: int, comment: str = "", now: datetime | None = None):
    """Record the member's answer once; a second is refused with 'answered'."""
    now = now or timezone.now()
    if not 0 <= score <= 10:
        raise CampaignsError("bad_score")
    purchase = (
        LedgerEntry.objects.filter(pk=message.occasion or None).values_list("location", flat=True).first()
    )
    try:
        with transaction.atomic():
            answer = NpsAnswer.objects.create(
                message=message,
                member=message.member,
                score=score,
                comment=comment.strip()[:2000],
                location_id=purchase,
                answered_at=now,
                follow_up=NpsAnswer.FollowUp.OPEN if score <= 6 else NpsAnswer.FollowUp.NONE,
            )
            points = CampaignSettings.load().nps_points
            if points:  # an earning for an action that is not a purchase: once per survey, within the cap
                action_points_award(
                    member=message.member,
                    action="survey",
                    occasion=str(message.key),
                    points=points,
                    reason="survey",
                    at=now,
                )
    except IntegrityError as error:
        raise CampaignsError("answered") from error
    if answer.category == "detractor":
        from campaigns.tasks import detractor_notify  # the tasks import the pipeline, which imports this

        transaction.on_commit(lambda: detractor_notify.delay(answer.pk))
    return answer


def detractor_mail(*, answer_id: int) -> int:
    """E-mail the owners about a low score, with the comment and a link to the follow-up in
    admin; returns how many were told. The club's language (the owners read Norwegian)."""
    answer = NpsAnswer.objects.select_related("member__user").get(pk=answer_id)
    owners = list(
        User.objects.filter(groups__name=roles.OWNER, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not owners:
        return 0
    link = settings.LOJAL_SITE_URL.rstrip("/") + reverse("admin:campaigns_npsanswer_change", args=[answer.pk])
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("A member gave %(score)s of 10") % {"score": answer.score}
        body = gettext(
            "Member %(number)s answered %(score)s of 10.\n\n%(comment)s\n\nFollow it up: %(link)s"
        ) % {
            "number": answer.member.number,
            "score": answer.score,
            "comment": answer.comment or gettext("(no comment)"),
            "link": link,
        }
    send_mail(subject, body, club_from_email(), owners)
    return len(owners)
