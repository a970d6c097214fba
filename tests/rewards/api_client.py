"""A cash register calling the POS API with its key, for the API tests."""

from __future__ import annotations

import uuid

from rewards.models import PosKey

ALL = ["read", "credit", "redeem", "refund"]


def make_key(location, scopes=ALL, **fields) -> tuple[PosKey, str]:
    return PosKey.objects.create_key(name="Kassa 1", location=location, scopes=scopes, **fields)


class Register:
    """A cash register calling the API with its key."""

    def __init__(self, client, raw_key: str):
        self.client, self.auth = client, {"HTTP_AUTHORIZATION": f"Api-Key {raw_key}"}

    def get(self, path, **params):
        return self.client.get(f"/api/v1/{path}", params, **self.auth)

    def post(self, path, body=None, *, key: str | None = "new", **headers):
        if key == "new":
            key = uuid.uuid4().hex
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return self.client.post(
            f"/api/v1/{path}", body or {}, content_type="application/json", **self.auth, **headers
        )

    def buy(self, member, amount="100.00", receipt="R1", *, key: str | None = "new", **more):
        body = {"member": member.number, "amount": amount, "receipt_id": receipt} | more
        return self.post("purchases/", body, key=key)


def error(response) -> str:
    return response.json()["error"]["code"]
