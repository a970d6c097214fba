"""Members who said yes, a segment of them all, and a campaign with a Norwegian text."""

from __future__ import annotations

from django.utils import timezone

from campaigns.models import Campaign, CampaignContent, Segment
from members.models import ConsentEvent, Member
from tests.factories import MemberFactory


def consent(member: Member, channel: str, granted: bool = True, at=None) -> None:
    ConsentEvent.objects.create(
        member=member,
        purpose=ConsentEvent.Purpose.MARKETING,
        channel=channel,
        granted=granted,
        wording_version="1",
        wording="Ja takk",
        source=ConsentEvent.Source.SIGNUP,
        created_at=at or timezone.now(),
    )


def subscriber(channel: str = "email", **member) -> Member:
    member = MemberFactory(**member)
    if channel == "sms":
        member.user.phone = f"+479{member.pk:07d}"
        member.user.save()
    consent(member, channel)
    return member


def campaign(channel: str = "email", *, segment: Segment | None = None, **fields) -> Campaign:
    segment = segment or Segment.objects.get_or_create(name="Alle")[0]
    made = Campaign.objects.create(name="Lørdagskaffe", segment=segment, channel=channel, **fields)
    CampaignContent.objects.create(
        campaign=made,
        language="nb",
        subject="Hei {first_name}!",
        body="Du har **{points}** poeng. Kode: {voucher_code}",
        sms="Hei {first_name}, kaffe på huset i dag!",
    )
    return made
