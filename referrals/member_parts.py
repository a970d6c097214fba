"""The referrals' panel on the owner's member page (members.registry) and the friends
referred that challenges and badges count (rewards.registry), registered in
ReferralsConfig.ready()."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from clubsite.admin_site import changelist_url
from members.models import Member
from members.registry import MemberPanel, member_panels, panel_rows
from referrals.models import Referral
from rewards.models.challenges import Goal
from rewards.registry import achievement_count_register


def friends_referred(member: Member, since, until) -> int:
    """Friends the member referred whose referral was rewarded in [since, until) (one taken
    back after the friend's refund no longer counts)."""
    paid = Referral.objects.filter(referrer=member, status=Referral.Status.PAID, paid_at__lt=until)
    return (paid.filter(paid_at__gte=since) if since is not None else paid).count()


def referrals_panel(member: Member) -> str:
    rows, total = panel_rows(Referral.objects.filter(referrer=member).select_related("friend__user"))
    return render_to_string(
        "admin/members/member/_referrals.html",
        {
            "made": rows,
            "total": total,
            "received": Referral.objects.filter(friend=member).select_related("referrer__user").first(),
            "all_url": changelist_url("referrals_referral", referrer__id__exact=member.pk),
        },
    )


def register() -> None:
    achievement_count_register(Goal.REFERRALS, friends_referred)
    member_panels.register(
        MemberPanel(key="referrals", title=_("Referrals"), render=referrals_panel, order=40)
    )
