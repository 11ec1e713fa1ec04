"""The production settings, plus the pages benchmark's bare view (``metrics.bench_urls``):
what gunicorn runs under ``manage.py bench_pages``, never in production."""

from mentorship.settings import *  # noqa: F403

ROOT_URLCONF = "metrics.bench_urls"
