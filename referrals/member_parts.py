"""The referrals' panel on the owner's member page (members.registry), registered in
ReferralsConfig.ready()."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from clubsite.admin_site import changelist_url
from members.models import Member
from members.registry import MemberPanel, member_panels, panel_rows
from referrals.models import Referral


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
    member_panels.register(
        MemberPanel(key="referrals", title=_("Referrals"), render=referrals_panel, order=40)
    )
