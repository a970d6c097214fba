"""Join links that carry their channel, and the shop they were found in.

The poster's QR code, the line on the receipt and a link shared in social media all lead to
the same join page; the query string says which it was (?kanal=butikk-qr&butikk=3), so that
the dashboard counts sign-ups per channel. An unknown channel or shop is simply "website":
a link someone shortened or copied wrong must still work.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from members.models import Location, Member

Channel = Member.Channel
SLUGS = {
    "butikk-qr": Channel.SHOP_QR,
    "kvittering": Channel.RECEIPT,
    "nett": Channel.WEB,
    "sosiale-medier": Channel.SOCIAL,
}
SLUG_OF = {channel: slug for slug, channel in SLUGS.items()}


def join_url(channel: str, location: Location | None = None) -> str:
    query = {"kanal": SLUG_OF[channel]}
    if location is not None:
        query["butikk"] = location.pk
    return f"{settings.LOJAL_SITE_URL.rstrip('/')}{reverse('members:join')}?{urlencode(query)}"


def channel_from(query) -> tuple[str | None, Location | None]:
    """The channel and shop a join link carried, from its query string."""
    channel = SLUGS.get(str(query.get("kanal", ""))[:30])
    shop = str(query.get("butikk", ""))[:10]
    location = Location.objects.filter(pk=int(shop), is_active=True).first() if shop.isdigit() else None
    return channel, location
