"""Bench 4, page_weight: what a phone downloads for the member card, and a till for the counter.

Each page is fetched with the Django test Client (tests.settings: the real views, templates
and middleware, logged in as a member or as counter staff); its HTML is parsed for
<link rel="stylesheet" href>, <script src> and <img src>. Each static asset is read from the
files Django's staticfiles finders serve (what collectstatic would copy); any other local URL
is fetched with the same Client. The HTML and every asset are gzipped at level 6 (what a
server or whitenoise would send), and the sizes summed. An asset used twice counts once.

The counter is the page of a shop plus the member panel (the htmx partial that a scan brings
in): that is what the till has loaded when staff act for a member. Icons and the web app
manifest are left out (optional in the brief; a browser fetches them once, in the background).

KB = 1024 bytes.
"""

from __future__ import annotations

import gzip
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from members import roles
from members.models import Location, User
from tests.bench import data
from tests.bench.log import log


class AssetParser(HTMLParser):
    """Collects the URLs of stylesheets, scripts and images, in document order."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = (attrs.get("rel") or "").lower().split()
        if tag == "link" and "stylesheet" in rel and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src"):
            self.urls.append(attrs["src"])


def _gzipped(content: bytes) -> int:
    return len(gzip.compress(content, compresslevel=6, mtime=0))


def _get(client: Client, url: str, **headers) -> bytes:
    response = client.get(url, **headers)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return b"".join(response.streaming_content) if response.streaming else response.content


def _asset(client: Client, url: str) -> bytes:
    """The bytes of an asset: a static file from the finders, any other local URL via the Client."""
    parts = urlsplit(url)
    if parts.scheme == "data":
        return b""  # inline: already counted in the HTML
    if parts.scheme or parts.netloc:
        raise RuntimeError(f"an asset from another site: {url}")
    if parts.path.startswith(settings.STATIC_URL):
        found = finders.find(parts.path.removeprefix(settings.STATIC_URL))
        if not found:
            raise RuntimeError(f"no static file for {url}")
        with open(found, "rb") as file:
            return file.read()
    return _get(client, url)


def weigh(client: Client, label: str, documents: list[bytes]) -> float:
    """KB gzipped of the documents and every asset they reference (each asset once)."""
    total = sum(_gzipped(html) for html in documents)
    parts = [f"html {total}"]
    seen: set[str] = set()
    for html in documents:
        parser = AssetParser()
        parser.feed(html.decode())
        for url in parser.urls:
            if url in seen:
                continue
            seen.add(url)
            size = _gzipped(_asset(client, url))
            parts.append(f"{url} {size}")
            total += size
    log(f"page_weight {label}: {total} bytes gzipped ({'; '.join(parts)})")
    return round(total / 1024, 1)


def run() -> dict:
    (member,) = data.members_join("weight-", 1)
    member_client = Client()
    member_client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    card = _get(member_client, reverse("members:card"))

    shop = Location.objects.create(name="Vektbutikken")
    staff = User.objects.create_user(email="weight-staff@bench.example", first_name="Vekt")
    staff.groups.add(Group.objects.get(name=roles.COUNTER_STAFF))
    staff.locations.add(shop)
    till = Client()
    till.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    page = _get(till, reverse("rewards:counter_page", args=[shop.pk]))
    panel = _get(
        till, reverse("rewards:counter_member", args=[shop.pk, member.number]), HTTP_HX_REQUEST="true"
    )

    line = {
        "bench": "page_weight",
        "member_card_kb": weigh(member_client, "member card", [card]),
        "counter_kb": weigh(till, "counter page + member panel", [page, panel]),
    }
    log(
        f"page_weight: member card {line['member_card_kb']} KB (target <= 150:"
        f" {'met' if line['member_card_kb'] <= 150 else 'NOT met'}), counter {line['counter_kb']} KB"
        f" (target <= 400: {'met' if line['counter_kb'] <= 400 else 'NOT met'})"
    )
    return line
