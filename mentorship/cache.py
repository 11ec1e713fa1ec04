"""The default cache without Redis: Django's database cache, every process of the
portal sharing it (settings.CACHES says why)."""

from django.core.cache.backends import db
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.db import router, transaction


class DatabaseCache(db.DatabaseCache):
    """Django's database cache, writing many entries in one transaction. Django's own
    commits each entry of a ``set_many`` on its own; on PostgreSQL each commit waits
    for the disk, and a live scorecard period writes one entry a mentor
    (``metrics.scorecards``): 2,000 entries took 6.9 s that way."""

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        with transaction.atomic(using=router.db_for_write(self.cache_model_class)):
            return super().set_many(data, timeout=timeout, version=version)
