"""The member's own pages. None takes a member id: each shows the logged-in member only."""

from __future__ import annotations

from functools import wraps

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from members import qr, recruiting, services
from members.card import STEP_SECONDS, member_key
from members.forms import ConsentForm, JoinForm, ProfileForm, signup_consent_wording
from members.models import Club, ConsentEvent, Member
from members.privacy import privacy_purposes, retention_text
from members.registry import card_link_items, card_mission_lines, card_section_html
from members.selectors import consent_current
from members.services import MembersError

AUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"

# How long a card page kept by the service worker goes on showing codes after it was last
# rendered online. Codes are derived on the phone and would work for ever; the cap only keeps
# a copy left behind (a logged-out or lent phone) from being a working card indefinitely.
# Past it the page asks to go online and still shows the member number, which the till takes.
CARD_OFFLINE_MAX_SECONDS = 24 * 60 * 60

# The order in which the card page asks for one more piece of profile, one at a time.
PROGRESSIVE_FIELDS = ("birthday", "postcode", "interests")


def member_required(view):
    """Logged in and with a (not erased) member profile; staff without one go to the counter."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        member = Member.objects.filter(user=request.user, erased_at=None).select_related("user").first()
        if member is None:
            if request.user.is_counter_staff:
                return redirect("rewards:counter")
            return redirect("members:join")
        request.member = member
        request.user.member = member  # the menu asks for it; saves a query on every page
        return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
def join(request):
    if request.user.is_authenticated and hasattr(request.user, "member"):
        return redirect("members:card")
    form = JoinForm(request.POST or None)
    if request.method == "POST" and join_submit(request, form) is not None:
        return redirect("members:welcome")
    return render(request, "members/join.html", {"form": form}, status=400 if form.errors else 200)


def join_submit(request, form: JoinForm, *, also=None) -> Member | None:
    """Join from a bound JoinForm (or a subclass) and log the new member in.

    Returns the member, or None with the reasons on `form`. `also(member)` runs in the same
    transaction as the join: another app's part of its own sign-up page (referrals records
    the invitation there), which rolls the join back if it raises. The channel is the join
    link's (?kanal=&butikk=); an invitation sets its own (referrals.services.attribution).
    """
    # Per IP and per typed address, counted before validation so that bots pay too.
    key = request.POST.get("contact", "").strip().lower()[:254]
    if not ratelimit.consume(request, action="signup", key=key):
        form.add_error(None, _("Too many sign-ups from here just now. Try again in a minute."))
        return None
    if not form.is_valid():
        return None
    channel, location = recruiting.channel_from(request.GET)
    try:
        with transaction.atomic():
            member = services.member_join(
                channel=channel,
                location=location,
                first_name=form.cleaned_data["first_name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                marketing_consent=form.cleaned_data["marketing_consent"],
                consent_text=signup_consent_wording(),
                language=translation.get_language() or "",
            )
            if also is not None:
                also(member)
    except MembersError as exc:
        form.add_error("contact", exc.message)
        return None
    login(request, member.user, backend=AUTH_BACKEND)
    return member


def _card_context(member: Member) -> dict:
    """The card, rendered for the current time step, and what the phone needs to go on.

    The server-drawn QR is the no-JS fallback for the first step; static/js/card.js takes
    over with codes it derives itself, so the card keeps working offline. It gets the
    member's derived card key (never `card_secret`) and the server time, to correct the
    phone's clock.
    """
    now = timezone.now()
    code = services.card_code(member=member, at=now)
    card_data = {
        "key": member_key(member.card_secret).hex(),
        "number": member.number,
        "serverTime": int(now.timestamp() * 1000),
        "stepSeconds": STEP_SECONDS,
        "offlineMaxSeconds": CARD_OFFLINE_MAX_SECONDS,
        "staticUrl": settings.STATIC_URL,
        "serviceWorker": reverse("members:service_worker"),
    }
    return {"member": member, "qr_svg": qr.svg(code), "card_data": card_data}


@member_required
@cache_control(private=True, no_cache=True)  # the page holds the card key: no shared caches
def welcome(request):
    member = request.member
    context = _card_context(member) | {"missions": card_mission_lines(member)}
    return render(request, "members/welcome.html", context)


@member_required
@cache_control(private=True, no_cache=True)
def card(request):
    member = request.member
    context = _card_context(member) | {
        "missions": card_mission_lines(member),
        "links": card_link_items(member),
        "sections": card_section_html(member),
    }
    question = next((f for f in PROGRESSIVE_FIELDS if _unanswered(member, f)), None)
    if question:
        context["question"] = question
        context["question_form"] = ProfileForm(only=question, prefix="q")
    return render(request, "members/card.html", context)


def _unanswered(member: Member, field: str) -> bool:
    if field == "interests":
        return not member.interests.exists()
    return not getattr(member, field)


@member_required
@require_http_methods(["POST"])
def answer(request, field: str):
    """Save one progressive-profiling answer from the card page."""
    if field not in PROGRESSIVE_FIELDS:
        return redirect("members:card")
    member = request.member
    form = ProfileForm(request.POST, only=field, prefix="q")
    if not form.is_valid():
        context = _card_context(member) | {"question": field, "question_form": form}
        return render(request, "members/card.html", context, status=400)
    values = ProfileForm.initial_for(member) | form.cleaned_data
    services.profile_update(member=member, **values)
    messages.success(request, _("Thank you! Your profile is updated."))
    return redirect("members:card")


@member_required
@require_http_methods(["GET", "POST"])
def profile(request):
    member = request.member
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(member))
    if request.method == "POST" and form.is_valid():
        services.profile_update(member=member, **form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("members:profile")
    status = 400 if form.errors else 200
    return render(request, "members/profile.html", {"member": member, "form": form}, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def consents(request):
    member = request.member
    current = consent_current(member)
    initial = {
        "email": current.get(ConsentEvent.Channel.EMAIL, False),
        "sms": current.get(ConsentEvent.Channel.SMS, False),
        "paused": member.marketing_paused,
        "frequency": member.frequency,
    }
    form = ConsentForm(request.POST or None, initial=initial, member=member)
    if request.method == "POST" and form.is_valid():
        for channel in ConsentEvent.Channel.values:
            if not form.fields[channel].disabled:
                services.consent_set(
                    member=member,
                    channel=channel,
                    granted=form.cleaned_data[channel],
                    source=ConsentEvent.Source.PREFERENCES,
                )
        services.preferences_update(
            member=member, paused=form.cleaned_data["paused"], frequency=form.cleaned_data["frequency"]
        )
        messages.success(request, _("Your choices are saved."))
        return redirect("members:consents")
    history = member.consent_events.all()[:20]
    status = 400 if form.errors else 200
    return render(
        request, "members/consents.html", {"member": member, "form": form, "history": history}, status=status
    )


@member_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """GET explains; POST downloads everything as a zip (POST so that no link prefetch leaks it)."""
    if request.method == "POST":
        filename, archive = services.member_export_archive(member=request.member)
        response = HttpResponse(archive, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "members/my_data.html", {"member": request.member})


@member_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    member = request.member
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm that you want to delete your membership."))
            return render(request, "members/delete.html", {"member": member}, status=400)
        services.member_erase(member=member)
        logout(request)
        messages.success(request, _("Your membership is deleted. Thank you for the time with us."))
        return redirect("home")
    return render(request, "members/delete.html", {"member": member})


@require_safe
def privacy(request):
    """The privacy statement, generated from the club's settings, then the owner's own text."""
    club = Club.load()
    context = {"purposes": privacy_purposes(club), "retention": retention_text(club)}
    return render(request, "members/privacy.html", context)


# No CSRF token: a mail client's one-click unsubscribe (RFC 8058, the List-Unsubscribe-Post
# header) POSTs here by itself. The signed token is the authority, and all a POST can do is
# withdraw a consent.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """Works without login. GET asks (mail scanners follow links); POST withdraws."""
    try:
        member, channel = services.unsubscribe_verify(token=token)
    except MembersError as exc:
        return render(request, "members/unsubscribe.html", {"error": exc.message}, status=400)
    channel_label = ConsentEvent.Channel(channel).label
    if request.method == "POST":
        services.consent_set(
            member=member, channel=channel, granted=False, source=ConsentEvent.Source.UNSUBSCRIBE
        )
        return render(request, "members/unsubscribe.html", {"done": True, "channel": channel_label})
    return render(request, "members/unsubscribe.html", {"channel": channel_label})


# --- Installable card: the web app manifest and the service worker. Both are public and
# the same for everyone: nothing about the member is in them.


@require_safe
@cache_control(max_age=60 * 60)
def manifest(request):
    club = Club.load()
    data = {
        "name": club.name,
        "short_name": club.home_screen_name,
        "description": _("Your member card"),
        "lang": translation.get_language() or settings.LANGUAGE_CODE,
        "id": reverse("members:card"),
        "start_url": reverse("members:card"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": club.brand_colour,
        # The icons are full-bleed with the drawing in the middle (members app_icons), so
        # the same files serve as plain and as "maskable" (cropped to the phone's shape).
        "icons": [
            {
                "src": static(f"icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": purpose,
            }
            for purpose in ("any", "maskable")
            for size in (192, 512)
        ],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@require_safe
@cache_control(no_cache=True)  # a changed worker must reach phones at their next visit
def service_worker(request):
    """The worker's script, served from /medlem/ so that its scope covers the card page."""
    source = render_to_string(
        "members/sw.js", {"card_url": reverse("members:card"), "static_url": settings.STATIC_URL}
    )
    return HttpResponse(source, content_type="text/javascript; charset=utf-8")
