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


# --- Beyond sessions: cases, recommendations, proposals, incidents, development ----------

CASES = [
    # (author mentor number, audience, about the author's first student?, title, body,
    #  replies as (author kind, number, body), resolved?)
    (
        1,
        "supervisor",
        True,
        "Student keeps postponing the first project",
        "Three weeks in and nothing submitted. They answer messages but always have a "
        "reason. How hard should I push before suggesting a pause?",
        [
            (
                "supervisor",
                1,
                "Offer a fixed weekly slot and a smaller first milestone. If nothing "
                "moves in two weeks, talk about pausing: it protects their motivation.",
            )
        ],
        False,
    ),
    (
        2,
        "mentors",
        False,
        "How do you explain async JavaScript to beginners?",
        "Several of my students get stuck on promises in the API project. What worked for you?",
        [
            (
                "mentor",
                1,
                "I draw the event loop on a whiteboard, then we rewrite one callback "
                "chain with `async`/`await` together.",
            ),
            (
                "mentor",
                3,
                "A tiny exercise first: fetch two URLs in order, then in parallel, and time both.",
            ),
        ],
        True,
    ),
    (
        3,
        "mentors",
        False,
        "Students copying review feedback from each other",
        "Two students submitted nearly the same fixes after reviews. "
        "Do we treat it as plagiarism?",
        [("mentor", 2, "I'd ask each to explain their changes in a session first.")],
        False,
    ),
]

RECOMMENDATIONS = [
    # (mentor number, index among the mentor's students, programme slug or course, status)
    (1, 0, ("course", "SQL for data analysis", "https://example.org/courses/sql"), "pending"),
    (1, 1, ("programme", None), "accepted"),
    (2, 0, ("course", "Git in depth", "https://example.org/courses/git"), "declined"),
    (2, 1, ("programme", None), "pending"),
    (3, 0, ("course", "Design systems basics", "https://example.org/courses/design"), "accepted"),
]

PROPOSALS = [
    # (mentor number, subject, title, body, status, reply)
    (
        1,
        "project",
        "Clarify the deliverables of the first project",
        "Half of my students ask whether the README is required. Say it in the brief, "
        "and give an example of a good one.",
        "under_review",
        "Good point: we are rewriting the brief this month.",
    ),
    (
        2,
        "platform",
        "Let students attach a short video to a submission",
        "Some projects are easier to show than to describe. A two-minute screen "
        "recording would save a session.",
        "new",
        "",
    ),
    (
        1,
        "programme",
        "Add a project on accessibility",
        "Employers ask about it and the programme never mentions it.",
        "accepted",
        "Accepted: a new project is planned for the next intake.",
    ),
    (
        3,
        "platform",
        "Show the student's time zone next to their name",
        "I keep scheduling sessions at night for students abroad.",
        "done",
        "Done: the student's file and the session form show it now.",
    ),
]

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

DEVELOPMENT = [
    # (mentor number, kind, programme (first/second) or title, verified?)
    (1, "programme", 0, True),
    (1, "course", "PostgreSQL performance tuning", True),
    (1, "expertise", "Web accessibility (WCAG)", False),
    (2, "expertise", "Teaching beginners to debug", True),
    (2, "course", "Coaching skills for mentors", False),
    (3, "programme", 1, False),
]


def _demo_user(kind: str, number: int):
    from mentorship.models import User

    return User.objects.filter(email=demo_email(kind, number)).first()


def _students_of(mentor) -> list:
    return [
        assignment.student
        for assignment in Assignment.objects.current()
        .filter(mentor=mentor)
        .select_related("student")
        .order_by("student__email")
    ]


WEEKLY_REPORT_TEXT = {
    # mentor number: (comments, difficulties); mentors without text leave a draft.
    2: (
        "A steady week: most students submitted on time and two sessions went well.",
        "One student stopped answering messages; I may need your advice on next steps.",
    ),
    3: ("Quiet week, reviews kept under a day.", ""),
}


def seed_weekly_reports() -> int:
    """Each of the first three demo mentors' reports of their last complete week and
    the week before, drafted by the portal's own service: mentor@ keeps this week's
    as a draft to complete, the others have sent theirs. Returns reports created."""
    from mentorship.models import WeeklyReport
    from mentorship.selectors import last_complete_week_start
    from mentorship.services import weekly_report_draft, weekly_report_send

    created = 0
    for number in (1, 2, 3):
        mentor = _demo_user("mentor", number)
        if mentor is None:
            continue
        last_week = last_complete_week_start(mentor)
        for week_start in (last_week - timedelta(days=7), last_week):
            if WeeklyReport.objects.filter(mentor=mentor, week_start=week_start).exists():
                continue
            report = weekly_report_draft(mentor=mentor, week_start=week_start)
            created += 1
            comments, difficulties = WEEKLY_REPORT_TEXT.get(number, ("Good progress overall.", ""))
            if number != 1 or week_start != last_week:
                weekly_report_send(
                    report=report, by=mentor, comments=comments, difficulties=difficulties
                )
    return created


def seed_community() -> dict[str, int]:
    """Case discussions, recommendations, improvement proposals, incidents between
    students and self-development records for the first demo mentors, each written
    once: a part already there (by its demo titles) is left as it is."""
    from mentorship.models import (
        CaseDiscussion,
        CaseReply,
        DevelopmentRecord,
    )
    from projects.models import ImprovementProposal, Programme, Recommendation

    from .models import Incident, IncidentStatus

    now = timezone.now()
    mentors = {n: _demo_user("mentor", n) for n in (1, 2, 3)}
    if not all(mentors.values()):
        return {"cases": 0, "recommendations": 0, "proposals": 0, "incidents": 0, "records": 0}
    supervisor, staff = _demo_user("supervisor", 1), _demo_user("staff", 1)
    students = {n: _students_of(mentor) for n, mentor in mentors.items()}
    programmes = list(Programme.objects.order_by("slug"))
    counts = dict.fromkeys(("cases", "recommendations", "proposals", "incidents", "records"), 0)
    with transaction.atomic():
        for age, (number, audience, about, title, body, replies, resolved) in enumerate(CASES):
            if CaseDiscussion.objects.filter(title=title).exists():
                continue
            opened = now - timedelta(days=12 - 3 * age)
            case = CaseDiscussion.objects.create(
                author=mentors[number],
                audience=audience,
                title=title,
                body=body,
                student=students[number][0] if about and students[number] else None,
                created_at=opened,
                resolved_at=opened + timedelta(days=2) if resolved else None,
                resolved_by=mentors[number] if resolved else None,
            )
            for hours, (kind, author_number, reply) in enumerate(replies, start=1):
                author = supervisor if kind == "supervisor" else mentors.get(author_number)
                CaseReply.objects.create(
                    case=case,
                    author=author,
                    body=reply,
                    created_at=opened + timedelta(hours=5 * hours),
                )
            counts["cases"] += 1

        if not Recommendation.objects.filter(mentor__in=mentors.values()).exists():
            for age, (number, index, target, status) in enumerate(RECOMMENDATIONS):
                if len(students[number]) <= index:
                    continue
                student = students[number][index]
                recommended = now - timedelta(days=9 - age)
                fields = {}
                if target[0] == "programme":
                    enrolled = set(student.enrolments.values_list("programme_id", flat=True))
                    programme = next((p for p in programmes if p.pk not in enrolled), None)
                    if programme is None:
                        continue
                    fields["programme"] = programme
                else:
                    fields["course_title"], fields["course_url"] = target[1], target[2]
                Recommendation.objects.create(
                    mentor=mentors[number],
                    student=student,
                    note="I think this would help with your goals.",
                    status=status,
                    created_at=recommended,
                    answered_at=recommended + timedelta(days=1) if status != "pending" else None,
                    **fields,
                )
                counts["recommendations"] += 1

        for age, (number, subject, title, body, status, reply) in enumerate(PROPOSALS):
            if ImprovementProposal.objects.filter(title=title).exists():
                continue
            programme = (
                programmes[0] if subject in ("programme", "project") and programmes else None
            )
            ImprovementProposal.objects.create(
                author=mentors[number],
                subject=subject,
                programme=programme,
                project=programme.projects.order_by("position").first()
                if subject == "project" and programme
                else None,
                title=title,
                body=body,
                status=status,
                reply=reply,
                created_at=now - timedelta(days=20 - 4 * age),
                decided_at=now - timedelta(days=10 - 2 * age)
                if status in ("accepted", "declined", "done")
                else None,
            )
            counts["proposals"] += 1

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
            counts["incidents"] += 1

        if not DevelopmentRecord.objects.filter(mentor__in=mentors.values()).exists():
            for age, (number, kind, what, verified) in enumerate(DEVELOPMENT):
                fields = (
                    {"programme": programmes[what]} if kind == "programme" else {"title": what}
                )
                if kind == "programme" and len(programmes) <= what:
                    continue
                recorded = now - timedelta(days=40 - 5 * age)
                DevelopmentRecord.objects.create(
                    mentor=mentors[number],
                    kind=kind,
                    completed_on=(recorded - timedelta(days=30)).date()
                    if kind != "expertise"
                    else None,
                    evidence_url="https://example.org/certificates/demo"
                    if kind != "expertise"
                    else "",
                    created_at=recorded,
                    verified_at=recorded + timedelta(days=2) if verified else None,
                    verified_by=staff if verified else None,
                    **fields,
                )
                counts["records"] += 1
    return counts
