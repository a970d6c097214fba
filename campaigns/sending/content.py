"""What one member reads: the campaign's text in their language with the merge fields filled.

Merge fields are written {first_name}; the list below is the whole of them, shown in the
form, and a name not on it is refused when the owner saves (never a blank in 3,000 messages).
The e-mail body is Markdown, turned into HTML and cleaned with nh3 (no script, no styles, no
event handlers); its plain-text part is the Markdown itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import markdown
import nh3
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CampaignContent
from campaigns.nps import survey_url
from clubsite.money import kr
from members.models import Member
from rewards.config import config
from rewards.models import Voucher, Wallet
from rewards.selectors.wallet import WalletSummary, wallet_summary

FIELD = re.compile(r"\{([^{}\s]*)\}")


class Facts:
    """What the merge fields read about one member, each looked up on first use: a text with
    only {first_name} costs no wallet query, one with {points} one query, and only the
    fields about expiry, tier progress or stamps read the whole wallet summary."""

    def __init__(self, member: Member, voucher: Voucher | None, balance: int | None = None, message=None):
        self.member, self.voucher, self.message = member, voucher, message
        if balance is not None:  # read with the batch's members (campaigns.sending.pipeline)
            self.balance = balance

    @cached_property
    def balance(self) -> int:
        return Wallet.objects.filter(member=self.member).values_list("balance", flat=True).first() or 0

    @cached_property
    def summary(self) -> WalletSummary:
        return wallet_summary(self.member)


def _first_expiry(f: Facts) -> str:
    return formats.date_format(f.summary.expiring[0].day, "SHORT_DATE_FORMAT") if f.summary.expiring else ""


# name -> (what the owner is told it is, its value from the member's Facts)
MERGE_FIELDS = {
    "first_name": (_("the member's first name"), lambda f: f.member.user.first_name),
    "points": (_("points balance"), lambda f: formats.number_format(f.balance, force_grouping=True)),
    "points_kr": (_("the points' value in kroner"), lambda f: kr(config().program.value_ore(f.balance))),
    "tier": (_("tier"), lambda f: f.summary.progress.tier.name if f.summary.progress.tier else ""),
    "points_to_next_tier": (
        _("points to the next tier"),
        lambda f: str(f.summary.progress.missing) if f.summary.progress.next_tier else "",
    ),
    "points_expiring": (
        _("points expiring in the next 30 days"),
        lambda f: str(sum(e.points for e in f.summary.expiring)),
    ),
    "points_expiring_date": (_("the first date points expire"), _first_expiry),
    "stamps_left": (
        _("stamps left on the card closest to full"),
        lambda f: str(min((c.missing for c in f.summary.cards if c.stamps), default="")),
    ),
    "card_link": (
        _("the link to the member's card"),
        lambda f: settings.LOJAL_SITE_URL + reverse("members:card"),
    ),
    "voucher_code": (_("the code of the campaign's offer"), lambda f: f.voucher.code if f.voucher else ""),
    "survey_link": (
        _("the link to answer the survey (NPS flow)"),
        lambda f: survey_url(f.message) if f.message else "",
    ),
    "membership_ends": (
        _("the day the member's paid membership (or its trial) ends"),
        lambda f: (
            formats.date_format(timezone.localtime(f.summary.membership.ends_at), "j. F")
            if f.summary.membership
            else ""
        ),
    ),
    "membership_link": (
        _("the link to the member's membership page (renew, cancel in one tap)"),
        lambda f: settings.LOJAL_SITE_URL + reverse("rewards:membership"),
    ),
    "referral_link": (
        _("the link to the member's page for inviting friends"),
        lambda f: settings.LOJAL_SITE_URL + reverse("referrals:invite"),
    ),
}


def unknown_fields(text: str) -> list[str]:
    """The {names} in `text` that are not merge fields, in order, each once."""
    found = [name for name in FIELD.findall(text) if name not in MERGE_FIELDS]
    return list(dict.fromkeys(found))


def sanitised_html(markdown_text: str) -> str:
    html = markdown.markdown(markdown_text, extensions=["sane_lists"])
    return nh3.clean(html, link_rel="noopener noreferrer")


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    text: str
    html: str
    sms: str


def content_for(campaign: Campaign, language: str, variant: str = "") -> CampaignContent | None:
    """The member's variant (A when none) in their language, else in Norwegian (the club's
    language)."""
    contents = {(c.language, c.variant): c for c in campaign.contents.all()}
    variant = variant or "A"
    return contents.get((language, variant)) or contents.get((settings.LANGUAGE_CODE, variant))


def render(
    campaign: Campaign,
    member: Member,
    voucher: Voucher | None = None,
    *,
    balance: int | None = None,
    variant: str = "",
    message=None,
) -> Rendered:
    language = member.language or settings.LANGUAGE_CODE
    content = content_for(campaign, language, variant)
    if content is None:
        raise ValueError(f"campaign {campaign.pk} has no text in {language} or {settings.LANGUAGE_CODE}")
    with translation.override(content.language):
        facts, values = Facts(member, voucher, balance, message), {}

        def value(match: re.Match) -> str:
            name = match.group(1)
            if name not in MERGE_FIELDS:
                return match.group(0)
            if name not in values:
                values[name] = str(MERGE_FIELDS[name][1](facts))
            return values[name]

        def fill(text: str) -> str:
            return FIELD.sub(value, text)

        body = fill(content.body)
        return Rendered(
            content.language, fill(content.subject), body, sanitised_html(body), fill(content.sms)
        )


# The GSM 03.38 alphabet (with its extension table, two septets each): a text within it goes
# 160 characters to an SMS, 153 per part when split; anything else (emoji, most accents
# outside Western Europe) makes it Unicode: 70, then 67 per part.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€")


@dataclass(frozen=True)
class SmsParts:
    characters: int
    parts: int
    unicode: bool


def sms_parts(text: str) -> SmsParts:
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        length = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        single, multi, unicode = 160, 153, False
    else:
        length = len(text.encode("utf-16-le")) // 2  # an emoji is two UTF-16 units
        single, multi, unicode = 70, 67, True
    parts = 0 if length == 0 else 1 if length <= single else -(-length // multi)
    return SmsParts(length, parts, unicode)
