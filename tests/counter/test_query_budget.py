"""The till's hot path has a budget of SQL statements, so that it cannot silently grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rewards.models import LedgerEntry, Operation, Wallet
from rewards.services import counter
from tests.counter.test_counter_pages import HTMX, act, nonce_in

pytestmark = pytest.mark.django_db

# One purchase at the till, as the counter_credit bench sends it (htmx, a logged-in cashier
# whose session is in the cache). An upper bound: it fails only if the till starts doing more.
#   1  the logged-in user (django.contrib.auth)
#   2  the shop, with whether the cashier is assigned there
#   3  the member with their user
#   4  their last visits
#   5  the cashier's roles
#   6  the counter's transaction: BEGIN (inside a test's transaction: SAVEPOINT, not counted
#      as a query in production, where it is BEGIN)
#   7  the purchase service's own atomic block: SAVEPOINT
#   8  lock the wallet (with its tier)
#   9  the idempotency key: taken already?
#  10  claim it (the operation row)
#  11  the paid membership running now (its multiplier and tier apply at this moment)
#  12  the ledger entry
#  13  the month's tier sums (an UPDATE; the month's first purchase also INSERTs)
#  14  the wallet's balance
#  15  the operation's stored result (what a repeat of the nonce gets back)
#  16  RELEASE SAVEPOINT
#  17  the counter action: who, where, what
#  18  COMMIT (RELEASE SAVEPOINT)
#  19  the panel: the wallet with its tier
#  20  the panel: the tier window's sums
#  21  the panel: points expiring soon
#  22  the panel: the stamp cards
#  23  the panel: the usable vouchers
#  24  the panel: the paid membership (its discount, for staff to give)
#  25  the panel: the recent purchases staff may refund
#  26  after commit: is the member a friend whose invitation waits for a purchase? (referrals)
#  27  after commit: which webhook endpoints listen (cached; read again once in five minutes)
# With tiers, stamp cards counting purchases, or the month's first purchase, a few more.
BUDGET = 28


def purchase_statements(till, shop, guest, panel, django_capture_on_commit_callbacks, amount="129,50"):
    with (
        CaptureQueriesContext(connection) as statements,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = act(till, shop, guest, "kjop", {"nonce": nonce_in(panel), "amount": amount}, **HTMX)
    assert response.status_code == 200
    return response, statements


def test_registering_a_purchase_at_the_till_stays_within_its_budget_of_statements(
    till, shop, guest, program, django_capture_on_commit_callbacks
):
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX)
    first = act(till, shop, guest, "kjop", {"nonce": nonce_in(panel), "amount": "10"}, **HTMX)

    response, statements = purchase_statements(till, shop, guest, first, django_capture_on_commit_callbacks)

    assert "139" in response.content.decode()
    listed = "\n".join(query["sql"][:120] for query in statements.captured_queries)
    assert len(statements) <= BUDGET, listed


def test_a_purchase_at_the_till_costs_the_same_statements_after_a_long_history(
    till, shop, guest, program, django_capture_on_commit_callbacks
):
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX)
    panel, _ = purchase_statements(till, shop, guest, panel, django_capture_on_commit_callbacks, "10")
    panel, early = purchase_statements(till, shop, guest, panel, django_capture_on_commit_callbacks, "10")
    for _ in range(30):
        panel, _ = purchase_statements(till, shop, guest, panel, django_capture_on_commit_callbacks, "10")

    _, late = purchase_statements(till, shop, guest, panel, django_capture_on_commit_callbacks, "10")

    assert len(late) == len(early)


def test_the_panel_after_an_action_does_not_read_the_members_visits_again(till, shop, guest, program):
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX)

    with CaptureQueriesContext(connection) as statements:
        act(till, shop, guest, "kjop", {"nonce": nonce_in(panel), "amount": "10"}, **HTMX)

    visit_reads = [q["sql"] for q in statements.captured_queries if "rewards_visit" in q["sql"]]
    assert len(visit_reads) == 1  # read once, with the member, before the action


def test_a_purchase_whose_action_record_fails_leaves_the_wallet_untouched(
    guest, cashier, shop, program, monkeypatch
):
    """The wallet service runs inside the counter's transaction: the counter action's
    failure must take the points back with it."""

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(counter, "_record", broken)

    with pytest.raises(RuntimeError):
        counter.counter_purchase(
            member=guest, amount_ore=10_000, nonce=counter.new_nonce(), staff=cashier, location=shop
        )

    assert not LedgerEntry.objects.exists() and not Operation.objects.exists()
    assert not Wallet.objects.filter(member=guest, balance__gt=0).exists()
