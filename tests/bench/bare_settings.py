"""Settings of the counter_credit bench's "bare" server: Django with nothing but one view.

No middleware, no apps, no templates, no sessions: what is left of a request is gunicorn,
Django's WSGI handler, URL resolving and the view's own database work (tests.bench.bare_app).
The database settings are the project's (same URL, persistent connections, server-side
binding) so that the database side of the comparison is alike.
"""

import environ

env = environ.Env()

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "tests.bench.bare_app"
USE_TZ = True
TIME_ZONE = "Europe/Oslo"

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # as clubsite.settings
DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env.bool(
    "DB_SERVER_SIDE_BINDING", default=True
)
LOGGING = {"version": 1, "disable_existing_loggers": False}
