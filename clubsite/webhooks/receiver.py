"""A small webhook receiver on a local port: what a register or web shop runs to hear the
club. `manage.py pos_simulator` uses it, and the tests use it as the real HTTP endpoint.

Each message is checked with the `standardwebhooks` package's own verifier (the receiving
side of the spec); a message that does not verify is answered 401.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


@dataclass
class Heard:
    headers: dict
    body: bytes
    verified: bool
    payload: dict | None

    @property
    def type(self) -> str | None:
        return (self.payload or {}).get("type")


@dataclass
class Receiver:
    """Answers each request with the next of `answers` (the last one repeats); records all."""

    secret: str | None = None
    answers: list[int] = field(default_factory=lambda: [200])
    heard: list[Heard] = field(default_factory=list)
    on_message: object = None  # called with each verified Heard (the simulator prints it)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/webhooks"

    def start(self, port: int = 0) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                status = receiver.take(dict(self.headers), body)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"not now")

            def log_message(self, *args):
                pass  # quiet: the simulator prints what matters

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def take(self, headers: dict, body: bytes) -> int:
        verified, payload = False, None
        if self.secret:
            try:
                payload = Webhook(self.secret).verify(body, headers)
                verified = True
            except WebhookVerificationError:
                pass
        else:
            payload = json.loads(body or b"null")
        heard = Heard({k.lower(): v for k, v in headers.items()}, body, verified, payload)
        self.heard.append(heard)
        if verified and self.on_message:
            self.on_message(heard)
        status = self.answers[0] if len(self.answers) == 1 else self.answers.pop(0)
        return status if verified or not self.secret else 401

    def ids(self) -> set[str]:
        return {h.headers["webhook-id"] for h in self.heard}
