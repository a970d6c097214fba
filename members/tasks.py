"""Celery tasks: ids in, one service call, retries owned here."""

from celery import shared_task

from clubsite.sms import SmsError
from members import services


@shared_task(bind=True, autoretry_for=(SmsError, OSError), retry_backoff=30, max_retries=5)
def send_welcome(self, member_id: int) -> int:
    services.member_welcome_send(member_id=member_id)
    return member_id


@shared_task(bind=True, autoretry_for=(SmsError, OSError), retry_backoff=30, max_retries=5)
def send_erasure_warning(self, member_id: int) -> str | None:
    return services.member_erasure_warning_send(member_id=member_id)


@shared_task
def erase_inactive() -> dict:
    """Daily (Celery beat): warn members inactive for nearly the club's retention period,
    erase those warned 30 days ago who stayed away. Safe to run twice."""
    from members.services.retention import retention_sweep

    run = retention_sweep()
    return {"warned": run.warned, "erased": run.erased, "cancelled": run.cancelled}
