"""Settings shared by every environment. Everything that differs between machines comes from the
environment (see README "Configuration"); nothing secret has a default here."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


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
    "csp",
    "guardian",
    "zhucun",
    "accounts",
    "cadres",
    "attendance",
    "leave",
    "assessment",
    "funding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhucun.middleware.NoStoreForSignedInMiddleware",
    "zhucun.middleware.StaffIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "zhucun.urls"
WSGI_APPLICATION = "zhucun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhucun.context_processors.navigation",
            ],
        },
    },
]

# Content-Security-Policy (django-csp; decision 0041): scripts and styles only from our own static
# files — no inline script, no inline style, no eval — so a name that slipped past escaping still
# cannot run. Bootstrap's CSS draws some icons from data: URIs, and so does the poster's QR code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# DATABASE_URL selects the database; unset, an embedded SQLite file (API.md "Running").
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The sign-in's covering index (decision 0031) INCLUDEs columns on PostgreSQL; SQLite (make run, the
# embedded demo) builds it without them, which is all this warning says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff sessions end after this many minutes without a request (0: never), beside the absolute
# SESSION_COOKIE_AGE counted from the login; cadres' phones are not affected (decision 0042).
ZHUCUN_SESSION_IDLE_MINUTES = int(os.environ.get("ZHUCUN_SESSION_IDLE_MINUTES", "30"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
# One language: no LocaleMiddleware, every request is served in LANGUAGE_CODE.
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# An uploaded roster is read in memory up to this size; larger requests are refused before parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.CadreTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "zhucun.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "zhucun.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "驻村干部管理系统 API",
    "DESCRIPTION": "Public API v1 (see API.md). Errors are Chinese, objects outside the caller's scope are 404.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from static/ through the sidecar package: intranets have no CDN (UI.md).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AccountRoleEnum": "accounts.models.Role",
        "CadreRoleEnum": "cadres.models.Cadre.Role",
        "SignInStatusEnum": "attendance.models.SignIn.Status",
        "WhereaboutsStatusEnum": "attendance.models.Whereabouts.Status",
        "FindingStatusEnum": "attendance.models.AbsenceFinding.Status",
        "FindingSourceEnum": "attendance.models.AbsenceFinding.Source",
    },
}

# django-filter: the empty choice of a filter reads 全部 (all), not "---------".
FILTERS_EMPTY_CHOICE_LABEL = "全部"

# Celery: REDIS_URL selects the broker; unset, tasks run in-process (API.md "Running").
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Without socket timeouts .delay() can hang for tens of seconds on a frozen Redis (TOOLCHAIN.md).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# The province this deployment serves: its region is created by a data migration.
ZHUCUN_PROVINCE_CODE = os.environ.get("ZHUCUN_PROVINCE_CODE", "13")
ZHUCUN_PROVINCE_NAME = os.environ.get("ZHUCUN_PROVINCE_NAME", "河北省")
# Roster uploads: refuse before parsing above these limits (zip bombs, junk).
ROSTER_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ROSTER_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
ROSTER_MAX_ROWS = 60_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# django-guardian holds explicit object grants only (zhucun/scoping.py); no anonymous user row.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
# The Django admin is for the system's operators only (superusers), at an unguessable path in production.
ADMIN_URL = os.environ.get("ADMIN_URL", "django-admin/")


def _beat_schedule() -> dict[str, dict[str, object]]:
    from zhucun.jobs import beat_schedule

    return beat_schedule()


CELERY_BEAT_SCHEDULE = _beat_schedule()
