"""The tables download as CSV with the same figures the page shows; the page reads in
Norwegian, carries each definition for hover, keyboard and screen reader, and draws its
charts from the vendored Chart.js with the figures also in tables."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from campaigns.insights.selectors import dashboard
from members import roles
from tests.campaigns.conftest import MARCH
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

QUERY = {"start": MARCH.first.isoformat(), "end": MARCH.last.isoformat()}


@pytest.fixture
def owner(client):
    client.force_login(staff_user(roles.OWNER))
    return client


def rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_key_figures_download_in_norwegian_spreadsheet_form(owner, club):
    response = owner.get(reverse("campaigns:dashboard_csv", args=["nokkeltall"]), QUERY)
    assert (
        response["Content-Disposition"] == 'attachment; filename="lojal-nokkeltall-2025-03-01-2025-03-31.csv"'
    )
    table = rows(response)
    assert len(table) == 1 + len(dashboard(period=MARCH).kpis)  # a header, then every figure
    revenue = next(row for row in table if row[2] == "1400,00")  # kroner, decimal comma
    assert revenue[3] == "500,00"
    assert ["5", "5"] in [row[2:4] for row in table]  # members at the end of both periods


def test_the_segments_and_months_download_with_the_pages_figures(owner, club):
    segments = rows(owner.get(reverse("campaigns:dashboard_csv", args=["segmenter"]), QUERY))
    assert [row[1:3] for row in segments[1:]] == [["1", "1000,00"], ["0", "0,00"], ["1", "400,00"]]
    months = rows(owner.get(reverse("campaigns:dashboard_csv", args=["maneder"]), QUERY))
    assert months[-1][0] == "2025-03" and months[-1][1] == "5" and months[-1][5] == "210,00"
    assert len(months) == 1 + 12


def test_a_tier_named_like_a_formula_does_not_run_in_a_spreadsheet(owner, club):
    from rewards.models import Tier

    Tier.objects.filter(name="Sølv").update(name="=HYPERLINK(1)")
    tiers = rows(owner.get(reverse("campaigns:dashboard_csv", args=["nivaer"]), QUERY))
    assert ["'=HYPERLINK(1)", "1", "20,0"] in tiers


def test_the_page_is_in_norwegian_with_definitions_and_accessible_charts(owner, club):
    html = owner.get(reverse("campaigns:dashboard"), QUERY).content.decode()
    assert '<html lang="nb">' in html
    assert "vendor/chart.js/chart.umd.min.js" in html
    # Not the bare word "cdn": a random CSRF token once held those three letters.
    loaded = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]*)"', html)
    assert loaded and not [url for url in loaded if url.startswith(("http:", "https:", "//"))]
    assert 'id="dashboard-data"' in html
    # Every definition: in a focusable button's title, and in the text it points at.
    assert html.count('data-bs-toggle="tooltip"') >= 20
    assert 'aria-describedby="def-retention"' in html and 'id="def-retention"' in html
    assert html.count('role="img"') == 4 and html.count("<table") >= 5
    assert "1\xa0400,00" in html  # the members' purchases in March, as kroner in nb
