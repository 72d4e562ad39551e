"""gunicorn's settings for production (read by ``gunicorn zhucun.wsgi`` from the working directory):
the Dockerfile, docker-compose and ``make bench`` all start the web process through this file, so the
benchmark measures what production runs (docs/performance.md, docs/decisions/0030-web-process.md).

Environment: GUNICORN_BIND (0.0.0.0:8000), WEB_CONCURRENCY (worker processes; 2 per core + 1),
GUNICORN_THREADS (threads per worker; 1 = sync workers), GUNICORN_ACCESS_LOG ("-" = stdout, "" = off).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))  # gunicorn's advice
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# The morning sign-in is short requests from many phones; a stuck request must not hold a worker.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow for months.
max_requests = 20_000
max_requests_jitter = 2_000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind the reverse proxy that terminates TLS (SECURE_PROXY_SSL_HEADER in the production settings).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
