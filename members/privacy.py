"""The privacy page's content, generated from the club's settings (members.views.privacy).

Each purpose says what is collected, why, on which legal basis and for how long. The members
app describes its own; the apps above add theirs through members.signals.privacy_purposes,
so that the page follows what the installation really does (no referral section while the
programme is off).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members import signals
from members.models import Club


def retention_text(club: Club) -> str:
    if not club.retention_months:
        return str(_("Until you delete your membership."))
    return ngettext(
        "Until you delete your membership, or until it has not been used for %(months)d month "
        "(no purchase, visit or login); we warn you by e-mail or SMS 30 days before.",
        "Until you delete your membership, or until it has not been used for %(months)d months "
        "(no purchase, visit or login); we warn you by e-mail or SMS 30 days before.",
        club.retention_months,
    ) % {"months": club.retention_months}


def privacy_purposes(club: Club) -> list[dict]:
    membership_kept = retention_text(club)
    purposes = [
        {
            "title": _("Your membership"),
            "data": _(
                "Your first name, e-mail address or mobile number, member number, when you joined, "
                "the terms you accepted and the language you use."
            ),
            "why": _("To run your membership, recognise you at the till and let you log in."),
            "basis": _("Contract: the membership terms you accepted (GDPR art. 6(1)(b))."),
            "kept": membership_kept,
        },
        {
            "title": _("Your profile (optional)"),
            "data": _("Last name, birthday, postcode and interests, if you choose to give them."),
            "why": _("For a birthday treat and offers that suit you."),
            "basis": _(
                "Consent (GDPR art. 6(1)(a)): you choose to give them and can remove them on your "
                "profile page at any time."
            ),
            "kept": membership_kept,
        },
        {
            "title": _("Offers and news by e-mail and SMS"),
            "data": _("Your consent for each channel: what you agreed to, the exact wording and when."),
            "why": _("To send offers and news only on the channels you said yes to, and to prove it."),
            "basis": _(
                "Consent (GDPR art. 6(1)(a)). The boxes are never ticked in advance, and you can "
                "withdraw on your consents page or with the link in every message."
            ),
            "kept": _("As long as the membership lasts, as a record of what you agreed to."),
        },
        {
            "title": _("Security"),
            "data": _("Failed login attempts (what was typed, IP address, browser) and your login sessions."),
            "why": _("To protect your account against password guessing and misuse."),
            "basis": _("Our legitimate interest in keeping accounts safe (GDPR art. 6(1)(f))."),
            "kept": _(
                "Sessions until you log out or they expire; login records while they are needed "
                "for a lock-out, and never after your membership is deleted."
            ),
        },
    ]
    for _receiver, more in signals.privacy_purposes.send(sender=Club, club=club):
        purposes.extend(more or [])
    return purposes
