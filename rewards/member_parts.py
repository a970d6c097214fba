"""The wallet's parts of what the members app gathers about a member (members.registry):
the panels on the owner's member page, the points and tier columns of the member list, the
opening points balance column of the member import, and the activity the retention sweep
counts. Registered in RewardsConfig.ready()."""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clubsite.admin_site import changelist_url
from clubsite.money import kr
from members.models import Member
from members.registry import (
    ImportColumn,
    MemberColumn,
    MemberPanel,
    card_links,
    card_missions,
    card_sections,
    member_activity,
    member_columns,
    member_import_columns,
    member_panels,
    panel_rows,
    terms_lines,
    welcome_offers,
)
from rewards.models import Cause, LedgerEntry, Membership, Plan, Poll, SurpriseSettings, Visit, Voucher
from rewards.selectors import reason_label, wallet_summary
from rewards.services import points_award, wallet_get_or_create
from rewards.services.core import MAX_POINTS
from rewards.services.perks import membership_current
from rewards.services.welcome import welcome_gift_text, welcome_mission
from rewards.views.achievements import card_section as challenges_card_section

OPENING_REASON = "opening_balance"  # shown to members as a label (rewards.selectors.REASON_LABELS)


# --- The owner's member page


def wallet_panel(member: Member) -> str:
    summary = wallet_summary(member)
    return render_to_string(
        "admin/members/member/_wallet.html",
        {
            "summary": summary,
            "ledger_url": changelist_url("rewards_ledgerentry", wallet__id__exact=summary.wallet.pk),
            "wallet_url": reverse("admin:rewards_wallet_change", args=[summary.wallet.pk]),
        },
    )


def history_panel(member: Member) -> str:
    wallet = wallet_get_or_create(member)
    entries = LedgerEntry.objects.filter(wallet=wallet).select_related("location", "staff", "reversal")
    rows, total = panel_rows(entries)
    for entry in rows:
        entry.reason_shown = reason_label(entry.reason)
    return render_to_string(
        "admin/members/member/_history.html",
        {
            "entries": rows,
            "total": total,
            "all_url": changelist_url("rewards_ledgerentry", wallet__id__exact=wallet.pk),
        },
    )


def vouchers_panel(member: Member) -> str:
    wallet = wallet_get_or_create(member)
    rows, total = panel_rows(Voucher.objects.filter(wallet=wallet).select_related("reward"))
    return render_to_string(
        "admin/members/member/_vouchers.html",
        {
            "vouchers": rows,
            "total": total,
            "all_url": changelist_url("rewards_voucher", wallet__id__exact=wallet.pk),
        },
    )


# --- The member import: an opening balance, posted once per member


def opening_key(member: Member) -> str:
    """The idempotency key of a member's opening balance: one per member, ever."""
    return f"import:opening:{member.pk}"


def _opening_parse(text: str) -> int | None:
    points = text.replace(" ", "").replace("\xa0", "")
    if not points.isdigit() or int(points) > MAX_POINTS:
        raise ValueError(gettext("Write a whole number of points, 0 or more."))
    return int(points) or None  # 0: nothing to post


def _opening_applied(member: Member, points: int) -> bool:
    entry = LedgerEntry.objects.filter(operation__key=opening_key(member)).only("points").first()
    if entry is None:
        return False
    if entry.points != points:
        raise ValueError(
            gettext(
                "This member's opening balance was imported before, with %(points)s points. "
                "Correct it with a bonus or a reversal instead."
            )
            % {"points": entry.points}
        )
    return True


def _opening_apply(*, member: Member, value: int, staff) -> None:
    points_award(
        member=member, points=value, reason=OPENING_REASON, idempotency_key=opening_key(member), staff=staff
    )


def _opening_note(points: int, applied: bool) -> str:
    if applied:
        return gettext("opening points already imported")
    return gettext("%(points)s opening points") % {"points": points}


OPENING_POINTS = ImportColumn(
    name="opening_points",
    aliases=("poeng", "startpoeng"),
    parse=_opening_parse,
    applied=_opening_applied,
    apply=_opening_apply,
    note=_opening_note,
)


# --- Retention: a visit at a till, or a ledger entry of the member's own doing

# Purchases, redemptions and staff's adjustments, and anything booked at a till. Not the
# club's own doing (expiry, birthday and bulk bonuses from admin, a referral reward earned
# by a friend's purchase): those would keep a member who never comes back on file for ever.
OWN_ENTRIES = Q(kind__in=[LedgerEntry.Kind.EARN, LedgerEntry.Kind.REDEEM, LedgerEntry.Kind.ADJUST]) | Q(
    location__isnull=False
)


def last_visit(member: OuterRef) -> Subquery:
    return Subquery(Visit.objects.filter(member=member).order_by("-last_seen_at").values("last_seen_at")[:1])


def last_own_entry(member: OuterRef) -> Subquery:
    own = LedgerEntry.objects.filter(OWN_ENTRIES, wallet__member=member)
    return Subquery(own.order_by("-created_at").values("created_at")[:1])


# --- The member's card page


def membership_link(member: Member):
    """The paid membership: what it has given a member, or the trial offered to one who has
    never been a member (one query; none when the club sells no membership)."""
    now = timezone.now()
    current = membership_current(member, now)
    if current is not None:
        return gettext("%(plan)s: see what it has given you") % {"plan": current.plan.name}, reverse(
            "rewards:membership"
        )
    plan = Plan.objects.filter(is_active=True, trial_days__gt=0).order_by("price_kr").first()
    if plan is None or Membership.objects.filter(member=member).exists():
        return None
    return gettext("Try %(plan)s free for %(days)s days") % {
        "plan": plan.name,
        "days": plan.trial_days,
    }, reverse("rewards:membership")


def feedback_link(member: Member):
    """An open poll the member has not answered (one query)."""
    if not Poll.objects.filter(is_active=True).exclude(answers__member=member).exists():
        return None
    return gettext("Answer a quick question"), reverse("rewards:feedback")


def cause_link(member: Member):
    """Give points to a good cause, when the club has one open (one query)."""
    if not Cause.objects.filter(is_active=True).exists():
        return None
    return gettext("Give points to a good cause"), reverse("rewards:donate")


def surprise_odds() -> str:
    """The odds of a surprise, as the terms page must publish them."""
    settings = SurpriseSettings.load()
    if not settings.on:
        return ""
    return gettext(
        "Surprises: each purchase has a 1 in %(n)s chance of %(reward)s, as long as the month's budget "
        "of %(budget)s lasts. Every draw is recorded and can be checked."
    ) % {"n": settings.one_in, "reward": settings.reward.name, "budget": kr(settings.budget_kr * 100)}


def register() -> None:
    terms_lines.register(surprise_odds)
    card_links.register(membership_link)
    card_links.register(feedback_link)
    card_links.register(cause_link)
    card_sections.register(challenges_card_section)
    member_panels.register(MemberPanel(key="wallet", title=_("Wallet"), render=wallet_panel, order=10))
    member_panels.register(MemberPanel(key="history", title=_("History"), render=history_panel, order=20))
    member_panels.register(MemberPanel(key="vouchers", title=_("Vouchers"), render=vouchers_panel, order=30))
    member_columns.register(
        MemberColumn(
            name="points",
            label=_("points"),
            attribute="wallet__balance",
            select_related="wallet",
            ordering="wallet__balance",
            default=0,
        )
    )
    member_columns.register(
        MemberColumn(
            name="tier",
            label=_("tier"),
            attribute="wallet__tier",
            select_related="wallet__tier",
            ordering="wallet__tier__threshold",
            default="—",
        )
    )
    member_import_columns.register(OPENING_POINTS)
    member_activity.register(last_visit)
    member_activity.register(last_own_entry)
    welcome_offers.register(welcome_gift_text)
    card_missions.register(welcome_mission)
