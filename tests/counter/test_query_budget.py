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
# whose session is in the cache). On PostgreSQL:
#   1  the logged-in user (django.contrib.auth)
#   2  the shop, the cashier's roles and assignment there, the member and their last visits
#   3  BEGIN (inside a test's transaction: SAVEPOINT)
#   4  lock the wallet and claim the nonce's key (rewards.services.sql)
#   5  the ledger entry and the month's tier sums, returning the tier window's total
#   6  the wallet's balance and the operation's result
#   7  the counter action: who, where, what
#   8  COMMIT (RELEASE SAVEPOINT)
#   9  after commit: is the member a friend whose invitation waits for a purchase? (referrals)
#  10  the panel: the wallet with its stamp cards and tier sums
#  11  the panel: the usable vouchers
# SQLite has no UPDATE or INSERT inside a WITH: 4 and 6 are two statements each there, 5 three.
BUDGET = {"postgresql": 11, "sqlite": 15}


def test_registering_a_purchase_at_the_till_stays_within_its_budget_of_statements(
    till, shop, guest, program, django_capture_on_commit_callbacks
):
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX)
    first = act(till, shop, guest, "kjop", {"nonce": nonce_in(panel), "amount": "10"}, **HTMX)

    with (
        CaptureQueriesContext(connection) as statements,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = act(till, shop, guest, "kjop", {"nonce": nonce_in(first), "amount": "129,50"}, **HTMX)

    assert response.status_code == 200 and "139" in response.content.decode()
    listed = "\n".join(query["sql"][:120] for query in statements.captured_queries)
    assert len(statements) == BUDGET[connection.vendor], listed


def test_the_panel_after_an_action_does_not_read_the_members_visits_again(till, shop, guest, program):
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX)

    with CaptureQueriesContext(connection) as statements:
        act(till, shop, guest, "kjop", {"nonce": nonce_in(panel), "amount": "10"}, **HTMX)

    visit_reads = [q["sql"] for q in statements.captured_queries if "rewards_visit" in q["sql"]]
    assert len(visit_reads) == 1 and "auth_group" in visit_reads[0]  # along with the shop and roles


def test_a_purchase_whose_action_record_fails_leaves_the_wallet_untouched(
    guest, cashier, shop, program, monkeypatch
):
    """The wallet service runs inside the counter's transaction (no savepoint of its own):
    the counter action's failure must take the points back with it."""

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(counter, "_record", broken)

    with pytest.raises(RuntimeError):
        counter.counter_purchase(
            member=guest, amount_ore=10_000, nonce=counter.new_nonce(), staff=cashier, location=shop
        )

    assert not LedgerEntry.objects.exists() and not Operation.objects.exists()
    assert not Wallet.objects.filter(member=guest, balance__gt=0).exists()
