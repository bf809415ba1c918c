"""Settings for every environment; the environment variables in `.env.example` change them.

The embedded default needs nothing but a writable data directory: SQLite in WAL mode, a
SQLite-backed Celery broker and a file cache. `DATABASE_URL` and `REDIS_URL` switch to
PostgreSQL and Redis for scale-out.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from aftersales.config.env import env_bool, env_decimal, env_float, env_int, env_str

BASE_DIR = Path(__file__).resolve().parents[3]
PACKAGE_DIR = Path(__file__).resolve().parents[1]

DATA_DIR = Path(env_str("AFTERSALES_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("AFTERSALES_DEBUG", default=False)
TESTING = env_bool("AFTERSALES_TESTING", default=False)


def _secret_key() -> str:
    """A secret from the environment, else one generated once and kept in the data directory."""
    configured = env_str("AFTERSALES_SECRET_KEY", "")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in env_str("AFTERSALES_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env_str("AFTERSALES_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "aftersales.core",
    "aftersales.accounts",
    "aftersales.customers",
    "aftersales.catalog",
    "aftersales.sla",
    "aftersales.notifications",
    "aftersales.service_requests",
    "aftersales.dispatch",
    "aftersales.parts",
    "aftersales.visits",
    "aftersales.repairs",
    "aftersales.repair_records",
    "aftersales.returns",
    "aftersales.tasks",
    "aftersales.quality",
    "aftersales.mailin",
    "aftersales.complaints",
    "aftersales.surveys",
    "aftersales.followups",
    "aftersales.imports",
    "aftersales.search",
    "aftersales.notices",
    "aftersales.portal",
    "aftersales.webhooks",
    "aftersales.metrics",
    "aftersales.dashboards",
    "aftersales.reports",
    "aftersales.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "aftersales.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "aftersales.core.middleware.ApiNoStoreMiddleware",
]
if env_bool("AFTERSALES_QUERY_COUNT_HEADER", default=False):
    # Benchmarks read the number of SQL queries per request from a response header.
    MIDDLEWARE.insert(0, "aftersales.core.middleware.QueryCountHeaderMiddleware")

ROOT_URLCONF = "aftersales.config.urls"
WSGI_APPLICATION = "aftersales.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("AFTERSALES_SQLITE_PATH", str(DATA_DIR / "aftersales.sqlite3")),
            "OPTIONS": {
                # WAL lets readers go on while one writer commits; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue instead of failing half-way.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker --------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Shared between the web workers, so that throttles hold across processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

CELERY_BROKER_URL = REDIS_URL or f"sqla+sqlite:///{DATA_DIR / 'broker.sqlite3'}"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = TESTING
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- Outgoing mail --------------------------------------------------------------------
# Without an SMTP host, messages are written as files under the data directory (one file
# per sending run), so the embedded default never loses or silently drops a notification.
SMTP_HOST = env_str("AFTERSALES_SMTP_HOST", "")
SMTP_SECURITY = env_str("AFTERSALES_SMTP_SECURITY", "starttls" if SMTP_HOST else "none").lower()
if SMTP_SECURITY not in {"none", "starttls", "ssl"}:
    raise ImproperlyConfigured("AFTERSALES_SMTP_SECURITY must be none, starttls or ssl.")
if SMTP_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = SMTP_HOST
    EMAIL_PORT = env_int("AFTERSALES_SMTP_PORT", 465 if SMTP_SECURITY == "ssl" else 587)
    EMAIL_HOST_USER = env_str("AFTERSALES_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = env_str("AFTERSALES_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = SMTP_SECURITY == "starttls"
    EMAIL_USE_SSL = SMTP_SECURITY == "ssl"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("AFTERSALES_MAIL_FROM", "Aftersales <service@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in messages point here (no request to take the host from in a background task).
SITE_URL = env_str("AFTERSALES_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Text messages go through this class (notifications/sms.py); the default writes them to
# the log. A gateway is a class with send(to=, text=, message_id=).
SMS_PROVIDER = env_str("AFTERSALES_SMS_PROVIDER", "aftersales.notifications.sms.LogSmsProvider")

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "service_requests:list"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Languages, time ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
SERVICE_TIME_ZONE = env_str("AFTERSALES_TIME_ZONE", "Asia/Shanghai")
# Read the measures of unchanged days from the daily rollups (metrics/rollups.py).
MEASURE_ROLLUPS = env_bool("AFTERSALES_MEASURE_ROLLUPS", default=True)
CURRENCY = env_str("AFTERSALES_CURRENCY", "CNY")
# The service's name on printed reports (e.g. the company's service department); may be empty.
SERVICE_NAME = env_str("AFTERSALES_SERVICE_NAME", "")
# A request for a unit that had another request resolved this many days (calendar days, in
# the service time zone) before it came in counts as a repeat repair (SPEC §5).
REPEAT_REPAIR_DAYS = env_int("AFTERSALES_REPEAT_REPAIR_DAYS", 90)
if REPEAT_REPAIR_DAYS < 0:
    raise ImproperlyConfigured("AFTERSALES_REPEAT_REPAIR_DAYS cannot be negative.")
# Quality spikes (quality/spikes.py, docs/quality.md): a batch is flagged when its fault
# requests of the last 7 days number at least SPIKE_MIN_REQUESTS and would be that many with
# probability below SPIKE_P_VALUE at its own rate over the SPIKE_BASE_WEEKS before.
SPIKE_MIN_REQUESTS = env_int("AFTERSALES_SPIKE_MIN_REQUESTS", 5)
SPIKE_P_VALUE = env_float("AFTERSALES_SPIKE_P_VALUE", 0.001)
SPIKE_BASE_WEEKS = env_int("AFTERSALES_SPIKE_BASE_WEEKS", 8)
if SPIKE_MIN_REQUESTS < 1:
    raise ImproperlyConfigured("AFTERSALES_SPIKE_MIN_REQUESTS must be at least 1.")
if not 0 < SPIKE_P_VALUE < 1:
    raise ImproperlyConfigured("AFTERSALES_SPIKE_P_VALUE must be between 0 and 1 (e.g. 0.001).")
if not 1 <= SPIKE_BASE_WEEKS <= 260:
    raise ImproperlyConfigured("AFTERSALES_SPIKE_BASE_WEEKS must be between 1 and 260.")
# Returns: refunds above this amount (in CURRENCY) are recorded by a supervisor only; where
# customers send returned units (told in the authorisation mail).
RMA_REFUND_SUPERVISOR_ABOVE = env_decimal("AFTERSALES_REFUND_SUPERVISOR_ABOVE", "1000.00")
RMA_RETURN_ADDRESS = env_str("AFTERSALES_RETURN_ADDRESS", "")
# Complaints: the customer's link (sign the proposal, say whether satisfied) is valid this
# many days; each remedy's task is due this many days after the agreement (per remedy kind:
# "refund=5,gift=7"; kinds: repair, replacement, refund, compensation_product, gift,
# service_credit).
COMPLAINT_LINK_DAYS = env_int("AFTERSALES_COMPLAINT_LINK_DAYS", 30)
COMPLAINT_TASK_DAYS = env_int("AFTERSALES_COMPLAINT_TASK_DAYS", 3)
COMPLAINT_TASK_DAYS_BY_KIND = env_str("AFTERSALES_COMPLAINT_TASK_DAYS_BY_KIND", "")
if COMPLAINT_LINK_DAYS < 1 or COMPLAINT_TASK_DAYS < 0:
    raise ImproperlyConfigured("Complaint link and task days cannot be negative.")
# Follow-up visits (客户回访): planned this many hours after a resolution (per kind:
# "installation=168,maintenance=48"), by this method (phone, email, sms or survey; per kind
# likewise); a resolved request closes once its follow-up is done, or this many days after
# it was planned without an answer.
FOLLOWUP_HOURS = env_int("AFTERSALES_FOLLOWUP_HOURS", 24)
# (Left empty, as in .env.example, they keep their defaults.)
FOLLOWUP_HOURS_BY_KIND = env_str("AFTERSALES_FOLLOWUP_HOURS_BY_KIND", "") or "installation=168"
FOLLOWUP_METHOD = env_str("AFTERSALES_FOLLOWUP_METHOD", "") or "phone"
FOLLOWUP_METHOD_BY_KIND = env_str("AFTERSALES_FOLLOWUP_METHOD_BY_KIND", "")
FOLLOWUP_CLOSE_AFTER_DAYS = env_int("AFTERSALES_FOLLOWUP_CLOSE_AFTER_DAYS", 7)
# Satisfaction surveys: a link is valid this many days; this share of follow-ups by link is
# surveyed; a customer is not surveyed again within this many days.
SURVEY_DAYS = env_int("AFTERSALES_SURVEY_DAYS", 28)
SURVEY_SAMPLE_PERCENT = env_int("AFTERSALES_SURVEY_SAMPLE_PERCENT", 100)
SURVEY_COOLDOWN_DAYS = env_int("AFTERSALES_SURVEY_COOLDOWN_DAYS", 30)
if min(FOLLOWUP_HOURS, FOLLOWUP_CLOSE_AFTER_DAYS, SURVEY_COOLDOWN_DAYS) < 0 or SURVEY_DAYS < 1:
    raise ImproperlyConfigured("Follow-up and survey periods cannot be negative.")
if not 0 <= SURVEY_SAMPLE_PERCENT <= 100:
    raise ImproperlyConfigured("AFTERSALES_SURVEY_SAMPLE_PERCENT must be between 0 and 100.")
# Email intake (mailin/): structural limits beyond which a message is quarantined, the
# acknowledgement's rate per sender, fetching.
MAILIN_MAX_BYTES = env_int("AFTERSALES_MAILIN_MAX_MB", 25) * 1024 * 1024
MAILIN_MAX_PARTS = env_int("AFTERSALES_MAILIN_MAX_PARTS", 200)
MAILIN_MAX_DEPTH = env_int("AFTERSALES_MAILIN_MAX_DEPTH", 20)
MAILIN_ACK_WINDOW_MINUTES = env_int("AFTERSALES_MAILIN_ACK_WINDOW_MINUTES", 60)
MAILIN_ALERT_AFTER_FAILURES = env_int("AFTERSALES_MAILIN_ALERT_AFTER_FAILURES", 5)
MAILIN_FETCH_BATCH = env_int("AFTERSALES_MAILIN_FETCH_BATCH", 100)
MAILIN_IMAP_TIMEOUT = env_int("AFTERSALES_MAILIN_IMAP_TIMEOUT", 60)
if min(MAILIN_MAX_BYTES, MAILIN_MAX_PARTS, MAILIN_MAX_DEPTH, MAILIN_FETCH_BATCH) < 1:
    raise ImproperlyConfigured("The AFTERSALES_MAILIN_* limits must be at least 1.")

# --- Static and uploaded files --------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploads live in the data directory, outside the web root; only the download view
    # (which checks who asks) reads them.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "uploads"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "uploads"
ATTACHMENT_MAX_BYTES = env_int("AFTERSALES_ATTACHMENT_MAX_MB", 25) * 1024 * 1024
ATTACHMENTS_PER_UPLOAD = 10
DATA_UPLOAD_MAX_NUMBER_FILES = 20
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None

# --- Integrations: webhooks, idempotent intake, rate limits ---------------------------
# Each webhook call waits at most this long to connect and for each read; redirects are
# followed (each hop checked again) up to the maximum; a delivery is given up after the
# attempts (1, 2, 4 … minutes apart, at most two hours).
WEBHOOK_TIMEOUT_SECONDS = env_int("AFTERSALES_WEBHOOK_TIMEOUT_SECONDS", 5)
WEBHOOK_MAX_REDIRECTS = env_int("AFTERSALES_WEBHOOK_MAX_REDIRECTS", 3)
WEBHOOK_MAX_ATTEMPTS = env_int("AFTERSALES_WEBHOOK_MAX_ATTEMPTS", 8)
# How long an API answer is remembered for its Idempotency-Key.
IDEMPOTENCY_KEY_HOURS = env_int("AFTERSALES_IDEMPOTENCY_KEY_HOURS", 24)
# The customer portal, per client address: requests filed and attempts per hour, tracking
# attempts per ten minutes. Past them: 429 with Retry-After.
PORTAL_SUBMIT_LIMIT = env_int("AFTERSALES_PORTAL_SUBMIT_LIMIT", 10)
PORTAL_SUBMIT_ATTEMPT_LIMIT = env_int("AFTERSALES_PORTAL_SUBMIT_ATTEMPT_LIMIT", 40)
PORTAL_TRACK_LIMIT = env_int("AFTERSALES_PORTAL_TRACK_LIMIT", 20)
if min(WEBHOOK_TIMEOUT_SECONDS, WEBHOOK_MAX_ATTEMPTS, IDEMPOTENCY_KEY_HOURS) < 1:
    raise ImproperlyConfigured("Webhook timeouts, attempts and key lifetimes must be positive.")
if min(WEBHOOK_MAX_REDIRECTS, PORTAL_SUBMIT_LIMIT, PORTAL_TRACK_LIMIT) < 0:
    raise ImproperlyConfigured("Redirect and portal limits cannot be negative.")
# Bulk import (CSV/XLSX): validated and imported synchronously within these caps.
IMPORT_MAX_MB = env_int("AFTERSALES_IMPORT_MAX_MB", 10)
IMPORT_MAX_ROWS = env_int("AFTERSALES_IMPORT_MAX_ROWS", 20000)

# --- Security headers -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("AFTERSALES_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "aftersales.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "aftersales.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "track": env_str("AFTERSALES_TRACK_RATE", "20/min"),
        "login": env_str("AFTERSALES_LOGIN_RATE", "10/min"),
        # Creations of service requests through the API, per user (integrations).
        "intake": env_str("AFTERSALES_API_INTAKE_RATE", "") or "300/min",
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Aftersales API",
    "DESCRIPTION": "After-sales service management: service requests, customers, products and units.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI is served from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "aftersales.service_requests.models.ServiceRequest.Status",
        "PriorityEnum": "aftersales.service_requests.models.Priority",
        "RoleEnum": "aftersales.accounts.models.User.Role",
        "StaffRoleEnum": "aftersales.accounts.models.STAFF_ROLE_CHOICES",
        "ServiceRequestKindEnum": "aftersales.service_requests.models.Kind",
        "CustomerKindEnum": "aftersales.customers.models.Customer.Kind",
        "TeamKindEnum": "aftersales.accounts.models.Team.Kind",
        "LevelEnum": "aftersales.service_requests.models.Level",
        "CategoryEnum": "aftersales.service_requests.models.Category",
        "CategoriesEnum": "aftersales.api.enums.CATEGORY_VALUES",
        "ChannelEnum": "aftersales.service_requests.models.Channel",
        "AssignmentStrategyEnum": "aftersales.accounts.models.Team.Strategy",
        "AssignmentMethodEnum": "aftersales.service_requests.models.Assignment.Method",
        "WarehouseKindEnum": "aftersales.parts.models.Warehouse.Kind",
        "StockMovementKindEnum": "aftersales.parts.models.StockMovement.Kind",
        "StockReservationStatusEnum": "aftersales.parts.models.StockReservation.Status",
        "FeeLineKindEnum": "aftersales.repairs.models.FeeLine.Kind",
        "WarrantyEnum": "aftersales.repairs.models.Warranty",
        "SurveyChannelEnum": "aftersales.surveys.models.Channel",
        "SurveyQuestionKindEnum": "aftersales.surveys.models.QuestionKind",
        "ImportKindEnum": "aftersales.imports.models.Kind",
        "RemedyKindEnum": "aftersales.complaints.models.RemedyKind",
        "ImportStatusEnum": "aftersales.imports.models.Status",
        "ProblemActionKindEnum": "aftersales.quality.models.ProblemAction.Kind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("AFTERSALES_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

if not DEBUG and SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("AFTERSALES_SECRET_KEY must not be an insecure development key.")

# Labels used by the admin site.
ADMIN_SITE_HEADER = _("Aftersales administration")
