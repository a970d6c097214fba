"""What the e-mail provider reports about a message (anymail's normalised tracking events).

The message is found by the key sent along as metadata (every provider echoes it), else by
the provider's own id. A hard bounce or a spam complaint stops e-mail marketing to that
member like a withdrawal, recorded with its source; a provider-side unsubscribe is one.
A repeated event changes nothing (each time field is set once).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from campaigns.models import Message
from members.models import ConsentEvent, Member
from members.services import consent_set

METADATA_KEY = "lojal_message"
STOPS = {
    "bounced": ConsentEvent.Source.BOUNCE,
    "complained": ConsentEvent.Source.COMPLAINT,
    "unsubscribed": ConsentEvent.Source.UNSUBSCRIBE,
}
FIRST_TIME = {"delivered": "delivered_at", "opened": "opened_at", "clicked": "clicked_at"}


def tracking_record(*, event_type: str, metadata: dict, provider_id: str | None, at=None) -> Message | None:
    key = (metadata or {}).get(METADATA_KEY)
    found = Q(key=key) if key else Q(provider_id=provider_id) if provider_id else None
    message = Message.objects.filter(found).select_related("member").first() if found else None
    if message is None:
        return None  # not one of ours (a login code, or a message sent before tracking)
    at = at or timezone.now()
    if event_type in FIRST_TIME:
        field = FIRST_TIME[event_type]
        Message.objects.filter(pk=message.pk, **{f"{field}__isnull": True}).update(**{field: at})
    elif event_type in STOPS and message.member.erased_at is None:
        if event_type == "bounced":
            Message.objects.filter(pk=message.pk).update(error="bounced")
        member = Member.objects.get(pk=message.member_id)
        consent_set(
            member=member, channel=ConsentEvent.Channel.EMAIL, granted=False, source=STOPS[event_type]
        )
    return message
