"""Every kind of page sends a Content-Security-Policy that allows scripts and styles only
from our origin (inline ones only with the request's nonce), no framing, and a
Permissions-Policy that gives the camera to the till alone (issue 14, item 13)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from members import roles
from tests.factories import LocationFactory, MemberFactory, staff_user

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def pages(db):
    """(client, url) of each kind of page: public, member, till, admin, dashboard, login."""
    shop = LocationFactory()
    member = MemberFactory()
    cashier = staff_user(roles.COUNTER_STAFF, shop)
    owner = staff_user(roles.OWNER)
    as_member, as_cashier, as_owner = Client(), Client(), Client()
    as_member.force_login(member.user)
    as_cashier.force_login(cashier)
    as_owner.force_login(owner)
    return {
        "home": (Client(), reverse("home")),
        "join": (Client(), reverse("members:join")),
        "login": (Client(), reverse("account_request_login_code")),
        "card": (as_member, reverse("members:card")),
        "wallet": (as_member, reverse("rewards:wallet")),
        "till": (as_cashier, reverse("rewards:counter_page", args=[shop.pk])),
        "admin": (as_owner, reverse("admin:index")),
        "admin list": (as_owner, reverse("admin:members_member_changelist")),
        "dashboard": (as_owner, reverse("campaigns:dashboard")),
    }


def test_every_kind_of_page_has_a_strict_content_security_policy(pages):
    for name, (client, url) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        policy = directives(response)
        assert policy["script-src"][0] == "'self'", name
        assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"], name
        assert "'unsafe-eval'" not in policy["script-src"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert policy["object-src"] == ["'none'"], name


def test_the_camera_is_allowed_on_the_till_only(pages):
    for name, (client, url) in pages.items():
        policy = client.get(url).headers["Permissions-Policy"]
        expected = "camera=(self)" if name == "till" else "camera=()"
        assert expected in policy and "microphone=()" in policy, name


def test_inline_scripts_and_styles_carry_the_nonce_the_header_allows_and_no_handlers(pages):
    for name, (client, url) in pages.items():
        response = client.get(url)
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            executable = "src=" not in tag and "application/json" not in tag
            assert not executable or "nonce=" in tag, f"{name}: {tag}"
        for tag in re.findall(r"<style\b[^>]*>", html):
            assert "nonce=" in tag, f"{name}: {tag}"
        for nonce in set(re.findall(r'nonce="([^"]+)"', html)):
            assert f"'nonce-{nonce}'" in directives(response)["style-src"], f"{name}: nonce not allowed"
        assert not re.search(r"\son[a-z]+=\"", html), f"{name}: an inline event handler"
        assert "hx-on" not in html, f"{name}: htmx's hx-on is evaluated inline"
