"""The API's docs page draws in the browser under the site's Content-Security-Policy, with
its assets served from here (issue 19)."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_page_lists_the_endpoints_without_any_cdn(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/api/v1/docs/")
    page.wait_for_selector(".opblock-summary-path:has-text('/api/v1/purchases/')")

    assert all(url.startswith(live_server.url) for url in requested)
    context.close()
