"""Settings of the Celery workers the fault tests start as subprocesses: the local settings (broker
and database from the environment) with a one-second visibility timeout, so a worker started after
another was killed takes over the killed worker's unacknowledged message at its start instead of an
hour later. Nothing else differs from what production runs."""

from zhucun.settings.local import *  # noqa: F403
from zhucun.settings.local import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "visibility_timeout": 1}
