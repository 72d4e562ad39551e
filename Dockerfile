# Production image: gunicorn serving Django; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=zhucun.settings.production
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.db \
    python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 zhucun && mkdir -p /app/media && chown zhucun /app/media
USER zhucun
EXPOSE 8000
# Workers, threads, timeouts and logs: gunicorn.conf.py (read from /app).
CMD ["gunicorn", "zhucun.wsgi:application"]
