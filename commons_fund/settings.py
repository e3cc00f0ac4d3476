"""Commons Fund settings: one module, every difference driven by environment variables.

With no variable set the project runs as a local demo (SQLite file, Celery over an SQLite
broker, emails printed on the console). A production configuration sets at least
DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL and EMAIL_URL;
docs/operations.md lists every variable.
"""

from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import environ
import sentry_sdk
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from commons_fund.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0.")
    SECRET_KEY = "insecure-local-development-key-never-use-in-production-0123456789"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "commons_fund",
    "commons_fund.members",
    "commons_fund.ledger",
    "commons_fund.payments",
    "commons_fund.finances",
    "projects",
    "pledges",
    "reciprocity",
    "cms",
    # Wagtail
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # API
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Jobs
    "django_celery_beat",
    # Django
    "django.contrib.admin",
    "django.contrib.sitemaps",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "commons_fund.metrics.RequestCountMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "commons_fund.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "commons_fund.page_cache.AnonymousPageCacheMiddleware",
    "commons_fund.page_cache.PrivateResponsesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "commons_fund.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "commons_fund.page_cache.MemberPageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "commons_fund.middleware.PageRedirectMiddleware",
    "cms.middleware.ConceptPageRedirectMiddleware",
]

ROOT_URLCONF = "commons_fund.urls"
WSGI_APPLICATION = "commons_fund.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL in production (DATABASE_URL=postgres://...).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # The web server and the Celery worker share the file: wait for locks, use WAL.
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A server that does not answer fails a connection within seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# CACHE_URL=rediscache://… reads as django-redis's backend whether django-environ finds it or
# picks Django's own.
REDIS_CACHES = {"django.core.cache.backends.redis.RedisCache", "django_redis.cache.RedisCache"}
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://commons-fund")}
if CACHES["default"]["BACKEND"] in REDIS_CACHES:
    # django-redis: one client per connection pool, shared by the process' threads.
    CACHES["default"]["BACKEND"] = "django_redis.cache.RedisCache"
    # A Redis that stops answering fails a request (and /healthz) within seconds instead of
    # holding it for ever (redis-py waits without limit by default).
    CACHES["default"].setdefault("OPTIONS", {}).update(SOCKET_CONNECT_TIMEOUT=1, SOCKET_TIMEOUT=2)
    # Sessions read from the shared cache (a query less on every member's page), written to
    # both; never with a per-process cache, where a session ended in one process would live
    # on in another.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Pages seen by visitors without a cookie (and members' own) are served from the cache for
# this many seconds, and dropped at the next write to a table they read
# (commons_fund/page_cache.py); 0 turns it off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)
# What a write drops: "tables", the pages that read a table it wrote; "site", every page.
PAGE_CACHE_SCOPE = env.str("PAGE_CACHE_SCOPE", default="tables")
if PAGE_CACHE_SCOPE not in {"tables", "site"}:
    raise ImproperlyConfigured("PAGE_CACHE_SCOPE must be 'tables' or 'site'.")
# A CDN or caching proxy may keep visitors' pages this long (s-maxage); with
# FRONTEND_CACHE_PURGE_URL (a proxy answering HTTP PURGE, e.g. Varnish) a write purges the
# pages that read what it changed (commons_fund/frontend_cache.py).
FRONTEND_CACHE_SECONDS = env.int("FRONTEND_CACHE_SECONDS", default=PAGE_CACHE_SECONDS)
FRONTEND_CACHE_PURGE_URL = env.str("FRONTEND_CACHE_PURGE_URL", default="")
WAGTAILFRONTENDCACHE = (
    {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": FRONTEND_CACHE_PURGE_URL,
        }
    }
    if FRONTEND_CACHE_PURGE_URL
    else {}
)

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:my_space"

# django-allauth: email is the login; verification is mandatory (always in production).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "commons_fund.members.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
if not DEBUG and ACCOUNT_EMAIL_VERIFICATION != "mandatory":
    raise ImproperlyConfigured("ACCOUNT_EMAIL_VERIFICATION must be 'mandatory' when DEBUG=0.")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Commons Fund] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Commons Fund"

# Internationalisation: French first, English second.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Media (logos, Wagtail's images and documents) in an S3-compatible bucket when one is named,
# so that every web process and worker, on any machine, reads the same files; django-storages
# reads the other AWS_* settings and the credentials (AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY) from the environment. Contracts' PDFs are kept in the database.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
MEDIA_ORIGINS: list[str] = []
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
    AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None
    AWS_S3_FILE_OVERWRITE = False  # two uploads of "logo.png" keep two files
    AWS_DEFAULT_ACL = None  # the bucket's policy decides
    # Pages show media from the bucket's custom domain, else from its endpoint (the bucket
    # in the path, or as a subdomain).
    if AWS_S3_CUSTOM_DOMAIN:
        MEDIA_ORIGINS = [f"https://{AWS_S3_CUSTOM_DOMAIN}"]
    else:
        _endpoint = urlsplit(AWS_S3_ENDPOINT_URL or "https://amazonaws.com")
        MEDIA_ORIGINS = [
            f"{_endpoint.scheme}://{_endpoint.netloc}",
            f"{_endpoint.scheme}://*.{_endpoint.netloc}",
        ]

# Email: printed on the console unless EMAIL_URL is set (smtp+tls://user:pass@host:587).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Commons Fund <noreply@commons-fund.localhost>"
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Behind reverse proxies, how many of them (each adds an X-Forwarded-For address): rate
# limits (allauth's log-in and sign-up, the API's throttles) then count per client address,
# not per proxy. 0 (the default): X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Security: production values whenever DEBUG=0 (the site sits behind a TLS reverse proxy).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Health probes and metrics' scrapes come from inside (the container engine, the load
# balancer, Prometheus) over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Celery: an SQLite broker file by default, Redis in production (redis://host:6379/0).
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="commons-fund")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With Redis, a task taken by a worker that died (acks_late) is handed out again after this
# many seconds; keep it longer than the longest task. Only Redis knows this option: other
# transports (the embedded SQLite broker hands its options to SQLAlchemy) get none.
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
    if urlsplit(CELERY_BROKER_URL).scheme in {"redis", "rediss"}
    else {}
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# django-celery-beat's schedules (edited in the admin), sent by one beat at a time: others
# stand by (commons_fund/beat.py).
CELERY_BEAT_SCHEDULER = "commons_fund.beat:SingleBeatScheduler"
CELERY_BEAT_SCHEDULE = {
    "expire-invitations": {
        "task": "commons_fund.members.tasks.invitations_expire",
        "schedule": 3600.0,
    },
    "send-unsent-invitations": {
        "task": "commons_fund.members.tasks.invitations_send_unsent",
        "schedule": 600.0,
    },
    "expire-gifts": {"task": "commons_fund.payments.tasks.gifts_expire", "schedule": 3600.0},
    "send-gift-receipts": {
        "task": "commons_fund.payments.tasks.gift_receipts_send_due",
        "schedule": 900.0,
    },
    "issue-tax-receipts": {
        "task": "commons_fund.payments.tasks.tax_receipts_issue_due",
        "schedule": 86400.0,
    },
    "submit-pending-refunds": {
        "task": "commons_fund.payments.tasks.refunds_submit_pending",
        "schedule": 600.0,
    },
    "submit-pending-charges": {
        "task": "commons_fund.payments.tasks.charges_submit_pending",
        "schedule": 600.0,
    },
    "advance-rounds": {"task": "pledges.tasks.rounds_advance", "schedule": 300.0},
    "retry-collections": {"task": "pledges.tasks.collections_retry_due", "schedule": 3600.0},
    "follow-collections": {"task": "pledges.tasks.collections_follow_charges", "schedule": 900.0},
    "remind-voters": {"task": "pledges.tasks.rounds_remind", "schedule": 3600.0},
    "unseal-ballots": {"task": "pledges.tasks.ballots_unseal_waiting", "schedule": 60.0},
    "remind-declarations": {"task": "reciprocity.tasks.declarations_remind", "schedule": 86400.0},
    "follow-declaration-payments": {
        "task": "reciprocity.tasks.declarations_follow_charges",
        "schedule": 900.0,
    },
}
# Ballots wait in a round's box until this many are there (or the vote is counted), then
# are moved together in shuffled order: the crowd a ballot hides in (pledges/ballots.py).
BALLOT_BOX_MINIMUM = env.int("BALLOT_BOX_MINIMUM", default=10)
# Pools: a failed collection is tried again after these numbers of days, then defaulted.
POOL_RETRY_DAYS = env.list("POOL_RETRY_DAYS", cast=int, default=[1, 3, 7])
# How long a round waits for the matching its funder was asked for by transfer; after that
# the commons are paid the members' money alone.
POOL_MATCHING_WAIT_DAYS = env.int("POOL_MATCHING_WAIT_DAYS", default=30)

# The creditor of SEPA Direct Debit mandates (the platform's Stripe account collects them):
# its name and its SEPA creditor identifier (ICS, "identifiant créancier SEPA", given by its
# bank). The default is a placeholder for the demo and the tests.
SEPA_CREDITOR_ID = env.str("SEPA_CREDITOR_ID", default="FR00ZZZ000000")

# Absolute address of the site, for links in emails sent by workers.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# allauth's rate limits (its defaults) and ours: gifts started without an account, per address.
ACCOUNT_RATE_LIMITS = {"gift": "10/h/ip"}

# Wagtail
WAGTAIL_SITE_NAME = "Commons Fund"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default=SITE_URL)
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# Search with French stemming on PostgreSQL ("smartphones" finds "smartphone"); SQLite's
# full-text search has none.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "french"}
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "ods", "pdf", "pptx", "txt", "xlsx", "zip"]
WAGTAIL_LOCALIZE_MACHINE_TRANSLATOR = None
# Editors log in and reset their password through allauth (second factor, rate limits):
# Wagtail's own forms are closed (commons_fund/urls.py).
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False

# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "commons_fund.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT or None,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="600/hour"),
        "user": env.str("API_USER_RATE", default="6000/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Commons Fund API",
    "DESCRIPTION": "Public data of Commons Fund: organisations, commons, pools and accounts.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["commons_fund.api.public_api_endpoints"],
    "ENUM_NAME_OVERRIDES": {
        "ProjectKindEnum": "projects.models.ProjectKind",
        "ProjectStatusEnum": "projects.models.ProjectStatus",
        "LineKindEnum": "projects.models.LineKind",
        "FundingSourceStatusEnum": "projects.models.SourceStatus",
        "RoundKindEnum": "pledges.models.RoundKind",
        "RoundStateEnum": "pledges.models.RoundState",
        "PledgeStatusEnum": "pledges.models.PledgeStatus",
        "PoolPeriodEnum": "pledges.models.Period",
        "ContractPeriodEnum": "reciprocity.models.Period",
    },
}

# Money (django-money): euros unless a pool says otherwise.
CURRENCIES = ("EUR",)
DEFAULT_CURRENCY = "EUR"

# Payments through Stripe. With DEBUG on, the local stand-in (started by `make demo`) answers
# on 127.0.0.1:8420; with DEBUG=0 and no STRIPE_API_BASE, Stripe itself.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_commons_fund_local")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="pk_test_commons_fund_local")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_commons_fund_local")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="http://127.0.0.1:8420" if DEBUG else "")
STRIPE_LIVEMODE = env.bool("STRIPE_LIVEMODE", default=False)
STRIPE_JS_URL = (
    f"{STRIPE_API_BASE}/js.stripe.com/v3/" if STRIPE_API_BASE else "https://js.stripe.com/v3/"
)
# Content-Security-Policy (django-csp): scripts from this site and Stripe.js only, never inline
# ones. Inline styles stay allowed for the widths of progress bars. The Wagtail and Django
# admins and the API's Swagger page ship inline scripts of their own: they are left out.
_STRIPE_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(STRIPE_JS_URL))
_STRIPE_API_ORIGIN = (
    "{0.scheme}://{0.netloc}".format(urlsplit(STRIPE_API_BASE))
    if STRIPE_API_BASE
    else "https://api.stripe.com"
)
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/cms/", "/django-admin/", "/api/v1/docs/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, _STRIPE_ORIGIN],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", *MEDIA_ORIGINS],
        "connect-src": [SELF, _STRIPE_API_ORIGIN],
        "frame-src": [SELF, _STRIPE_ORIGIN, "https://hooks.stripe.com"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}

# Prefix of bank-transfer references, e.g. CF-7K3M-9Q2X.
TRANSFER_REFERENCE_PREFIX = env.str("TRANSFER_REFERENCE_PREFIX", default="CF")

# Commons projects: budget checks shown to maintainers (warnings, never refusals).
PROJECT_COORDINATION_SHARE = (
    Decimal(env.str("PROJECT_COORDINATION_MIN_PERCENT", default="10")),
    Decimal(env.str("PROJECT_COORDINATION_MAX_PERCENT", default="25")),
)
PROJECT_HOURLY_RATE = (
    Decimal(env.str("PROJECT_HOURLY_RATE_MIN", default="30")),
    Decimal(env.str("PROJECT_HOURLY_RATE_MAX", default="45")),
)

# Members
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=14)

# Operations: /metrics answers Prometheus when it sends `Authorization: Bearer <token>` (no
# token, no metrics: 404); errors go to Sentry (or GlitchTip) when SENTRY_DSN is set —
# exceptions of requests and tasks and error log lines, without personal data.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        send_default_pii=False,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# Logs: plain lines, or one JSON object per line with LOG_FORMAT=json (commons_fund/logs.py).
LOGGING = logging_config(
    log_format=env.str("LOG_FORMAT", default="plain"), level=env.str("LOG_LEVEL", default="INFO")
)
