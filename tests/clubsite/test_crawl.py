"""Every page a demo user can reach by following links answers without a server error.

The demo club (load_demo) has all the kinds of rows a real club has: members with history,
vouchers, referrals, flags, refused scans. Each demo login follows every link of every page
it gets to, as a curious user clicking around would, and no page may answer 5xx. Admin's
sorting and filter links are followed once per page (query strings dropped there), and of
the pages that differ only by a row's id, two are opened: the crawl covers every kind of
page in a few hundred requests.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from clubsite.management.commands.load_demo import COUNTER, MEMBER, OWNER, SERVICE
from members.models import User

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]+)"')
# Not pages: files, and what ends the session the crawl is using.
SKIPPED = ("/static/", "/media/", "/accounts/logout/", "/admin/logout/")
MOST = 600  # pages per login, a safety net: the owner's admin is the largest
PER_SHAPE = 2  # pages per URL shape (ids replaced): /admin/members/member/<id>/change/
ID = re.compile(r"/\d+/")


def _links(html: str, at: str) -> set[str]:
    found = set()
    for raw in HREF.findall(html):
        url = urldefrag(raw.replace("&amp;", "&"))[0]
        if url.startswith("?"):
            url = at.split("?")[0] + url
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIPPED):
            continue
        found.add(parts.path if parts.path.startswith("/admin/") else url)
    return found


def crawl(client: Client, start: list[str]) -> tuple[dict[str, int], list[str]]:
    """Breadth first from `start`: {url: status} of every page reached, and the 5xx ones."""
    seen, queue, statuses, shapes = set(start), deque(start), {}, Counter()
    while queue and len(statuses) < MOST:
        url = queue.popleft()
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in sorted(_links(response.content.decode(), url) - seen):
            seen.add(link)
            shape = ID.sub("/<id>/", link)
            shapes[shape] += 1
            if shapes[shape] <= PER_SHAPE:
                queue.append(link)
    return statuses, [f"{url} -> {code}" for url, code in statuses.items() if code >= 500]


@pytest.mark.parametrize(
    ("email", "start", "least"),
    [
        (MEMBER[0], ["/"], 8),
        (COUNTER[0][0], ["/", "/kasse/"], 3),
        (SERVICE[0], ["/", "/kasse/"], 4),
        (OWNER[0], ["/", "/admin/", "/dashbord/"], 60),
    ],
    ids=["member", "counter staff", "customer service", "owner"],
)
def test_no_page_a_demo_user_can_click_to_answers_a_server_error(demo_club, email, start, least):
    client = Client(raise_request_exception=False)  # a 500 as the browser sees it
    client.force_login(User.objects.get(email=email), backend="members.backends.ModelBackend")

    statuses, errors = crawl(client, start)

    assert errors == []
    assert sum(code == 200 for code in statuses.values()) >= least  # it did get around
    assert len(statuses) < MOST  # and to the end: every kind of page was opened
