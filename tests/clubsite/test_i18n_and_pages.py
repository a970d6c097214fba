"""Language, formats and the public pages."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "clubsite" / "locale"


@pytest.mark.django_db
def test_the_home_page_speaks_norwegian_by_default(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="nb">' in body
    assert "Bli medlem" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "join"), [("en", "Become a member"), ("sv", "Bli medlem"), ("nb", "Bli medlem")]
)
def test_the_language_switcher_changes_the_language(code, join):
    client = Client()
    client.post(reverse("set_language"), {"language": code, "next": "/"})
    body = client.get(reverse("members:join")).content.decode()
    assert f'<html lang="{code}">' in body
    assert join in body


@pytest.mark.django_db
def test_swedish_pages_are_swedish_not_norwegian():
    client = Client()
    client.post(reverse("set_language"), {"language": "sv"})
    body = client.get(reverse("account_request_login_code")).content.decode()
    assert "Logga in" in body


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nb", "kr\xa01\xa0234,50"), ("sv", "1\xa0234,50\xa0kr"), ("en", "NOK\xa01,234.50")],
)
def test_amounts_in_ore_show_as_kroner_for_each_language(language, expected):
    template = Template("{% load club %}{{ amount|kr }}")
    with translation.override(language):
        rendered = template.render(Context({"amount": 123450}))
    assert rendered == expected


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_every_string_is_translated(language):
    po = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = re.split(r"\n\n", po)[1:]  # the first entry is the header
    untranslated = [
        e
        for e in entries
        if not e.startswith("#~") and re.search(r'msgstr(\[\d\])? ""\n?$', e.strip() + "\n")
    ]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert untranslated == [] and fuzzy == []


def _po_translations(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (singular entries; enough to compare with the .mo)."""
    result, key, current = {}, None, {}
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith(("msgid ", "msgstr ", "msgctxt ")):
            key = line.split(" ", 1)[0]
            current[key] = ast.literal_eval(line.split(" ", 1)[1])
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
        elif not line.strip():
            if current.get("msgid") and "msgstr" in current:
                msgid = current["msgid"]
                if "msgctxt" in current:
                    msgid = f"{current['msgctxt']}\x04{msgid}"
                result[msgid] = current["msgstr"]
            key, current = None, {}
    return result


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_the_committed_compiled_catalogue_matches_its_source(language):
    # A fresh machine may have no gettext, so the .mo files are committed; they must not lag.
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    source = _po_translations(folder / "django.po")
    assert source, "no entries parsed"
    assert {k: v for k, v in source.items()} == {k: v for k, v in compiled.items() if k and k in source}
    assert set(source) <= set(compiled)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "terms", "privacy", "members:join", "account_request_login_code"])
def test_public_pages_answer(client, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
def test_health_check_reports_the_database(client):
    assert client.get(reverse("healthz")).json() == {"ok": True}


def test_static_files_are_vendored_not_from_a_cdn():
    base = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    assert "http://" not in base and "https://" not in base
    assert (Path(settings.BASE_DIR) / "static" / "vendor" / "bootstrap" / "bootstrap.min.css").exists()


@pytest.mark.django_db
def test_a_browser_set_to_english_still_gets_norwegian_until_the_visitor_switches(client):
    body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="nb">' in body


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_norwegian(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="nb">' in client.get(reverse("home")).content.decode()
