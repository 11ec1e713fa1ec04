"""Weekly report services: drafting (idempotent, race-safe), editing and sending."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from mentorship.access import NotAllowed
from mentorship.models import Notification
from mentorship.tests.factories import MentorFactory
from metrics.models import WeeklyReport, WeeklyReportStatus
from metrics.selectors import last_complete_week_start
from metrics.services import (
    weekly_report_draft,
    weekly_report_refresh,
    weekly_report_send,
    weekly_report_update,
)
from students.models import SessionStatus
from students.tests.helpers_sessions import MentoringSessionFactory

WEEK = date(2026, 3, 2)  # a Monday long past


def in_week(mentor, student, **kwargs):
    return MentoringSessionFactory(
        mentor=mentor,
        student=student,
        scheduled_at=datetime(2026, 3, 4, 12, tzinfo=UTC),
        status=SessionStatus.COMPLETED,
        **kwargs,
    )


@pytest.fixture
def draft(mentor, student):
    return weekly_report_draft(mentor=mentor, week_start=WEEK)


def test_it_drafts_a_report_with_the_weeks_figures_and_tells_the_mentor(mentor, student):
    in_week(mentor, student)

    report = weekly_report_draft(mentor=mentor, week_start=WEEK)

    assert report.status == WeeklyReportStatus.DRAFT
    assert report.figures["sessions"]["by_outcome"]["completed"] == 1
    notification = Notification.objects.get()
    assert notification.user == mentor
    assert notification.kind == "weekly_report_drafted"
    assert notification.url == f"/reports/{report.pk}/"


def test_it_refreshes_a_draft_when_drafted_again_without_a_second_report_or_notice(
    mentor, student, draft
):
    in_week(mentor, student)

    again = weekly_report_draft(mentor=mentor, week_start=WEEK)

    assert again.pk == draft.pk
    assert again.figures["sessions"]["total"] == 1
    assert again.drafted_at > draft.drafted_at
    assert WeeklyReport.objects.count() == 1
    assert Notification.objects.count() == 1


def test_it_keeps_the_other_workers_report_when_both_draft_at_once(mentor, student, monkeypatch):
    """The other worker's row appears between our look-up and our insert: the unique
    constraint refuses ours, and theirs is refreshed instead, with no second notice."""
    theirs = WeeklyReport.objects.create(mentor=mentor, week_start=WEEK, figures={})
    real_filter = WeeklyReport.objects.filter
    lookups = []

    def filter_missing_the_first_time(*args, **kwargs):
        lookups.append(kwargs)
        queryset = real_filter(*args, **kwargs)
        return queryset.none() if len(lookups) == 1 else queryset

    monkeypatch.setattr(WeeklyReport.objects, "filter", filter_missing_the_first_time)
    in_week(mentor, student)

    report = weekly_report_draft(mentor=mentor, week_start=WEEK)

    assert report.pk == theirs.pk
    assert WeeklyReport.objects.count() == 1
    assert report.figures["sessions"]["total"] == 1
    assert not Notification.objects.exists()


def test_it_leaves_a_sent_report_as_it_was_sent(mentor, student, draft):
    sent = weekly_report_send(report=draft, by=mentor)
    in_week(mentor, student)

    again = weekly_report_draft(mentor=mentor, week_start=WEEK)

    assert again.is_sent
    assert again.figures == sent.figures
    assert again.drafted_at == sent.drafted_at
    assert again.figures["sessions"]["total"] == 0


def test_it_refuses_a_week_that_does_not_start_on_a_monday(mentor):
    with pytest.raises(ValidationError) as error:
        weekly_report_draft(mentor=mentor, week_start=WEEK + timedelta(days=1))

    assert "week_start" in error.value.message_dict
    assert not WeeklyReport.objects.exists()


def test_it_refuses_a_week_that_is_not_over_yet(mentor):
    this_week = last_complete_week_start(mentor) + timedelta(days=7)

    with pytest.raises(ValidationError) as error:
        weekly_report_draft(mentor=mentor, week_start=this_week)

    assert "week_start" in error.value.message_dict
    assert not WeeklyReport.objects.exists()


def test_it_drafts_reports_only_for_mentors(supervisor):
    with pytest.raises(NotAllowed):
        weekly_report_draft(mentor=supervisor, week_start=WEEK)

    assert not WeeklyReport.objects.exists()


def test_it_saves_the_mentors_comments_and_difficulties(mentor, draft):
    weekly_report_update(
        report=draft, by=mentor, comments="  Good week. ", difficulties="Too many no-shows."
    )

    draft.refresh_from_db()
    assert (draft.comments, draft.difficulties) == ("Good week.", "Too many no-shows.")


@pytest.mark.parametrize("who", ["other_mentor", "supervisor", "staff"])
def test_it_lets_only_the_mentor_edit_or_send(request, draft, who):
    person = request.getfixturevalue(who)

    # A draft is its mentor's own: hidden from everyone else.
    for write in (
        lambda: weekly_report_update(report=draft, by=person, comments="X", difficulties="Y"),
        lambda: weekly_report_send(report=draft, by=person),
        lambda: weekly_report_refresh(report=draft, by=person),
    ):
        with pytest.raises(NotAllowed) as refused:
            write()
        assert refused.value.hidden is True

    draft.refresh_from_db()
    assert (draft.status, draft.comments, draft.difficulties) == ("draft", "", "")


def test_it_refuses_to_change_or_resend_a_sent_report(mentor, draft):
    weekly_report_send(report=draft, by=mentor, comments="Sent text")

    with pytest.raises(ValidationError):
        weekly_report_update(report=draft, by=mentor, comments="New", difficulties="")
    with pytest.raises(ValidationError):
        weekly_report_send(report=draft, by=mentor)

    draft.refresh_from_db()
    assert draft.comments == "Sent text"


def test_it_sends_with_fresh_figures_and_tells_the_supervisor_in_the_portal_and_by_email(
    mentor, student, supervisor, draft, django_capture_on_commit_callbacks
):
    in_week(mentor, student)

    with django_capture_on_commit_callbacks(execute=True):
        report = weekly_report_send(report=draft, by=mentor, comments="Fine", difficulties="None")

    report.refresh_from_db()
    assert report.status == WeeklyReportStatus.SENT
    assert report.sent_at is not None
    assert report.figures["sessions"]["total"] == 1
    assert (report.comments, report.difficulties) == ("Fine", "None")
    notification = Notification.objects.get(user=supervisor)
    assert notification.kind == "weekly_report_sent"
    assert "Maria Mentor" in notification.title
    assert [message.to for message in mail.outbox] == [[supervisor.email]]


def test_it_keeps_the_saved_text_when_sending_without_any(mentor, draft):
    weekly_report_update(report=draft, by=mentor, comments="Saved", difficulties="D")

    report = weekly_report_send(report=draft, by=mentor)

    assert (report.comments, report.difficulties) == ("Saved", "D")


def test_it_lets_a_mentor_without_a_supervisor_send(db):
    loner = MentorFactory()
    report = weekly_report_draft(mentor=loner, week_start=WEEK)

    report = weekly_report_send(report=report, by=loner)

    assert report.is_sent
    assert list(Notification.objects.values_list("user", flat=True)) == [loner.pk]


@pytest.mark.parametrize(("who", "hidden"), [("supervisor", False), ("staff", False)])
def test_it_refuses_those_who_read_a_sent_report_any_change(request, mentor, draft, who, hidden):
    weekly_report_send(report=draft, by=mentor, comments="Sent text")
    person = request.getfixturevalue(who)
    draft.refresh_from_db()
    before = (draft.comments, draft.figures, draft.sent_at)

    for write in (
        lambda: weekly_report_update(report=draft, by=person, comments="X", difficulties="Y"),
        lambda: weekly_report_send(report=draft, by=person),
        lambda: weekly_report_refresh(report=draft, by=person),
    ):
        with pytest.raises(NotAllowed) as refused:
            write()
        assert refused.value.hidden is hidden

    draft.refresh_from_db()
    assert (draft.comments, draft.figures, draft.sent_at) == before


def test_it_refreshes_the_figures_of_a_draft_only(mentor, draft):
    weekly_report_refresh(report=draft, by=mentor)
    weekly_report_send(report=draft, by=mentor)

    with pytest.raises(ValidationError):
        weekly_report_refresh(report=draft, by=mentor)
