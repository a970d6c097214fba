"""The rotating code on the member card: its format, and nothing that touches the database.

A code looks like ``LJ1.AB23CD45.58712345.0F3A9C61B2D4``:

- ``LJ1``: a fixed prefix and format version, so the till tells a card code from a member
  number (8 characters) or a voucher code (10 characters), neither of which has a dot;
- the member number;
- the time step: Unix time divided by ``STEP_SECONDS``, in decimal;
- the first 48 bits of HMAC-SHA256 over ``LJ1.<number>.<step>``, in upper-case hex, keyed
  by the member's card key (derived from ``Member.card_secret``; see ``member_key``).

Every character is in the QR alphanumeric set, so the code fits a small version 2 QR. The
separator is a dot, not a dash: a handheld scanner types as a keyboard, and with a US-set
scanner on a Nordic keyboard layout the dash key comes out as "+", while the dot stays a dot.

The phone derives the same codes from the same key in static/js/card.js (``codeFor``), so
the card keeps working offline. Keep the two in step; a test runs both.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

PREFIX = "LJ1"
STEP_SECONDS = 30
# Steps accepted either side of the current one: the phone clock is corrected at render but
# may still drift, and the member may have shown the code a few seconds before it was scanned.
# A screenshot therefore works for at most about (1 + STEPS_BACK) * 30 s = 90 s.
STEPS_BACK = 2
STEPS_AHEAD = 1
MAC_HEX_DIGITS = 12  # 48 bits: guessing one for a given member and step is 1 in 2.8e14
KEY_PURPOSE = b"lojal-card-code-v1"

# Member numbers are 8 characters from an alphabet without 0/O/1/I/L, but numbers imported
# or made by tests may use any upper-case letter or digit, up to the model's 12 characters.
NUMBER_PATTERN = re.compile(r"[0-9A-Z]{1,12}")
_CODE_PATTERN = re.compile(
    rf"{PREFIX}\.(?P<number>[0-9A-Z]{{1,12}})\.(?P<step>[0-9]{{1,12}})\.(?P<mac>[0-9A-F]{{{MAC_HEX_DIGITS}}})"
)


@dataclass(frozen=True)
class ParsedCode:
    number: str
    step: int
    mac: str


def member_key(card_secret: str) -> bytes:
    """The key the phone gets: derived from the secret, so the page never shows the secret
    itself and a future second use of the secret cannot be computed from the page."""
    return hmac.new(card_secret.encode("ascii"), KEY_PURPOSE, hashlib.sha256).digest()


def step_at(at: datetime) -> int:
    """The time step containing `at` (an aware datetime)."""
    return int(at.timestamp()) // STEP_SECONDS


def code_for(*, key: bytes, number: str, step: int) -> str:
    message = f"{PREFIX}.{number}.{step}"
    return f"{message}.{_mac(key, message)}"


def parse(text: str) -> ParsedCode | None:
    """Split an upper-case, stripped code into its parts; None if it is not well formed."""
    match = _CODE_PATTERN.fullmatch(text)
    if match is None:
        return None
    return ParsedCode(number=match["number"], step=int(match["step"]), mac=match["mac"])


def mac_is_valid(*, key: bytes, code: ParsedCode) -> bool:
    expected = _mac(key, f"{PREFIX}.{code.number}.{code.step}")
    return hmac.compare_digest(expected, code.mac)


def step_is_current(*, step: int, now: datetime) -> bool:
    current = step_at(now)
    return current - STEPS_BACK <= step <= current + STEPS_AHEAD


def _mac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("ascii"), hashlib.sha256).hexdigest()[:MAC_HEX_DIGITS].upper()
