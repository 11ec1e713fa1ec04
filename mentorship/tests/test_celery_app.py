"""How the Celery application sets up each worker process."""

import gc

from celery.signals import worker_process_init

import mentorship.celery  # noqa: F401  (connects the app's signal handlers)


def test_a_worker_process_keeps_its_startup_objects_out_of_garbage_collection():
    """Once a pool process has started (``worker_process_init``), what it holds is
    frozen, so the collector never walks it again."""
    gc.unfreeze()
    try:
        worker_process_init.send(sender=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
