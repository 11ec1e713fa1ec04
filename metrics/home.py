"""What each role's home page shows: the day's work as a to-do list.

Every fact is asked of the selector that owns it, never restated here: the review queue
(``projects.selectors.review_queue``), the questions waiting for an answer
(``knowledge_base.questions.question_queue``), sessions (``students.sessions``),
at-risk flags (``students.flags``), weekly reports (``metrics.selectors``) and where a
student stands against the plan (``projects.selectors.student_progress``). This module
only folds them into what a home page lists, each with how many there are, since when
the oldest has waited and the page that lists them all.

- A mentor: what waits for them now, oldest first (reviews, questions, sessions to
  log, new or worsened flags, weekly reports to send) and today's sessions.
- A student: their next step in each programme, their next session, the submission
  waiting for review and the question not solved yet.
- A supervisor or staff: the queues of their team or of the school, by age (the oldest
  waiting review, the oldest waiting question) and the red flags.

Each page asks a fixed number of queries, whatever the size of the queues.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, F, Min, Q, QuerySet, When
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import ngettext

from knowledge_base.models import Question, QuestionStatus
from knowledge_base.questions import question_queue, questions_visible_to
from mentorship.models import User
from mentorship.selectors import mentor_current_students
from projects.changes import programme_changes_unread
from projects.models import Submission
from projects.selectors import (
    ProgrammeProgress,
    ProjectProgress,
    Standing,
    review_queue,
    student_progress,
    submissions_visible_to,
)
from students.flags import (
    Reason,
    flag_reasons,
    flags_needing_attention,
    flags_open_queue,
    flags_visible_to,
)
from students.models import FlagSeverity, FlagStatus, MentoringSession, RiskFlag, SessionStatus
from students.sessions import next_session_for_student, sessions_visible_to

from .models import WeeklyReport, WeeklyReportStatus
from .selectors import weekly_reports_visible_to

# The flags a mentor's home names one by one; the rest are on the at-risk queue.
HOME_FLAGS = 5
# Today's sessions listed on a mentor's home (a day holds fewer; the list has them all).
HOME_SESSIONS_TODAY = 10


@dataclass(frozen=True)
class Queue:
    """Things waiting in one list: how many, since when the oldest has waited, and the
    page that lists them (oldest first)."""

    count: int
    oldest: datetime | None
    url: str


@dataclass(frozen=True)
class TodoItem:
    """One line of a mentor's to-do list: what waits (``key``: reviews, questions,
    sessions, flags, reports), its title with the count, and the queue behind it."""

    key: str
    title: str
    queue: Queue


def _day_start(day: date, zone) -> datetime:
    return datetime.combine(day, time.min, zone)


# --- A mentor's day --------------------------------------------------------------------


@dataclass(frozen=True)
class MentorDay:
    """A mentor's home: the to-do list (only what has something waiting, the longest
    waiting first), today's sessions on the mentor's calendar, the new or worsened flags
    named, how many students they have and the oldest report still to send."""

    todo: list[TodoItem]
    sessions_today: list[MentoringSession]
    flags: list[tuple[RiskFlag, list[Reason]]]
    report: WeeklyReport | None
    student_count: int


def _queue_summary(queryset: QuerySet, since: str) -> tuple[int, datetime | None]:
    """How many rows and the earliest ``since`` among them: one query."""
    summary = queryset.order_by().aggregate(count=Count("*"), oldest=Min(since))
    return summary["count"], summary["oldest"]


def review_queue_summary(user: User) -> Queue:
    """The submissions waiting in this person's review queue (``review_queue``: a
    mentor's students', a supervisor's team's, the school's for staff) and since when
    the oldest has waited. Three queries for a mentor or supervisor (whose students'
    and mentors' ids are read first, as the queue page does), one for staff."""
    visible = submissions_visible_to(user, ids_read_now=True)
    count, oldest = _queue_summary(review_queue(user, visible=visible), "submitted_at")
    return Queue(count, oldest, reverse("projects:queue"))


def question_queue_summary(user: User) -> Queue:
    """The questions waiting for an answer in this person's queue (``question_queue``)
    and since when the oldest has waited. One query."""
    count, oldest = _queue_summary(question_queue(user), "waiting_since")
    return Queue(count, oldest, reverse("knowledge_base:question_queue"))


def _sessions_to_log(mentor: User, now: datetime) -> Queue:
    """The mentor's sessions that have started and are not logged yet
    (``awaiting_log``), since the oldest started. One query."""
    sessions = sessions_visible_to(mentor).awaiting_log(now=now)
    count, oldest = _queue_summary(sessions, "scheduled_at")
    return Queue(count, oldest, reverse("students:session_list"))


def _sessions_today(mentor: User, now: datetime) -> list[MentoringSession]:
    """The mentor's scheduled sessions starting today on their own calendar, earliest
    first, with the students loaded. One query."""
    today = timezone.localdate(now, mentor.zone)
    start = _day_start(today, mentor.zone)
    return list(
        sessions_visible_to(mentor)
        .filter(
            status=SessionStatus.SCHEDULED,
            scheduled_at__gte=start,
            scheduled_at__lt=_day_start(today + timedelta(days=1), mentor.zone),
        )
        .select_related("student")
        .order_by("scheduled_at", "pk")[:HOME_SESSIONS_TODAY]
    )


def _flags_to_see(mentor: User) -> tuple[Queue, list[tuple[RiskFlag, list[Reason]]]]:
    """The mentor's new or worsened flags (``flags_needing_attention``): how many,
    since when the oldest has waited (a new flag since it was raised, a worsened one
    since it worsened) and the first few in the at-risk queue's order, each with its
    reasons as sentences. Two queries."""
    flags = flags_needing_attention(flags_visible_to(mentor))
    summary = flags.order_by().aggregate(
        count=Count("*"),
        oldest=Min(
            Case(When(acknowledged_at__isnull=True, then=F("created_at")), default="worsened_at")
        ),
    )
    named = (
        [(flag, flag_reasons(flag)) for flag in flags_open_queue(flags)[:HOME_FLAGS]]
        if summary["count"]
        else []
    )
    return Queue(summary["count"], summary["oldest"], reverse("students:flag_list")), named


def _reports_to_send(mentor: User) -> tuple[Queue, WeeklyReport | None]:
    """The mentor's weekly reports still drafts (``weekly_reports_visible_to``), since
    the end of the oldest one's week, and that oldest one: the report to send now. One
    query: a mentor has one report a week."""
    drafts = list(
        weekly_reports_visible_to(mentor)
        .filter(status=WeeklyReportStatus.DRAFT)
        .only("pk", "week_start", "mentor_id", "status")
        .order_by("week_start")
    )
    if not drafts:
        return Queue(0, None, reverse("metrics:weekly_report_list")), None
    oldest = drafts[0]
    week_end = _day_start(oldest.week_start + timedelta(days=7), mentor.zone)
    url = (
        reverse("metrics:weekly_report_detail", args=[oldest.pk])
        if len(drafts) == 1
        else reverse("metrics:weekly_report_list")
    )
    return Queue(len(drafts), min(week_end, timezone.now()), url), oldest


def _changes_to_read(mentor: User) -> Queue:
    """The programme change sets the mentor was told of and has not read
    (``programme_changes_unread``), since the oldest was made; the link opens that
    programme's change log, or the programmes when several have changed. One query."""
    unread = programme_changes_unread(mentor)
    if not unread:
        return Queue(0, None, reverse("projects:programmes"))
    one_programme = len({change_set.programme_id for change_set in unread}) == 1
    url = unread[0].url if one_programme else reverse("projects:programmes")
    return Queue(len(unread), unread[0].changed_at, url)


def mentor_day(mentor: User, *, now: datetime | None = None) -> MentorDay:
    """What waits for the mentor now, the longest waiting first. Eleven queries,
    whatever the number of students and of things waiting."""
    now = now or timezone.now()
    flags, named_flags = _flags_to_see(mentor)
    reports, report = _reports_to_send(mentor)
    queues = [
        ("reviews", review_queue_summary(mentor)),
        ("questions", question_queue_summary(mentor)),
        ("sessions", _sessions_to_log(mentor, now)),
        ("flags", flags),
        ("reports", reports),
        ("changes", _changes_to_read(mentor)),
    ]
    todo = [
        TodoItem(key, _todo_title(key, queue.count), queue) for key, queue in queues if queue.count
    ]
    todo.sort(key=lambda item: item.queue.oldest or now)
    return MentorDay(
        todo=todo,
        sessions_today=_sessions_today(mentor, now),
        flags=named_flags,
        report=report,
        student_count=mentor_current_students(mentor=mentor).count(),
    )


def _todo_title(key: str, count: int) -> str:
    titles = {
        "reviews": ngettext(
            "%(count)d submission waiting for your review",
            "%(count)d submissions waiting for your review",
            count,
        ),
        "questions": ngettext(
            "%(count)d question waiting for an answer",
            "%(count)d questions waiting for an answer",
            count,
        ),
        "sessions": ngettext("%(count)d session to log", "%(count)d sessions to log", count),
        "flags": ngettext(
            "%(count)d new or worsened at-risk flag",
            "%(count)d new or worsened at-risk flags",
            count,
        ),
        "reports": ngettext(
            "%(count)d weekly report to send", "%(count)d weekly reports to send", count
        ),
        "changes": ngettext(
            "%(count)d programme change to read",
            "%(count)d programme changes to read",
            count,
        ),
    }
    return titles[key] % {"count": count}


# --- A student's day -------------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    """The project a student works on next in one programme (``next_project``), with
    where they stand against the plan."""

    progress: ProgrammeProgress
    project: ProjectProgress


@dataclass(frozen=True)
class StudentDay:
    """A student's home: the programmes with where they stand, the next step in each
    one still going, the next session, the submission waiting for review, the question
    not solved yet (and how many of each there are)."""

    progress: list[ProgrammeProgress]
    next_steps: list[NextStep]
    next_session: MentoringSession | None
    submission: Submission | None
    submissions_waiting: int
    question: Question | None
    questions_open: int


def student_day(student: User, *, now: datetime | None = None) -> StudentDay:
    """What the student does next. At most nine queries, whatever the number of
    projects, sessions, submissions and questions."""
    now = now or timezone.now()
    progress = student_progress(student=student)
    next_steps = [
        NextStep(item, item.next_project)
        for item in progress
        if item.next_project is not None
        and item.standing not in (Standing.FINISHED, Standing.STOPPED)
    ]
    waiting = submissions_visible_to(student).waiting()
    submissions = list(waiting.select_related("project").order_by("-submitted_at", "-pk")[:1])
    submissions_waiting = waiting.count() if submissions else 0
    unsolved = questions_visible_to(student).filter(
        author=student, status__in=(QuestionStatus.OPEN, QuestionStatus.ANSWERED)
    )
    questions = list(unsolved.order_by("-created_at", "-pk")[:1])
    return StudentDay(
        progress=progress,
        next_steps=next_steps,
        next_session=next_session_for_student(student, now=now),
        submission=submissions[0] if submissions else None,
        submissions_waiting=submissions_waiting,
        question=questions[0] if questions else None,
        questions_open=unsolved.count() if questions else 0,
    )


# --- A supervisor's or staff's queues --------------------------------------------------


@dataclass(frozen=True)
class QueueAges:
    """The queues of a supervisor's team (staff: the school), by age, and their red
    flags: the oldest waiting review, the oldest waiting question, and how many open
    flags are red, each with the list behind it."""

    reviews: Queue
    questions: Queue
    red_flags: Queue
    open_flags: int
    unacknowledged_flags: int

    @property
    def is_clear(self) -> bool:
        return not (self.reviews.count or self.questions.count or self.red_flags.count)


def queue_ages(user: User) -> QueueAges:
    """The team's (a supervisor) or the school's (staff) queues. Five queries for a
    supervisor, three for staff, whatever the number of mentors and students."""
    flags = flags_visible_to(user).filter(status=FlagStatus.OPEN).order_by()
    counts = flags.aggregate(
        open=Count("*"),
        unacknowledged=Count("pk", filter=Q(acknowledged_at__isnull=True)),
        red=Count("pk", filter=Q(severity=FlagSeverity.RED)),
        oldest_red=Min("created_at", filter=Q(severity=FlagSeverity.RED)),
    )
    red_url = reverse("students:flag_list") + "?" + urlencode({"severity": FlagSeverity.RED})
    return QueueAges(
        reviews=review_queue_summary(user),
        questions=question_queue_summary(user),
        red_flags=Queue(counts["red"], counts["oldest_red"], red_url),
        open_flags=counts["open"],
        unacknowledged_flags=counts["unacknowledged"],
    )
