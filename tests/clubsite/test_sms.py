"""SMS backends: console, file, in-memory and a real HTTP provider on a local server."""

import base64
import io
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from clubsite import sms
from clubsite.sms.backends import console, filebased, twilio


def test_the_console_backend_prints_the_message():
    stream = io.StringIO()
    console.SmsBackend(stream=stream).send_messages(
        [sms.SmsMessage("+4791234567", "Koden din: 123456", "Lojal")]
    )
    assert "+4791234567" in stream.getvalue() and "123456" in stream.getvalue()


def test_the_file_backend_writes_one_json_file_per_message(tmp_path):
    backend = filebased.SmsBackend(file_path=tmp_path)
    backend.send_messages(
        [sms.SmsMessage("+4791234567", "Hei", "Lojal"), sms.SmsMessage("+4799999999", "Hå")]
    )
    written = sorted(json.loads(p.read_text(encoding="utf-8"))["to"] for p in tmp_path.iterdir())
    assert written == ["+4791234567", "+4799999999"]


def test_send_sms_uses_the_configured_backend(settings):
    settings.SMS_BACKEND = "clubsite.sms.backends.locmem.SmsBackend"
    assert sms.send_sms("+4791234567", "Hei") == 1
    assert sms.outbox == [sms.SmsMessage("+4791234567", "Hei", settings.SMS_SENDER)]


class _Provider(BaseHTTPRequestHandler):
    received: list = []
    status = 201

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        type(self).received.append((self.path, self.headers["Authorization"], urllib.parse.parse_qs(body)))
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    _Provider.received = []
    _Provider.status = 201
    server = HTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def _backend(server, **kwargs):
    return twilio.SmsBackend(
        account_sid="AC123", auth_token="tok", base_url=f"http://127.0.0.1:{server.server_port}", **kwargs
    )


def test_the_http_provider_backend_posts_the_message_with_basic_auth(provider):
    sent = _backend(provider).send_messages([sms.SmsMessage("+4791234567", "Koden din: 123456", "Bakeriet")])
    assert sent == 1
    [(path, auth, form)] = _Provider.received
    assert path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert base64.b64decode(auth.split()[1]).decode() == "AC123:tok"
    assert form == {"To": ["+4791234567"], "From": ["Bakeriet"], "Body": ["Koden din: 123456"]}


def test_a_provider_error_is_raised_so_the_task_can_retry(provider):
    _Provider.status = 503
    with pytest.raises(sms.SmsError):
        _backend(provider).send_messages([sms.SmsMessage("+4791234567", "Hei")])


def test_a_provider_error_can_be_silenced(provider):
    _Provider.status = 400
    assert _backend(provider, fail_silently=True).send_messages([sms.SmsMessage("+4791234567", "Hei")]) == 0


def test_an_unreachable_provider_is_an_sms_error():
    backend = twilio.SmsBackend(account_sid="AC1", auth_token="t", base_url="http://127.0.0.1:9")
    with pytest.raises(sms.SmsError):
        backend.send_messages([sms.SmsMessage("+4791234567", "Hei")])
