"""Who calls: an API key of one shop and integration (Authorization: Api-Key <key>), what it
may do (its scopes, per view), and how often (its own calls a minute)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_api_key.permissions import KeyParser

from rewards.models import PosKey


class PosKeyAuthentication(BaseAuthentication):
    """request.auth is the PosKey; there is no user (the key acts at its shop)."""

    keyword = "Api-Key"

    def authenticate(self, request):
        raw = KeyParser().get(request)
        if not raw:
            return None
        if "\x00" in raw or len(raw) > 200:
            raise exceptions.AuthenticationFailed()
        try:
            key = PosKey.objects.get_from_key(raw)
        except PosKey.DoesNotExist:
            raise exceptions.AuthenticationFailed() from None
        if key.has_expired:
            raise exceptions.AuthenticationFailed()
        return (None, key)

    def authenticate_header(self, request):
        return self.keyword  # a 401, not a 403, when the key is missing or wrong


class HasScope(BasePermission):
    """The view's `scope` must be among the key's scopes."""

    def has_permission(self, request, view):
        if not isinstance(request.auth, PosKey):
            raise exceptions.NotAuthenticated()
        return request.auth.may(view.scope)


class PerKeyThrottle(SimpleRateThrottle):
    """At most the key's `per_minute` calls a minute (counted in the shared cache)."""

    scope = "api_key"

    def get_rate(self):
        return "1/m"  # replaced per request in allow_request(); DRF wants one to start with

    def allow_request(self, request, view):
        if not isinstance(request.auth, PosKey):
            return True
        self.num_requests, self.duration = request.auth.per_minute, 60
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return f"api:throttle:{request.auth.prefix}"


class PosKeyScheme(OpenApiAuthenticationExtension):
    """How the schema describes the key (drf-spectacular registers it by subclassing)."""

    target_class = PosKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Api-Key <key>"}
