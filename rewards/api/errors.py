"""One error shape for every refusal: {"error": {"code": ..., "message": ..., "fields": ...}}.
`code` is stable (the wallet's and the members' codes, and the API's own); `message` is
translated (Accept-Language); `fields` says which input was wrong, when some was."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from clubsite.errors import CodedError


class ApiError(CodedError):
    messages = {
        "not_authenticated": _("Send a valid API key: Authorization: Api-Key <key>."),
        "scope_missing": _("This API key may not do this. The owner can give it the scope in admin."),
        "rate_limited": _("Too many calls in a minute for this API key. Wait a moment and try again."),
        "invalid_input": _("Some of what was sent is not valid; see fields."),
        "idempotency_key_missing": _(
            "Send an Idempotency-Key header (up to 100 characters) with every write."
        ),
        "idempotency_key_reused": _("This Idempotency-Key was used for another request. Use a new key."),
        "receipt_reused": _("This receipt id was sent before with other details."),
        "receipt_not_found": _("No purchase with this receipt id was registered with this API key."),
        "member_not_given": _("Give one of card, number or phone."),
        "reward_not_found": _("No reward has this id."),
        "not_found": _("Nothing here."),
        "method_not_allowed": _("This method is not allowed here."),
        "unsupported_media_type": _("Send JSON (Content-Type: application/json)."),
    }


# Refusals of the wallet about what the caller sent (422); the rest are conflicts with the
# wallet's state (409), or something not found (404).
UNPROCESSABLE = {
    "invalid_amount",
    "invalid_points",
    "invalid_stamps",
    "amount_above_limit",
    "token_invalid",
    "token_expired",
    "idempotency_key_reused",
    "invalid_input",
    "member_not_given",
}
NOT_FOUND = {"voucher_not_found", "member_not_found", "receipt_not_found", "reward_not_found", "not_found"}
STATUS = {
    "not_authenticated": status.HTTP_401_UNAUTHORIZED,
    "scope_missing": status.HTTP_403_FORBIDDEN,
    "rate_limited": status.HTTP_429_TOO_MANY_REQUESTS,
    "idempotency_key_missing": status.HTTP_400_BAD_REQUEST,
    "method_not_allowed": status.HTTP_405_METHOD_NOT_ALLOWED,
    "unsupported_media_type": status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
}


def status_of(code: str) -> int:
    if code in STATUS:
        return STATUS[code]
    if code in NOT_FOUND:
        return status.HTTP_404_NOT_FOUND
    if code in UNPROCESSABLE:
        return status.HTTP_422_UNPROCESSABLE_ENTITY
    return status.HTTP_409_CONFLICT


def error_response(code: str, message: str, fields: dict | None = None, headers=None) -> Response:
    body = {"error": {"code": code, "message": str(message)}}
    if fields:
        body["error"]["fields"] = fields
    return Response(body, status=status_of(code), headers=headers)


def _coded(code: str, **kwargs) -> Response:
    return error_response(code, ApiError(code).message, **kwargs)


def exception_handler(exc, context):
    if isinstance(exc, CodedError):
        return error_response(exc.code, exc.message)
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return _coded("invalid_input", fields={k: [str(m) for m in v] for k, v in _listed(fields).items()})
    if isinstance(exc, exceptions.ParseError):
        return _coded("invalid_input", fields={"body": [str(exc.detail)]})
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        return _coded("not_authenticated", headers={"WWW-Authenticate": "Api-Key"})
    if isinstance(exc, exceptions.PermissionDenied):
        return _coded("scope_missing")
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        return _coded("rate_limited", headers={"Retry-After": str(wait)})
    if isinstance(exc, exceptions.NotFound):
        return _coded("not_found")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _coded("method_not_allowed")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return _coded("unsupported_media_type")
    return drf_exception_handler(exc, context)


def _listed(fields: dict) -> dict:
    return {key: value if isinstance(value, list) else [value] for key, value in fields.items()}
