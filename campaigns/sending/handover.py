"""Handing one message to the provider: rendered for its member, with its key as the
e-mail's Message-ID (a retry is recognisable), and the way out of marketing. A service
message about the member's own membership has no unsubscribe: it says what it is instead."""

from __future__ import annotations

from anymail.message import AnymailMessage
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext

from campaigns.models import Campaign, Message
from campaigns.sending.content import render
from campaigns.sending.links import tracked
from campaigns.sending.tracking import METADATA_KEY
from clubsite.sms import send_sms
from members.models import ConsentEvent, Member
from members.services import unsubscribe_token

EMAIL, SMS = ConsentEvent.Channel.EMAIL, ConsentEvent.Channel.SMS


def unsubscribe_url(member: Member, channel: str) -> str:
    path = reverse("members:unsubscribe", args=[unsubscribe_token(member=member, channel=channel)])
    return settings.LOJAL_SITE_URL.rstrip("/") + path


def service_note(language: str) -> str:
    with translation.override(language):
        return gettext(
            "A service message about your membership: it is sent whatever you have chosen about offers."
        )


def hand_over(message: Message, member: Member, campaign: Campaign, sender: str) -> str:
    """Send it; return the provider's id for the message (its tracking events name it), or ""."""
    rendered = render(
        campaign,
        member,
        message.voucher,
        balance=member.points_balance,
        variant=message.group,
        message=message,
    )
    stop = "" if message.service else unsubscribe_url(member, message.channel)
    if message.channel == SMS:
        send_sms(member.user.phone, f"{rendered.sms}\n{stop or service_note(rendered.language)}")
        return ""
    headers = {"Message-ID": f"<{message.key}@lojal>"}
    if stop:  # RFC 8058: one POST to this address unsubscribes, no login, no page to read.
        headers |= {"List-Unsubscribe": f"<{stop}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    email = AnymailMessage(
        subject=rendered.subject,
        body=f"{rendered.text}\n\n{stop or service_note(rendered.language)}",
        from_email=sender,
        to=[member.user.email],
        headers=headers,
        # Echoed in the provider's tracking events (campaigns.sending.tracking); backends
        # that are not a provider's (console, file) ignore it.
        metadata={METADATA_KEY: str(message.key)},
        tags=["service" if message.service else "campaign"],
    )
    html = tracked(rendered.html, str(message.key)) + _footer_html(stop, rendered.language)
    email.attach_alternative(html, "text/html")
    email.send()
    status = getattr(email, "anymail_status", None)
    return str(status.message_id)[:200] if status is not None and status.message_id else ""


def _footer_html(stop: str, language: str) -> str:
    if not stop:
        return format_html("<hr><p>{}</p>", service_note(language))
    with translation.override(language):
        return format_html('<hr><p><a href="{}">{}</a></p>', stop, gettext("Unsubscribe from these e-mails"))
