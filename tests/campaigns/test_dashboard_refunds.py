"""A refund at the till lowers the dashboard's revenue and points issued."""

from datetime import timedelta

import pytest

from campaigns.insights.selectors.ledger import CLUB, ledger_flows
from rewards.models import Operation
from rewards.services import purchase_register
from rewards.services.refunds import purchase_refund
from tests.rewards.wallet_helpers import T0

pytestmark = pytest.mark.django_db


def test_a_part_refund_nets_revenue_and_points_issued(member, program):
    bought = purchase_register(member=member, amount_ore=10_000, idempotency_key="p", at=T0)
    purchase = Operation.objects.get(pk=bought.operation_id)
    purchase_refund(purchase=purchase, amount_ore=4_000, idempotency_key="r", at=T0 + timedelta(hours=1))
    start, end = T0 - timedelta(days=1), T0 + timedelta(days=1)

    flows = ledger_flows([start, end], location_id=None)

    assert flows.revenue_ore(start, end, CLUB) == 6_000
    assert flows.issued(start, end, CLUB) == 60
    assert flows.purchases(start, end, CLUB) == 1  # a part refund leaves the purchase
