"""驻村干部管理系统 — project package: settings, Celery app, scoping, audit and shared infrastructure."""

from .celery import app as celery_app

__all__ = ("celery_app",)
