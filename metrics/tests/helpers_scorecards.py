"""Records behind the scorecards' figures, written straight to the tables (the services
that write them in the portal are tested on their own), and the figures read back.

The data sets live in October 2026, read on 15 November (``NOW``) unless a test says
otherwise. ``RECORD_AT`` makes, for each metric that follows a moment, one record of
that metric at a given moment, and says the figure it makes on its own."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from knowledge_base.models import (
    Answer,
    Article,
    ArticleStatus,
    ArticleVote,
    CaseDiscussion,
    CaseReply,
    ImprovementProposal,
    ProposalStatus,
    ProposalSubject,
    Question,
    QuestionVisibility,
)
from mentorship.models import (
    ActivityEvent,
    ActivityKind,
    Assignment,
    DailyActivity,
    StudentStatus,
    StudentStatusChange,
)
from mentorship.tests.factories import MentorFactory, StudentFactory, SupervisorFactory
from metrics.definitions import METRICS_BY_KEY, Window
from metrics.models import DevelopmentKind, DevelopmentRecord, SecondReading, Survey
from metrics.periods import Period
from metrics.scorecards import compute_period, fold
from projects.models import Recommendation, Verdict
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReviewFactory,
    SubmissionFactory,
)
from students.models import (
    FlagOutreach,
    FlagStatus,
    MentoringSession,
    OutreachKind,
    RiskFlag,
    SessionStatus,
)

UTC = ZoneInfo("UTC")
MOSCOW = ZoneInfo("Europe/Moscow")  # UTC+3 all year
SEPTEMBER = Period.parse("2026-09")
OCTOBER = Period.parse("2026-10")
NOVEMBER = Period.parse("2026-11")
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
# After November has closed on both calendars.
DECEMBER_2 = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)

_rounds = count(1)


def at(day: int, hour: int = 12, minute: int = 0, *, month: int = 10) -> datetime:
    """A moment of 2026, in UTC (October unless ``month`` says otherwise)."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def assign(student, mentor, *, since: datetime, until: datetime | None = None) -> Assignment:
    return Assignment.objects.create(
        student=student, mentor=mentor, started_at=since, ended_at=until
    )


SEPTEMBER_1 = datetime(2026, 9, 1, tzinfo=UTC)


def student_of(mentor, *, since: datetime = SEPTEMBER_1, **profile):
    """A new student, ``mentor``'s since ``since`` (1 September by default)."""
    student = StudentFactory(**{f"student_profile__{k}": v for k, v in profile.items()})
    assign(student, mentor, since=since)
    return student


def switch_mentor(student, *, to, at_moment: datetime) -> None:
    """The student's current assignment ends at ``at_moment`` and ``to`` takes over."""
    Assignment.objects.filter(student=student, ended_at__isnull=True).update(ended_at=at_moment)
    assign(student, to, since=at_moment)


def set_status(student, status: str, *, on: date) -> None:
    StudentStatusChange.objects.create(student_id=student.pk, status=status, effective_on=on)


# --- Reading figures ------------------------------------------------------------------


def computed(period: Period = OCTOBER, zone: ZoneInfo = UTC, *, now: datetime = NOW) -> dict:
    return compute_period(period, zone, now=now)


def figure(key: str, mentor, period: Period = OCTOBER, zone: ZoneInfo = UTC, *, now=NOW):
    """One mentor's figure of one metric as ``(value, n)``; None when the mentor has
    none (no data)."""
    figures = compute_period(period, zone, now=now)[key]
    found = figures.get(mentor.pk)
    return None if found is None else (found.value, found.n)


def folded(key: str, period: Period = OCTOBER, zone: ZoneInfo = UTC, *, now=NOW) -> dict:
    """Every mentor's ``(value, n)`` of one metric, from its rows alone."""
    metric = METRICS_BY_KEY[key]
    outcomes = defaultdict(list)
    for row in metric.rows(Window(period=period, zone=zone, now=now)):
        outcomes[row.mentor_id].append(row.outcome)
    return {
        mentor_id: (fold(metric.fold, values), len(values))
        for mentor_id, values in outcomes.items()
    }


def record_ids(key: str, mentor, period: Period = OCTOBER, zone: ZoneInfo = UTC, *, now=NOW):
    """The records behind one mentor's figure (the drill-down's), sorted."""
    window = Window(period=period, zone=zone, now=now)
    metric = METRICS_BY_KEY[key]
    return sorted(row.record_id for row in metric.rows(window) if row.mentor_id == mentor.pk)


# --- Records --------------------------------------------------------------------------


def review(
    student,
    *,
    reviewer,
    reviewed: datetime,
    submitted: datetime | None = None,
    verdict: str = Verdict.APPROVED,
    attempt: int = 1,
    project=None,
):
    """An attempt of ``student`` submitted at ``submitted`` (an hour before the review
    by default) and reviewed at ``reviewed``."""
    submission = SubmissionFactory(
        student=student,
        project=project or ProjectFactory(criteria=0),
        attempt=attempt,
        submitted_at=submitted or reviewed - timedelta(hours=1),
    )
    return ReviewFactory(
        submission=submission, reviewer=reviewer, verdict=verdict, created_at=reviewed
    )


def question(student, *, asked: datetime, public: bool = True, answered: datetime | None = None):
    return Question.objects.create(
        author=student,
        programme=ProgrammeFactory(),
        title="How do I read a file?",
        visibility=QuestionVisibility.PROGRAMME if public else QuestionVisibility.PRIVATE,
        created_at=asked,
        first_answered_at=answered,
    )


def answer(author, *, on, written: datetime, follow_up: bool = False) -> Answer:
    return Answer.objects.create(
        question=on, author=author, body="Use open().", is_follow_up=follow_up, created_at=written
    )


def article_read(student, *, read: datetime) -> ActivityEvent:
    return ActivityEvent.objects.create(
        student=student, kind=ActivityKind.ARTICLE_READ, occurred_at=read, day=read.date()
    )


def active_on(student, *days: date) -> None:
    DailyActivity.objects.bulk_create(
        [DailyActivity(student=student, day=day, events=1) for day in days]
    )


def session(mentor, student, *, scheduled: datetime, rating=None, status=SessionStatus.COMPLETED):
    return MentoringSession.objects.create(
        mentor=mentor, student=student, scheduled_at=scheduled, status=status, rating=rating
    )


def survey(student, mentor, *, answered: datetime, score=None, plans: str = "") -> Survey:
    return Survey.objects.create(
        student=student,
        mentor=mentor,
        round=next(_rounds),
        sent_at=answered - timedelta(days=1),
        answered_at=answered,
        score=score,
        plans_to_continue=plans,
    )


def flag(student, *, opened: datetime, acknowledged: datetime | None = None, **fields) -> RiskFlag:
    """A flag opened at ``opened``, resolved a few days later (so a student may have
    several)."""
    return RiskFlag.objects.create(
        student=student,
        severity="red",
        opened_on=opened.date(),
        evaluated_on=opened.date(),
        created_at=opened,
        acknowledged_at=acknowledged,
        status=FlagStatus.RESOLVED,
        resolved_on=opened.date() + timedelta(days=5),
        **fields,
    )


def judged_flag(student, *, outreach_by, judged_on: date, recovered: bool) -> RiskFlag:
    """A flag whose recovery was judged on ``judged_on``, reached out to by each mentor
    of ``outreach_by`` in turn (the first one is whom it counts for)."""
    opened = datetime.combine(judged_on - timedelta(days=20), datetime.min.time(), tzinfo=UTC)
    risk_flag = flag(
        student,
        opened=opened,
        first_outreach_at=opened + timedelta(days=1),
        recovered=recovered,
        recovery_checked_on=judged_on,
    )
    for index, mentor in enumerate(outreach_by):
        FlagOutreach.objects.create(
            flag=risk_flag,
            mentor=mentor,
            kind=OutreachKind.MESSAGE,
            at=opened + timedelta(days=1, hours=index),
        )
    return risk_flag


def second_reading(review_read, *, rating: int, read: datetime) -> SecondReading:
    return SecondReading.objects.create(
        review=review_read, reader=SupervisorFactory(), rating=rating, created_at=read
    )


def article(*authors, published: datetime | None, views: int = 0, questions=()) -> Article:
    made = Article.objects.create(
        title="Reading files",
        body="Use open().",
        status=ArticleStatus.PUBLISHED if published else ArticleStatus.DRAFT,
        published_at=published,
        view_count=views,
    )
    made.authors.set(authors)
    made.questions.set(questions)
    return made


def vote(on: Article, *, by, voted: datetime) -> ArticleVote:
    return ArticleVote.objects.create(article=on, user=by, created_at=voted)


def case_reply(author, *, case_author, written: datetime) -> CaseReply:
    case = CaseDiscussion.objects.create(
        author=case_author, title="A hard case", body="What would you do?", created_at=written
    )
    return CaseReply.objects.create(case=case, author=author, body="I would…", created_at=written)


def proposal(author, *, filed: datetime, decided: datetime | None = None, status=None):
    return ImprovementProposal.objects.create(
        author=author,
        subject=ProposalSubject.PLATFORM,
        title="Shorter briefs",
        body="Make them shorter.",
        created_at=filed,
        decided_at=decided,
        status=status or (ProposalStatus.ACCEPTED if decided else ProposalStatus.NEW),
    )


def development(mentor, *, kind: str, completed_on=None, verified: datetime | None):
    fields = {"programme": ProgrammeFactory()} if kind == DevelopmentKind.PROGRAMME else {}
    return DevelopmentRecord.objects.create(
        mentor=mentor,
        kind=kind,
        title="" if kind == DevelopmentKind.PROGRAMME else "Django",
        completed_on=completed_on,
        verified_at=verified,
        **fields,
    )


def recommendation(mentor, student, *, made: datetime, enrolled: datetime | None = None):
    return Recommendation.objects.create(
        mentor=mentor,
        student=student,
        programme=ProgrammeFactory(),
        created_at=made,
        enrolled_at=enrolled,
    )


def further_enrolment(student, *, started_on: date):
    """A first programme long before, and a further one started on ``started_on``."""
    EnrolmentFactory(student=student, started_on=date(2025, 1, 1))
    return EnrolmentFactory(student=student, started_on=started_on)


# --- One record of each metric that follows a moment ----------------------------------


def _first_attempt(mentor, student, moment):
    review(student, reviewer=mentor, reviewed=moment, submitted=moment - timedelta(minutes=30))


def _second_attempt(mentor, student, moment):
    review(
        student,
        reviewer=mentor,
        reviewed=moment,
        submitted=moment - timedelta(minutes=30),
        attempt=2,
    )


def _review_after_six_hours(mentor, student, moment):
    review(student, reviewer=mentor, reviewed=moment, submitted=moment - timedelta(hours=6))


def _second_reading(mentor, student, moment):
    read = review(student, reviewer=mentor, reviewed=at(1))
    second_reading(read, rating=4, read=moment)


def _answered_in_two_hours(mentor, student, moment):
    question(student, asked=moment, public=False, answered=moment + timedelta(hours=2))


def _article_vote(mentor, student, moment):
    vote(article(mentor, published=at(1, month=9)), by=student, voted=moment)


def _promoted(mentor, student, moment):
    asked = question(student, asked=at(1, month=9))
    article(mentor, published=moment, questions=[asked])


# key: (make one record at a moment, the figure that one record makes). Figures whose
# rows are one per stint show 0 when the record falls elsewhere; the others have none.
RECORD_AT = {
    "projects_approved": (_first_attempt, (1.0, 1)),
    "first_attempt": (_first_attempt, (1.0, 1)),
    "attempts_to_approval": (_second_attempt, (2.0, 1)),
    "community": (lambda m, s, moment: question(s, asked=moment), (1.0, 1)),
    "articles_read": (lambda m, s, moment: article_read(s, read=moment), (1.0, 1)),
    "session_rating": (lambda m, s, moment: session(m, s, scheduled=moment, rating=4), (4.0, 1)),
    "session_top": (lambda m, s, moment: session(m, s, scheduled=moment, rating=5), (1.0, 1)),
    "recommend_score": (lambda m, s, moment: survey(s, m, answered=moment, score=9), (9.0, 1)),
    "plans_to_continue": (
        lambda m, s, moment: survey(s, m, answered=moment, plans="yes"),
        (1.0, 1),
    ),
    "review_time": (_review_after_six_hours, (6.0, 1)),
    "review_time_p90": (_review_after_six_hours, (6.0, 1)),
    "reviews_written": (_review_after_six_hours, (1.0, 1)),
    "first_answer_time": (_answered_in_two_hours, (2.0, 1)),
    "no_show": (
        lambda m, s, moment: session(m, s, scheduled=moment, status=SessionStatus.STUDENT_NO_SHOW),
        (1.0, 1),
    ),
    "flags_acknowledged": (
        lambda m, s, moment: flag(s, opened=moment, acknowledged=moment + timedelta(hours=47)),
        (1.0, 1),
    ),
    "second_reading": (_second_reading, (4.0, 1)),
    "articles_published": (lambda m, s, moment: article(m, published=moment), (1.0, 1)),
    "article_views": (lambda m, s, moment: article(m, published=moment, views=7), (7.0, 1)),
    "helped_votes": (_article_vote, (1.0, 1)),
    "answers_promoted": (_promoted, (1.0, 1)),
    "peer_help": (
        lambda m, s, moment: case_reply(m, case_author=MentorFactory(), written=moment),
        (1.0, 1),
    ),
    "proposals_filed": (lambda m, s, moment: proposal(m, filed=moment), (1.0, 1)),
    "proposals_accepted": (
        lambda m, s, moment: proposal(m, filed=at(1, month=9), decided=moment),
        (1.0, 1),
    ),
    "expertise_verified": (
        lambda m, s, moment: development(m, kind=DevelopmentKind.EXPERTISE, verified=moment),
        (1.0, 1),
    ),
    "recommendations_made": (lambda m, s, moment: recommendation(m, s, made=moment), (1.0, 1)),
    "recommendations_taken": (
        lambda m, s, moment: recommendation(m, s, made=at(1, month=9), enrolled=moment),
        (1.0, 1),
    ),
}
# Figures made of one row per stint of the mentor's students (each event counted in
# the stint it fell in): a student with nothing in the period is a row of 0.
PER_STINT = {"projects_approved", "community", "articles_read"}


def figure_without(key: str):
    """The figure of a mentor one of whose students has no record of the metric in
    the period: 0 of a count, a row of 0 for each stint, no data otherwise."""
    if METRICS_BY_KEY[key].fold == "count":
        return (0.0, 0)
    return (0.0, 1) if key in PER_STINT else None


# Each metric of a day (the student's or the mentor's calendar): one record on a day,
# the figure it makes in its period, and the figure of the period before.
RECORD_ON = {
    "retention": (
        lambda m, s, day: set_status(s, StudentStatus.DROPPED, on=day),
        (0.0, 1),
        (1.0, 1),
    ),
    "reengagement": (
        lambda m, s, day: judged_flag(s, outreach_by=[m], judged_on=day, recovered=True),
        (1.0, 1),
        None,
    ),
    "programmes_completed": (
        lambda m, s, day: development(
            m, kind=DevelopmentKind.PROGRAMME, completed_on=day, verified=at(1, month=9)
        ),
        (1.0, 1),
        (0.0, 0),
    ),
    "further_enrolments": (
        lambda m, s, day: further_enrolment(s, started_on=day),
        (1.0, 1),
        (0.0, 0),
    ),
}
