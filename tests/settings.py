"""Test settings: production-like (DEBUG off) but with local stand-ins for the outside world."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-that-is-long-enough-for-django-checks")

from clubsite.settings import *  # noqa: F403
from clubsite.settings import BASE_DIR

# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "clubsite.sms.backends.locmem.SmsBackend"
SMS_FILE_PATH = BASE_DIR / "var" / "test-sms"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Eager unless a test brings its own broker and worker (tests/clubsite/test_celery_redis.py).
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
LOGGING = {"version": 1, "disable_existing_loggers": False}

# A "replica" that is the test database itself (Django's test mirror), for the router's
# tests to see which connection each query took; routing stays off unless a test turns it on.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
READ_REPLICA = False
