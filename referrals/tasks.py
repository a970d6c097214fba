"""Referral jobs: thin, ids in, each calls one service. Eager in development and tests."""

from celery import shared_task

from referrals import services


@shared_task
def qualify_purchase(member_id: int, entry_id: int | None, amount_ore: int) -> None:
    services.referral_qualify(friend_id=member_id, entry_id=entry_id, amount_ore=amount_ore)


@shared_task
def qualify_visit(member_id: int, visit_id: int) -> None:
    services.referral_qualify(friend_id=member_id, visit_id=visit_id)


@shared_task
def refund_purchase(member_id: int, reverses_id: int, remaining_ore: int = 0) -> None:
    services.referral_refund(friend_id=member_id, reverses_id=reverses_id, remaining_ore=remaining_ore)


@shared_task
def pay_due() -> int:
    return services.referrals_pay_due()
