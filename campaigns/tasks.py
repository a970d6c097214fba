"""Celery tasks of the campaigns app: thin, each calls one service."""

from celery import shared_task

from campaigns import services


@shared_task
def erase_inactive() -> dict:
    """Daily (Celery beat): warn members inactive for nearly the club's retention period,
    erase those warned 30 days ago who stayed away. Safe to run twice."""
    run = services.retention_sweep()
    return {"warned": len(run.warned), "erased": len(run.erased), "cancelled": len(run.cancelled)}
