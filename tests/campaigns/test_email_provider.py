"""Campaign e-mail through a real provider client (anymail's Mailgun backend) to a stand-in
that speaks Mailgun's HTTP API on 127.0.0.1, and Mailgun's signed tracking webhooks back:
a delivery is recorded, a hard bounce or a spam complaint stops e-mail to that member, and a
webhook with a wrong signature changes nothing (issue 15)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from base64 import b64encode
from datetime import datetime
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.models import Message
from campaigns.sending import pipeline
from campaigns.services import campaign_schedule
from members.models import ConsentEvent
from tests.campaigns.sending_helpers import campaign, subscriber

pytestmark = pytest.mark.django_db
NOON = timezone.make_aware(datetime(2026, 12, 3, 12, 0))
SIGNING_KEY = "mailgun-signing-key"
WEBHOOK_AUTH = "lojal:hemmelig"


class MailgunStandIn(BaseHTTPRequestHandler):
    """POST /v3/<domain>/messages, as Mailgun answers it; what was sent is kept."""

    received: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        kind = self.headers["Content-Type"]
        if kind.startswith("multipart/"):  # when there are attachments
            head = f"MIME-Version: 1.0\r\nContent-Type: {kind}\r\n\r\n".encode()
            form = BytesParser(policy=default).parsebytes(head + body)
            fields = {
                p.get_param("name", header="content-disposition"): p.get_content() for p in form.iter_parts()
            }
        else:
            fields = {name: values[-1] for name, values in parse_qs(body.decode()).items()}
        MailgunStandIn.received.append({"path": self.path, **fields})
        answer = json.dumps(
            {"id": f"<{len(self.received)}.test@mg.example>", "message": "Queued. Thank you."}
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def mailgun(settings):
    MailgunStandIn.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), MailgunStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    settings.ANYMAIL = {
        "MAILGUN_API_KEY": "key-test",
        "MAILGUN_API_URL": f"http://127.0.0.1:{server.server_port}/v3",
        "MAILGUN_SENDER_DOMAIN": "mg.example",
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
        "WEBHOOK_SECRET": WEBHOOK_AUTH,
    }
    yield MailgunStandIn
    server.shutdown()


def send_one():
    kari = subscriber()
    made = campaign()
    campaign_schedule(campaign=made, now=NOON)
    pipeline.campaigns_run(
        now=NOON, hand_out=lambda ids: [pipeline.message_deliver(message_id=pk, now=NOON) for pk in ids]
    )
    return kari, made.messages.get()


def webhook(event: dict, *, key: str = SIGNING_KEY):
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    body = {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": event,
    }
    auth = "Basic " + b64encode(WEBHOOK_AUTH.encode()).decode()
    return Client().post(
        "/anymail/mailgun/tracking/",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )


def event(message: Message, name: str, **more) -> dict:
    return {
        "event": name,
        "timestamp": time.time(),
        "recipient": "kari@example.com",
        "message": {"headers": {"message-id": message.provider_id.strip("<>")}},
        "user-variables": {"lojal_message": str(message.key)},
        **more,
    }


def test_the_email_goes_through_the_providers_api_with_its_key_and_unsubscribe_headers(mailgun):
    kari, message = send_one()

    [sent] = mailgun.received
    assert sent["path"] == "/v3/mg.example/messages"
    assert sent["to"] == kari.user.email
    assert sent["v:lojal_message"] == str(message.key)
    assert sent["h:List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (message.status, message.provider_id) == (Message.Status.SENT, "<1.test@mg.example>")


def test_a_delivery_report_is_recorded_once(mailgun):
    _kari, message = send_one()

    assert webhook(event(message, "delivered")).status_code == 200
    message.refresh_from_db()
    first = message.delivered_at
    webhook(event(message, "delivered"))
    message.refresh_from_db()

    assert first is not None and message.delivered_at == first


@pytest.mark.parametrize(
    ("name", "more", "source"),
    [
        ("failed", {"severity": "permanent", "reason": "bounce"}, ConsentEvent.Source.BOUNCE),
        ("complained", {}, ConsentEvent.Source.COMPLAINT),
    ],
)
def test_a_hard_bounce_or_a_spam_complaint_stops_email_to_the_member(mailgun, name, more, source):
    kari, message = send_one()

    assert webhook(event(message, name, **more)).status_code == 200

    latest = ConsentEvent.objects.filter(member=kari, channel="email").latest("created_at", "id")
    assert (latest.granted, latest.source) == (False, source)


def test_a_temporary_failure_does_not_stop_anything(mailgun):
    kari, message = send_one()

    webhook(event(message, "failed", severity="temporary", reason="generic"))

    latest = ConsentEvent.objects.filter(member=kari, channel="email").latest("created_at", "id")
    assert latest.granted is True


def test_a_webhook_with_a_wrong_signature_changes_nothing(mailgun):
    kari, message = send_one()

    response = webhook(event(message, "complained"), key="not-the-key")

    assert response.status_code == 400
    assert ConsentEvent.objects.filter(member=kari, channel="email").latest("created_at", "id").granted
