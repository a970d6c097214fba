"""Erasing a member: blank what staff typed that names them (members.signals.member_erasing).

The ledger, stamps, vouchers and visits stay as they are: they name nobody once the member
row is pseudonymised, and the books and the club's figures count them. Text typed at the
till or in admin may name the member, and is blanked where it does: in her own rows, and in
other members' rows of the kinds that carry typed text (a grant to a friend "for bringing
Kari along"). The other kinds hold only what the club writes (amounts, codes, reward and
card names), so a club's whole ledger is not read for each erasure.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from members.models import Member
from members.services import text_mentions
from rewards.models import CounterAction, LedgerEntry, ScanRefusal
from rewards.selectors import REASON_LABELS

# The kinds whose text staff type: a grant's or deduction's reason, an admin reversal's
# reason, a bonus given by hand; at the till, grants and deductions, and undos, whose
# summary repeats the undone action's.
TYPED_ENTRY_KINDS = (LedgerEntry.Kind.ADJUST, LedgerEntry.Kind.REVERSAL, LedgerEntry.Kind.BONUS)
TYPED_ACTION_KINDS = (CounterAction.Kind.GRANT, CounterAction.Kind.DEDUCT, CounterAction.Kind.UNDO)


def _naming(rows: QuerySet, column: str, personal: tuple[str, ...]) -> list[int]:
    """The ids of the rows whose `column` holds one of the personal values."""
    typed = rows.exclude(**{column: ""}).values_list("pk", column)
    return [pk for pk, text in typed if text_mentions(text, personal)]


def typed_text_erase(*, member: Member, personal: tuple[str, ...]) -> None:
    """Blank, inside the erasure's transaction:
    - refused input about the member, or any refused input that holds one of their values
      (a mobile number typed into the voucher field);
    - the summary of a counter action that names them: theirs, or a grant, deduction or
      undo of another member's;
    - the reason typed for a ledger entry that names them: any of theirs, or another
      member's manual grant, deduction, reversal or bonus. Of the append-only ledger only
      the reason is blanked (LedgerQuerySet.reasons_blank); the codes the club writes there
      (REASON_LABELS) name nobody and are not looked at.
    """
    entries = LedgerEntry.objects.filter(Q(wallet__member=member) | Q(kind__in=TYPED_ENTRY_KINDS))
    named = _naming(entries.exclude(reason__in=list(REASON_LABELS)), "reason", personal)
    LedgerEntry.objects.filter(pk__in=named).reasons_blank()
    refusals = ScanRefusal.objects.all()
    doomed = _naming(refusals, "raw_input", personal)
    refusals.filter(Q(member=member) | Q(pk__in=doomed)).exclude(raw_input="").update(raw_input="")
    actions = CounterAction.objects.filter(Q(member=member) | Q(kind__in=TYPED_ACTION_KINDS))
    CounterAction.objects.filter(pk__in=_naming(actions, "summary", personal)).update(summary="")
