"""Developer machine and `make run`: DEBUG on, a throw-away secret, SQLite unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F403
from .base import env_list

DEBUG = True
SECRET_KEY = "dev-only-not-secret-" + "x" * 40
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
