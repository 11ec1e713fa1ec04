"""The Celery application, configured from Django settings (the ``CELERY_`` namespace)."""

import os

from celery import Celery
from celery.signals import worker_process_init

from mentorship.startup import freeze_start_up_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")

app = Celery("mentorship")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def worker_objects_freeze(**kwargs) -> None:
    """In each worker process, once it has started: keep the objects it holds from the
    start (Django's models, URLs, translations, everything imported) out of the
    garbage collector's passes (``mentorship.startup``)."""
    freeze_start_up_objects(collect=False)  # a process forked from the worker's
