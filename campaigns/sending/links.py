"""Links in a campaign e-mail go through Lojal once, so that a click is counted.

Each link becomes /k/<token>/, the token signed with the site's secret and naming the
message and the original address. Only a signed address is ever redirected to, so the
redirect cannot be used to send anyone anywhere else (no open redirect).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "campaigns.click"
HREF = re.compile(r'href="(https?://[^"]+)"')


def tracked(html: str, message_key: str) -> str:
    """The HTML with each http(s) link pointing at its counted redirect."""

    def swap(match: re.Match) -> str:
        token = signing.dumps({"k": message_key, "u": match.group(1)}, salt=SALT, compress=True)
        return f'href="{settings.LOJAL_SITE_URL.rstrip("/")}{reverse("campaigns:click", args=[token])}"'

    return HREF.sub(swap, html)


def click_read(token: str) -> tuple[str, str] | None:
    """(message key, address) of a valid token, else None."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    url = data.get("u") if isinstance(data, dict) else None
    if (
        not isinstance(url, str)
        or not url.startswith(("https://", "http://"))
        or not isinstance(data.get("k"), str)
    ):
        return None
    return data["k"], url
