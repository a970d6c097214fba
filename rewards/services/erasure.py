"""Erasing a member: blank what staff typed that names them (members.signals.member_erasing).

The ledger, stamps, vouchers and visits stay as they are: they name nobody once the member
row is pseudonymised, and the books and the club's figures count them. Text typed at the
till or in admin may name the member, and is blanked where it does.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from members.models import Member
from members.services import text_mentions
from rewards.models import CounterAction, LedgerEntry, ScanRefusal
from rewards.selectors import REASON_LABELS
from rewards.services import sql


def _naming(rows: QuerySet, column: str, personal: tuple[str, ...]) -> list[int]:
    """The ids of the rows whose `column` holds one of the personal values."""
    typed = rows.exclude(**{column: ""}).values_list("pk", column)
    return [pk for pk, text in typed if text_mentions(text, personal)]


def typed_text_erase(*, member: Member, personal: tuple[str, ...]) -> None:
    """Blank, inside the erasure's transaction:
    - refused input about the member, or any refused input that holds one of their values
      (a mobile number typed into the voucher field);
    - the summary of a counter action of theirs that names them (a grant's reason);
    - the reason typed for a manual grant, deduction or reversal of theirs that names them.
      Of the append-only ledger only the reason is blanked (sql.ledger_reasons_blank); the
      codes the club writes there (REASON_LABELS) name nobody and are not looked at.
    """
    ledger = LedgerEntry.objects.filter(wallet__member=member).exclude(reason__in=list(REASON_LABELS))
    sql.ledger_reasons_blank(_naming(ledger, "reason", personal))
    refusals = ScanRefusal.objects.all()
    doomed = _naming(refusals, "raw_input", personal)
    refusals.filter(Q(member=member) | Q(pk__in=doomed)).exclude(raw_input="").update(raw_input="")
    named = _naming(CounterAction.objects.filter(member=member), "summary", personal)
    CounterAction.objects.filter(pk__in=named).update(summary="")
