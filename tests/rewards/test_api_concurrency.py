"""Twenty registers' retries of one purchase at the same moment, with one Idempotency-Key,
credit it once and all get the same answer (PostgreSQL: SQLite cannot prove row locks)."""

from __future__ import annotations

import pytest
from django.test import Client

from rewards.models import ApiRequest, LedgerEntry, Wallet
from tests.conftest import requires_postgres
from tests.factories import LocationFactory, MemberFactory
from tests.rewards.api_client import Register, make_key
from tests.rewards.wallet_helpers import run_together

pytestmark = [requires_postgres(), pytest.mark.django_db(transaction=True)]


def test_twenty_identical_purchases_at_once_with_one_key_credit_once():
    member = MemberFactory()
    _key, raw = make_key(LocationFactory(name="Løkka"), per_minute=1000)

    def register(n: int):
        response = Register(Client(), raw).buy(member, amount="250.00", receipt="R-20", key="same-key")
        return response.status_code, response.json()

    outcomes = run_together(20, register)

    assert LedgerEntry.objects.filter(wallet__member=member).count() == 1
    assert Wallet.objects.get(member=member).balance == 250
    assert {status for status, _body in outcomes} == {201}
    assert len({body["balance"] for _status, body in outcomes}) == 1
    assert ApiRequest.objects.count() == 1
