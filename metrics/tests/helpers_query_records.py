"""One small school for the committed query records (``test_query_records.py``), its
history written on a frozen clock so every run builds the same rows and the pages read
the same periods. Everyone is made here, on that clock (the root conftest's people
would be made on today's), with the same names.

``supervisor``'s team is ``mentor`` and ``colleague``. ``mentor`` mentors ``student``
(a submission waiting, a question answered, a session coming), ``second`` (approved,
a session held and rated) and ``third`` (changes requested, flagged at risk, a question
waiting); ``colleague`` mentors ``fourth``. All study ``programme``; ``mentor`` wrote an
article for it, raised a case the supervisor answered and sent last week's report."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from knowledge_base.articles import article_create, article_publish
from knowledge_base.models import CaseAudience, CaseDiscussion, Question
from knowledge_base.questions import answer_post, question_ask
from knowledge_base.services import case_open, case_reply
from mentorship.activity import activity_record
from mentorship.models import ActivityKind, User
from mentorship.tests.factories import (
    AssignmentFactory,
    MentorFactory,
    StaffFactory,
    StudentFactory,
    SupervisorFactory,
)
from metrics.models import WeeklyReport
from metrics.scorecards import periods_to_snapshot, snapshot_period
from metrics.selectors import last_complete_week_start
from metrics.services import weekly_report_draft, weekly_report_send
from projects.models import Programme, Submission, Verdict
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReviewFactory,
    SubmissionFactory,
)
from students.models import MentoringSession, RiskFlag, SessionStatus
from students.tests.helpers_flags import make_flag
from students.tests.helpers_sessions import MentoringSessionFactory

# A Wednesday in the middle of a month: last week and last month are both closed.
NOW = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)
TERM_START = NOW - timedelta(days=40)


@dataclass
class School:
    student: User
    mentor: User
    supervisor: User
    staff: User
    programme: Programme
    colleague: User
    second: User
    third: User
    fourth: User
    waiting: Submission
    reviewed: Submission
    session: MentoringSession
    flag: RiskFlag
    answered: Question
    waiting_question: Question
    case: CaseDiscussion
    report: WeeklyReport


def _mentor_in(supervisor: User, programme: Programme, name: str) -> User:
    mentor = MentorFactory(display_name=name)
    mentor.mentor_profile.supervisor = supervisor
    mentor.mentor_profile.save(update_fields=["supervisor"])
    mentor.mentor_profile.programmes.add(programme)
    return mentor


def _student_of(mentor: User, programme: Programme, name: str) -> User:
    student = StudentFactory(display_name=name)
    AssignmentFactory(student=student, mentor=mentor)
    EnrolmentFactory(student=student, programme=programme, started_on=TERM_START.date())
    return student


def build_school(traveller) -> School:
    """The school's history, each step at its moment (``traveller`` is time-machine's
    fixture); leaves the clock at ``NOW``."""
    traveller.move_to(TERM_START)
    staff = StaffFactory(display_name="Stella Staff")
    supervisor = SupervisorFactory(display_name="Sofia Supervisor")
    programme = ProgrammeFactory(title="Web development", slug="web")
    landing = ProjectFactory(programme=programme, title="Landing page", position=1)
    ProjectFactory(programme=programme, title="Portfolio", position=2)
    mentor = _mentor_in(supervisor, programme, "Maria Mentor")
    colleague = _mentor_in(supervisor, programme, "Carl Colleague")
    student = _student_of(mentor, programme, "Stas Student")
    second = _student_of(mentor, programme, "Sam Second")
    third = _student_of(mentor, programme, "Tina Third")
    fourth = _student_of(colleague, programme, "Fred Fourth")
    for day in range(0, 30, 3):
        for person in (student, second, fourth):
            activity_record(
                student=person,
                kind=ActivityKind.LESSON_VIEWED,
                occurred_at=TERM_START + timedelta(days=day, hours=2),
                key=f"lesson:{person.display_name}:{day}",
            )

    # Last month: reviews, a session held and rated, an article.
    traveller.move_to(NOW - timedelta(days=20))
    reviewed = SubmissionFactory(student=second, project=landing)
    rejected = SubmissionFactory(student=third, project=landing)
    traveller.move_to(NOW - timedelta(days=19))
    ReviewFactory(submission=reviewed, reviewer=mentor, verdict=Verdict.APPROVED)
    ReviewFactory(submission=rejected, reviewer=mentor, verdict=Verdict.CHANGES_REQUESTED)
    fourth_attempt = SubmissionFactory(student=fourth, project=landing)
    ReviewFactory(submission=fourth_attempt, reviewer=colleague, verdict=Verdict.APPROVED)
    MentoringSessionFactory(
        mentor=mentor,
        student=second,
        scheduled_at=NOW - timedelta(days=18),
        status=SessionStatus.COMPLETED,
        logged_at=NOW - timedelta(days=18),
        summary="We went through the landing page.",
        next_steps="Start the portfolio.",
        rating=5,
    )
    article = article_create(
        author=mentor,
        title="How to read a stack trace",
        body="Start from the **bottom** line.",
        language="en",
        topics=[],
        programmes=[programme],
        projects=[],
    )
    article_publish(article=article, by=mentor)

    # Last week: a question answered, a case raised and answered, the week's report.
    traveller.move_to(NOW - timedelta(days=6))
    answered = question_ask(author=student, title="Why does my flexbox not wrap?")
    traveller.move_to(NOW - timedelta(days=6, hours=-2))
    answer_post(question=answered, author=mentor, body="Add flex-wrap: wrap to the container.")
    case = case_open(
        author=mentor,
        audience=CaseAudience.SUPERVISOR,
        title="A student stopped answering",
        body="Tina has not replied for a week.",
        student=third,
    )
    case_reply(case=case, author=supervisor, body="Call her, then write down what she says.")

    # This week: the report of last week, a submission and a question waiting, a flag,
    # a session coming.
    traveller.move_to(NOW - timedelta(days=1))
    report = weekly_report_draft(mentor=mentor, week_start=last_complete_week_start(mentor))
    report = weekly_report_send(report=report, by=mentor, comments="A quiet week.")
    waiting = SubmissionFactory(student=student, project=landing)
    waiting_question = question_ask(author=third, title="How do I centre a div?")
    flag = make_flag(third, opened_days_ago=1)
    session = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=NOW + timedelta(days=2)
    )

    # The scorecards of every final period the trends show, as the nightly run keeps them.
    traveller.move_to(NOW)
    for period in periods_to_snapshot("UTC"):
        snapshot_period(period, "UTC")
    return School(
        student=student,
        mentor=mentor,
        supervisor=supervisor,
        staff=staff,
        programme=programme,
        colleague=colleague,
        second=second,
        third=third,
        fourth=fourth,
        waiting=waiting,
        reviewed=reviewed,
        session=session,
        flag=flag,
        answered=answered,
        waiting_question=waiting_question,
        case=case,
        report=report,
    )
