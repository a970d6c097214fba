"""The counter: staff find a member and act for them at the till.

Pages work with plain form posts; with htmx (the "HX-Request" header) only the
member panel is sent back and swapped in place. Refusals answer 4xx with the translated
reason in the panel (htmx is configured in the page to swap those too).
"""

from __future__ import annotations

import functools
from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clubsite.errors import CodedError
from clubsite.middleware import camera_allowed
from members.models import Location, Member
from rewards import selectors
from rewards.config import config
from rewards.errors import RewardsError
from rewards.forms import (
    AdjustForm,
    NonceForm,
    PlanForm,
    PurchaseForm,
    RefundForm,
    RewardForm,
    ScanForm,
    StampsForm,
    VoucherForm,
)
from rewards.models import CounterAction, Reward, StampCard, Voucher
from rewards.registry import panel_sections
from rewards.services import counter as service
from rewards.services.guessing import refusal_record
from rewards.services.member_search import looks_like_voucher, member_find
from rewards.services.membership import counter_membership
from rewards.services.visits import visit_record

STATUS = {"too_many_attempts": 429, "not_allowed": 403, "wrong_location": 403}


def staff_required(view):
    """Counter staff, customer service or the owner; anyone else gets 403."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_counter_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def at_location(view):
    """Counter staff only (else 403), and only at a shop they work at (else 403 and a
    refused-scan record); customer service and the owner at any shop. For a member's URL
    (a `number` in it) the member and their last visits come along: `request.till`."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, location_id: int, *args, **kwargs):
        till = selectors.till_read(user=request.user, location_id=location_id, number=kwargs.get("number"))
        if not request.user.is_counter_staff:
            raise PermissionDenied
        if till.location is None:
            raise Http404
        if not (till.assigned or request.user.is_customer_service):
            refusal_record(
                reason="wrong_location", staff=request.user, location=till.location, ip=_ip(request)
            )
            message = RewardsError("wrong_location").message
            return render(request, "rewards/counter/refused.html", {"message": message}, status=403)
        request.location, request.till = till.location, till
        return view(request, *args, **kwargs)

    return wrapper


# The till's offline cache; a new name (with a new release of the page) drops the old copy.
OFFLINE_CACHE = "lojal-till-1"


def counter_service_worker(request):
    """The till's service worker (templates/rewards/counter/sw.js), served under /kasse/ so
    that it may look after the till's pages. It holds no data; no login needed."""
    response = render(
        request, "rewards/counter/sw.js", {"cache_name": OFFLINE_CACHE}, content_type="text/javascript"
    )
    response["Cache-Control"] = "no-cache"
    return response


@staff_required
def counter_home(request):
    locations = list(selectors.locations_for(request.user))
    if len(locations) == 1:
        return redirect("rewards:counter_page", location_id=locations[0].pk)
    return render(request, "rewards/counter/choose.html", {"locations": locations})


@at_location
def counter_page(request):
    return _full_page(request, _page_context(request))


def _page_context(request, **extra) -> dict:
    return {
        "location": request.location,
        "scan_form": ScanForm(),
        "stamp_cards": config().cards,
        "offline": offline_texts(request.location),
        **extra,
    }


def offline_texts(location: Location) -> dict:
    """What static/js/counter_offline.js says, translated here, and the URLs it needs."""
    return {
        "sw": reverse("rewards:counter_sw"),
        "cache": OFFLINE_CACHE,
        "logout": reverse("account_logout"),
        "action": reverse("rewards:counter_action", args=[location.pk, "NUMBER", "ACTION"]),
        "waiting": _("Waiting to be sent"),
        "conflict": _("Not registered"),
        "handled": _("Handled"),
        "needs_network": _("This needs the network. Try again when the connection is back."),
        "unknown_member": _(
            "Offline, only members shown on this till before, or typed by member number, can be found."
        ),
        "not_enough": _("Not enough points for this, as far as this till knows."),
        "voucher_unknown": _("Offline, only the vouchers listed for the member can be used."),
        "remembered": _("Shown from this till's memory: the balance may have changed since."),
        "logged_out": _("You are logged out. Log in again to send what is waiting."),
        "confirm": _("Are you sure? %(amount)s kr"),
        "unclear": _("The answer was not what the till expected; check the member's history."),
        "kinds": {
            "kjop": _("Purchase"),
            "stempel": _("Stamp"),
            "kupong": _("Voucher"),
            "belonning": _("Reward"),
        },
    }


@at_location
@require_POST
def counter_find(request):
    form = ScanForm(request.POST)
    raw = form.data.get("q", "") if not form.is_valid() else form.cleaned_data["q"]
    shown = _shown_member(request)
    if shown is not None and looks_like_voucher(raw):
        # A voucher scanned while a member's panel is open: use it for that member, under
        # the panel's nonce (a second scan of it shows the first result again).
        return _act_for(
            request,
            shown,
            lambda: service.counter_voucher(
                member=shown,
                code=raw,
                nonce=request.POST.get("nonce"),
                staff=request.user,
                location=request.location,
            ),
        )
    try:
        found = member_find(raw=raw, staff=request.user, location=request.location, ip=_ip(request))
    except CodedError as error:
        status = STATUS.get(error.code, 404 if error.code == "member_not_found" else 400)
        return _respond(request, "rewards/counter/_feedback.html", {"error": error.message}, status=status)
    if found.confirmed and len(found.members) == 1:
        member = found.members[0]
        visit_record(member=member, location=request.location, staff=request.user)
        return _panel(request, member, scanned_voucher=found.voucher)
    return _respond(request, "rewards/counter/_candidates.html", {"candidates": found.members})


def _member(request) -> Member:
    """The member of the URL (read by at_location with the shop), or 404."""
    if request.till.member is None:
        raise Http404
    return request.till.member


@at_location
def counter_member(request, number: str):
    """The member panel, after staff confirmed a member found by number, phone or name."""
    member = _member(request)
    visit_record(member=member, location=request.location, staff=request.user)
    request.till = replace(request.till, visits=None)  # one visit more now: read them again
    return _panel(request, member)


def _shown_member(request) -> Member | None:
    """The member whose panel is open on the till (the scan form carries the number)."""
    number = (request.POST.get("member") or "").strip()
    if not number:
        return None
    return selectors.member_by_number(number)


@at_location
@require_POST
def counter_action(request, number: str, action: str):
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    member = _member(request)
    return _act_for(request, member, lambda: handler(request, member))


def _act_for(request, member: Member, act):
    """Run one action and answer with the panel: the result, or the reason it was refused."""
    try:
        outcome = act()
    except service.AmountToConfirm as pending:  # nothing done: ask, with the amount
        return _panel(request, member, confirm_ore=pending.amount_ore)
    except FormError as error:
        return _panel(request, member, error=error.message, status=400)
    except CodedError as error:
        refusal_record(
            reason=error.code,
            raw=request.POST.get("code") or request.POST.get("q") or request.path.rsplit("/", 2)[-2],
            staff=request.user,
            location=request.location,
            ip=_ip(request),
            member=member,
        )
        return _panel(request, member, error=error.message, status=STATUS.get(error.code, 409))
    return _panel(request, member, outcome=outcome)


class FormError(Exception):
    def __init__(self, form):
        errors = [str(message) for messages in form.errors.values() for message in messages]
        self.message = errors[0] if errors else _("Check the form and try again.")


def _bound(request, form_class):
    form = form_class(request.POST)
    if not form.is_valid():
        raise FormError(form)
    return form.cleaned_data


def _common(request, data) -> dict:
    # An action queued while the till was offline carries the time it happened (TillForm).
    at = data.get("happened_at")
    return {"nonce": data["nonce"], "staff": request.user, "location": request.location, "at": at}


def _stamps(request, member):
    data = _bound(request, StampsForm)
    card = StampCard.objects.select_related("reward").filter(pk=data["card"]).first()
    if card is None:
        raise RewardsError("card_inactive")
    return service.counter_stamps(member=member, card=card, stamps=data["stamps"], **_common(request, data))


def _purchase(request, member):
    data = _bound(request, PurchaseForm)
    return service.counter_purchase(
        member=member, amount_ore=data["amount"], confirmed=data["confirmed"], **_common(request, data)
    )


def _refund(request, member):
    data = _bound(request, RefundForm)
    return service.counter_refund(
        member=member, purchase_id=data["purchase"], amount_ore=data["amount"], **_common(request, data)
    )


def _voucher(request, member):
    data = _bound(request, VoucherForm)
    return service.counter_voucher(member=member, code=data["code"], **_common(request, data))


def _reward(request, member):
    data = _bound(request, RewardForm)
    reward = Reward.objects.filter(pk=data["reward"]).first()
    if reward is None:
        raise RewardsError("reward_unavailable")
    return service.counter_reward(member=member, reward=reward, **_common(request, data))


def _undo(request, member):
    data = _bound(request, NonceForm)
    return service.counter_undo(member=member, **_common(request, data))


def _adjust(request, member):
    if not request.user.is_customer_service:
        raise RewardsError("not_allowed")
    data = _bound(request, AdjustForm)
    points = data["points"] if data["direction"] == "grant" else -data["points"]
    return service.counter_adjust(
        member=member, points=points, reason=data["reason"], **_common(request, data)
    )


def _membership(request, member):
    data = _bound(request, PlanForm)
    plan = next((plan for plan in config().plans if plan.pk == data["plan"]), None)
    if plan is None:
        raise RewardsError("plan_not_on_sale")
    return counter_membership(member=member, plan=plan, **_common(request, data))


ACTIONS = {
    "stempel": _stamps,
    "kjop": _purchase,
    "kupong": _voucher,
    "belonning": _reward,
    "angre": _undo,
    "refusjon": _refund,
    "juster": _adjust,
    "vip": _membership,
}


def _respond(request, partial: str, context: dict, *, status: int = 200):
    context = {"location": request.location, **context}
    if _htmx(request):
        return render(request, partial, context, status=status)
    return _full_page(request, _page_context(request, partial=partial, **context), status=status)


@camera_allowed
def _full_page(request, context: dict, *, status: int = 200):
    """The till page (with the camera button, which needs the camera allowed)."""
    return render(request, "rewards/counter/page.html", context, status=status)


def _panel(
    request,
    member: Member,
    *,
    outcome=None,
    error: str = "",
    status: int = 200,
    confirm_ore=None,
    scanned_voucher=None,
):
    context = panel_context(request, member, outcome, error)
    context["confirm_ore"] = confirm_ore
    context["ready"] = _ready_vouchers(outcome, scanned_voucher)
    return _respond(request, "rewards/counter/_panel.html", context, status=status)


def _ready_vouchers(outcome, scanned_voucher) -> list:
    """Vouchers to hand over now, said prominently with a one-tap "use it now": the voucher
    a full stamp card just issued, or the one whose code was scanned to find the member."""
    if scanned_voucher is not None:
        if scanned_voucher.status != Voucher.Status.ACTIVE:
            return []
        return [(_("Voucher scanned: %(reward)s") % {"reward": scanned_voucher.reward.name}, scanned_voucher)]
    if outcome is None or outcome.result is None or outcome.action.kind == CounterAction.Kind.UNDO:
        return []
    return [
        (_("Card full – give %(reward)s") % {"reward": voucher.reward.name}, voucher)
        for voucher in outcome.result.vouchers
        if voucher.source == Voucher.Source.STAMP_CARD and voucher.status == Voucher.Status.ACTIVE
    ]


def panel_context(request, member: Member, outcome, error: str) -> dict:
    now = timezone.now()
    summary = selectors.wallet_summary(member, now=now)
    return {
        "location": request.location,
        "member": member,
        "summary": summary,
        "nonce": service.new_nonce(),
        "rewards": selectors.rewards_within_reach(summary.wallet, now=now, membership=summary.membership),
        "plans": config().plans,
        "visits": _visits(request, member),
        "purchases": selectors.purchases_recent(member),
        "undoable": _undoable(member, request.location, now, outcome),
        "flags": selectors.member_flags(member, summary.vouchers, now=now),
        "sections": panel_sections(member),  # the other apps' parts (rewards.registry)
        "can_adjust": request.user.is_customer_service,
        "actions": _action_urls(request.location, member),
        # The till asks "Are you sure?" itself above this while offline (counter_offline.js).
        "confirm_above_ore": (config().program.purchase_confirm_above_kr or 0) * 100,
        "outcome": outcome,
        "error": error,
    }


def _visits(request, member: Member) -> list:
    """The member's last visits: as at_location read them with the member, unless that was
    another member or a visit was recorded since."""
    till = getattr(request, "till", None)
    if till is not None and till.member is member and till.visits is not None:
        return till.visits
    return selectors.visits_recent(member)


def _action_urls(location: Location, member: Member) -> dict[str, str]:
    """Each action's URL for this member at this shop: one reverse() for the panel's dozen forms."""
    stem = reverse("rewards:counter_action", args=[location.pk, member.number, "kjop"]).removesuffix("kjop/")
    return {action: f"{stem}{action}/" for action in ACTIONS}


def _undoable(member: Member, location: Location, now, outcome=None) -> CounterAction | None:
    if outcome is not None and not outcome.replayed and outcome.action.kind != CounterAction.Kind.UNDO:
        last = outcome.action  # what was just done is the last action: no need to look it up
    else:
        last = selectors.last_action(member, location)
    return last if last is not None and service.undo_window_open(last, now=now) else None
