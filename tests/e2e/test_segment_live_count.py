"""The owner sees a segment's count change as the conditions are chosen, before saving."""

import pytest

from members import roles
from tests.factories import MemberFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_count_follows_the_conditions_while_the_segment_is_edited(logged_in, artifacts):
    MemberFactory(joined_at="2020-01-01T12:00:00+01:00")
    for _ in range(2):
        MemberFactory()
    page = logged_in(staff_user(roles.OWNER)).new_page()
    page.goto("/admin/campaigns/segment/add/")
    count = page.locator("#segment-count")
    assert "3 medlemmer" in count.inner_text()

    row = "#conditions-0"
    page.select_option(f"{row} select[name$='-kind']", "joined")
    page.select_option(f"{row} select[name$='-comparison']", "at_most")
    page.fill(f"{row} input[name$='-number']", "30")

    page.wait_for_function("() => document.querySelector('#segment-count').innerText.includes('2 medlemmer')")
    page.screenshot(path=artifacts / "segment-live-count.png", full_page=True)
    page.fill("input[name=name]", "Nye medlemmer")
    page.click("input[name=_save]")
    assert "ble lagt til" in page.locator(".messagelist").inner_text()
