"""The test suite. Same as local but fast hashing; CI sets ZHUCUN_REQUIRE_POSTGRES so a run that
silently fell back to SQLite fails (see tests/conftest.py)."""

from .local import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests call tasks in-process; the one test that drives a real worker on Redis switches this off for
# itself (tests/zhucun/test_celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = True

# Transactional tests with serialized_rollback restore the rows migrations made by saving them again;
# the audit trail refuses UPDATE (append-only, decision 0055), so zhucun's tables are left to what
# post_migrate makes after each flush (the working calendar and its audit events) instead.
TEST_NON_SERIALIZED_APPS = ["zhucun"]
