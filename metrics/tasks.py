"""Scheduled jobs of metrics: Monday's drafts of each mentor's weekly report, the
nightly snapshots of the mentors' scorecards, and the students' surveys due each day."""

import logging

from celery import group, shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from mentorship.models import User
from mentorship.task_options import LONG_RUNNING, RETRYING

from .digests import team_digests_send
from .scorecards import SnapshotWork, snapshot_work_do, snapshots_due
from .selectors import last_complete_week_start
from .services import weekly_report_draft
from .surveys import surveys_send_due

logger = logging.getLogger(__name__)


@shared_task(**RETRYING, **LONG_RUNNING)
def draft_weekly_reports() -> int:
    """Mondays: draft each active mentor's report of their last complete week (or
    refresh it while it is a draft). Running twice changes nothing. One mentor's
    failure does not stop the others: it is logged, and a database error makes the
    whole run retry once the others are done (drafting is idempotent). Returns how
    many reports were drafted or refreshed."""
    now = timezone.now()
    drafted, retry_error = 0, None
    for mentor_id in User.objects.mentors().order_by("pk").values_list("pk", flat=True):
        try:
            mentor = User.objects.get(pk=mentor_id)
            weekly_report_draft(mentor=mentor, week_start=last_complete_week_start(mentor, now))
        except OperationalError as error:
            logger.warning("Database error drafting the weekly report of mentor %s", mentor_id)
            retry_error = error
        except Exception:
            logger.exception("Could not draft the weekly report of mentor %s", mentor_id)
        else:
            drafted += 1
    if retry_error is not None:
        raise retry_error
    return drafted


@shared_task(**RETRYING)
def snapshot_scorecards() -> int:
    """Nightly: the closed weeks, months and quarters the scorecards' trends need, on
    every calendar readers use (``snapshots_due``), handed to the workers as tasks: a
    period's calendars computed together, in ``SNAPSHOT_PARTS`` shares, so that every
    worker process takes part in a night with many calendars. Returns the number of
    tasks."""
    work = snapshots_due(parts=settings.SNAPSHOT_PARTS)
    if work:
        group(
            snapshot_scorecard_period.si(
                item.period_key, [list(names) for names in item.calendars]
            )
            for item in work
        ).apply_async()
    return len(work)


@shared_task(**RETRYING, **LONG_RUNNING)
def snapshot_scorecard_period(period_key: str, calendars: list[list[str]]) -> int:
    """A share of the night (``snapshot_work_do``): a period on some calendars, each
    a list of zones sharing its bounds. Idempotent (upserts), and skipped once its
    calendars have the period, so a retry, a task delivered twice or a second worker
    does no harm. Returns how many figures were written."""
    return snapshot_work_do(SnapshotWork(period_key, tuple(tuple(names) for names in calendars)))


@shared_task(**RETRYING)
def send_team_digests() -> int:
    """Mondays: each supervisor's digest of their team's last closed week, once."""
    return team_digests_send()


@shared_task(**RETRYING)
def send_surveys() -> int:
    """Daily: send the students due today the survey of their round
    (``metrics.surveys.surveys_send_due``). Running twice, or on two workers at once,
    sends nobody a second survey. Returns how many were sent."""
    return surveys_send_due(today=timezone.localdate())
