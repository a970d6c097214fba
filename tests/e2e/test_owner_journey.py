"""The owner's ten minutes a week, in a real browser and in Norwegian: change an offer,
import the paper-card customers, read the dashboard with its charts, download a table,
export and erase a member on request, and the figures stay the same."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from campaigns.insights.selectors import Period, dashboard
from members import roles
from members.models import Location, Member
from rewards import services
from tests.factories import MemberFactory, RewardFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_CSV = settings.BASE_DIR / "static" / "demo" / "papirkort-kunder.csv"


def headline_figures(now):
    board = dashboard(period=Period.last_days(30, today=timezone.localdate(now)), now=now)
    return {key: (kpi.current, kpi.previous) for key, kpi in board.kpis.items()}, board.owed


def test_the_owner_changes_an_offer_imports_customers_reads_the_dashboard_and_answers_a_gdpr_request(
    logged_in, live_server, artifacts
):
    shop = Location.objects.create(name="Bakeriet Grünerløkka")
    Location.objects.create(name="Bakeriet Majorstuen")  # the demo file names both shops
    owner = staff_user(roles.OWNER, shop, first_name="Eva")
    reward = RewardFactory(name="Gratis kaffe", cost_points=100)
    kari = MemberFactory(user__first_name="Kari", user__email="kari@example.com")
    for day in range(3):
        services.purchase_register(
            member=kari,
            amount_ore=25_000,
            idempotency_key=f"kari-{day}",
            location=shop,
            at=timezone.now() - timedelta(days=day * 7),
        )
    page = logged_in(owner, viewport={"width": 1280, "height": 900}).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # The offer: a coffee now costs 80 points.
    page.goto(f"/admin/rewards/reward/{reward.pk}/change/")
    page.fill("#id_cost_points", "80")
    page.click("input[name=_save]")
    assert "ble endret" in page.locator(".messagelist").inner_text()
    reward.refresh_from_db()
    assert reward.cost_points == 80

    # The paper-card customers: a dry run first, then the import.
    page.goto("/admin/members/member/import/")
    page.set_input_files("input[name=import_file]", str(DEMO_CSV))
    page.locator("select[name=format]").select_option(label="csv")
    page.locator("form[enctype] input[type=submit]").click()
    assert "Ingenting er lagret ennå" in page.locator("#content").inner_text()
    assert Member.objects.count() == 1
    page.click("input[name=confirm]")
    page.locator(".messagelist").wait_for()
    assert Member.objects.filter(source=Member.Source.IMPORT).count() == 50

    # The dashboard, in Norwegian, with its four charts drawn.
    page.goto("/dashbord/")
    assert page.locator("h1").inner_text() == "Dashbord"
    page.wait_for_function("() => window.Chart && Object.keys(window.Chart.instances).length === 4")
    page.screenshot(path=artifacts / "dashboard.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned som CSV").first.click()
    table = download.value.path().read_text(encoding="utf-8-sig")
    assert ";" in table.splitlines()[0] and len(table.splitlines()) > 1

    # A GDPR request by phone: export Kari's data, then erase her.
    now = timezone.now()
    before = headline_figures(now)
    page.goto(f"/admin/members/member/{kari.pk}/change/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Eksporter data").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    data = json.loads(archive.read("data.json"))
    assert data["user"]["email"] == "kari@example.com" and len(data["ledger"]) == 3
    page.get_by_role("link", name="Slett medlem").click()
    page.locator("select[name=how]").select_option("phone")
    page.check("input[name=confirm]")
    page.locator("#content form input[type=submit]").click()
    assert "Medlemmets personopplysninger er slettet." in page.locator(".messagelist").inner_text()
    kari.refresh_from_db()
    assert kari.is_erased and kari.user.email is None

    assert headline_figures(now) == before
    assert errors == []
