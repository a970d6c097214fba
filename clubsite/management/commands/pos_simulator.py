"""A cash register against a running Lojal server: identifies a member, sends two purchases
and a refund through the POS API with idempotency keys (one sent twice, as a register does
after a dropped answer), and hears the signed webhooks on a local port.

With `make run` running, in another terminal:  .venv/bin/python manage.py pos_simulator
Its defaults are the demo's key, Kari and the demo's webhook endpoint (port 8765). It exits
with 1 when a call is refused or a webhook does not arrive (or does not verify).
"""

from __future__ import annotations

import time
import uuid

import requests
from django.core.management.base import BaseCommand, CommandError

from clubsite.webhooks.receiver import Heard, Receiver

from ._demo_api import DEMO_KEY, KARI_NUMBER, SIMULATOR_PORT, SIMULATOR_SECRET

EXPECTED = ["purchase.recorded", "purchase.recorded", "refund.recorded"]


class Command(BaseCommand):
    help = "Act as a cash register against a running server: purchases, a refund, webhooks."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="The server (make run's).")
        parser.add_argument("--key", default=DEMO_KEY, help="The register's API key.")
        parser.add_argument("--member", default=KARI_NUMBER, help="The member's number.")
        parser.add_argument("--listen", type=int, default=SIMULATOR_PORT, help="Port for webhooks.")
        parser.add_argument("--secret", default=SIMULATOR_SECRET, help="The endpoint's whsec_ secret.")
        parser.add_argument("--wait", type=float, default=10, help="Seconds to wait for the webhooks.")

    def handle(self, *args, **options):
        self.api = options["url"].rstrip("/") + "/api/v1/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Api-Key {options['key']}"
        self.session.headers["Accept-Language"] = "nb"
        self.seen: set[str] = set()
        receiver = Receiver(secret=options["secret"], on_message=self._heard).start(port=options["listen"])
        self.say(f"Listening for webhooks on {receiver.url}")
        try:
            self._run(options["member"])
            self._wait_for(receiver, options["wait"])
        finally:
            receiver.stop()

    def say(self, text: str) -> None:
        self.stdout.write(text)

    def _run(self, number: str) -> None:
        member = self._call("get", "members/identify/", params={"number": number})
        self.say(f"Member {member['number']} {member['first_name']}: {member['points']} points")
        receipt = f"SIM-{uuid.uuid4().hex[:8].upper()}"
        key = uuid.uuid4().hex
        self._buy(member, "249.00", f"{receipt}-1", key)
        again = self._buy(member, "249.00", f"{receipt}-1", key, quiet=True)  # its answer was "lost"
        self.say(f"  sent again with the same Idempotency-Key: balance still {again['balance']}")
        coffee = [  # the receipt's lines: two coffees stamp a card of the category «kaffe»
            {"category": "kaffe", "amount": "78.00", "quantity": 2},
            {"category": "bakst", "amount": "11.50"},
        ]
        self._buy(member, "89.50", f"{receipt}-2", uuid.uuid4().hex, lines=coffee)
        refund = {"receipt_id": f"{receipt}-1", "amount": "100.00"}
        refunded = self._call("post", "refunds/", json=refund, key=uuid.uuid4().hex)
        self.say(
            f"Refund of 100.00 kr on {receipt}-1: -{refunded['points_taken_back']} points,"
            f" balance {refunded['balance']}"
        )

    def _buy(
        self, member: dict, amount: str, receipt_id: str, key: str, *, quiet: bool = False, lines=()
    ) -> dict:
        body = {"member": member["number"], "amount": amount, "receipt_id": receipt_id}
        if lines:
            body["lines"] = list(lines)
        bought = self._call("post", "purchases/", json=body, key=key)
        if not quiet:
            self.say(
                f"Purchase {receipt_id} {amount} kr: +{bought['points']} points,"
                f" {bought['stamps']} stamp{'' if bought['stamps'] == 1 else 's'},"
                f" balance {bought['balance']}"
            )
        return bought

    def _call(self, method: str, path: str, *, key: str | None = None, **kwargs) -> dict:
        headers = {"Idempotency-Key": key} if key else {}
        try:
            response = self.session.request(method, self.api + path, headers=headers, timeout=15, **kwargs)
        except requests.RequestException as error:
            raise CommandError(
                f"No answer from {self.api}: {error}. Is the server running (make run)?"
            ) from None
        if response.status_code >= 400:
            raise CommandError(f"{method.upper()} {path} answered {response.status_code}: {response.text}")
        return response.json()

    def _heard(self, heard: Heard) -> None:
        msg_id = heard.headers["webhook-id"]
        repeat = " (again: ignored)" if msg_id in self.seen else ""
        self.seen.add(msg_id)
        data = heard.payload["data"]
        receipt = f": receipt {data['receipt_id']}" if data.get("receipt_id") else ""
        self.say(f"Webhook {heard.type}, signature verified{repeat}{receipt}")

    def _wait_for(self, receiver: Receiver, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(self._verified(receiver)) < len(EXPECTED):
            if any(not h.verified for h in receiver.heard):
                break
            time.sleep(0.1)
        got = self._verified(receiver)
        refused = [h for h in receiver.heard if not h.verified]
        if refused:
            raise CommandError(
                f"{len(refused)} webhook(s) did not verify: is --secret the endpoint's secret?"
            )
        if sorted(got) != sorted(EXPECTED):
            raise CommandError(f"Webhooks heard: {got or 'none'}; expected {EXPECTED}.")
        self.say(self.style.SUCCESS("All calls answered and every webhook arrived, signed."))

    def _verified(self, receiver: Receiver) -> list[str]:
        seen, types = set(), []
        for heard in receiver.heard:
            if heard.verified and heard.headers["webhook-id"] not in seen:
                seen.add(heard.headers["webhook-id"])
                types.append(heard.type)
        return [t for t in types if t in EXPECTED]
