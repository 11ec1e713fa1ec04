"""The Monday job that drafts every active mentor's report of their last week."""

import pytest
from django.conf import settings
from django.db import OperationalError

from mentorship.models import Notification
from mentorship.tests.factories import MentorFactory
from metrics import tasks
from metrics.models import WeeklyReport
from metrics.selectors import last_complete_week_start
from metrics.services import weekly_report_draft
from metrics.tasks import draft_weekly_reports


@pytest.fixture
def mentors(mentor, other_mentor):
    MentorFactory(is_active=False)
    return [mentor, other_mentor]


def test_it_drafts_one_report_per_active_mentor_for_their_last_week(mentors):
    drafted = draft_weekly_reports.delay().get()

    assert drafted == 2
    assert sorted(WeeklyReport.objects.values_list("mentor_id", "week_start")) == sorted(
        (mentor.pk, last_complete_week_start(mentor)) for mentor in mentors
    )
    assert Notification.objects.filter(kind="weekly_report_drafted").count() == 2


def test_it_changes_nothing_when_run_twice(mentors):
    draft_weekly_reports()
    before = list(WeeklyReport.objects.order_by("pk").values("pk", "mentor_id", "status"))

    draft_weekly_reports()

    assert list(WeeklyReport.objects.order_by("pk").values("pk", "mentor_id", "status")) == before
    assert Notification.objects.count() == 2


def test_it_drafts_the_others_when_one_mentor_fails(mentors, monkeypatch):
    failing = mentors[0]
    real_draft = weekly_report_draft

    def draft(*, mentor, week_start):
        if mentor.pk == failing.pk:
            raise ValueError("broken figures")
        return real_draft(mentor=mentor, week_start=week_start)

    monkeypatch.setattr(tasks, "weekly_report_draft", draft)

    assert draft_weekly_reports() == 1
    assert list(WeeklyReport.objects.values_list("mentor_id", flat=True)) == [mentors[1].pk]


def test_it_raises_a_database_error_for_a_retry_once_the_others_are_drafted(mentors, monkeypatch):
    failing = mentors[0]
    real_draft = weekly_report_draft

    def draft(*, mentor, week_start):
        if mentor.pk == failing.pk:
            raise OperationalError("database is locked")
        return real_draft(mentor=mentor, week_start=week_start)

    monkeypatch.setattr(tasks, "weekly_report_draft", draft)

    with pytest.raises(OperationalError):
        draft_weekly_reports()

    assert list(WeeklyReport.objects.values_list("mentor_id", flat=True)) == [mentors[1].pk]
    assert OperationalError in draft_weekly_reports.autoretry_for


def test_it_is_scheduled_at_monday_noon_utc():
    entry = settings.CELERY_BEAT_SCHEDULE["draft-weekly-reports"]

    assert entry["task"] == "metrics.tasks.draft_weekly_reports"
    assert entry["schedule"].day_of_week == {1}
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({12}, {0})
