"""``seed_demo``'s review loop (``projects/demo.py``): every state present, consistent
with the loop's rules, the demo logins ready, idempotent, fast at scale. The loop of
the demo's students: the alumni of the calibrated cohort, their accounts closed, have a
simpler history of their own (``students/tests/test_demo_cohort.py``)."""

from collections import Counter
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from mentorship.models import Role, StudentStatus, User
from mentorship.selectors import student_status_history
from projects import selectors
from projects.models import (
    CriterionVerdict,
    DifficultyRating,
    Enrolment,
    EnrolmentStatus,
    Project,
    Review,
    ReviewNote,
    RubricCriterion,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    Verdict,
)
from projects.services import reviews_remind_overdue

pytestmark = pytest.mark.django_db

MODELS = [
    Enrolment,
    Submission,
    SubmissionFile,
    Review,
    CriterionVerdict,
    RubricCriterion,
    ReviewNote,
    DifficultyRating,
]


def _seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def seeded(demo_seeded):
    return demo_seeded.output  # seeded once for the module (conftest.py)


@pytest.fixture(autouse=True)
def media_root(settings, demo_seeded):
    """The seeded files' folder (the conftest's, for other modules, is the test's own)."""
    settings.MEDIA_ROOT = str(demo_seeded.media_root)
    return demo_seeded.media_root


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


# --- Curriculum ----------------------------------------------------------------------------


def test_it_gives_every_project_a_brief_and_a_rubric(seeded):
    for project in Project.objects.prefetch_related("criteria"):
        criteria = list(project.criteria.all())
        assert 3 <= len(criteria) <= 4, project
        assert all(criterion.met_means for criterion in criteria)
        assert project.brief.count("\n\n") >= 2, project
        assert "What to hand in" in project.brief
        assert project.allowed_extensions


def test_it_keeps_a_staff_members_edits_on_a_second_run(seeded):
    project = Project.objects.order_by("pk").first()
    Project.objects.filter(pk=project.pk).update(brief="Edited by staff")

    _seed()

    project.refresh_from_db()
    assert project.brief == "Edited by staff"


# --- Enrolments ----------------------------------------------------------------------------


def test_it_enrols_every_demo_student_from_their_join_date(seeded):
    students = User.objects.filter(role=Role.STUDENT, is_active=True).prefetch_related(
        "enrolments"
    )

    for student in students:
        (enrolment,) = student.enrolments.all()
        assert enrolment.started_on == timezone.localdate(student.date_joined)
        total = sum(enrolment.programme.projects.values_list("target_days", flat=True))
        assert (enrolment.target_end_on - enrolment.started_on).days == total


def test_it_completes_only_graduates_enrolments(seeded):
    for enrolment in Enrolment.objects.filter(student__is_active=True).select_related(
        "student__student_profile"
    ):
        approved = Submission.objects.filter(
            student=enrolment.student, status=SubmissionStatus.APPROVED
        ).count()
        projects = enrolment.programme.projects.count()
        if enrolment.status == EnrolmentStatus.COMPLETED:
            assert approved == projects
            assert enrolment.completed_at is not None
            assert enrolment.student.student_profile.status == StudentStatus.GRADUATED
            # Graduated the day of the last approval, on their calendar, by the portal.
            change = student_status_history(student=enrolment.student).first()
            assert (change.status, change.effective_on, change.recorded_by) == (
                StudentStatus.GRADUATED,
                timezone.localdate(enrolment.completed_at, enrolment.student.zone),
                None,
            )
        else:
            assert approved < projects


# --- Every state of the loop ------------------------------------------------------------------


def test_it_fills_every_state(seeded):
    statuses = Counter(Submission.objects.values_list("status", flat=True))
    now = timezone.now()
    waiting = list(Submission.objects.waiting())

    assert set(statuses) == set(SubmissionStatus.values)
    assert statuses[SubmissionStatus.SUBMITTED] >= 5
    assert Submission.objects.filter(attempt__gte=2).exists()
    held = [s for s in waiting if s.claimed_by_id and s.claim_is_active(now)]
    expired = [s for s in waiting if s.claimed_by_id and not s.claim_is_active(now)]
    assert len(held) >= 2
    assert len(expired) >= 1
    overdue_age = timezone.timedelta(hours=settings.REVIEW_REMINDER_HOURS)
    assert len([s for s in waiting if now - s.submitted_at > overdue_age]) >= 2
    assert Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED).exists()


def test_it_leaves_the_reminders_something_to_do(seeded):
    assert reviews_remind_overdue() >= 2


def test_it_holds_waiting_submissions_by_the_students_mentor(seeded):
    for submission in Submission.objects.waiting().filter(claimed_by__isnull=False):
        assert submission.claimed_by in [
            a.mentor for a in submission.student.mentor_assignments.filter(ended_at__isnull=True)
        ]
        assert submission.submitted_at < submission.claimed_at < submission.claim_expires_at


def test_it_keeps_the_loops_rules(seeded):
    approved = set(
        Submission.objects.filter(status=SubmissionStatus.APPROVED).values_list(
            "student_id", "project_id"
        )
    )
    previous = {
        project.pk: Project.objects.filter(
            programme=project.programme_id, position=project.position - 1
        ).first()
        for project in Project.objects.all()
    }
    by_student_project: dict[tuple[int, int], list[Submission]] = {}
    for submission in Submission.objects.filter(student__is_active=True).order_by("attempt"):
        by_student_project.setdefault((submission.student_id, submission.project_id), []).append(
            submission
        )

    for (student_id, project_id), attempts in by_student_project.items():
        assert [s.attempt for s in attempts] == list(range(1, len(attempts) + 1))
        # Every attempt but the last was sent back; only the last may wait or pass.
        assert all(s.status == SubmissionStatus.CHANGES_REQUESTED for s in attempts[:-1])
        before = previous[project_id]
        assert before is None or (student_id, before.pk) in approved
        for earlier, later in zip(attempts, attempts[1:], strict=False):
            assert earlier.reviewed_at < later.submitted_at


def test_it_keeps_timestamps_in_order(seeded):
    now = timezone.now()
    for submission in Submission.objects.filter(student__is_active=True).select_related("review"):
        assert submission.submitted_at <= now
        if submission.status == SubmissionStatus.SUBMITTED:
            assert submission.reviewed_at is None
            assert not hasattr(submission, "review")
            continue
        assert submission.submitted_at <= submission.first_claimed_at <= submission.reviewed_at
        assert submission.reviewed_at <= now
        assert submission.review.created_at == submission.reviewed_at


def test_it_writes_realistic_reviews(seeded):
    for review in (
        Review.objects.filter(submission__student__is_active=True)
        .select_related("submission")
        .prefetch_related("verdicts")
    ):
        verdicts = list(review.verdicts.all())
        assert len(verdicts) == review.submission.project.criteria.count()
        assert review.feedback.strip()
        if review.verdict == Verdict.APPROVED:
            assert all(v.met for v in verdicts)
            assert review.submission.status == SubmissionStatus.APPROVED
        else:
            missed = [v for v in verdicts if not v.met]
            assert missed
            assert all(v.comment for v in missed)
            assert all(v.criterion.title in review.feedback for v in missed)
            assert review.submission.status == SubmissionStatus.CHANGES_REQUESTED


def test_it_rates_only_approved_projects(seeded):
    ratings = DifficultyRating.objects.select_related("submission")

    assert ratings.exists()
    assert all(r.submission.status == SubmissionStatus.APPROVED for r in ratings)
    assert all(1 <= r.rating <= 5 for r in ratings)


def test_it_writes_review_notes_with_use_counts(seeded):
    for project in Project.objects.all():
        notes = list(ReviewNote.objects.filter(project=project))
        assert len(notes) >= 2
    assert ReviewNote.objects.filter(use_count__gt=0).exists()


def test_it_stores_small_text_files_of_allowed_types(seeded, media_root):
    files = list(SubmissionFile.objects.select_related("submission__project"))

    assert files
    for file in files:
        project = file.submission.project
        assert file.extension in project.allowed_extensions
        assert (media_root / file.file.name).stat().st_size == file.size
        assert file.file.name.startswith("submissions/")
    assert {f.original_name for f in files} >= {"README.md", "index.html"}


def test_it_sends_links_where_projects_expect_them(seeded):
    for submission in (
        Submission.objects.filter(student__is_active=True)
        .select_related("project")
        .prefetch_related("files")
    ):
        project = submission.project
        has_files = bool(submission.files.all())
        assert has_files == project.accepts_files
        if project.deliverable in ("link", "both"):
            assert submission.link.startswith("https://github.com/")
        if project.deliverable == "files":
            assert submission.link == ""


# --- The demo logins --------------------------------------------------------------------------


def test_it_gives_the_demo_student_two_approved_projects_and_one_waiting(seeded):
    student = User.objects.get(email="student@demo.test")

    rows = list(
        Submission.objects.filter(student=student)
        .order_by("project__position", "attempt")
        .values_list("project__position", "attempt", "status")
    )

    assert [row for row in rows if row[0] in (1, 3)] == [
        (1, 1, "approved"),
        (3, 1, "changes_requested"),
        (3, 2, "submitted"),
    ]
    assert (2, 2, "approved") in rows or (2, 1, "approved") in rows
    progress = selectors.student_progress(student=student)[0]
    assert progress.approved_count == 2
    assert progress.enrolment.programme.slug == "web-developer"


def test_it_fills_the_demo_mentors_queue(seeded):
    mentor = User.objects.get(email="mentor@demo.test")
    student = User.objects.get(email="student@demo.test")

    queue = list(selectors.review_queue(mentor))

    waiting = next(row for row in queue if row.student == student)
    assert (waiting.project.position, waiting.attempt) == (3, 2)
    assert waiting.claimed_by is None
    assert waiting.approved_count == 2


def test_it_lets_the_demo_student_rate_their_second_project(seeded):
    student = User.objects.get(email="student@demo.test")

    rated = set(
        DifficultyRating.objects.filter(submission__student=student).values_list(
            "submission__project__position", flat=True
        )
    )

    assert rated == {1}


# --- Running again -------------------------------------------------------------------------


def test_it_adds_nothing_the_second_time(seeded, media_root):
    before = _counts()
    files_before = sorted(media_root.rglob("*"))

    output = _seed()

    assert _counts() == before
    assert sorted(media_root.rglob("*")) == files_before
    assert "0 new enrolments, 0 submissions" in output


def test_it_reports_the_review_loop(seeded):
    waiting = Submission.objects.waiting().count()

    assert f"({waiting} waiting for review)" in seeded
    current = Submission.objects.filter(student__is_active=True).count()
    assert f"{current} submissions" in seeded
