"""The Celery application. Tasks are thin: they load a row by primary key and call a service."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# DjangoTask gives every task ``delay_on_commit``: a task never runs before its data is committed.
app = Celery("chantiers_parcours", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
