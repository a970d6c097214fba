"""No page a demo user can reach, and no form on it, answers with a server error.

The demo club (load_demo) has all the kinds of rows a real club has: members with history,
vouchers, referrals, flags, refused scans. Each demo login (and a visitor not logged in)
follows every link of every page it gets to, as a curious user clicking around would, and
no page may answer 5xx. Admin's sorting and filter links are followed once per page (query
strings dropped there), and of the pages that differ only by a row's id, two are opened:
the crawl covers every kind of page in a few hundred requests.

Then every kind of form on those pages is sent with values nobody should type: a NUL
character, 10,000 characters, a number in exponent notation. Each must get its error
message (or be taken as harmless text), never a 500.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from clubsite.management.commands.load_demo import COUNTER, MEMBER, OWNER, SERVICE
from members.models import Location, Member, User

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]+)"')
# Not pages: files, and what ends the session the crawl is using.
SKIPPED = ("/static/", "/media/", "/accounts/logout/", "/admin/logout/")
MOST = 600  # pages per login, a safety net: the owner's admin is the largest
PER_SHAPE = 2  # pages per URL shape (ids replaced): /admin/members/member/<id>/change/
ID = re.compile(r"/\d+/")
# Numbers in a query string make a shape too: the calendar's ?m=2026-12 links on to every
# month there is, and two of them show every kind of month page.
QUERY_NUMBER = re.compile(r"(?<=[=-])\d+")


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


class _Forms(HTMLParser):
    """The forms of a page: method, where they go (htmx's hx-post first) and their fields."""

    def __init__(self, at: str):
        super().__init__()
        self.at, self.forms, self._open = at, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("hx-post") or attrs.get("action") or self.at
            self._open = Form((attrs.get("method") or "get").lower(), action, {})
            self.forms.append(self._open)
        elif self._open is not None and tag in ("input", "select", "textarea") and attrs.get("name"):
            self._open.fields.setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


class Form:
    def __init__(self, method: str, action: str, fields: dict[str, str]):
        self.method, self.action, self.fields = method, action.replace("&amp;", "&"), fields

    @property
    def shape(self) -> tuple:
        return self.method, ID.sub("/<id>/", self.action), tuple(sorted(self.fields))


def crawl(client: Client, start: list[str]) -> tuple[dict[str, int], list[str], list[Form]]:
    """Breadth first from `start`: {url: status} of every page reached, the 5xx ones, and
    one form of each shape found on the way."""
    seen, queue, statuses, shapes, forms = set(start), deque(start), {}, Counter(), {}
    while queue and len(statuses) < MOST:
        url = queue.popleft()
        response = client.get(url, HTTP_HX_REQUEST="true") if "/kasse/" in url else client.get(url)
        statuses[url] = response.status_code
        if response.status_code in (301, 302) and response["Location"] not in seen:
            seen.add(response["Location"])  # where a link leads on: "/kasse/" to the till's shop
            queue.extend(_links(f'<a href="{response["Location"]}">', url))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms(url)
        parser.feed(response.content.decode())
        for form in parser.forms:
            forms.setdefault(form.shape, form)
        for link in sorted(_links(response.content.decode(), url) - seen):
            seen.add(link)
            shape = QUERY_NUMBER.sub("<n>", ID.sub("/<id>/", link))
            shapes[shape] += 1
            if shapes[shape] <= PER_SHAPE:
                queue.append(link)
    errors = [f"{url} -> {code}" for url, code in statuses.items() if code >= 500]
    return statuses, errors, list(forms.values())


ODD = ["\x00", "x" * 10_000, "1e9"]
# Forms not sent: they end the session or the account the crawl is using.
NOT_SENT = ("logout", "slett", "erase", "delete")
KEPT = ("csrfmiddlewaretoken",)  # without it every post is a 403, and nothing is tried


# Social login URLs exist for every provider installed, set up in admin or not (the demo
# has none): typed or bookmarked, they must answer 404, not 500.
SOCIAL_LOGIN = [
    "/accounts/google/login/",
    "/accounts/google/login/callback/",
    "/accounts/google/login/token/",
    "/accounts/apple/login/",
    "/accounts/apple/login/callback/",
]


def test_social_login_urls_of_a_provider_not_set_up_answer_not_found(db):
    client = Client(raise_request_exception=False)
    answers = {url: (client.get(url).status_code, client.post(url).status_code) for url in SOCIAL_LOGIN}

    assert all(get < 500 and post < 500 for get, post in answers.values()), answers
    assert answers["/accounts/google/login/"] == (404, 404)
    assert answers["/accounts/apple/login/"] == (404, 404)


def logged_in(email: str | None) -> tuple[Client, list[str]]:
    """A client as the demo login `email` (None: a visitor), and where it starts."""
    client = Client(raise_request_exception=False)  # a 500 as the browser sees it
    if email is None:
        return client, ["/", "/bli-medlem/", "/accounts/login/", "/verv/", *SOCIAL_LOGIN]
    user = User.objects.get(email=email)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    start = ["/"]
    if user.is_counter_staff:  # and the member panel, which the till opens by htmx, not a link
        shop = Location.objects.filter(staff=user).first() or Location.objects.first()
        kari = Member.objects.get(user__email=MEMBER[0])
        start += ["/kasse/", f"/kasse/{shop.pk}/medlem/{kari.number}/"]
    if user.is_superuser:
        start += ["/admin/", "/dashbord/"]
    return client, start


@pytest.mark.parametrize(
    ("email", "least"),
    [(None, 5), (MEMBER[0], 8), (COUNTER[0][0], 3), (SERVICE[0], 4), (OWNER[0], 60)],
    ids=["visitor", "member", "counter staff", "customer service", "owner"],
)
def test_no_page_or_form_a_demo_user_can_reach_answers_a_server_error(demo_club, email, least):
    client, start = logged_in(email)

    statuses, errors, forms = crawl(client, start)

    assert errors == []
    assert sum(code == 200 for code in statuses.values()) >= least  # it did get around
    assert len(statuses) < MOST  # and to the end: every kind of page was opened
    assert sum(odd_values_sent(client, forms, errors)) >= len(ODD)  # there were forms to send
    assert errors == []


def odd_values_sent(client: Client, forms: list[Form], errors: list[str]):
    """Send each form with each ODD value in every field; add the 5xx answers to `errors`."""
    for form in forms:
        if any(word in form.action for word in NOT_SENT):
            continue
        for odd in ODD:
            data = {name: value if name in KEPT else odd for name, value in form.fields.items()}
            send = client.post if form.method == "post" else client.get
            response = send(form.action, data, HTTP_HX_REQUEST="true")
            if response.status_code >= 500:
                errors.append(f"{form.method} {form.action} {odd[:5]!r} -> {response.status_code}")
            yield 1
