"""Listening to the apps below (their signals arrive after commit). Thin: a cheap check,
then a task or a service. Most purchases, visits and refunds are no referral's business,
so each receiver first asks the database one indexed question before queuing anything."""

from __future__ import annotations

from django.utils import timezone

from members.models import Member
from referrals import invites, selectors, services, tasks
from referrals.errors import ReferralsError
from referrals.models import Referral


def on_purchase_recorded(sender, member_id, entry_id=None, amount_ore=0, **kwargs):
    if selectors.waits_for_qualifying(member_id):
        tasks.qualify_purchase.delay(member_id, entry_id, amount_ore)


def on_visit_recorded(sender, member_id, visit_id, **kwargs):
    if selectors.waits_for_qualifying(member_id):
        tasks.qualify_visit.delay(member_id, visit_id)


def on_purchase_reversed(sender, member_id, reverses_id, remaining_ore=0, **kwargs):
    if selectors.qualified_by(member_id, reverses_id):
        tasks.refund_purchase.delay(member_id, reverses_id, remaining_ore)


def on_user_logged_in(sender, request, user, **kwargs):
    """A visitor who came through a member's link has just joined (and is logged in by the
    join): record the invitation. See referrals.invites for why it happens here."""
    if request is None:
        return
    code = invites.invite_from(request)
    if not code:
        return
    invites.invite_forget(request)
    member = Member.objects.filter(user=user, erased_at=None).select_related("user").first()
    if member is None or member.joined_at < timezone.now() - invites.JUST_JOINED:
        return
    if Referral.objects.filter(friend=member).exists():
        return  # recorded already, by the join page of the link itself
    try:
        referral = services.referral_attribute(
            friend=member,
            code=code,
            channel=Referral.Channel.LINK,
            ip=invites.client_ip(request),
            device=invites.device_id(request),
        )
    except ReferralsError:
        return  # the programme was switched off, or the code's member left: joining stands
    if not referral.replayed:
        invites.outcome_message(request, referral)
