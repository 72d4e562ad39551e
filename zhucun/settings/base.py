"""Settings shared by every environment. Everything that differs between machines comes from the
environment (see README "Configuration"); nothing secret has a default here."""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from kombu.entity import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


INSTALLED_APPS = [
    "zhucun.apps.ZhucunAdminConfig",  # django.contrib.admin whose every edit is audited (zhucun/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "guardian",
    "axes",
    "zhucun",
    "accounts",
    "cadres",
    "attendance",
    "leave",
    "assessment",
    "funding",
    "duties",
    "supervision",
    "households",
    "training",
    "archive",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Read-your-writes when a replica serves the dashboards (decision 0103).
    "zhucun.replica.PrimaryAfterWriteMiddleware",
    # A NUL or other control character in the path or query string: 400 before any view (item 8).
    "zhucun.middleware.RejectControlCharactersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhucun.middleware.NoStoreForSignedInMiddleware",
    "zhucun.middleware.StaffIdleTimeoutMiddleware",
    # A remembered cadre browser: its device row still there (checked once an hour, decision 0172).
    "accounts.middleware.RememberedDeviceMiddleware",
    # A temporary password set by the organization department: the password page first (decision 0173).
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a lockout flagged during authentication into the Chinese lockout answer.
    "axes.middleware.AxesMiddleware",
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
        # A persistent connection the server dropped (restart, failover, pg_terminate_backend) is
        # tested before a request reuses it, and replaced: no 500s after PostgreSQL restarts (0052).
        conn_health_checks=True,
    )
}
# A streaming replica for the dashboards, registers and exports (zhucun/replica.py, decision 0103):
# DATABASE_REPLICA_URL set adds the alias and turns the routing on; a person who has just written reads
# from the primary for ZHUCUN_REPLICA_LAG_SECONDS.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
# PostgreSQL's JIT compiles the big aggregates of the national and provincial dashboards at each
# connection's first use (LLVM loads in ~0.9 s) and made them slower, not faster (the national bench,
# docs/performance.md): short OLTP statements gain nothing from it. Off for the application's connections.
for _alias in DATABASES.values():
    if _alias["ENGINE"] == "django.db.backends.postgresql" and os.environ.get("ZHUCUN_PG_JIT", "off") == "off":
        _alias.setdefault("OPTIONS", {})["options"] = "-c jit=off"
ZHUCUN_REPLICA_ENABLED = "replica" in DATABASES
ZHUCUN_REPLICA_LAG_SECONDS = int(os.environ.get("ZHUCUN_REPLICA_LAG_SECONDS", "10"))
DATABASE_ROUTERS = ["zhucun.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The sign-in's covering index (decision 0031) INCLUDEs columns on PostgreSQL; SQLite (make run, the
# embedded demo) builds it without them, which is all this warning says.
SILENCED_SYSTEM_CHECKS = [
    "models.W040",
    # axes warns when lockout is not keyed on the address. It is keyed on the username alone on purpose:
    # a village's cadres share one address, and a username's failures add up whatever the User-Agent.
    "axes.W006",
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked account before its password is even checked (django-axes, decision 0045).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Django's checks with Chinese messages wherever they run, the command line included (decision 0047).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "accounts.validators.CommonPasswordValidator"},
    {"NAME": "accounts.validators.NumericPasswordValidator"},
]
# Staff sessions end after this many minutes without a request (0: never), beside the absolute
# SESSION_COOKIE_AGE counted from the login; cadres' phones are not affected (decision 0042).
ZHUCUN_SESSION_IDLE_MINUTES = int(os.environ.get("ZHUCUN_SESSION_IDLE_MINUTES", "30"))
# --- Lockout (issue 10 item 2, decision 0045) ---
# AXES_FAILURE_LIMIT failed logins within AXES_COOLOFF_TIME (minutes, from the environment) lock the
# account for AXES_COOLOFF_TIME after the last failure (a failure while locked extends it); an
# organization department or the security administrator unlocks earlier. Keyed on the canonical
# username only: the cadres of a village share an IP.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_TIME", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit trail (zhucun.audit) instead
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # lockouts are managed on the account pages, with an audit event
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
# Behind the HTTPS proxy (README "Deploying") the client's address is the X-Forwarded-For entry that
# the proxies appended: ZHUCUN_TRUSTED_PROXIES=1 for one proxy. 0 (default): REMOTE_ADDR, nothing to spoof.
ZHUCUN_TRUSTED_PROXIES = int(os.environ.get("ZHUCUN_TRUSTED_PROXIES", "0"))

# --- API tokens (issue 10 item 3, decision 0046) ---
ZHUCUN_TOKEN_IDLE_DAYS = int(os.environ.get("ZHUCUN_TOKEN_IDLE_DAYS", "30"))
ZHUCUN_TOKEN_TOUCH_MINUTES = int(os.environ.get("ZHUCUN_TOKEN_TOUCH_MINUTES", "60"))
ZHUCUN_TOKENS_PER_ACCOUNT = int(os.environ.get("ZHUCUN_TOKENS_PER_ACCOUNT", "5"))
# 记住本机 (issue 15 item 7, decision 0172): a cadre who ticks it at the login form stays signed in
# on that browser this many days from the login, as a device the cadre and the organization
# department can revoke. Staff sessions keep SESSION_COOKIE_AGE and the idle timeout.
ZHUCUN_REMEMBER_DEVICE_DAYS = int(os.environ.get("ZHUCUN_REMEMBER_DEVICE_DAYS", "30"))

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
    "DEFAULT_SCHEMA_CLASS": "zhucun.api.schema.ZhucunAutoSchema",
    "EXCEPTION_HANDLER": "zhucun.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "驻村干部管理系统 API",
    "DESCRIPTION": "Public API v1 (see API.md). Errors are Chinese, objects outside the caller's scope are 404.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get their own components: required, non-blank (minLength 1) and write-only fields
    # are documented as the API enforces them (issue 10 item 15, decision 0065).
    "COMPONENT_SPLIT_REQUEST": True,
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
        "ChannelEnum": "zhucun.models.Channel",
        "DeliveryStatusEnum": "zhucun.models.Delivery.Status",
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
# Jobs, exports and notifications on queues of their own (zhucun/queues.py, decision 0102).
CELERY_TASK_DEFAULT_QUEUE = "jobs"
CELERY_TASK_QUEUES = tuple(Queue(name) for name in ("jobs", "exports", "notifications"))  # type: ignore[no-untyped-call]
CELERY_TASK_ROUTES = ("zhucun.queues.route",)
CELERY_TIMEZONE = TIME_ZONE
# Publishing waits about a second at most when Redis is down or frozen (decision 0051): one attempt,
# bounded by the connect and socket timeouts; the outbox (zhucun/outbox.py) publishes it later.
# Celery's default retries a publish 3 times, each waiting out the timeouts (25 s seen on a frozen Redis).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": 1,
    "socket_connect_timeout": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# The province this deployment serves: its region is created by a data migration.
ZHUCUN_PROVINCE_CODE = os.environ.get("ZHUCUN_PROVINCE_CODE", "13")
ZHUCUN_PROVINCE_NAME = os.environ.get("ZHUCUN_PROVINCE_NAME", "河北省")
# Roster uploads: refuse before parsing above these limits (zip bombs, junk).
ROSTER_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ROSTER_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
ROSTER_MAX_ROWS = 60_000
# The audit trail stays online this many days, then the purge job archives and deletes older events
# (zhucun/audit_archive.py); below 180 days (six months, 等保 2.0) `manage.py check` refuses to start.
ZHUCUN_AUDIT_RETENTION_DAYS = int(os.environ.get("ZHUCUN_AUDIT_RETENTION_DAYS", "365"))
# Where the purge writes what it deletes (JSON lines + SHA-256), to be shipped off the host; empty:
# MEDIA_ROOT/audit-archive (inside the backups of `make backup`).
ZHUCUN_AUDIT_ARCHIVE_DIR = os.environ.get("ZHUCUN_AUDIT_ARCHIVE_DIR", "")
# The assessment workbook is built in the request up to this many rows, beyond them by a job with
# progress (decision 0013).
ZHUCUN_EXPORT_SYNC_MAX_ROWS = int(os.environ.get("ZHUCUN_EXPORT_SYNC_MAX_ROWS", "5000"))
# `make backup` writes timestamped folders here (zhucun/backup.py).
ZHUCUN_BACKUP_DIR = Path(os.environ.get("ZHUCUN_BACKUP_DIR", BASE_DIR / "backups"))
# Costly files (issue 10 item 9, decision 0061): a parse costs per XML element, so a tiny upload may
# not hold more strings or cells than a full roster (15 columns), nor any part larger than this, and
# the whole parse stops with a clear 400 after ROSTER_PARSE_SECONDS (below gunicorn's 30 s timeout).
ROSTER_MAX_SHARED_STRINGS = (ROSTER_MAX_ROWS + 1) * 15
ROSTER_MAX_CELLS = (ROSTER_MAX_ROWS + 1) * 16
ROSTER_MAX_PART_BYTES = 100 * 1024 * 1024
ROSTER_PARSE_SECONDS = int(os.environ.get("ROSTER_PARSE_SECONDS", "20"))

# --- Notification channels (issue 15; decisions 0150–0152, README "Configuration") ---
# Which channels this deployment delivers through, besides the in-app bell: any of wecom, dingtalk,
# sms, email. Each enabled channel needs its credentials below (`manage.py check` says which).
ZHUCUN_CHANNELS = env_list("ZHUCUN_CHANNELS")
# The address of the site in messages' links (企业微信 cards, 钉钉 OA messages, e-mail).
ZHUCUN_SITE_URL = os.environ.get("ZHUCUN_SITE_URL", "").rstrip("/")
# Seconds one HTTP call to a platform may take (connect: at most 5 s of it).
ZHUCUN_CHANNEL_TIMEOUT = float(os.environ.get("ZHUCUN_CHANNEL_TIMEOUT", "10"))
# Tries of one delivery (transient errors: timeouts, 5xx, rate limits) before it is marked failed.
ZHUCUN_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("ZHUCUN_DELIVERY_MAX_ATTEMPTS", "5"))
# 企业微信 application messages (cgi-bin/gettoken, cgi-bin/message/send).
ZHUCUN_WECOM_BASE_URL = os.environ.get("ZHUCUN_WECOM_BASE_URL", "https://qyapi.weixin.qq.com").rstrip("/")
ZHUCUN_WECOM_CORPID = os.environ.get("ZHUCUN_WECOM_CORPID", "")
ZHUCUN_WECOM_SECRET = os.environ.get("ZHUCUN_WECOM_SECRET", "")
ZHUCUN_WECOM_AGENTID = os.environ.get("ZHUCUN_WECOM_AGENTID", "")
# 钉钉 work notifications (gettoken, topapi/message/corpconversation/asyncsend_v2).
ZHUCUN_DINGTALK_BASE_URL = os.environ.get("ZHUCUN_DINGTALK_BASE_URL", "https://oapi.dingtalk.com").rstrip("/")
ZHUCUN_DINGTALK_APPKEY = os.environ.get("ZHUCUN_DINGTALK_APPKEY", "")
ZHUCUN_DINGTALK_APPSECRET = os.environ.get("ZHUCUN_DINGTALK_APPSECRET", "")
ZHUCUN_DINGTALK_AGENTID = os.environ.get("ZHUCUN_DINGTALK_AGENTID", "")
# SMS through Aliyun's gateway (dysmsapi SendSms); the template has one variable, ${title}.
ZHUCUN_SMS_BASE_URL = os.environ.get("ZHUCUN_SMS_BASE_URL", "https://dysmsapi.aliyuncs.com").rstrip("/")
ZHUCUN_SMS_ACCESS_KEY_ID = os.environ.get("ZHUCUN_SMS_ACCESS_KEY_ID", "")
ZHUCUN_SMS_ACCESS_KEY_SECRET = os.environ.get("ZHUCUN_SMS_ACCESS_KEY_SECRET", "")
ZHUCUN_SMS_SIGN_NAME = os.environ.get("ZHUCUN_SMS_SIGN_NAME", "")
ZHUCUN_SMS_TEMPLATE_CODE = os.environ.get("ZHUCUN_SMS_TEMPLATE_CODE", "")
ZHUCUN_SMS_REGION_ID = os.environ.get("ZHUCUN_SMS_REGION_ID", "cn-hangzhou")
# The 验证码 template (one variable, ${code}) for 找回密码 codes (decision 0173); unset, the code is sent
# in the notification template above.
ZHUCUN_SMS_CODE_TEMPLATE_CODE = os.environ.get("ZHUCUN_SMS_CODE_TEMPLATE_CODE", "")
# E-mail over SMTP (Django's SMTP backend).
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "")
# When the morning digest of non-urgent notifications is sent (Asia/Shanghai, HH:MM).
ZHUCUN_DIGEST_TIME = os.environ.get("ZHUCUN_DIGEST_TIME", "07:30")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # axes notes every attempt at INFO (usernames masked); its warnings (new failures, lockouts) remain.
    # httpx notes every request at INFO with its URL, whose query holds the channels' access tokens and
    # 企业微信's corpsecret (zhucun/channels): never in the logs.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
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
