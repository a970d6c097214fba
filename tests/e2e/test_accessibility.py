"""Every page a member, a visitor, the till and the owner's dashboard show passes axe-core's
WCAG 2.1 A and AA checks in Chromium, on a phone for members and the till.

axe-core (vendored from npm, loaded by no page) is injected into each page after it has
drawn, and reports what a screen-reader or keyboard user would miss: fields without a
label, buttons without a name, headings or landmarks out of order, text without enough
contrast. Django's own admin is Django's and is not checked here.
"""

import pytest
from django.conf import settings

from clubsite.management.commands.load_demo import COUNTER, MEMBER, OWNER
from members.models import Location, Member, User
from referrals.models import ReferralCode
from tests.e2e.conftest import watch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE_URL = settings.STATIC_URL + "vendor/axe-core/axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    resultTypes: ["violations"],
  });
  // Each rule broken, with its first few elements and what is wrong with the first.
  return result.violations.map(v => {
    const where = v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ");
    const what = (v.nodes[0].any[0] || v.nodes[0].all[0] || {}).message || v.help;
    return `${v.id} (${v.impact}) at ${where}: ${what}`;
  });
}"""


PARTNER = "/partner/blomsterhjornet/"  # the florist's staff, before the PIN


def violations(page, path: str) -> list[str]:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    # From the server, not inline: the page's Content-Security-Policy allows only its own
    # origin's scripts (and csp_enforced fails the test on anything it refuses).
    page.add_script_tag(url=page.evaluate("location.origin") + AXE_URL)
    return [f"{path}: {found}" for found in page.evaluate(RUN)]


def test_the_visitors_pages_pass_axe(demo_club, browser, live_server):
    code = ReferralCode.objects.get(member__user__email=MEMBER[0]).code
    context = watch(browser.new_context(base_url=live_server.url, locale="nb-NO", **PHONE))
    page = context.new_page()

    found = [
        v
        for path in ["/", "/bli-medlem/", "/accounts/login/", f"/verv/{code}/", "/personvern/", PARTNER]
        for v in violations(page, path)
    ]

    context.close()
    assert found == []


def test_the_members_pages_pass_axe(demo_club, logged_in):
    page = logged_in(User.objects.get(email=MEMBER[0]), **PHONE).new_page()
    paths = ["/medlem/kort/", "/medlem/lommebok/", "/medlem/historikk/", "/medlem/belonninger/"]
    paths += ["/medlem/profil/", "/medlem/samtykker/", "/medlem/verv/", "/medlem/mine-data/"]
    paths += ["/medlem/merker/", "/medlem/gi-poeng/", "/medlem/vip/", "/medlem/si-din-mening/"]

    assert [v for path in paths for v in violations(page, path)] == []


def test_the_till_and_the_member_panel_pass_axe(demo_club, logged_in):
    staff = User.objects.get(email=COUNTER[0][0])
    shop = Location.objects.filter(staff=staff).get()
    kari = Member.objects.get(user__email=MEMBER[0])
    page = logged_in(staff, **PHONE).new_page()
    till, panel = f"/kasse/{shop.pk}/", f"/kasse/{shop.pk}/medlem/{kari.number}/"

    found = violations(page, till) + violations(page, panel)

    assert found == []


def test_the_owners_dashboard_passes_axe(demo_club, logged_in):
    page = logged_in(User.objects.get(email=OWNER[0]), **DESKTOP).new_page()

    assert violations(page, "/dashbord/") == []
