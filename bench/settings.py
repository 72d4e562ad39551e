"""The production settings, as the benchmark runs them. One difference: static files are compressed but
not manifest-hashed, because ``collectstatic`` with the production ``CompressedManifestStaticFilesStorage``
fails on this tree (static/vendor/bootstrap/bootstrap.bundle.min.js names a missing
``bootstrap.bundle.min.js.map``; see docs/performance.md "Findings"). Nothing measured depends on it."""

from zhucun.settings.production import *  # noqa: F403
from zhucun.settings.production import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}
