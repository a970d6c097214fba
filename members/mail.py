"""How the club's e-mail is signed: the club's name as the sender, at the configured
address (DEFAULT_FROM_EMAIL), and the club as the "site" allauth's messages name."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings

from members.models import Club


def club_from_email() -> str:
    """'Bakeriet på hjørnet <klubb@bakeriet.no>': the club's name, the configured address."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    # Quoted as it is: Django encodes a name outside ASCII when it sends (formataddr would
    # encode it here already, and the message would carry it encoded twice).
    name = Club.load().name.replace("\\", "").replace('"', "")
    return f'"{name}" <{address}>'


@dataclass(frozen=True)
class ClubSite:
    """What allauth's messages call the site ("Hello from {{ current_site.name }}"): the
    club and its public address (SITE_URL), not the host and port a request came in on."""

    name: str
    domain: str


def club_site() -> ClubSite:
    return ClubSite(name=Club.load().name, domain=urlsplit(settings.LOJAL_SITE_URL).netloc)
