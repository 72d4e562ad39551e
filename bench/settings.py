"""The production settings, exactly as production runs them (``zhucun.settings.production``: manifest
static files, HTTPS hardening; the bench sets SECURE_SSL_REDIRECT=false because it speaks plain HTTP on
loopback). A module of its own so that a difference, if one is ever needed, is written down here."""

from zhucun.settings.production import *  # noqa: F403
