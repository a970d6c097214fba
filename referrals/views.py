"""The member's "Invite a friend" page, the friend's landing page and sign-up, and the code
typed at the counter. Thin: each finds and authorises, validates a form, calls services."""

from __future__ import annotations

import re
from urllib.parse import quote

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST

from members import qr
from members.models import Club, Member
from members.views import join_submit, member_required
from referrals import invites, selectors, services
from referrals.errors import ReferralsError
from referrals.forms import CounterCodeForm, InviteJoinForm
from referrals.models import Referral, ReferralProgram
from rewards.errors import RewardsError
from rewards.forms import ScanForm
from rewards.services.guessing import guessing_check, refusal_record
from rewards.views.counter import at_location, panel_context

# Link previews (chat apps fetch a shared link to draw a card) and crawlers are not people
# opening the invitation: they are not counted as "invited".
NOT_A_PERSON = re.compile(
    r"bot|crawl|spider|preview|facebookexternalhit|whatsapp|slack|telegram|discord", re.I
)
STATUS = {
    "too_many_attempts": 429,
    "program_inactive": 404,
    "unknown_code": 404,
    "invalid_code": 400,
    "code_empty": 400,
}


# --- The member


@member_required
@cache_control(private=True, no_cache=True)
def invite(request):
    """The member's link, QR and share buttons with an editable message, and their progress."""
    program = ReferralProgram.load()
    if not program.is_active:
        return render(request, "referrals/invite.html", {"program": program})
    member = request.member
    code = services.referral_code_get_or_create(member=member)
    link = request.build_absolute_uri(reverse("referrals:landing", args=[code.code]))
    club = Club.load()
    message = _("Hi! I am a member of %(club)s. Join with my invitation and you get %(gift)s: %(link)s") % {
        "club": club.name,
        "gift": program.friend_gift,
        "link": link,
    }
    subject = _("Join me in %(club)s") % {"club": club.name}
    context = {
        "program": program,
        "conditions": invites.conditions_text(program),
        "code": code,
        "link": link,
        "qr_svg": qr.svg(link),
        "message": message,
        "subject": subject,
        # Without JavaScript the links carry the default message; static/js/invite.js
        # rewrites them whenever the member edits it.
        "sms_href": f"sms:?&body={quote(message)}",
        "mailto_href": f"mailto:?subject={quote(subject)}&body={quote(message)}",
        "whatsapp_href": f"https://wa.me/?text={quote(message)}",
        "progress": selectors.member_progress(member, code),
    }
    return render(request, "referrals/invite.html", context)


# --- The friend


def _refused_link(request, error: ReferralsError):
    status = STATUS.get(error.code, 400)
    return render(
        request, "referrals/link_error.html", {"error": error.message, "code": error.code}, status=status
    )


@require_http_methods(["GET", "POST"])
def landing(request, code: str):
    """A member's link: who invites and what the friend gets, then the normal sign-up."""
    ip = invites.client_ip(request)
    try:
        program = services.program_active()
        found = services.referral_code_lookup(raw=code, ip=ip)
    except ReferralsError as error:
        return _refused_link(request, error)
    inviter = found.member.user.first_name or _("A member")
    context = {"program": program, "inviter": inviter, "conditions": invites.conditions_text(program)}
    if hasattr(request.user, "member"):
        own = request.user.member.pk == found.member_id
        return render(request, "referrals/landing.html", context | {"own": own, "member_already": not own})
    if request.method == "POST":
        data = request.POST.copy()
        data["code"] = found.code  # the link's code, whatever the form carried
        form = InviteJoinForm(data, code_hidden=True, ip=ip)
        return _join(
            request, form, channel=Referral.Channel.LINK, template="referrals/landing.html", context=context
        )
    form = InviteJoinForm(initial={"code": found.code}, code_hidden=True)
    response = render(request, "referrals/landing.html", context | {"form": form})
    device = invites.device_ensure(request, response)
    invites.invite_remember(request, response, code=found.code, days=program.cookie_days)
    if not NOT_A_PERSON.search(request.headers.get("User-Agent", "")):
        services.link_open_record(code=found, device=device)
    return response


@require_http_methods(["GET", "POST"])
def enter(request):
    """Sign-up with an invitation code typed in (a friend said it, or it is on a flyer)."""
    if hasattr(request.user, "member"):
        return redirect("referrals:invite")
    try:
        program = services.program_active()
    except ReferralsError as error:
        return _refused_link(request, error)
    context = {"program": program, "conditions": invites.conditions_text(program)}
    form = InviteJoinForm(request.POST or None, ip=invites.client_ip(request))
    if request.method == "POST":
        return _join(
            request, form, channel=Referral.Channel.CODE, template="referrals/enter.html", context=context
        )
    return render(request, "referrals/enter.html", context | {"form": form})


def _join(request, form: InviteJoinForm, *, channel: str, template: str, context: dict):
    """Join and record the invitation in one transaction; tell the new member what it came to."""
    recorded: list[Referral] = []

    def record(member: Member) -> None:
        recorded.append(
            services.referral_attribute(
                friend=member,
                code=form.cleaned_data["code"],
                channel=channel,
                ip=invites.client_ip(request),
                device=invites.device_id(request),
            )
        )

    try:
        member = join_submit(request, form, also=record)
    except ReferralsError as error:  # the code's member left, or the programme stopped, meanwhile
        form.add_error("code", error.message)
        member = None
    if member is None:
        return render(request, template, context | {"form": form}, status=400)
    invites.outcome_message(request, recorded[0])
    response = redirect("members:welcome")
    invites.invite_forget(request, response)
    return response


# --- The counter: staff type a friend's code for the member on the panel.

PANEL = "rewards/counter/_panel.html"


@at_location
@require_POST
def counter_code(request, number: str):
    member = request.till.member  # read by at_location with the shop
    if member is None:
        raise Http404
    form = CounterCodeForm(request.POST)
    if not form.is_valid():
        return _panel(request, member, error=form.errors["code"][0], status=400)
    raw, ip = form.cleaned_data["code"], invites.client_ip(request)
    try:
        guessing_check(staff=request.user, ip=ip)
        referral = services.referral_attribute(
            friend=member,
            code=raw,
            channel=Referral.Channel.COUNTER,
            staff=request.user,
            location=request.location,
            ip=ip,
        )
    except (ReferralsError, RewardsError) as error:
        if error.code != "too_many_attempts":
            refusal_record(
                reason=error.code,
                raw=raw,
                staff=request.user,
                location=request.location,
                ip=ip,
                member=member,
            )
        return _panel(request, member, error=error.message, status=STATUS.get(error.code, 409))
    refused = services.refusal_error(referral)
    if refused is not None:
        return _panel(request, member, error=refused.message, status=409)
    if referral.replayed:
        notice = _("Already registered: %(name)s invited this member.")
    else:
        notice = _("Registered: %(name)s invited this member. The first purchase that counts qualifies it.")
    return _panel(
        request, member, notice=notice % {"name": referral.referrer.user.first_name or _("a member")}
    )


def _panel(request, member: Member, *, error: str = "", notice: str = "", status: int = 200):
    """The member panel again, as the counter's own actions answer (htmx swaps it in place)."""
    context = panel_context(request, member, None, error) | {"referral_notice": notice}
    if request.headers.get("HX-Request") == "true":
        return render(request, PANEL, context, status=status)
    page = context | {"scan_form": ScanForm(), "partial": PANEL}
    return render(request, "rewards/counter/page.html", page, status=status)
