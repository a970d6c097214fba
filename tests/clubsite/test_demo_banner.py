"""make run's banner names the address the server will answer on, and every demo login."""

import io

import pytest
from django.core.management import call_command


def _banner(*args) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_banner_shows_the_address_make_run_gives_it_or_else_the_sites_own(settings):
    text = _banner("--url", "http://0.0.0.0:8123")
    assert "Demo logins (http://0.0.0.0:8123/):" in text
    assert "127.0.0.1:8000" not in text
    for login in ("kari@example.com", "kasse.lokka@bakeriet.example", "eier@bakeriet.example"):
        assert login in text

    settings.LOJAL_SITE_URL = "https://klubb.bakeriet.example"
    assert "Demo logins (https://klubb.bakeriet.example/):" in _banner()  # loaded already: banner only
