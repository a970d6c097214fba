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

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from members.models import Club, Member
from members.registry import member_activity
from members.services.accounts import MembersError
from members.services.gdpr import ERASURE_WARNING_DAYS, member_erase


@dataclass
class RetentionRun:
    """What one run did (or, in a dry run, would do)."""

    warned: list[Member] = field(default_factory=list)
    erased: list[Member] = field(default_factory=list)
    cancelled: list[Member] = field(default_factory=list)
    dry_run: bool = False


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


def retention_sweep(*, now: datetime | None = None, dry_run: bool = False) -> RetentionRun:
    """Cancel the warnings of members who came back, erase the members whose warning is old
    enough (and those we cannot warn), and warn the members whose period runs out within
    ERASURE_WARNING_DAYS. With `dry_run`, only say who."""
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
    run.cancelled = list(
        members.filter(erasure_warned_at__isnull=False).filter(
            Q(last_activity__gte=F("erasure_warned_at")) | Q(last_activity__gte=warn_from)
        )
    )
    # Warned long enough ago and still away; or unreachable, so never warned: a member with
    # neither e-mail nor mobile number (only an account the owner deactivated can be one, by
    # the user's check constraint) cannot be told, and keeping their data past the period
    # because nobody can be warned would defeat the limit the warning exists to soften.
    run.erased = list(members.filter(last_activity__lt=cutoff).filter(warning_over | ~reachable))
    erased_pks = {m.pk for m in run.erased}
    run.warned = [
        m
        for m in members.filter(reachable, erasure_warned_at=None, last_activity__lt=warn_from)
        if m.pk not in erased_pks
    ]
    if dry_run:
        return run

    if run.cancelled:
        Member.objects.filter(pk__in=[m.pk for m in run.cancelled]).update(erasure_warned_at=None)
    done = []
    for member in run.erased:
        try:
            done.append(member_erase(member=member))
        except MembersError:  # erased meanwhile (by the owner, or a run alongside)
            continue
    run.erased = done
    run.warned = [m for m in run.warned if _warn(m, now=now)]
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
