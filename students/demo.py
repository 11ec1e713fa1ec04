"""Demo mentoring for ``manage.py seed_demo``: sessions in every state and private
mentor notes for the first demo students, so each page has something to show.

Only the first ``DEMO_STUDENTS`` demo students get them, whatever the scale: enough to
see every state, cheap at ``--scale``. A student who already has sessions (or notes)
gets none again, so a second run adds nothing.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from mentorship.demo import demo_email
from mentorship.models import Assignment, MentoringSession, SessionStatus
from students.models import MentorNote

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
    for index, assignment in enumerate(assignments):
        if assignment.student_id not in with_sessions:
            specs = (
                FIRST_STUDENT_SESSIONS
                if assignment.student.email == demo_email("student", 1)
                else OTHER_STUDENT_SESSIONS[index % len(OTHER_STUDENT_SESSIONS)]
            )
            sessions += [_session(assignment, spec, start) for spec in specs]
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
    with transaction.atomic():
        MentoringSession.objects.bulk_create(sessions)
        MentorNote.objects.bulk_create(notes)
    return {"sessions": len(sessions), "mentor_notes": len(notes)}
