"""A day's work for the home pages' tests: one of each thing that waits for a mentor
(a submission to review, a question to answer, a session today and one to log, a new
flag, a worsened one, a weekly report to send), built as the services would leave it.
``NOON`` is the moment the tests travel to, so "today" is the same day for everyone."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from knowledge_base.models import Question
from knowledge_base.questions import question_ask
from mentorship.models import User
from metrics.models import WeeklyReport
from metrics.selectors import last_complete_week_start
from projects.models import Project, Submission
from projects.tests.factories import EnrolmentFactory, ProjectFactory, SubmissionFactory
from students.models import FlagSeverity, MentoringSession, RiskFlag, SessionStatus

NOON = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)

INACTIVE = [{"signal": "inactivity", "severity": "red", "observed": 15, "threshold": 14}]


@dataclass
class MentorDayData:
    project: Project
    submission: Submission
    question: Question
    session_today: MentoringSession
    session_to_log: MentoringSession
    new_flag: RiskFlag
    worsened_flag: RiskFlag
    report: WeeklyReport


def a_flag(student: User, *, now: datetime, acknowledged: bool, severity=FlagSeverity.RED):
    """An open flag raised two days ago; acknowledged yesterday and worsened this
    morning when ``acknowledged``."""
    today = now.date()
    return RiskFlag.objects.create(
        student=student,
        severity=severity,
        reasons=INACTIVE,
        opened_on=today - timedelta(days=2),
        evaluated_on=today,
        created_at=now - timedelta(days=2),
        acknowledged_at=now - timedelta(days=1) if acknowledged else None,
        worsened_at=now - timedelta(hours=3) if acknowledged else None,
    )


def a_session(mentor: User, student: User, *, at: datetime) -> MentoringSession:
    return MentoringSession.objects.create(
        mentor=mentor, student=student, scheduled_at=at, status=SessionStatus.SCHEDULED
    )


def later_today(now: datetime, zone) -> datetime:
    """Halfway between ``now`` and midnight on ``zone``'s calendar: still today, not
    started yet, whenever the test runs."""
    midnight = datetime.combine(now.astimezone(zone).date() + timedelta(days=1), time.min, zone)
    return now + (midnight - now) / 2


def mentor_day_data(
    mentor: User, student: User, second_student: User, *, now: datetime = NOON
) -> MentorDayData:
    """One of each thing waiting for ``mentor``, whose students are ``student`` and
    ``second_student``, as of ``now`` (the tests of the pages travel to ``NOON``; the
    browser's journeys run on the real clock)."""
    project = ProjectFactory(title="Landing page")
    EnrolmentFactory(student=student, programme=project.programme)
    submission = SubmissionFactory(
        student=student, project=project, submitted_at=now - timedelta(days=3)
    )
    question = question_ask(author=student, title="How do I centre a div?")
    Question.objects.filter(pk=question.pk).update(waiting_since=now - timedelta(hours=5))
    report = WeeklyReport.objects.create(
        mentor=mentor, week_start=last_complete_week_start(mentor, now)
    )
    return MentorDayData(
        project=project,
        submission=submission,
        question=question,
        session_today=a_session(mentor, student, at=later_today(now, mentor.zone)),
        session_to_log=a_session(mentor, second_student, at=now - timedelta(days=1)),
        new_flag=a_flag(student, now=now, acknowledged=False),
        worsened_flag=a_flag(second_student, now=now, acknowledged=True),
        report=report,
    )
