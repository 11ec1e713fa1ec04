"""Demo data of the knowledge base: case discussions and improvement proposals."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from mentorship.demo import _demo_user, _students_of
from projects.models import Programme

from .models import CaseDiscussion, CaseReply, ImprovementProposal

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


def seed_cases() -> int:
    """The first demo mentors' case discussions with their replies, each written once
    (by title). Returns cases created."""
    now = timezone.now()
    mentors = {n: _demo_user("mentor", n) for n in (1, 2, 3)}
    if not all(mentors.values()):
        return 0
    supervisor = _demo_user("supervisor", 1)
    students = {n: _students_of(mentor) for n, mentor in mentors.items()}
    created = 0
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
            created += 1
    return created


def seed_proposals() -> int:
    """The first demo mentors' improvement proposals, each written once (by title).
    Returns proposals created."""
    now = timezone.now()
    mentors = {n: _demo_user("mentor", n) for n in (1, 2, 3)}
    if not all(mentors.values()):
        return 0
    programmes = list(Programme.objects.order_by("slug"))
    created = 0
    with transaction.atomic():
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
            created += 1
    return created
