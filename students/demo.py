"""Demo mentoring for ``manage.py seed_demo``: sessions in every state and private
mentor notes for the first demo students, and weekly availability for their mentors
(``DEMO_AVAILABILITY``), so each page has something to show. Sessions
held or missed are recorded as activity, as logging them records it in real use.

Only the first ``DEMO_STUDENTS`` demo students get them, whatever the scale: enough to
see every state, cheap at ``--scale``. A student who already has sessions (or notes)
gets none again, so a second run adds nothing.

Then the students' activity (``seed_activity``) with its at-risk stories; and, for the
students of mentors given a ``MentoringStyle``, months of history as that mentor's
mentoring made it: quiet spells, fortnightly sessions held or missed and rated, and
the flags the quiet spells raised, acknowledged (or not) and followed up.
"""

import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from mentorship.activity import PortalEvent, activity_record_many, daily_activity_refresh
from mentorship.demo import (
    DEMO_DOMAIN,
    HISTORY_DAYS,
    _demo_user,
    _students_of,
    demo_email,
    then_and_now,
)
from mentorship.models import (
    ActivityEvent,
    ActivityKind,
    Assignment,
    DailyActivity,
    StudentProfile,
    StudentStatus,
    StudentStatusChange,
    User,
)
from mentorship.services import student_status_set
from projects.demo import (
    _Attempt,
    _demo_projects,
    _demo_students,
    _write_histories,
    histories_end_by,
)
from projects.models import Enrolment, EnrolmentStatus, Programme, Submission, SubmissionStatus

from .flag_runs import flag_chunk_evaluate, flag_run_finish, flag_run_start
from .models import (
    AvailabilitySlot,
    FlagOutreach,
    FlagRun,
    FlagSettings,
    FlagSeverity,
    FlagStatus,
    Incident,
    IncidentStatus,
    MentoringSession,
    MentorNote,
    OutreachKind,
    RiskFlag,
    SessionStatus,
)
from .risk.signals import Signal, SignalName

DEMO_STUDENTS = 12


@dataclass(frozen=True)
class _Session:
    """A session relative to now (``hours``: negative in the past) and how it ended."""

    hours: int
    status: str = SessionStatus.SCHEDULED
    agenda: str = ""
    summary: str = ""
    next_steps: str = ""
    private_notes: str = ""
    rating: int | None = None
    rating_comment: str = ""
    notice_hours: int | None = None


HELD_RATED = _Session(
    hours=-21 * 24,
    status=SessionStatus.COMPLETED,
    agenda="Get to know each other; set the plan for the first projects.",
    summary="We went through your goals and the plan. You start with the first project.",
    next_steps="- Set up your editor and Git\n- Submit the first project within two weeks",
    private_notes="Motivated, a little anxious about JavaScript. Check in weekly.",
    rating=5,
    rating_comment="Clear and encouraging, thank you!",
)
HELD_UNRATED = _Session(
    hours=-7 * 24,
    status=SessionStatus.COMPLETED,
    agenda="Review the feedback on the last submission.",
    summary="We read the review together; the layout issues are clear now.",
    next_steps="- Fix the mobile layout\n- Resubmit by Friday",
    private_notes="Falls behind when work is busy; suggested fixed study evenings.",
)
NO_SHOW = _Session(
    hours=-14 * 24,
    status=SessionStatus.STUDENT_NO_SHOW,
    agenda="Mid-project check-in.",
    private_notes="No answer on the call or by e-mail.",
)
CANCELLED_WITH_NOTICE = _Session(
    hours=-10 * 24,
    status=SessionStatus.CANCELLED_BY_STUDENT,
    agenda="Talk about the SQL project.",
    notice_hours=30,
)
CANCELLED_BY_MENTOR = _Session(
    hours=-4 * 24, status=SessionStatus.CANCELLED_BY_MENTOR, agenda="Weekly session."
)
AWAITING_LOG = _Session(hours=-2, agenda="Weekly session: questions on the current project.")
WITHIN_A_DAY = _Session(hours=20, agenda="Prepare the presentation of your project.")
NEXT_WEEK = _Session(hours=7 * 24 + 2, agenda="Plan the next project.")

# The first demo student (student@demo.test, mentored by mentor@demo.test) gets every
# state; the others a rotating selection.
FIRST_STUDENT_SESSIONS = [
    HELD_RATED,
    NO_SHOW,
    CANCELLED_WITH_NOTICE,
    HELD_UNRATED,
    CANCELLED_BY_MENTOR,
    AWAITING_LOG,
    WITHIN_A_DAY,
    NEXT_WEEK,
]
OTHER_STUDENT_SESSIONS = [
    [HELD_RATED, HELD_UNRATED, NEXT_WEEK],
    [HELD_RATED, NO_SHOW, WITHIN_A_DAY],
    [CANCELLED_WITH_NOTICE, HELD_UNRATED, NEXT_WEEK],
]
NOTES = [
    (
        -20 * 24,
        "**First impressions.** Career changer from accounting; strong on spreadsheets, "
        "new to programming. Prefers evening sessions.",
    ),
    (
        -6 * 24,
        "Mentioned a demanding period at work until the end of the month. "
        "Agreed to *lighten the pace*; revisit the plan then.",
    ),
]


def _session(assignment: Assignment, spec: _Session, start) -> MentoringSession:
    scheduled_at = start + timedelta(hours=spec.hours)
    in_past = spec.hours < 0
    logged = spec.status != SessionStatus.SCHEDULED
    return MentoringSession(
        mentor_id=assignment.mentor_id,
        student_id=assignment.student_id,
        scheduled_at=scheduled_at,
        duration_minutes=45,
        agenda=spec.agenda,
        status=spec.status,
        summary=spec.summary,
        next_steps=spec.next_steps,
        private_notes=spec.private_notes,
        created_at=scheduled_at - timedelta(days=3),
        logged_at=scheduled_at + timedelta(hours=1) if logged and in_past else None,
        cancelled_at=(
            scheduled_at - timedelta(hours=spec.notice_hours)
            if spec.notice_hours is not None
            else scheduled_at - timedelta(days=1)
            if spec.status == SessionStatus.CANCELLED_BY_MENTOR
            else None
        ),
        notice_hours=spec.notice_hours,
        rating=spec.rating,
        rating_comment=spec.rating_comment,
        rated_at=scheduled_at + timedelta(hours=3) if spec.rating else None,
        # Past sessions were reminded the day before; upcoming ones wait for the task.
        reminder_sent_at=scheduled_at - timedelta(hours=24) if in_past else None,
    )


def seed_mentoring(*, students: int = DEMO_STUDENTS) -> dict[str, int]:
    """Sessions and private notes for the first ``students`` demo students who have
    a current mentor; those who already have any keep theirs. Two bulk inserts."""
    emails = [demo_email("student", number) for number in range(1, students + 1)]
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    assignments = sorted(
        Assignment.objects.current().filter(student__email__in=emails).select_related("student"),
        key=lambda assignment: emails.index(assignment.student.email),
    )
    ids = [assignment.student_id for assignment in assignments]
    with_sessions = set(
        MentoringSession.objects.filter(student_id__in=ids).values_list("student_id", flat=True)
    )
    with_notes = set(
        MentorNote.objects.filter(student_id__in=ids).values_list("student_id", flat=True)
    )
    sessions, notes = [], []
    # A mentor holds one session at a time: each of their students' sessions an hour
    # after the previous student's (the first demo student's at the times above).
    ordinal: Counter = Counter()
    for index, assignment in enumerate(assignments):
        shifted = start + timedelta(hours=ordinal[assignment.mentor_id])
        ordinal[assignment.mentor_id] += 1
        if assignment.student_id not in with_sessions:
            specs = (
                FIRST_STUDENT_SESSIONS
                if assignment.student.email == demo_email("student", 1)
                else OTHER_STUDENT_SESSIONS[index % len(OTHER_STUDENT_SESSIONS)]
            )
            sessions += [_session(assignment, spec, shifted) for spec in specs]
        if assignment.student_id not in with_notes and index % 2 == 0:
            notes += [
                MentorNote(
                    student_id=assignment.student_id,
                    author_id=assignment.mentor_id,
                    body=body,
                    created_at=start + timedelta(hours=hours),
                )
                for hours, body in NOTES
            ]
    mentors = {assignment.mentor_id for assignment in assignments}
    mentors -= set(
        AvailabilitySlot.objects.filter(mentor_id__in=mentors).values_list("mentor_id", flat=True)
    )
    slots = [
        AvailabilitySlot(
            mentor_id=mentor_id, weekday=weekday, start_time=start_time, duration_minutes=45
        )
        for mentor_id in sorted(mentors)
        for weekday, start_time in DEMO_AVAILABILITY
    ]
    with transaction.atomic():
        MentoringSession.objects.bulk_create(sessions)
        MentorNote.objects.bulk_create(notes)
        AvailabilitySlot.objects.bulk_create(slots)
        _sessions_activity_record(sessions)
    return {
        "sessions": len(sessions),
        "mentor_notes": len(notes),
        "availability_slots": len(slots),
    }


# The weekly times each demo mentor offers (on their own clock), so a demo student can
# book a session: two evenings and a morning.
DEMO_AVAILABILITY = [
    (0, time(18, 0)),
    (2, time(18, 0)),
    (3, time(10, 0)),
]


def _sessions_activity_record(sessions: list[MentoringSession]) -> int:
    """The activity the portal records when a mentor logs a session (``session_log``):
    attended or missed, on the day it was held. Returns the events recorded."""
    kinds = {
        SessionStatus.COMPLETED: ActivityKind.SESSION_ATTENDED,
        SessionStatus.STUDENT_NO_SHOW: ActivityKind.SESSION_MISSED,
    }
    return activity_record_many(
        events=[
            PortalEvent(
                session.student_id,
                kinds[session.status],
                session.scheduled_at,
                f"session:{session.pk}",
            )
            for session in sessions
            if session.status in kinds and session.logged_at is not None
        ]
    )


# --- Beyond sessions: cases, recommendations, proposals, incidents, development -------

INCIDENTS = [
    # (reporter mentor number, students (mentor number, index), title, description,
    #  resolution or "")
    (
        1,
        [(1, 0), (2, 0)],
        "Argument in the peer-review forum",
        "The two students exchanged insults under a shared project thread after one "
        "criticised the other's code. Both reported it to their mentors.",
        "",
    ),
    (
        2,
        [(2, 1), (3, 1)],
        "Copied project submitted by a study partner",
        "One student submitted a project almost identical to their study partner's. "
        "Both say they worked together.",
        "Both explained their work in a session. Agreed: pair work is fine, but each "
        "submits their own code; the second submission was redone.",
    ),
]

# --- Activity and at-risk flags -------------------------------------------------------

ACTIVITY_SOURCE = "demo"
ACTIVITY_DAYS = HISTORY_DAYS
STEADY_KINDS = [
    "lesson_viewed", "lesson_viewed", "exercise_done", "quiz_taken", "video_watched",
    "login", "article_read", "forum_post",
]  # fmt: skip
MISSED_AGENDA = "Weekly check-in (demo: missed)"


class DemoStory:
    """What a demo student's history is made to show. The first demo mentors' students
    take the at-risk stories in this order (mentor@demo.test the first two, so the
    first login already has flagged students); everyone else is steady."""

    INACTIVE = "inactive"  # silent for three weeks: inactivity, red
    SLOWING = "slowing"  # a third of their usual pace: activity drop, amber
    MISSED = "missed"  # two more no-shows in the last month: missed sessions
    STRUGGLING = "struggling"  # a third round of changes on one project: struggling
    STALLED = "stalled"  # enrolled weeks ago, first project never submitted: stalled
    DROPPED = "dropped"  # went quiet, then dropped out (what the backtest finds)
    # Students behind plan come from the review loop's own histories
    # (``projects.demo``): students who joined long ago and approved little.

    BY_MENTOR = {
        1: [SLOWING, MISSED],
        2: [STRUGGLING, STALLED],
        # The demo's weak mentor (``metrics.demo_scorecards``): a student silent for
        # weeks, and the drop-outs.
        3: [INACTIVE, DROPPED, DROPPED, DROPPED],
    }
    # Days of enrolment a story needs before the as-of day: a history to fall quiet
    # from, or a baseline long enough to judge a drop against (14 + 42 days).
    MIN_ENROLLED_DAYS = {INACTIVE: 40, SLOWING: 60, DROPPED: 40}
    # Stories of students who went quiet: nothing in the portal either (their review
    # loop's history ends before, ``projects.demo.histories_end_by``; no sessions).
    QUIET = (INACTIVE, DROPPED)


def _story_students(as_of) -> dict[int, str]:
    """Student id -> story, chosen the same way on every run: each story goes to the
    first fitting student of its mentor (in e-mail order; active, or dropped by an
    earlier run; long enough enrolled), or else of the next demo mentors. The first
    demo student is left out: their own story is the review queue."""
    from django.db.models import Q

    mentors = [mentor for number in range(1, 7) if (mentor := _demo_user("mentor", number))]
    students = {mentor.pk: _students_of(mentor) for mentor in mentors}
    everyone = [student for group in students.values() for student in group]
    statuses = dict(
        StudentProfile.objects.filter(user__in=everyone).values_list("user_id", "status")
    )
    first_start: dict[int, object] = {}
    for student_id, started_on in Enrolment.objects.filter(student__in=everyone).values_list(
        "student_id", "started_on"
    ):
        first_start[student_id] = min(started_on, first_start.get(student_id, started_on))
    taken: dict[int, str] = {}
    # Missed sessions go to a student who has sessions already (``seed_mentoring``);
    # struggling to one with nothing waiting for review and nothing in the last days.
    with_sessions = {demo_email("student", number) for number in range(1, DEMO_STUDENTS + 1)}
    recently = timezone.now() - timedelta(days=4)
    busy = set(
        Submission.objects.filter(student__in=everyone)
        .filter(
            Q(status=SubmissionStatus.SUBMITTED)
            | Q(submitted_at__gte=recently)
            | Q(reviewed_at__gte=recently)
        )
        .values_list("student_id", flat=True)
        .distinct()
    )
    # The review loop's histories never send a project back three times: a student
    # who has that is the one an earlier run chose, and stays chosen.
    rounds = Counter(
        Submission.objects.filter(
            student__in=everyone, status=SubmissionStatus.CHANGES_REQUESTED
        ).values_list("student_id", "project_id")
    )
    struggling = {student_id for (student_id, _project), count in rounds.items() if count >= 3}
    # Stalled goes to a student who has submitted nothing yet: their first project has
    # been open since they enrolled, which ``_seed_stalled`` moves back in time.
    submitters = set(
        Submission.objects.filter(student__in=everyone).values_list("student_id", flat=True)
    )

    def fits(student, story: str) -> bool:
        needed = DemoStory.MIN_ENROLLED_DAYS.get(story, 0)
        return (
            student.pk not in taken
            and student.email != demo_email("student", 1)
            and (story != DemoStory.MISSED or student.email in with_sessions)
            and (story not in DemoStory.QUIET or student.email not in with_sessions)
            and (story != DemoStory.STALLED or student.pk not in submitters)
            and (
                story != DemoStory.STRUGGLING
                or student.pk in struggling
                or (student.pk not in busy and not struggling)
            )
            and statuses.get(student.pk) in (StudentStatus.ACTIVE, StudentStatus.DROPPED)
            and student.pk in first_start
            and first_start[student.pk] <= as_of - timedelta(days=needed)
        )

    for number, stories in DemoStory.BY_MENTOR.items():
        if len(mentors) < number:
            break
        order = mentors[number - 1 :] + mentors[: number - 1]
        for story in stories:
            chosen = next(
                (
                    student
                    for mentor in order
                    for student in students[mentor.pk]
                    if fits(student, story)
                ),
                None,
            )
            if chosen is not None:
                taken[chosen.pk] = story
    return taken


def _active_days(rng, story: str, start, as_of, quiet: frozenset = frozenset()) -> list[tuple]:
    """(day, events) for one student from ``start`` to ``as_of`` (and the day after, as
    the nightly job judges yesterday), following their story; a steady student does
    nothing on their ``quiet`` days (``_quiet_days``) but the last few."""
    days = []
    day = start
    while day <= as_of + timedelta(days=1):
        before = (as_of - day).days  # days before the as-of day (negative: after)
        if story == DemoStory.INACTIVE:
            events = rng.randint(1, 4) if before > SILENT_DAYS and rng.random() < 0.8 else 0
        elif story == DemoStory.SLOWING:
            # Four a day before, three every other day in the last two weeks: 37 %.
            events = 4 if before >= 14 else (3 if before % 2 == 0 and before >= 0 else 0)
        elif story == DemoStory.DROPPED:
            events = 0  # the dropped students' days come from _dropped_days
        else:
            recent = 0 <= before <= 3
            if day in quiet and not recent:
                events = 0
            else:
                events = rng.randint(1, 3) if recent or rng.random() < 0.65 else 0
        if events:
            days.append((day, events))
        day += timedelta(days=1)
    return days


def _dropped_days(rng, start, dropped_on, quiet_days: int) -> list[tuple]:
    """Steady until ``quiet_days`` before the drop, then nothing."""
    days, day = [], start
    while day < dropped_on - timedelta(days=quiet_days):
        if rng.random() < 0.75:
            days.append((day, rng.randint(1, 4)))
        day += timedelta(days=1)
    return days


# How long ago each dropped demo student dropped, and how long they were quiet before.
DROPPED_AGO = [(12, 16), (33, 12), (55, 20)]
# How long the inactive story's student has been silent before the as-of day.
SILENT_DAYS = 21


def _quiet_since(stories: dict[int, str], dropped_order: list[int], today) -> dict[int, datetime]:
    """For the students who went quiet (``DemoStory.QUIET``), the moment by which
    everything they did in the portal is over: the first day of their silence, at
    midnight UTC (in any time zone still a day of silence at the latest)."""
    as_of = today - timedelta(days=1)
    last_days = {}
    for student_id, story in stories.items():
        if story == DemoStory.INACTIVE:
            last_days[student_id] = as_of - timedelta(days=SILENT_DAYS + 1)
        elif story == DemoStory.DROPPED:
            ago, quiet = DROPPED_AGO[dropped_order.index(student_id) % len(DROPPED_AGO)]
            last_days[student_id] = today - timedelta(days=ago + quiet + 1)
    return {
        student_id: datetime.combine(day, time.min, tzinfo=UTC)
        for student_id, day in last_days.items()
    }


# --- A mentor's history: quiet spells, fortnightly sessions, past flags ---------------


@dataclass(frozen=True)
class MentoringStyle:
    """How a demo mentor's mentoring went, for their students' history
    (``seed_activity``): the chance that a steady student goes quiet for 9 to 16 days
    in a four-week stretch, the share of sessions students miss, the mean rating of a
    session held, the hours the mentor takes to acknowledge an at-risk flag, and the
    share of flags they never acknowledge. Each pair is (``HISTORY_DAYS`` ago, now),
    so a mentor can improve or slip month by month (``mentorship.demo.then_and_now``).
    The defaults are the demo's usual mentor."""

    quiet_spells: tuple[float, float] = (0.1, 0.1)
    no_shows: tuple[float, float] = (0.1, 0.1)
    rating: tuple[float, float] = (4.2, 4.2)
    acknowledge_hours: tuple[float, float] = (20, 20)
    ignored_flags: tuple[float, float] = (0.1, 0.1)


@dataclass(frozen=True)
class _StyledStudent:
    """A student of a mentor with a style, and the days they were active."""

    student_id: int
    email: str
    zone: ZoneInfo
    first_day: date
    mentor_id: int
    style: MentoringStyle
    active_days: frozenset


def _quiet_days(rng, style: MentoringStyle, start: date, as_of: date) -> frozenset:
    """The days a steady student of a mentor with this style is quiet: in each four
    weeks from ``start``, by the style's chance then, a spell of 9 to 16 days."""
    quiet: set[date] = set()
    stretch = start
    while stretch <= as_of:
        if rng.random() < then_and_now(style.quiet_spells, at=stretch, now=as_of):
            first = stretch + timedelta(days=rng.randint(0, 20))
            quiet.update(first + timedelta(days=offset) for offset in range(rng.randint(9, 16)))
        stretch += timedelta(days=28)
    return frozenset(quiet)


HISTORY_AGENDA = "Fortnightly check-in"
HISTORY_SUMMARIES = [
    (
        "We went through the current project and what is left of it.",
        "- Finish the open items of the brief\n- Send the project in before the next session",
    ),
    (
        "We read the last review together and planned the fixes.",
        "- Fix what the review asks\n- Resubmit this week",
    ),
    (
        "A look back at the month and the plan for the next projects.",
        "- Keep the two fixed study evenings\n- Read the knowledge base article on testing",
    ),
    (
        "Questions on the current project; we debugged one problem together.",
        "- Write down each error before searching\n- Ask in the forum when stuck for an hour",
    ),
]
HISTORY_NOTES = [
    "Steady; keeps to the plan.",
    "Needs encouragement before each submission.",
    "Asked about jobs; pointed to the career article.",
    "Tired after work; we kept it short.",
]
# A student's comments on a session, by rating, in the student's language.
RATING_COMMENTS = {
    "en": {
        5: ["Really helpful, thank you!", "Clear and encouraging as always."],
        4: ["Useful session.", "Good advice on the project."],
        3: ["OK, but we ran out of time.", "Fine, a bit rushed."],
        2: ["The mentor was late and distracted.", "Not much I did not know already."],
        1: ["The session was cut short; I learnt nothing.", "Felt like a waste of time."],
    },
    "ru": {
        5: ["Очень полезно, спасибо!", "Всё понятно, и настроение поднялось."],
        4: ["Полезная встреча.", "Хорошие советы по проекту."],
        3: ["Нормально, но не успели всё обсудить.", "В целом неплохо, но в спешке."],
        2: ["Ментор опоздал и отвлекался.", "Почти ничего нового не узнал."],
        1: ["Встречу оборвали на середине.", "Зря потраченное время."],
    },
}
OUTREACH_NOTES = [
    (OutreachKind.MESSAGE, "Wrote to ask how things are going and offered a short call."),
    (OutreachKind.CALL, "Called: a busy fortnight at work, back on track next week."),
    (OutreachKind.SESSION_BOOKED, "Booked a session to plan the next steps together."),
]


def status_histories(student_ids: list[int]) -> dict[int, list[tuple[date, str]]]:
    """Each student's status history, oldest first, for ``status_on``."""
    changes: dict[int, list[tuple[date, str]]] = {}
    for student_id, effective_on, status in (
        StudentStatusChange.objects.filter(student_id__in=student_ids)
        .order_by("student_id", "effective_on", "pk")
        .values_list("student_id", "effective_on", "status")
    ):
        changes.setdefault(student_id, []).append((effective_on, status))
    return changes


def status_on(changes: list[tuple[date, str]], day: date) -> str:
    """A student's status on a day, from their history as ``status_histories`` gives it
    (the rule of ``mentorship.selectors.student_status_on``: active before the first
    change), for histories written in bulk."""
    status = StudentStatus.ACTIVE
    for effective_on, changed_to in changes:
        if effective_on > day:
            break
        status = changed_to
    return status


def _history_sessions(
    rng, student: _StyledStudent, *, until: date, as_of: date, now, language: str, statuses
) -> list[MentoringSession]:
    """A session about every fortnight from the student's first day to ``until``, on a
    day they were active anyway (so a session adds no day of activity the rest of the
    history does not have) and while their status was active: held or missed as the
    mentor's style says then, most held ones rated."""
    comments = RATING_COMMENTS.get(language, RATING_COMMENTS["en"])
    sessions = []
    target = student.first_day + timedelta(days=rng.randint(3, 9))
    while target <= until:
        held_on = next(
            (
                day
                for day in (target + timedelta(days=shift) for shift in (0, 1, -1, 2, -2))
                if day in student.active_days
                and student.first_day <= day <= until
                and status_on(statuses, day) == StudentStatus.ACTIVE
            ),
            None,
        )
        target += timedelta(days=rng.randint(12, 16))
        if held_on is None:
            continue
        scheduled_at = datetime.combine(held_on, time(rng.choice((10, 13, 18, 19))), student.zone)
        if scheduled_at + timedelta(hours=1) > now:
            continue
        missed = rng.random() < then_and_now(student.style.no_shows, at=held_on, now=as_of)
        session = MentoringSession(
            mentor_id=student.mentor_id,
            student_id=student.student_id,
            scheduled_at=scheduled_at,
            duration_minutes=45,
            agenda=HISTORY_AGENDA,
            created_at=scheduled_at - timedelta(days=rng.randint(3, 10)),
            logged_at=scheduled_at + timedelta(hours=1),
            reminder_sent_at=scheduled_at - timedelta(hours=24),
        )
        if missed:
            session.status = SessionStatus.STUDENT_NO_SHOW
            session.private_notes = "No answer on the call."
        else:
            session.status = SessionStatus.COMPLETED
            session.summary, session.next_steps = rng.choice(HISTORY_SUMMARIES)
            session.private_notes = rng.choice(HISTORY_NOTES)
            if rng.random() < 0.75:
                mean = then_and_now(student.style.rating, at=held_on, now=as_of)
                session.rating = min(5, max(1, round(rng.gauss(mean, 0.6))))
                session.rated_at = min(now, scheduled_at + timedelta(hours=rng.uniform(2, 30)))
                if rng.random() < 0.35:
                    session.rating_comment = rng.choice(comments[session.rating])
        sessions.append(session)
    return sessions


def _past_flags(students: list[_StyledStudent], *, seed: int, as_of: date, statuses: dict) -> int:
    """The flags the nightly runs would have raised over the history of these
    students, read from their days of activity (every kind, the review loop's and the
    sessions' included): each silence long enough for the inactivity signal opened a
    flag (red once it lasted long enough), resolved once the student had been back
    for the days the settings ask. Only flags resolved before ``as_of`` (the current
    run judges the rest) and while the student was active. Each acknowledged and
    followed up by the mentor as their style says then, or never; whether the student
    recovered after the outreach is judged by the flagging run, by its own rule.
    Returns the flags written."""
    thresholds = FlagSettings.current()
    by_id = {student.student_id: student for student in students}
    active: dict[int, list[date]] = {}
    for student_id, day in (
        DailyActivity.objects.filter(student_id__in=list(by_id), events__gt=0)
        .order_by("student_id", "day")
        .values_list("student_id", "day")
    ):
        active.setdefault(student_id, []).append(day)

    def nightly(day: date) -> datetime:  # the nightly run's time (02:30 UTC)
        return datetime.combine(day, time(2, 30), tzinfo=UTC)

    flags: list[RiskFlag] = []
    outreach: list[tuple[int, FlagOutreach]] = []
    for student_id, days in active.items():
        student = by_id[student_id]
        rng = random.Random(f"{seed}:{student.email}:flags")
        history = statuses.get(student_id, [])
        resolved_by = None
        for last, back in zip(days, days[1:], strict=False):
            opened_on = last + timedelta(days=thresholds.inactivity_amber_days)
            resolved_on = back + timedelta(days=thresholds.resolve_after_clear_days)
            if (
                back <= opened_on
                or resolved_on >= as_of
                or (resolved_by is not None and opened_on <= resolved_by)
                or status_on(history, opened_on) != StudentStatus.ACTIVE
                or status_on(history, resolved_on) != StudentStatus.ACTIVE
            ):
                continue
            resolved_by = resolved_on
            idle = (back - last).days - 1  # on the last day before they came back
            red = idle >= thresholds.inactivity_red_days
            severity = FlagSeverity.RED if red else FlagSeverity.AMBER
            threshold = thresholds.inactivity_red_days if red else thresholds.inactivity_amber_days
            flag = RiskFlag(
                student_id=student_id,
                status=FlagStatus.RESOLVED,
                severity=severity,
                reasons=[Signal(SignalName.INACTIVITY, severity, idle, threshold).as_reason()],
                opened_on=opened_on,
                evaluated_on=resolved_on,
                # The reasons say how it stood on the last day before they came back.
                reasons_on=back - timedelta(days=1),
                clear_since=back,
                resolved_on=resolved_on,
                created_at=nightly(opened_on),
                worsened_at=nightly(last + timedelta(days=thresholds.inactivity_red_days))
                if red
                else None,
                notified_at=nightly(opened_on) + timedelta(minutes=5),
            )
            reached = _flag_follow_up(rng, flag, student, closed=nightly(resolved_on), as_of=as_of)
            if reached is not None:
                outreach.append((len(flags), reached))
            flags.append(flag)
    RiskFlag.objects.bulk_create(flags)
    for index, row in outreach:
        row.flag = flags[index]
    FlagOutreach.objects.bulk_create([row for _index, row in outreach])
    return len(flags)


def _flag_follow_up(
    rng, flag: RiskFlag, student: _StyledStudent, *, closed: datetime, as_of: date
) -> FlagOutreach | None:
    """What the mentor did about a past flag while it was open (before ``closed``), as
    their style says then: acknowledged it after some hours and reached out soon
    after (the outreach returned, to be written with the flag), or never."""
    style = student.style
    if rng.random() < then_and_now(style.ignored_flags, at=flag.opened_on, now=as_of):
        return None
    hours = then_and_now(style.acknowledge_hours, at=flag.opened_on, now=as_of)
    acknowledged_at = flag.created_at + timedelta(hours=hours * rng.uniform(0.7, 1.5))
    if acknowledged_at >= closed:
        return None
    flag.acknowledged_at, flag.acknowledged_by_id = acknowledged_at, student.mentor_id
    reached_at = acknowledged_at + timedelta(minutes=rng.uniform(5, 180))
    if reached_at >= closed:
        return None
    flag.first_outreach_at = reached_at
    kind, note = rng.choice(OUTREACH_NOTES)
    return FlagOutreach(mentor_id=student.mentor_id, kind=kind, note=note, at=reached_at)


def _seed_mentoring_history(
    students: list[_StyledStudent], *, seed: int, as_of: date, now
) -> tuple[int, int]:
    """The sessions and past flags of the students of mentors with a style
    (``MentoringStyle``), written with their activity; a student whose story is an
    at-risk signal has sessions only while they were active, as everyone does. The
    first demo students' sessions of the last weeks are ``seed_mentoring``'s: theirs
    stop before. Returns (sessions, flags) written."""
    if not students:
        return 0, 0
    ids = [student.student_id for student in students]
    statuses = status_histories(ids)
    languages = dict(User.objects.filter(pk__in=ids).values_list("pk", "language"))
    with_sessions = {demo_email("student", number) for number in range(1, DEMO_STUDENTS + 1)}
    sessions = []
    for student in students:
        sessions += _history_sessions(
            random.Random(f"{seed}:{student.email}:sessions"),
            student,
            until=as_of - timedelta(days=25) if student.email in with_sessions else as_of,
            as_of=as_of,
            now=now,
            language=languages.get(student.student_id, "en"),
            statuses=statuses.get(student.student_id, []),
        )
    MentoringSession.objects.bulk_create(sessions, batch_size=2000)
    _sessions_activity_record(sessions)
    return len(sessions), _past_flags(students, seed=seed, as_of=as_of, statuses=statuses)


def seed_activity(
    *,
    seed: int = 42,
    with_files: bool = True,
    styles: Mapping[int, MentoringStyle] | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> dict[str, int]:
    """Up to ``ACTIVITY_DAYS`` of activity for every demo student (events from the
    "demo" source, with the daily rollup), most of them steady; the first demo
    mentors' students get the histories of ``DemoStory``: each at-risk signal, and a
    few who went quiet and then dropped out (with the day), for the backtest. The
    students of a mentor in ``styles`` (by mentor id) get that mentor's history
    (``MentoringStyle``): quiet spells (the steady ones), fortnightly sessions, and
    the past flags their quiet spells raised. Then one flagging run as of yesterday,
    as the nightly job would do, so the demo opens with flags (and the past flags'
    recovery is judged).

    A student who already has demo events keeps them, sessions and enrolments are
    added once, and the run happens once a day: a second seed adds nothing."""
    today = timezone.localdate()
    as_of = today - timedelta(days=1)
    now = timezone.now()
    stories = _story_students(as_of)
    styles = styles or {}
    counts = {
        "events": 0,
        "sessions": 0,
        "attempts": 0,
        "dropped": 0,
        "flags": 0,
        "history_sessions": 0,
        "past_flags": 0,
    }

    # The demo's current students: the alumni of the calibrated cohort
    # (``students.demo_cohort``), their accounts closed, have a history of their own.
    students = list(
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", role="student", is_active=True)
        .exclude(pk__in=ActivityEvent.objects.filter(source=ACTIVITY_SOURCE).values("student_id"))
        .order_by("pk")
        .values_list("pk", "email", "time_zone", "date_joined")
    )
    _seed_stalled(stories, as_of)
    students = [
        (pk, email, time_zone, joined)
        for (pk, email, time_zone, _joined), joined in zip(
            students,
            _joined_dates([pk for pk, *_rest in students]),
            strict=True,
        )
    ]
    dropped_order = [pk for pk, story in stories.items() if story == DemoStory.DROPPED]
    # What they did in the review loop is over before they went quiet, as their
    # activity is: the flags, the list and the file tell the same story.
    histories_end_by(ends=_quiet_since(stories, dropped_order, today))
    mentors = dict(
        Assignment.objects.current()
        .filter(student_id__in=[pk for pk, *_rest in students], mentor_id__in=list(styles))
        .values_list("student_id", "mentor_id")
    )
    # The students of mentors with a style: what their days were, for the sessions
    # and flags of their history (``_seed_mentoring_history``).
    styled: list[_StyledStudent] = []
    for start in range(0, len(students), 500):
        batch = students[start : start + 500]
        events = []
        for student_id, email, time_zone, joined in batch:
            rng = random.Random(f"{seed}:{email}")
            story = stories.get(student_id, "steady")
            first_day = max(today - timedelta(days=ACTIVITY_DAYS), timezone.localdate(joined))
            style = styles.get(mentors.get(student_id))
            if story == DemoStory.DROPPED:
                ago, quiet = DROPPED_AGO[dropped_order.index(student_id) % len(DROPPED_AGO)]
                days = _dropped_days(rng, first_day, today - timedelta(days=ago), quiet)
            elif story == "steady" and style is not None:
                quiet_days = _quiet_days(
                    random.Random(f"{seed}:{email}:quiet"), style, first_day, as_of
                )
                days = _active_days(rng, story, first_day, as_of, quiet_days)
            else:
                days = _active_days(rng, story, first_day, as_of)
            try:
                zone = ZoneInfo(time_zone)
            except (ValueError, KeyError):
                zone = ZoneInfo("UTC")
            if style is not None:
                styled.append(
                    _StyledStudent(
                        student_id,
                        email,
                        zone,
                        first_day,
                        mentors[student_id],
                        style,
                        frozenset(day for day, number in days if number),
                    )
                )
            for day, number in days:
                for index in range(number):
                    moment = datetime.combine(day, time(9 + (index * 3) % 13), tzinfo=zone)
                    if moment > now:
                        continue
                    events.append(
                        ActivityEvent(
                            student_id=student_id,
                            kind=rng.choice(STEADY_KINDS),
                            occurred_at=moment,
                            day=day,
                            source=ACTIVITY_SOURCE,
                            external_id=f"{email}:{day.isoformat()}:{index}",
                            recorded_at=now,
                        )
                    )
        with transaction.atomic():
            ActivityEvent.objects.bulk_create(events, batch_size=2000, ignore_conflicts=True)
            daily_activity_refresh(pairs={(event.student_id, event.day) for event in events})
        counts["events"] += len(events)
        progress(len(batch))

    with transaction.atomic():
        profiles = StudentProfile.objects.filter(
            user_id__in=dropped_order, status=StudentStatus.ACTIVE
        ).select_related("user")
        staff = _demo_user("staff", 1)
        for profile in profiles:
            ago, _quiet = DROPPED_AGO[dropped_order.index(profile.user_id) % len(DROPPED_AGO)]
            # Recorded today, dated the day they dropped, as staff do when they learn
            # of a withdrawal late.
            student_status_set(
                profile=profile,
                status=StudentStatus.DROPPED,
                effective_on=today - timedelta(days=ago),
                by=staff,
                reason="Stopped answering; the learning platform reports no activity.",
            )
            counts["dropped"] += 1
        counts["sessions"] = _seed_missed_sessions(stories, now)
        counts["attempts"] = _seed_struggling(stories, now, seed=seed, with_files=with_files)
        history = _seed_mentoring_history(styled, seed=seed, as_of=as_of, now=now)
        counts["history_sessions"], counts["past_flags"] = history

    if not FlagRun.objects.filter(as_of=as_of).exists():
        run, chunks = flag_run_start(as_of=as_of)
        for index, student_ids in enumerate(chunks):
            counts["flags"] += flag_chunk_evaluate(
                run=run, index=index, student_ids=student_ids
            ).opened
        flag_run_finish(run=run)
    return counts


def _joined_dates(student_ids: list[int]) -> list:
    """The students' sign-up times, read again after ``_seed_stalled`` moved some."""

    joined = dict(User.objects.filter(pk__in=student_ids).values_list("pk", "date_joined"))
    return [joined[pk] for pk in student_ids]


def _seed_stalled(stories: dict[int, str], as_of) -> int:
    """Move the stalled student's enrolment (and sign-up) back in time so that their
    first project, never submitted, has been open five days longer than the signal
    allows (1.5 x its target duration). Already far enough back: nothing moves."""
    import math

    moved = 0
    for student_id in [pk for pk, story in stories.items() if story == DemoStory.STALLED]:
        for enrolment in Enrolment.objects.filter(
            student_id=student_id, status=EnrolmentStatus.ACTIVE
        ).select_related("programme"):
            first = enrolment.programme.projects.order_by("position").first()
            if first is None:
                continue
            latest_start = as_of - timedelta(days=math.ceil(1.5 * first.target_days) + 5)
            shift = enrolment.started_on - latest_start
            if shift <= timedelta(0):
                continue
            enrolment.started_on -= shift
            enrolment.target_end_on -= shift
            enrolment.save(update_fields=["started_on", "target_end_on"])
            start = datetime.combine(enrolment.started_on, time(9), tzinfo=UTC)
            User.objects.filter(pk=student_id, date_joined__gt=start).update(date_joined=start)
            # Their history began the day they joined, which has moved back too.
            StudentStatusChange.objects.filter(
                student_id=student_id,
                status=StudentStatus.ACTIVE,
                effective_on__gt=enrolment.started_on,
            ).update(effective_on=enrolment.started_on)
            moved += 1
    return moved


def _seed_missed_sessions(stories: dict[int, str], now) -> int:
    """Two no-shows in the last month for the student whose story is missed sessions."""
    sessions = []
    for assignment in Assignment.objects.current().filter(
        student_id__in=[pk for pk, story in stories.items() if story == DemoStory.MISSED]
    ):
        if MentoringSession.objects.filter(
            student_id=assignment.student_id, agenda=MISSED_AGENDA
        ).exists():
            continue
        for days_ago in (6, 20):
            scheduled_at = (now - timedelta(days=days_ago)).replace(
                minute=0, second=0, microsecond=0
            )
            sessions.append(
                MentoringSession(
                    mentor_id=assignment.mentor_id,
                    student_id=assignment.student_id,
                    scheduled_at=scheduled_at,
                    agenda=MISSED_AGENDA,
                    status=SessionStatus.STUDENT_NO_SHOW,
                    private_notes="No answer on the call or by e-mail.",
                    created_at=scheduled_at - timedelta(days=4),
                    logged_at=scheduled_at + timedelta(hours=1),
                    reminder_sent_at=scheduled_at - timedelta(hours=24),
                )
            )
    MentoringSession.objects.bulk_create(sessions)
    _sessions_activity_record(sessions)
    return len(sessions)


def _seed_struggling(stories: dict[int, str], now, *, seed: int, with_files: bool) -> int:
    """The struggling student's current project gets more rounds of "changes
    requested" until there are three, after their last event and before yesterday
    ended, written by the review loop's own demo writer (files, links, rubric
    verdicts and feedback as for every other attempt). Returns the attempts added."""
    wanted = [pk for pk, story in stories.items() if story == DemoStory.STRUGGLING]
    if not wanted:
        return 0
    projects_by_programme = _demo_projects()
    programmes = Programme.objects.in_bulk(list(projects_by_programme))
    rng = random.Random(seed)
    plans = []
    for student in _demo_students(programmes):
        if student.user_id not in wanted:
            continue
        submissions = list(Submission.objects.filter(student_id=student.user_id))
        approved = {s.project_id for s in submissions if s.status == SubmissionStatus.APPROVED}
        projects = projects_by_programme[student.programme.pk]
        current = next((p for p in projects if p.pk not in approved), None)
        on_current = [s for s in submissions if current and s.project_id == current.pk]
        if current is None or any(s.status == SubmissionStatus.SUBMITTED for s in on_current):
            continue
        rounds = 3 - len(on_current)
        if rounds <= 0:
            continue
        last = max([s.reviewed_at or s.submitted_at for s in submissions] or [student.joined])
        # Between the last event and the end of the day before yesterday, evenly.
        end = datetime.combine(timezone.localdate() - timedelta(days=1), time(), tzinfo=UTC)
        step = max((end - last) / (rounds + 1), timedelta(hours=2))
        if last + step * rounds + step / 3 > end:
            continue  # no room before yesterday for the rounds
        has_criteria = current.criteria.exists()
        attempts = [
            _Attempt(
                project=current,
                attempt=len(on_current) + number,
                submitted=last + step * number - student.joined,
                review_delay=step / 3,
                approved=False,
                not_met=[0] if has_criteria else [],
            )
            for number in range(1, rounds + 1)
        ]
        plans.append((student, attempts))
    if not plans:
        return 0
    written = _write_histories(rng, plans, now, with_files=with_files)
    return written["submissions"]


def seed_incidents() -> int:
    """Incidents between the first demo mentors' students, each written once (by
    title). Returns incidents created."""
    now = timezone.now()
    mentors = {n: _demo_user("mentor", n) for n in (1, 2, 3)}
    if not all(mentors.values()):
        return 0
    supervisor, staff = _demo_user("supervisor", 1), _demo_user("staff", 1)
    students = {n: _students_of(mentor) for n, mentor in mentors.items()}
    created = 0
    with transaction.atomic():
        for age, (number, involved, title, description, resolution) in enumerate(INCIDENTS):
            people = [
                students[mentor_number][index]
                for mentor_number, index in involved
                if len(students[mentor_number]) > index
            ]
            if len(people) < 2 or Incident.objects.filter(title=title).exists():
                continue
            recorded = now - timedelta(days=6 + 8 * age)
            incident = Incident.objects.create(
                title=title,
                description=description,
                occurred_on=(recorded - timedelta(days=1)).date(),
                reported_by=mentors[number],
                arbitrator=supervisor or staff,
                created_at=recorded,
                status=IncidentStatus.RESOLVED if resolution else IncidentStatus.OPEN,
                resolution=resolution,
                resolved_at=recorded + timedelta(days=3) if resolution else None,
                resolved_by=(supervisor or staff) if resolution else None,
            )
            incident.students.set(people)
            created += 1
    return created
