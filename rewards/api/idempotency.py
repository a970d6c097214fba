"""Idempotency-Key on every write, as Stripe and the IETF draft have it: the same key with
the same request returns the first answer (errors included) and does nothing again; the
same key with another request is refused (422 idempotency_key_reused).

The record is claimed (inserted) before the work, in the same transaction: a repeat that
arrives while the first is running waits on the unique index and then reads the answer the
first stored. A crash rolls the claim back with the work, so the key may be tried again.
"""

from __future__ import annotations

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from rest_framework.response import Response

from rewards.api.errors import ApiError
from rewards.models import ApiRequest

MAX_KEY = 100


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(handler):
    """Wrap a write view's handler (post); request.auth is the PosKey."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        idem = (request.headers.get("Idempotency-Key") or "").strip()
        if not idem or len(idem) > MAX_KEY or "\x00" in idem:
            raise ApiError("idempotency_key_missing")
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = ApiRequest.objects.create(
                        key=request.auth, idempotency_key=idem, fingerprint=fingerprint
                    )
            except IntegrityError:
                first = ApiRequest.objects.get(key=request.auth, idempotency_key=idem)
                if first.fingerprint != fingerprint:
                    raise ApiError("idempotency_key_reused") from None
                return Response(first.body, status=first.status, headers={"Idempotent-Replayed": "true"})
            try:
                response = handler(view, request, *args, **kwargs)
            except Exception as exc:  # a refusal is an answer too, stored for a repeat
                response = view.handle_exception(exc)  # anything unexpected is raised again
            record.status, record.body = response.status_code, response.data
            record.save(update_fields=["status", "body"])
        return response

    return wrapper
