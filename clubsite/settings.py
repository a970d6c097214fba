"""Settings for Lojal, read from the environment.

The defaults are the *embedded* setup a fresh machine gets from `make run` (with DEBUG=1):
SQLite, Celery tasks run eagerly in-process, e-mail and SMS printed to the console.
Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, ALLOWED_HOSTS and friends.
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless asked for: a forgotten variable must never expose tracebacks in production.
DEBUG = env.bool("DEBUG", default=False)

# Required in production; a fixed, obviously unsafe key only for local development.
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-not-secret" if DEBUG else environ.Env.NOTSET)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "clubsite.apps.ClubAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.apple",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "axes",
    "import_export",
    "anymail",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "clubsite",
    "members",
    "rewards",
    "referrals",
    "campaigns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "clubsite.middleware.ClubLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "clubsite.middleware.PermissionsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, as django-axes asks: it turns a lock-out into its response.
    "axes.middleware.AxesMiddleware",
]

# --- Content-Security-Policy (django-csp): our scripts and styles, from our origin, and an
# inline <script>/<style> only with the request's nonce. Style *attributes* are allowed:
# allauth's and django-import-export's templates carry a few, and an attribute can hold no
# selector, so it cannot read the page (the CSS attacks need a <style>, which stays nonced).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],  # Bootstrap's icons are data: URIs; the camera, blob:
        "media-src": [SELF, "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The browser features a page may use: none, but the camera on the till (clubsite.middleware).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
PERMISSIONS_POLICY_CAMERA = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"

ROOT_URLCONF = "clubsite.urls"
WSGI_APPLICATION = "clubsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clubsite.context_processors.club",
                "clubsite.context_processors.welcome_offers",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameter binding, and preparing a statement once a connection has run it
    # DB_PREPARE_THRESHOLD times (psycopg's own default; Django turns preparing off unless
    # told): every purchase runs the same handful, and PostgreSQL then skips parsing and
    # planning them (off behind PgBouncer, below).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["server_side_binding"] = env.bool("DB_SERVER_SIDE_BINDING", default=True)
    # Behind PgBouncer in transaction pooling, two transactions of one connection may meet
    # two different server connections: no named server-side cursors (Django's iterator()
    # outside a transaction) and no prepared statements (PgBouncer before 1.21 cannot keep them).
    pgbouncer = env.bool("PGBOUNCER_TRANSACTION_POOLING", default=False)
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = pgbouncer
    threshold = env.str("DB_PREPARE_THRESHOLD", default="" if pgbouncer else "5")
    options["prepare_threshold"] = int(threshold) if threshold else None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once; the dev server is threaded.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# A read replica (PostgreSQL streaming replication): the owner's heavy pages read from it
# (clubsite.replica); writes and the till stay on the primary. Unset: one database.
if env.str("DATABASE_REPLICA_URL", default=""):
    replica = env.db("DATABASE_REPLICA_URL")
    options = {**DATABASES["default"].get("OPTIONS", {}), **replica.pop("OPTIONS", {})}
    DATABASES["replica"] = {**DATABASES["default"], **replica, "OPTIONS": options}
READ_REPLICA = "replica" in DATABASES
DATABASE_ROUTERS = ["clubsite.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "members.User"

# Local memory for one process; Redis (CACHE_URL=redis://...) once there are several,
# because rate limits and lock-outs must be shared by every worker.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://lojal")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "clubsite.cache.RedisCache"  # one client per pool: see there

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "members.lockout.IPLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Argon2id first (see clubsite/hashers.py); the others only read hashes stored before it,
# and Django re-hashes those with Argon2id when their owner next logs in.
PASSWORD_HASHERS = [
    "clubsite.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and formats: Norwegian Bokmål first, English and Swedish complete.
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "clubsite" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Oslo")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
LANGUAGE_COOKIE_NAME = "lojal_language"

# --- Static and uploaded files, served by whitenoise (no CDN, no extra web server rule).
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- E-mail and SMS: printed to the console unless a real backend is configured.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Lojal <klubb@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SMS_BACKEND = env.str("SMS_BACKEND", default="clubsite.sms.backends.console.SmsBackend")
SMS_FILE_PATH = env.path("SMS_FILE_PATH", default=BASE_DIR / "var" / "sms")
# django-anymail: EMAIL_BACKEND=anymail.backends.<provider>.EmailBackend, and the provider's
# settings as ANYMAIL_<NAME> variables (ANYMAIL_MAILGUN_API_KEY, ANYMAIL_MAILGUN_SENDER_DOMAIN,
# ANYMAIL_MAILGUN_API_URL, ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY, ANYMAIL_WEBHOOK_SECRET...).
# Its tracking webhooks (/anymail/<provider>/tracking/) report deliveries, bounces and spam.
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value for name, value in os.environ.items() if name.startswith("ANYMAIL_")
}
# The sending pipeline takes up a dead worker's claimed messages after this long (seconds).
LOJAL_MESSAGE_LEASE_SECONDS = env.int("MESSAGE_LEASE_SECONDS", default=600)
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "var" / "mail")  # the filebased backend's
SMS_SENDER = env.str("SMS_SENDER", default="Lojal")
# The HTTP provider backend speaks Twilio's Messages API; the base URL is configurable
# so that a compatible provider (or a local test server) can stand in.
SMS_TWILIO_ACCOUNT_SID = env.str("SMS_TWILIO_ACCOUNT_SID", default="")
SMS_TWILIO_AUTH_TOKEN = env.str("SMS_TWILIO_AUTH_TOKEN", default="")
SMS_TWILIO_BASE_URL = env.str("SMS_TWILIO_BASE_URL", default="https://api.twilio.com")
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=10.0)

# --- Celery: with no broker configured, tasks run eagerly in-process (embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Early morning, before the shops open; each job is safe to run twice.
    "expire-points": {"task": "rewards.tasks.expire_points", "schedule": crontab(hour=3, minute=10)},
    "review-tiers": {"task": "rewards.tasks.review_tiers", "schedule": crontab(hour=3, minute=20)},
    "birthday-bonuses": {"task": "rewards.tasks.birthday_bonuses", "schedule": crontab(hour=7, minute=0)},
    "anniversaries": {"task": "rewards.tasks.anniversaries", "schedule": crontab(hour=7, minute=5)},
    # Badges that time alone brings (a year as a member).
    "achievements-nightly": {
        "task": "rewards.tasks.achievements_nightly",
        "schedule": crontab(hour=7, minute=10),
    },
    # Programme changes whose date has come (earning rate, tiers, stamp cards), every hour.
    "programme-changes": {"task": "rewards.tasks.programme_changes", "schedule": crontab(minute=1)},
    # Each paid membership's voucher for its month (a membership starting gets its first at once).
    "membership-drops": {"task": "rewards.tasks.membership_drops", "schedule": crontab(hour=6, minute=0)},
    # Anomaly flags at the counter, for the owner to look at.
    "counter-flags": {"task": "rewards.tasks.counter_flags", "schedule": crontab(minute=5)},
    # Referral rewards whose hold is over, every hour (and closing those that never qualified).
    "referrals-pay-due": {"task": "referrals.tasks.pay_due", "schedule": crontab(minute=15)},
    # GDPR retention: warn members inactive for nearly the club's period, erase those warned
    # 30 days ago who stayed away.
    "erase-inactive": {"task": "members.tasks.erase_inactive", "schedule": crontab(hour=4, minute=30)},
    # Campaigns: start what is due, send what may go now (quiet hours and budgets checked then).
    "campaigns-run": {"task": "campaigns.tasks.campaigns_run", "schedule": crontab()},
    "flows-tick": {"task": "campaigns.tasks.flows_tick", "schedule": crontab(minute="*/10")},
    # The dashboard's daily rollups, from the watermark on (the page reads the rest directly).
    "rollups-update": {"task": "campaigns.tasks.rollups_update", "schedule": crontab(minute="*/5")},
    # The dashboard's member-level figures of the default period, for every shop, after the
    # rollups of the same tick (campaigns.insights.snapshots).
    "dashboard-counted": {
        "task": "campaigns.tasks.dashboard_keep_counted",
        "schedule": crontab(minute="1-59/5"),
    },
    # Webhook retries whose time has come; the log older than 30 days goes at night.
    "webhooks-due": {"task": "clubsite.tasks.webhooks_due", "schedule": crontab()},
    "webhooks-prune": {"task": "clubsite.tasks.webhooks_prune", "schedule": crontab(hour=4, minute=45)},
}

# --- Accounts: one identity by e-mail or phone, no username, login by a one-time code.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:card"
LOGOUT_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "members.adapter.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_USER_MODEL_EMAIL_FIELD = "email"
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
# Sign-up is our own three-field join form (members.views.join); allauth's own sign-up
# URL redirects there. These fields describe what an account may have (an optional
# password keeps the password field on the login page, for staff and the owner).
ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
# Six digits: easy to type on a phone's number pad, and phones offer them from the SMS.
# With three attempts per code a guess succeeds once in 333,333 tries.
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_FORMS = {
    "login": "members.forms.LoginForm",
    "request_login_code": "members.forms.RequestLoginCodeForm",
}
ACCOUNT_RATE_LIMITS = {
    "signup": env.str("RATE_LIMIT_SIGNUP", default="20/m/ip,5/m/key"),
    "request_login_code": env.str("RATE_LIMIT_LOGIN_CODE", default="20/m/ip,3/m/key"),
    "login": "30/m/ip",
    # Per account only: the IP-wide limit is members.lockout.IPLimitBackend (much higher).
    "login_failed": "30/30m/key",
}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# Providers are switched on by the owner: adding a "Social application" in admin makes
# its button appear. Nothing is configured here, so the demo has none.
SOCIALACCOUNT_PROVIDERS = {
    "google": {"SCOPE": ["email", "profile"], "AUTH_PARAMS": {"prompt": "select_account"}},
    "apple": {},
}

# --- Password brute-force protection (django-axes): lock the account tried, from that IP,
# after repeated failures (members.lockout says which account); one IP is refused only at a
# much higher count over all accounts, so a shop's colleagues and customers still get in.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "clubsite/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "members.lockout.axes_username"  # cut to its column: see there
# Successful logins are not ours to keep (data minimisation); failures are, for lock-outs.
AXES_DISABLE_ACCESS_LOG = True
# Not in the owner's admin: its English models headed the list, and a lock-out ends by itself
# after the cool-off time (members.lockout).
AXES_ENABLE_ADMIN = False
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=50)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security. Production (DEBUG off) passes `manage.py check --deploy` with no warnings.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions are read on every request: from the cache (Redis in production) and written
# through to the database, which keeps them across a cache restart.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# --- The POS and web-shop API (/api/v1/, rewards/api/): API keys only (no sessions, no
# CSRF), JSON in and out, one error shape, a rate limit per key, an OpenAPI 3 schema.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rewards.api.auth.PosKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rewards.api.auth.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["rewards.api.auth.PerKeyThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "rewards.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lojal POS API",
    "DESCRIPTION": "Registers, web shops and the club: members, wallets, purchases, refunds, vouchers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page's JavaScript and CSS from the sidecar package, served by us: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Club defaults used before the owner has edited anything in admin.
LOJAL_SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
LOJAL_CONSENT_VERSION = "2026-11"
LOJAL_TERMS_VERSION = "2026-11"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
