# ruff: noqa: S608 - the SQL is put together here from numbers and column names, never from input.
"""Data for the dashboard bench: many members with a year of history, written set-based.

Each table is filled by one `INSERT ... SELECT` over generate_series (PostgreSQL), never row
by row, foreign-key checks off and secondary indexes built once at the end (_bulk_load):
100,000 members and 2,000,000 ledger entries take about 40 s. Rows are copied
from a template row made by the real services, with the columns that matter computed per
row; a column added to a model later is copied from the template, so the bench keeps
working. Ids are given explicitly (and the sequences moved past them afterwards), so that
rows can point at each other without reading anything back.

Member i (0, 1, 2, ...) joined 1 to 449 days ago and has ENTRIES_PER_MEMBER ledger entries
spread from then to now, in a cycle of 20: 13 purchases (one refunded by a reversal), 2
bonuses, 2 redemptions and 2 expiries. Each debit consumes exactly one earlier lot whole,
so the wallet's invariants hold (balance == sum of entries == sum of unspent lots; checked
by wallets_reconcile at the end of every bench run). Allocation rows are not written: the
dashboard does not read them and the reconciliation does not check them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from campaigns.insights.selectors.period import local_midnight
from campaigns.models import Message, NpsAnswer, TierChange
from members.models import ConsentEvent, Location, Member, User
from members.services import member_join
from referrals.models import Referral
from rewards.models import LedgerEntry, Operation, Reward, Tier, Visit, Voucher, VoucherUse, Wallet
from rewards.services import purchase_register, wallet_get_or_create
from tests.bench.bulk_sql import copy_rows, first_free_id
from tests.bench.dashboard_messages import messages_add
from tests.bench.log import log

ENTRIES_PER_MEMBER = 20
LOCATIONS = 3
VISITS_PER_MEMBER = 4


class Templates:
    """One row of each table, made through the services; the copies take their other columns."""

    def __init__(self, now: datetime):
        self.now = now
        first, second = (
            member_join(first_name="Mal", email=f"dashboard-template-{i}@bench.example", welcome=False)
            for i in range(2)
        )
        self.member = first
        self.wallet = wallet_get_or_create(first)
        self.locations = [
            Location.objects.get_or_create(name=f"Bench-butikk {i}")[0] for i in range(LOCATIONS)
        ]
        self.reward, _created = Reward.objects.get_or_create(
            name="Bench-kaffe", defaults={"cost_points": 1000}
        )
        self.tier = Tier.objects.order_by("threshold").first() or Tier.objects.create(
            name="Bench-sølv", threshold=2000
        )
        self.entry = purchase_register(
            member=first, amount_ore=10_000, idempotency_key="dashboard-template", at=now
        ).entry
        self.visit = Visit.objects.create(member=first, location=self.locations[0], started_at=now)
        self.voucher = Voucher.objects.create(
            wallet=self.wallet,
            reward=self.reward,
            code="DASHTEMPLATE",
            source=Voucher.Source.REDEEM,
            issued_at=now,
            expires_at=now + timedelta(days=30),
        )
        self.consent = ConsentEvent.objects.create(
            member=first,
            purpose=ConsentEvent.Purpose.MARKETING,
            channel=ConsentEvent.Channel.EMAIL,
            granted=True,
            wording_version="bench",
            wording="Ja takk, send meg tilbud på e-post.",
            source=ConsentEvent.Source.SIGNUP,
            created_at=now,
        )
        self.referral = Referral.objects.create(
            referrer=first, friend=second, channel=Referral.Channel.LINK, created_at=now
        )


_made: list[Templates] = []


def templates(now: datetime) -> Templates:
    """The run's one set of template rows (their users' addresses are unique), made by the
    first bench that grows the club."""
    if not _made:
        _made.append(Templates(now))
    return _made[0]


MODELS = (
    User,
    Member,
    Wallet,
    Operation,
    LedgerEntry,
    Visit,
    Voucher,
    VoucherUse,
    ConsentEvent,
    Referral,
    TierChange,
    Message,
    NpsAnswer,
)


def _finish(wallet_base: int) -> None:
    """Sequences past the explicit ids, the new wallets' balances from their ledger, and
    statistics for the planner."""
    with connection.cursor() as cursor:
        for model in MODELS:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT MAX(id) FROM "{table}"))'
            )
        cursor.execute(
            f"""UPDATE "{Wallet._meta.db_table}" w SET balance = s.points
                  FROM (SELECT wallet_id, SUM(points) AS points FROM "{LedgerEntry._meta.db_table}"
                         WHERE wallet_id >= %s GROUP BY wallet_id) s
                 WHERE s.wallet_id = w.id AND w.balance <> s.points""",
            [wallet_base],
        )
        for model in MODELS:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


@contextmanager
def _bulk_load() -> Iterator[None]:
    """Millions of rows at once: foreign-key checks off (session_replication_role = replica;
    the rows written here point at rows written here) and the tables' secondary indexes
    dropped, then built once at the end: several times faster than keeping a dozen indexes
    up to date row by row. Indexes behind a constraint (primary keys, unique) stay."""
    tables = [model._meta.db_table for model in MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)


def members_add(templates: Templates, first: int, count: int) -> None:
    """Members first .. first+count-1 (indices, not ids) with users, wallets, a ledger
    history, visits, vouchers, consents, referrals, tier changes, campaigns and NPS answers."""
    with _bulk_load():
        _members_add(templates, first, count)
    _finish(first_free_id(Wallet) - count)


def _members_add(templates: Templates, first: int, count: int) -> None:
    k, last = ENTRIES_PER_MEMBER, first + count - 1
    now = f"'{templates.now.isoformat()}'::timestamptz"
    user_base, member_base, wallet_base = first_free_id(User), first_free_id(Member), first_free_id(Wallet)
    op_base, entry_base, voucher_base = (
        first_free_id(Operation),
        first_free_id(LedgerEntry),
        first_free_id(Voucher),
    )
    loc0 = templates.locations[0].pk

    def days_ago(i: str) -> str:  # member i joined 1 to 449 days before now
        return f"(1 + (({i}) * 7919) % 449)"

    def joined(i: str = "g.i") -> str:
        return f"({now} - interval '1 day' * {days_ago(i)})"

    def at(j: str) -> str:  # entry j of member g.i: spread evenly from the join to now
        return f"({now} - interval '1 second' * ({days_ago('g.i')} * 86400.0 * (1 - (({j}) + 0.5) / {k})))"

    def amount(j: str) -> str:  # the purchase of entry j, in øre
        return f"(5000 + (g.i * 7919 + ({j}) * 104729) % 55000)"

    def index(base: int) -> str:
        return f"({base} + g.i - {first})"

    members = f"generate_series({first}::bigint, {last}::bigint) AS g(i)"  # bigint: i * 7919 overflows int
    copy_rows(
        User,
        templates.member.user_id,
        {
            "id": index(user_base),
            "email": "'dash' || g.i || '@bench.example'",
            "phone": "NULL",
            "first_name": "'Medlem ' || g.i",
            "password": "'!'",
            "date_joined": joined(),
        },
        members,
    )
    erased_at = f"{joined()} + interval '200 days'"
    copy_rows(
        Member,
        templates.member.pk,
        {
            "id": index(member_base),
            "user_id": index(user_base),
            "number": "'D' || lpad(g.i::text, 7, '0')",
            "card_secret": "md5(g.i::text)",
            "joined_at": joined(),
            "erased_at": f"CASE WHEN g.i % 50 = 25 AND {erased_at} < {now} THEN {erased_at} END",
            "home_location_id": f"{loc0} + g.i % {LOCATIONS}",  # the shop of the first entry
        },
        members,
    )
    copy_rows(
        Wallet,
        templates.wallet.pk,
        {
            "id": index(wallet_base),
            "member_id": index(member_base),
            "balance": "0",
            "tier_id": f"CASE WHEN g.i % 7 = 0 THEN {templates.tier.pk} END",
            "tier_review_at": "NULL",
        },
        members,
    )

    # The ledger, in a cycle of 20 entries: j % 10 = 8 redeems lot j - 8 whole, j % 10 = 9
    # expires lot j - 8 (which lapses at that moment), j % 20 = 16 refunds purchase j - 1;
    # j % 10 = 7 is a bonus, the rest are purchases.
    rows = f"{members} CROSS JOIN generate_series(0, {k - 1}) AS e(j)"
    row = f"((g.i - {first}) * {k} + e.j)"
    r10, r20 = "(e.j % 10)", "(e.j % 20)"
    kind = (
        f"CASE WHEN {r20} = 16 THEN 'reversal' WHEN {r10} = 7 THEN 'bonus' WHEN {r10} = 8 THEN 'redeem' "
        f"WHEN {r10} = 9 THEN 'expire' ELSE 'earn' END"
    )
    points = (
        f"CASE WHEN {r20} = 16 THEN -({amount('e.j - 1')} / 100) WHEN {r10} = 7 THEN 50 "
        f"WHEN {r10} IN (8, 9) THEN -({amount('e.j - 8')} / 100) ELSE {amount('e.j')} / 100 END"
    )
    credit = f"({r10} NOT IN (8, 9) AND {r20} <> 16)"
    consumed = f"(({r10} IN (0, 1) AND e.j + 8 < {k}) OR ({r20} = 15 AND e.j + 1 < {k}))"
    copy_rows(
        Operation,
        templates.entry.operation_id,
        {
            "id": f"({op_base} + {row})",
            "key": f"'dash:' || ({op_base} + {row})",
            "kind": "'bench'",
            "wallet_id": index(wallet_base),
            "created_at": at("e.j"),
        },
        rows,
    )
    copy_rows(
        LedgerEntry,
        templates.entry.pk,
        {
            "id": f"({entry_base} + {row})",
            "wallet_id": index(wallet_base),
            "operation_id": f"({op_base} + {row})",
            "kind": kind,
            "points": points,
            "remaining": f"CASE WHEN {credit} AND NOT {consumed} THEN {points} ELSE 0 END",
            "expires_at": (
                f"CASE WHEN NOT {credit} THEN NULL WHEN {r10} = 1 AND e.j + 8 < {k} THEN {at('e.j + 8')} "
                f"ELSE {at('e.j')} + interval '365 days' END"
            ),
            "qualifying": f"({r10} NOT IN (7, 8, 9))",
            "amount_ore": (
                f"CASE WHEN {r20} = 16 THEN -{amount('e.j - 1')} WHEN {r10} IN (7, 8, 9) THEN NULL "
                f"ELSE {amount('e.j')} END"
            ),
            "reason": "''",
            "location_id": f"CASE WHEN {r10} IN (7, 9) THEN NULL ELSE {loc0} + (g.i + e.j) % {LOCATIONS} END",
            "staff_id": "NULL",
            "reverses_id": f"CASE WHEN {r20} = 16 THEN {entry_base} + {row} - 1 END",
            "created_at": at("e.j"),
            "recorded_at": "now()",  # written now (a history imported today), for the rollups
        },
        rows,
    )
    log(f"dashboard data: {count} members, {count * k} ledger entries")

    visit_at = at("e.j * 5 + 2")
    copy_rows(
        Visit,
        templates.visit.pk,
        {
            "member_id": index(member_base),
            "location_id": f"{loc0} + (g.i + e.j) % {LOCATIONS}",
            "staff_id": "NULL",
            "started_at": visit_at,
            "last_seen_at": visit_at,
        },
        f"{members} CROSS JOIN generate_series(0, {VISITS_PER_MEMBER - 1}) AS e(j)",
    )
    # A voucher for each redemption (entries 8 and 18): a third used two days later, the
    # rest left to expire after 30 days (breakage) or still outstanding.
    redeemed_at = at("8 + 10 * e.j")
    used = f"(g.i % 3 = 0 AND {redeemed_at} + interval '2 days' < {now})"
    voucher = f"({voucher_base} + (g.i - {first}) * 2 + e.j)"
    copy_rows(
        Voucher,
        templates.voucher.pk,
        {
            "id": voucher,
            "wallet_id": index(wallet_base),
            "code": f"'DB' || {voucher}",
            "status": f"CASE WHEN {used} THEN 'used' ELSE 'active' END",
            "redeem_entry_id": f"({entry_base} + (g.i - {first}) * {k} + 8 + 10 * e.j)",
            "issued_at": redeemed_at,
            "issued_location_id": f"{loc0} + (g.i + 8 + 10 * e.j) % {LOCATIONS}",  # the redeem entry's
            "expires_at": f"{redeemed_at} + interval '30 days'",
            "used_at": f"CASE WHEN {used} THEN {redeemed_at} + interval '2 days' END",
            "used_location_id": f"CASE WHEN {used} THEN {loc0} + g.i % {LOCATIONS} END",
            "recorded_at": redeemed_at,
        },
        f"{members} CROSS JOIN generate_series(0, 1) AS e(j)",
    )
    with connection.cursor() as cursor:  # each use as its row (rewards.VoucherUse)
        cursor.execute(
            f"""INSERT INTO "{VoucherUse._meta.db_table}"
                       (voucher_id, uses, location_id, created_at, recorded_at)
                SELECT id, 1, used_location_id, used_at, used_at FROM "{Voucher._meta.db_table}"
                 WHERE id >= {voucher_base} AND used_at IS NOT NULL"""
        )
    # E-mail consent at joining for all, SMS for a third; a fifth withdraw e-mail 100 days on.
    copy_rows(
        ConsentEvent,
        templates.consent.pk,
        {
            "member_id": index(member_base),
            "channel": "c.channel",
            "granted": "c.granted",
            "created_at": f"{joined()} + interval '1 day' * c.after_days",
        },
        f"{members} CROSS JOIN (VALUES ('email', true, 0), ('sms', true, 0), "
        "('email', false, 100)) AS c(channel, granted, after_days)",
        where=(
            "(c.channel = 'email' AND c.granted) OR (c.channel = 'sms' AND g.i % 3 = 0) "
            f"OR (NOT c.granted AND g.i % 5 = 0 AND {joined()} + interval '100 days' < {now})"
        ),
    )
    # Every tenth member was invited by the member before; half of those were rewarded.
    referral_start = max(first, 1)
    copy_rows(
        Referral,
        templates.referral.pk,
        {
            "referrer_id": f"({member_base} + g.i - 1 - {first})",
            "friend_id": index(member_base),
            "status": "CASE WHEN g.i % 20 = 1 THEN 'paid' ELSE 'pending' END",
            "created_at": joined(),
            "qualified_at": f"CASE WHEN g.i % 20 = 1 THEN {joined()} + interval '3 days' END",
            "paid_at": f"CASE WHEN g.i % 20 = 1 THEN {joined()} + interval '17 days' END",
        },
        f"generate_series({referral_start}::bigint, {last}::bigint) AS g(i)",
        where=f"g.i % 10 = 1 AND g.i - 1 >= {first}",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO "{TierChange._meta.db_table}"
                       (member_id, from_tier_id, to_tier_id, upgrade, changed_at)
                SELECT {index(member_base)}, NULL, {templates.tier.pk}, true, {joined()} + interval '30 days'
                  FROM {members}
                 WHERE g.i % 7 = 0 AND {joined()} + interval '30 days' < {now}"""
        )
    messages_add(templates, member_base=member_base, first=first, last=last, joined=joined, now=now)
    log(f"dashboard data: visits, vouchers, consents, referrals, tier changes, messages of {count} members")


def day_of_activity(templates: Templates, count: int) -> None:
    """A day at the tills after the last roll-up: `count` purchases of 100 kr made since
    local midnight by the first `count` wallets, written now (one INSERT each for the
    operations and the entries, then the balances), so the wallets still reconcile."""
    midnight = f"'{local_midnight(timezone.localdate()).isoformat()}'::timestamptz"
    moment = f"({midnight} + (now() - {midnight}) * (w.n::float / {count + 1}))"
    wallets = (
        f'(SELECT id AS wallet_id, row_number() OVER (ORDER BY id) AS n FROM "{Wallet._meta.db_table}" '
        f"ORDER BY id LIMIT {count}) AS w"
    )
    op_base, entry_base = first_free_id(Operation), first_free_id(LedgerEntry)
    loc0 = templates.locations[0].pk
    copy_rows(
        Operation,
        templates.entry.operation_id,
        {
            "id": f"({op_base} + w.n - 1)",
            "key": f"'day:' || ({op_base} + w.n - 1)",
            "kind": "'bench'",
            "wallet_id": "w.wallet_id",
            "created_at": moment,
        },
        wallets,
    )
    copy_rows(
        LedgerEntry,
        templates.entry.pk,
        {
            "id": f"({entry_base} + w.n - 1)",
            "wallet_id": "w.wallet_id",
            "operation_id": f"({op_base} + w.n - 1)",
            "kind": "'earn'",
            "points": "100",
            "remaining": "100",
            "expires_at": f"{moment} + interval '365 days'",
            "qualifying": "true",
            "amount_ore": "10000",
            "reason": "''",
            "location_id": f"{loc0} + w.n % {LOCATIONS}",
            "staff_id": "NULL",
            "reverses_id": "NULL",
            "created_at": moment,
            "recorded_at": "now()",
        },
        wallets,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE "{Wallet._meta.db_table}" SET balance = balance + 100
                 WHERE id IN (SELECT id FROM "{Wallet._meta.db_table}" ORDER BY id LIMIT %s)""",
            [count],
        )
    _finish(wallet_base=first_free_id(Wallet))  # the sequences; no new wallets to balance
