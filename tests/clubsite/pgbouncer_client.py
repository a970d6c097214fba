"""The app's work through PgBouncer in transaction pooling, in a process of its own with the
production settings' switch on (run by test_pgbouncer.py; prints one JSON line).

Four threads register purchases at once over a pool of two server connections, so one
Django connection's transactions meet different server connections; then what a nightly
job and the owner's pages do: an iterator() over the members outside a transaction (a
server-side cursor, were they on), the rollups, the dashboard."""

from __future__ import annotations

import json
import os
import sys
import threading
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from campaigns.insights.rollups import SETTLE, ledger_roll_up  # noqa: E402
from campaigns.insights.selectors import Period, dashboard  # noqa: E402
from members.models import Member  # noqa: E402
from members.services import member_join  # noqa: E402
from rewards.models import Wallet  # noqa: E402
from rewards.services import purchase_register  # noqa: E402

PURCHASES = 10  # per thread, each of 100 kr


def till(number: int, errors: list) -> None:
    try:
        member = member_join(
            first_name=f"Bouncer{number}", email=f"bouncer{number}@example.no", welcome=False
        )
        for _ in range(PURCHASES):
            # The same statements many times: were they prepared, PgBouncer < 1.21 would fail.
            purchase_register(member=member, amount_ore=10_000, idempotency_key=uuid.uuid4().hex)
    except Exception as error:
        errors.append(repr(error))
    finally:
        connections.close_all()


def main() -> None:
    errors: list[str] = []
    threads = [threading.Thread(target=till, args=(i, errors)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    names = [
        m.user.first_name for m in Member.objects.select_related("user").order_by("pk").iterator(chunk_size=2)
    ]
    ledger_roll_up(now=timezone.now() + SETTLE)
    today = timezone.localdate()
    data = dashboard(period=Period(today, today), now=timezone.now() + SETTLE)
    print(
        json.dumps(
            {
                "errors": errors,
                "members": len(names),
                "balances": sorted(Wallet.objects.values_list("balance", flat=True)),
                "revenue_ore": data.kpis["revenue"].current,
                "server_side_cursors": not connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"],
                "prepare_threshold": connection.settings_dict["OPTIONS"].get("prepare_threshold"),
            }
        )
    )


if __name__ == "__main__":
    main()
    sys.exit(0)
