"""The rotating card code: what the till accepts, what it refuses and why, and that the phone
(static/js/card.js) derives the very codes the server expects."""

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings

from members import card
from members.services import MembersError, card_code, member_erase, member_identify
from tests.factories import MemberFactory

NOW = datetime(2025, 3, 14, 12, 0, 10, tzinfo=UTC)  # 10 s into a step
STEP = timedelta(seconds=card.STEP_SECONDS)


def refused(code: str, raw: str, now: datetime = NOW) -> None:
    with pytest.raises(MembersError) as info:
        member_identify(raw=raw, now=now)
    assert info.value.code == code


@pytest.mark.django_db
def test_the_current_code_identifies_the_member(member):
    found = member_identify(raw=card_code(member=member, at=NOW), now=NOW)
    assert found == member
    assert found.user.first_name == member.user.first_name


@pytest.mark.django_db
def test_the_code_has_the_prefix_the_number_the_step_and_a_48_bit_mac(member):
    prefix, number, step, mac = card_code(member=member, at=NOW).split(".")
    assert (prefix, number, int(step)) == ("LJ1", member.number, card.step_at(NOW))
    assert len(mac) == 12 and mac == mac.upper()


@pytest.mark.django_db
def test_the_code_changes_every_step(member):
    assert card_code(member=member, at=NOW) != card_code(member=member, at=NOW + STEP)


@pytest.mark.django_db
@pytest.mark.parametrize("steps", [-card.STEPS_BACK, -1, 1, card.STEPS_AHEAD])
def test_a_code_from_a_step_within_the_window_either_side_is_accepted(member, steps):
    code = card_code(member=member, at=NOW + steps * STEP)
    assert member_identify(raw=code, now=NOW) == member


@pytest.mark.django_db
def test_a_screenshot_older_than_the_window_has_expired(member):
    screenshot = card_code(member=member, at=NOW - (card.STEPS_BACK + 1) * STEP)
    refused("token_expired", screenshot)
    refused("token_expired", card_code(member=member, at=NOW - timedelta(days=1)))


@pytest.mark.django_db
def test_a_code_from_too_far_ahead_counts_as_expired_too(member):
    refused("token_expired", card_code(member=member, at=NOW + (card.STEPS_AHEAD + 1) * STEP))


@pytest.mark.django_db
def test_the_scanner_may_type_it_in_lower_case_with_whitespace_around(member):
    raw = f"  {card_code(member=member, at=NOW).lower()}\n"
    assert member_identify(raw=raw, now=NOW) == member


@pytest.mark.django_db
def test_a_tampered_mac_is_invalid(member):
    code = card_code(member=member, at=NOW)
    last = "A" if code[-1] != "A" else "B"
    refused("token_invalid", code[:-1] + last)


@pytest.mark.django_db
def test_a_changed_step_is_invalid_not_expired(member):
    prefix, number, _old_step, mac = card_code(member=member, at=NOW - timedelta(hours=1)).split(".")
    refused("token_invalid", ".".join([prefix, number, str(card.step_at(NOW)), mac]))


@pytest.mark.django_db
def test_another_members_code_with_this_members_number_swapped_in_is_invalid(member):
    other = MemberFactory()
    prefix, _number, step, mac = card_code(member=other, at=NOW).split(".")
    refused("token_invalid", ".".join([prefix, member.number, step, mac]))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw", ["LJ1.", "LJ1..1.AAAAAAAAAAAA", "LJ2.T0000001.1.AAAAAAAAAAAA", "LJ1.T0000001.x.AAAAAAAAAAAA",
            "LJ1.T0000001.1.AAAA", "LJ1.T0000001.1.GGGGGGGGGGGG", "1.2", "AB.CD",
            "LJ1.T0000001.1.AAAAAAAAAAAA.X"],
)  # fmt: skip
def test_malformed_codes_are_invalid(member, raw):
    refused("token_invalid", raw)


@pytest.mark.django_db
def test_a_well_formed_code_for_a_number_nobody_has_is_member_not_found(member):
    refused("member_not_found", card.code_for(key=b"k" * 32, number="ZZZZ9999", step=card.step_at(NOW)))


@pytest.mark.django_db
def test_an_erased_member_is_not_found_by_old_code_or_number(member):
    code, number = card_code(member=member, at=NOW), member.number
    member_erase(member=member)
    refused("member_not_found", code)
    refused("member_not_found", number)
    member.refresh_from_db()
    # Even a code made from the erased row (new number "X-<id>", new secret) is refused.
    refused("token_invalid", card_code(member=member, at=NOW))
    refused("member_not_found", member.number)


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["{}", "{} ", " {}", "{lower}", "{dashed}", "{spaced}", "{lower_dashed}"])
def test_the_static_member_number_is_accepted_as_typed(typed):
    member = MemberFactory(number="AB23CD45")
    raw = typed.format(
        member.number,
        lower="ab23cd45",
        dashed="AB23-CD45",
        spaced="ab23 cd45",
        lower_dashed="ab 23-cd 45",
    )
    assert member_identify(raw=raw, now=NOW) == member


@pytest.mark.django_db
def test_an_unknown_member_number_is_member_not_found(member):
    refused("member_not_found", "ZZZZ-9999")


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["", "   ", "\n", "AB$23", "ÆØÅ12345", "A" * 13])
def test_empty_or_odd_input_is_invalid(member, raw):
    refused("token_invalid", raw)


def test_empty_and_very_long_input_is_invalid_without_touching_the_database():
    # No django_db mark: a query would raise "Database access not allowed" and fail the test.
    refused("token_invalid", "")
    refused("token_invalid", "A" * 10_000)
    refused("token_invalid", "LJ1." + "9" * 10_000)
    refused("token_invalid", "LJ1.AB23CD45.1.NOTHEX")


def test_a_known_code_stays_the_same_so_phones_with_an_old_page_keep_working():
    # Pinned (checked with openssl): changing the derivation breaks every card page kept on phones.
    key = card.member_key("ab" * 32)
    assert card.code_for(key=key, number="AB23CD45", step=58_000_000) == "LJ1.AB23CD45.58000000.F3ACDEE2437F"


@pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed: cannot run static/js/card.js"
)
@pytest.mark.parametrize(
    "secret, number, step", [("ab" * 32, "AB23CD45", 58_000_000), ("0f" * 32, "T0000042", 1)]
)
def test_the_phone_derives_the_same_code_as_the_server(secret, number, step):
    script = Path(settings.BASE_DIR) / "static" / "js" / "card.js"
    key_hex = card.member_key(secret).hex()
    program = (
        f"const c = require({str(script)!r});"
        f"process.stdout.write(c.codeFor({key_hex!r}, {number!r}, {step}));"
        f"process.stderr.write(String(c.stepAt({step} * 30000 + 29999, 30)));"
    )
    result = subprocess.run(["node", "-e", program], capture_output=True, text=True, timeout=30, check=True)  # noqa: S603,S607
    assert result.stdout == card.code_for(key=card.member_key(secret), number=number, step=step)
    assert result.stderr == str(step)
