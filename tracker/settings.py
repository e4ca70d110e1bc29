"""Settings, read once from the environment (see .env.example for every variable).

Secure by default: DEBUG is off unless DEBUG=true, and with DEBUG off SECRET_KEY is required and
the HTTPS/cookie hardening that `manage.py check --deploy` asks for is on.
"""

import datetime
from pathlib import Path

import environ

from tracker import web_session

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# The checkout's .env (written by `make run` for local development) unless ENV_FILE names another
# file; an empty ENV_FILE reads none (`make test` runs that way, with only its own environment).
# Variables already in the environment win over the file.
ENV_FILE = env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-development-only-never-in-production")
else:
    # No default: a production deployment without its own key must not start.
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "axes",
    "transfers",
    "explorer",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout answer.
    "axes.middleware.AxesMiddleware",
]

# Failed admin logins: after AXES_FAILURE_LIMIT failures for one username from one address, that
# pair is locked out for AXES_COOLOFF_HOURS (django-axes, its records in the database: every worker
# sees them). A successful login resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(hours=env.float("AXES_COOLOFF_HOURS", default=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Not its start-up banner on every manage.py command (make run prints URLs and the password only).
AXES_VERBOSE = False
# Behind a proxy the client's address is in X-Forwarded-For, trusted as far as NUM_PROXIES says.
AXES_IPWARE_PROXY_COUNT = env.int("NUM_PROXIES", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else [
    "REMOTE_ADDR"
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"
ASGI_APPLICATION = "tracker.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASE_URL selects the database: sqlite:///path (the default, a file in the checkout) or
# postgres://user@host:5432/name (production, and what performance is measured on).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Web requests only, on PostgreSQL (see tracker/web_session.py, and WEB_PROCESS below):
# a statement running longer is stopped and the API answers 503, so that one expensive request
# (a search for a word in every record) cannot hold a worker and the database for minutes.
# Management commands (imports, the generator, migrations) are not limited. 0 turns it off.
WEB_STATEMENT_TIMEOUT_MS = env.int("WEB_STATEMENT_TIMEOUT_MS", default=30_000)
# Web requests only, on PostgreSQL: the memory a sort or hash may use before spilling (see
# tracker/web_session.py for why searches need more than the server's default 4MB).
WEB_WORK_MEM = env.str("WEB_WORK_MEM", default="32MB")
# Set by gunicorn.conf.py (raw_env) in the web server's processes: their PostgreSQL sessions open
# with the web session settings above; every other process keeps the server's defaults.
WEB_PROCESS = env.bool("WEB_PROCESS", default=False)
if WEB_PROCESS and DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = web_session.libpq_options(
        web_session.session_settings(statement_timeout_ms=WEB_STATEMENT_TIMEOUT_MS, work_mem=WEB_WORK_MEM)
    )
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# SQLite cannot hold the INCLUDE columns of PostgreSQL's covering indexes and says so (models.W040)
# on every command; it builds the same indexes without them, which is all the embedded default needs.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# HTTPS and cookie hardening: on whenever DEBUG is off; each can be relaxed explicitly
# (e.g. behind a TLS-terminating proxy on a private network).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz answers over plain HTTP so that container health checks work behind TLS termination.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Large fixtures and imports: admin bulk edits of many rows.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000

REST_FRAMEWORK = {
    # DRF's token and session authentication, refusing malformed keys before any database lookup.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "transfers.api.authentication.TokenAuthentication",
        "transfers.api.authentication.SessionAuthentication",
    ],
    # Anonymous users read; writes need an authenticated user with the model permission.
    "DEFAULT_PERMISSION_CLASSES": ["transfers.api.permissions.ModelPermissionsOrAnonReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["transfers.api.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Refused deletions, database rules and errors of CSV requests as clear JSON 4xx answers.
    "EXCEPTION_HANDLER": "transfers.api.exceptions.api_exception_handler",
    # Counted in the shared "throttle" cache (below), so that the limits hold across all workers.
    "DEFAULT_THROTTLE_CLASSES": [
        "transfers.api.throttling.AnonRateThrottle",
        "transfers.api.throttling.UserRateThrottle",
    ],
    # Trust no X-Forwarded-For hop unless told how many proxies sit in front: otherwise a client
    # could pick its own throttling identity.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="120/minute"),
        "user": env.str("THROTTLE_USER", default="1200/minute"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Arms-transfer tracker API",
    "DESCRIPTION": "Who supplied what weapons to whom, by which route, and on whose word.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request and response shapes differ (references are written by key, read with details).
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "kind" or "status" field with different vocabularies: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "ActorKindEnum": "transfers.choices.ActorKind",
        "MaterielCategoryEnum": "transfers.choices.MaterielCategory",
        "UNRegisterCategoryEnum": "transfers.choices.UNRegisterCategory",
        "SourceKindEnum": "transfers.choices.SourceKind",
        "ReliabilityEnum": "transfers.choices.Reliability",
        "CredibilityEnum": "transfers.choices.Credibility",
        "TransferStatusEnum": "transfers.choices.TransferStatus",
        "StanceEnum": "transfers.choices.Stance",
        "DatePrecisionEnum": "transfers.choices.DatePrecision",
        "LegRoleEnum": "transfers.choices.LegRole",
        "PartyRoleEnum": "transfers.choices.PartyRole",
        "TransportModeEnum": "transfers.choices.TransportMode",
        "PlaceKindEnum": "transfers.choices.PlaceKind",
        "SanctionKindEnum": "transfers.choices.SanctionKind",
        "M49SubregionEnum": "transfers.choices.M49Subregion",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "transfers.api.schema.csv_as_text",
    ],
}

# Fixtures remember which fields each record names (strict loaddata: transfers.management.commands.loaddata).
SERIALIZATION_MODULES = {"json": "transfers.fixture_json"}

# The admin's XLSX export replaces characters a spreadsheet cannot hold (U+000B ...) with U+FFFD
# instead of failing the whole file; formulas are neutralised by transfers.admin.resources.
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True

# "throttle" is shared by every worker: Redis when REDIS_URL is set, else a table in the database
# (created by migration 0011). The default cache holds nothing that must be shared.
REDIS_URL = env.str("REDIS_URL", default="")
SHARED_CACHE = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "tracker"}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tracker_cache"}
)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": SHARED_CACHE,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
