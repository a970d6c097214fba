"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery.

Configuration comes from Django settings prefixed CELERY_. With no CELERY_BROKER_URL the
tasks run eagerly in the web process (the embedded default of `make run`).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clubsite.settings")

app = Celery("lojal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
