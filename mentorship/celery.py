"""The Celery application, configured from Django settings (the ``CELERY_`` namespace)."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init, worker_process_init
from django.core.exceptions import ImproperlyConfigured

from mentorship.startup import freeze_start_up_objects, refuse_public_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")

app = Celery("mentorship")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def secret_key_refuse(**kwargs) -> None:
    """A worker or beat does not start in production with a public SECRET_KEY. Celery
    logs and swallows a receiver's exceptions, so the refusal leaves as SystemExit."""
    try:
        refuse_public_secret_key()
    except ImproperlyConfigured as error:
        raise SystemExit(f"ImproperlyConfigured: {error}") from error


@worker_process_init.connect
def worker_objects_freeze(**kwargs) -> None:
    """In each worker process, once it has started: keep the objects it holds from the
    start (Django's models, URLs, translations, everything imported) out of the
    garbage collector's passes (``mentorship.startup``)."""
    freeze_start_up_objects(collect=False)  # a process forked from the worker's
