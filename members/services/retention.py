"""Limited retention: members who stopped using the club are warned, then erased.

The club's owner sets the period (members.Club.retention_months; 0 keeps members until they
leave). A member is inactive when nothing of theirs happened within it: not joined, no
login, no visit at a till, and no ledger entry of their own doing. Thirty days before the
period runs out they are told, by e-mail if they have one, else by SMS; coming back
(logging in, a scan at the till, a purchase) cancels the warning. Once the warning is
ERASURE_WARNING_DAYS old and they stayed away, members.services.member_erase erases them.

"Inactive" also reads the other apps' rows (a visit at a till, the member's own ledger
entries): each app registers how to find its latest one in members.registry.member_activity.
Every step is safe to run twice: the warning time on the member is the record that a
warning went out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from clubsite.batches import in_batches
from members.models import Club, Member
from members.registry import member_activity
from members.services.accounts import MembersError
from members.services.gdpr import ERASURE_WARNING_DAYS, member_erase


@dataclass
class RetentionRun:
    """How many members one run warned, erased and stopped warning (in a dry run: would)."""

    warned: int = 0
    erased: int = 0
    cancelled: int = 0
    dry_run: bool = False


# Told of each member a run acts on: ("cancel" | "erase" | "warn", member). The run itself
# keeps only counts, so that a first run at a big club holds one batch of members at a time.
Report = Callable[[str, Member], None]


def _ignore(action: str, member: Member) -> None:
    pass


def members_with_last_activity() -> QuerySet[Member]:
    """Members who are not erased, with `last_activity`: the latest of joining, logging in,
    and what the other apps registered (a visit at a till, a ledger entry of their own).
    Staff accounts are the owner's to close in admin, never the sweep's (erasing one would
    lock a colleague out)."""
    joined = F("joined_at")
    # Every part falls back to the join time: GREATEST is NULL on SQLite if any part is.
    return (
        Member.objects.filter(erased_at=None, user__is_staff=False, user__is_superuser=False)
        .select_related("user")
        .annotate(
            last_activity=Greatest(
                joined,
                Coalesce("user__last_login", joined),
                *(Coalesce(since(OuterRef("pk")), joined) for since in member_activity),
            )
        )
    )


def retention_sweep(
    *, now: datetime | None = None, dry_run: bool = False, report: Report = _ignore
) -> RetentionRun:
    """Cancel the warnings of members who came back, erase the members whose warning is old
    enough (and those we cannot warn), and warn the members whose period runs out within
    ERASURE_WARNING_DAYS, a batch of members at a time. With `dry_run`, only say who."""
    now = now or timezone.now()
    run = RetentionRun(dry_run=dry_run)
    months = Club.load().retention_months
    if not months:
        return run
    cutoff = now - relativedelta(months=months)
    warn_from = cutoff + timedelta(days=ERASURE_WARNING_DAYS)
    members = members_with_last_activity()
    reachable = Q(user__email__isnull=False) | Q(user__phone__isnull=False)
    warning_over = Q(
        erasure_warned_at__lte=now - timedelta(days=ERASURE_WARNING_DAYS),
        last_activity__lt=F("erasure_warned_at"),
    )
    # Came back since the warning (or the owner lengthened the period): no longer due.
    cancel = members.filter(erasure_warned_at__isnull=False).filter(
        Q(last_activity__gte=F("erasure_warned_at")) | Q(last_activity__gte=warn_from)
    )
    # Warned long enough ago and still away; or unreachable, so never warned: a member with
    # neither e-mail nor mobile number (only an account the owner deactivated can be one, by
    # the user's check constraint) cannot be told, and keeping their data past the period
    # because nobody can be warned would defeat the limit the warning exists to soften.
    erase = members.filter(last_activity__lt=cutoff).filter(warning_over | ~reachable)
    # Those being erased are gone from `members` by the time the warnings go (not in a dry run).
    warn = members.filter(reachable, erasure_warned_at=None, last_activity__lt=warn_from).exclude(
        pk__in=erase.values("pk")
    )

    for batch in in_batches(cancel):
        if not dry_run:
            Member.objects.filter(pk__in=[m.pk for m in batch]).update(erasure_warned_at=None)
        for member in batch:
            run.cancelled += 1
            report("cancel", member)
    for batch in in_batches(erase):
        for member in batch:
            if not dry_run:
                try:
                    member_erase(member=member)
                except MembersError:  # erased meanwhile (by the owner, or a run alongside)
                    continue
            run.erased += 1
            report("erase", member)
    for batch in in_batches(warn):
        for member in batch:
            if dry_run or _warn(member, now=now):
                run.warned += 1
                report("warn", member)
    return run


@transaction.atomic
def _warn(member: Member, *, now: datetime) -> bool:
    # Compare-and-set: of two runs at once, one warns.
    if not Member.objects.filter(pk=member.pk, erasure_warned_at=None, erased_at=None).update(
        erasure_warned_at=now
    ):
        return False
    member.erasure_warned_at = now
    from members.tasks import send_erasure_warning  # the task module imports the services

    transaction.on_commit(partial(send_erasure_warning.delay, member.pk))
    return True
