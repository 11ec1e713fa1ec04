"""Who sees which submission, project and programme; the queue; history; progress."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from conftest import ROLES
from mentorship.models import Assignment
from mentorship.selectors import students_visible_to
from mentorship.tests.factories import AssignmentFactory, MentorFactory
from projects import selectors, services
from projects.models import EnrolmentStatus, SubmissionStatus
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReviewNoteFactory,
    SubmissionFactory,
    SubmissionFileFactory,
)
from projects.tests.helpers_curriculum import (
    attempt_reviewed,
    attempt_waiting,
    curriculum_create,
    project_approved,
)

# Whose submission each role sees: "mine" is student's, "theirs" other_student's.
VISIBLE = {
    "student": {"mine"},
    "other_student": {"theirs"},
    "mentor": {"mine"},
    "other_mentor": {"theirs"},
    "supervisor": {"mine"},
    "other_supervisor": {"theirs"},
    "staff": {"mine", "theirs"},
}


@pytest.fixture
def curriculum(student, other_student):
    return curriculum_create(projects=3, students=[student, other_student])


@pytest.fixture
def submissions(student, other_student, curriculum):
    return {
        "mine": attempt_waiting(student=student, project=curriculum.first),
        "theirs": attempt_waiting(student=other_student, project=curriculum.first),
    }


def _seen(user, submissions) -> set[str]:
    visible = set(selectors.submissions_visible_to(user).values_list("pk", flat=True))
    return {name for name, submission in submissions.items() if submission.pk in visible}


# --- submissions_visible_to -----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_each_role_the_submissions_it_may_see(request, submissions, role):
    user = request.getfixturevalue(role)

    assert _seen(user, submissions) == VISIBLE[role]


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_the_same_submissions_with_the_ids_read_first(
    request, submissions, mentor, staff, role
):
    # "theirs" held by mentor across teams, so the holders' side of the rule counts too.
    services.submission_reassign(submission=submissions["theirs"], to_mentor=mentor, by=staff)
    user = request.getfixturevalue(role)

    by_subquery = selectors.submissions_visible_to(user)
    by_ids = selectors.submissions_visible_to(user, ids_read_now=True)

    assert sorted(by_ids.values_list("pk", flat=True)) == sorted(
        by_subquery.values_list("pk", flat=True)
    )


@pytest.mark.parametrize("role", ROLES)
def test_it_answers_404_for_a_submission_a_role_may_not_see(request, submissions, role):
    user = request.getfixturevalue(role)

    for name, submission in submissions.items():
        if name in VISIBLE[role]:
            assert selectors.submission_for_user(user, submission.pk) == submission
        else:
            with pytest.raises(Http404):
                selectors.submission_for_user(user, submission.pk)


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_the_submissions_of_the_students_the_person_may_see(request, submissions, role):
    user = request.getfixturevalue(role)

    students = set(selectors.submissions_visible_to(user).values_list("student", flat=True))

    assert students == set(
        students_visible_to(user).filter(submissions__isnull=False).values_list("pk", flat=True)
    )


def test_it_shows_a_mentor_and_their_supervisor_what_the_mentor_holds(
    submissions, mentor, supervisor, other_supervisor, staff
):
    services.submission_reassign(submission=submissions["theirs"], to_mentor=mentor, by=staff)

    assert _seen(mentor, submissions) == {"mine", "theirs"}
    assert _seen(supervisor, submissions) == {"mine", "theirs"}
    # The student's own team still sees it too.
    assert _seen(other_supervisor, submissions) == {"theirs"}


def test_it_hides_submissions_from_a_former_mentor(submissions, student, mentor):
    Assignment.objects.filter(student=student, mentor=mentor).update(ended_at=timezone.now())

    assert _seen(mentor, submissions) == set()


def test_it_shows_a_new_mentor_the_whole_history(submissions, student, mentor, other_mentor):
    Assignment.objects.filter(student=student, mentor=mentor).update(ended_at=timezone.now())
    AssignmentFactory(student=student, mentor=other_mentor)

    assert _seen(other_mentor, submissions) == {"mine", "theirs"}


def test_it_lists_each_submission_once(submissions, student, mentor):
    # An ended and a current assignment to the same mentor must not duplicate rows.
    Assignment.objects.filter(student=student).update(ended_at=timezone.now())
    AssignmentFactory(student=student, mentor=mentor)
    services.submission_claim(submission=submissions["mine"], reviewer=mentor)

    rows = list(selectors.submissions_visible_to(mentor).values_list("pk", flat=True))

    assert rows == [submissions["mine"].pk]


def test_it_shows_nothing_to_an_inactive_user(submissions, staff):
    staff.is_active = False

    assert _seen(staff, submissions) == set()


def test_it_shows_nothing_to_anonymous_people(submissions):
    assert _seen(AnonymousUser(), submissions) == set()
    assert not selectors.submissions_visible_to(AnonymousUser(), ids_read_now=True).exists()


def test_it_shows_nothing_to_a_mentor_without_students_or_holds(submissions):
    assert not selectors.submissions_visible_to(MentorFactory(), ids_read_now=True).exists()


# --- Projects and programmes ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_projects_to_everyone_but_unenrolled_students(request, curriculum, role):
    user = request.getfixturevalue(role)
    elsewhere = ProjectFactory()

    visible = set(selectors.projects_visible_to(user))

    assert set(curriculum.projects) <= visible
    assert (elsewhere in visible) is (role not in ("student", "other_student"))


def test_it_answers_404_for_a_project_of_another_programme(student):
    elsewhere = ProjectFactory()

    with pytest.raises(Http404):
        selectors.project_for_user(student, elsewhere.pk)


def test_it_shows_a_student_only_their_programmes(student, mentor, curriculum):
    other = ProgrammeFactory()

    assert list(selectors.programmes_for_user(student)) == [curriculum.programme]
    assert set(selectors.programmes_for_user(mentor)) == {curriculum.programme, other}


def test_it_counts_a_programmes_projects(student, curriculum):
    assert selectors.programmes_for_user(student).get().project_count == 3


# --- The review queue ------------------------------------------------------------------------


def test_it_queues_waiting_submissions_oldest_first(student, mentor, curriculum):
    classmate = AssignmentFactory(mentor=mentor).student
    EnrolmentFactory(student=classmate, programme=curriculum.programme)
    now = timezone.now()
    newer = attempt_waiting(student=student, project=curriculum.first, submitted_at=now)
    older = attempt_waiting(
        student=classmate, project=curriculum.first, submitted_at=now - timedelta(days=2)
    )
    attempt_reviewed(student=classmate, project=curriculum.second)

    queue = list(selectors.review_queue(mentor))

    assert queue == [older, newer]


def test_it_filters_the_queue_by_programme_and_project(student, mentor, curriculum):
    project_approved(student=student, project=curriculum.first)
    waiting = attempt_waiting(student=student, project=curriculum.second)

    assert list(selectors.review_queue(mentor, project_id=curriculum.second.pk)) == [waiting]
    assert list(selectors.review_queue(mentor, project_id=curriculum.first.pk)) == []
    assert list(selectors.review_queue(mentor, programme_id=curriculum.programme.pk)) == [waiting]
    assert list(selectors.review_queue(mentor, programme_id=ProgrammeFactory().pk)) == []


def test_it_shows_a_students_situation_in_the_queue(student, mentor, curriculum):
    project_approved(student=student, project=curriculum.first)
    waiting = attempt_waiting(student=student, project=curriculum.second)
    services.review_draft_save(submission=waiting, reviewer=mentor, feedback="Wip", criteria={})

    row = selectors.review_queue(mentor).get()

    assert (row.approved_count, row.has_draft) == (1, True)


def test_it_queues_nothing_for_students(submissions, student):
    assert list(selectors.review_queue(student)) == []


@pytest.mark.parametrize(
    ("role", "expected"),
    [("mentor", {"mine"}), ("supervisor", {"mine"}), ("staff", {"mine", "theirs"})],
)
def test_it_queues_what_each_reviewer_may_see(request, submissions, role, expected):
    queue = set(selectors.review_queue(request.getfixturevalue(role)))

    assert queue == {submissions[name] for name in expected}


# --- History and notes -------------------------------------------------------------------------


def test_it_lists_a_projects_history_newest_first(student, curriculum, django_assert_num_queries):
    first = attempt_reviewed(student=student, project=curriculum.first)
    second = attempt_waiting(student=student, project=curriculum.first)
    SubmissionFileFactory(submission=first)
    SubmissionFileFactory(submission=second, original_name="README.md")

    # 1 submissions with their reviews, 2 files, 3 criterion verdicts with criteria.
    with django_assert_num_queries(3):
        history = list(selectors.project_history(student=student, project=curriculum.first))
        shown = [
            (item.attempt, [f.original_name for f in item.files.all()], _verdicts(item))
            for item in history
        ]

    assert [item.pk for item in history] == [second.pk, first.pk]
    assert shown[1] == (
        1,
        ["main.py"],
        [("Project number 1: criterion 1", False), ("Project number 1: criterion 2", True)],
    )


def _verdicts(submission):
    review = getattr(submission, "review", None)
    if review is None:
        return []
    return [(verdict.criterion.title, verdict.met) for verdict in review.verdicts.all()]


def test_it_lists_a_projects_notes_most_used_first(curriculum, staff):
    rare = ReviewNoteFactory(project=curriculum.first, use_count=1)
    common = ReviewNoteFactory(project=curriculum.first, use_count=9)
    ReviewNoteFactory(project=curriculum.second)

    assert list(selectors.review_notes_for(curriculum.first, user=staff)) == [common, rare]


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("student", set()),
        ("other_student", set()),
        ("mentor", {"handed in", "mine"}),
        ("other_mentor", {"theirs"}),
        ("supervisor", {"handed in"}),
        ("other_supervisor", set()),
        ("staff", {"handed in", "mine", "theirs", "nobody's work"}),
    ],
)
def test_it_shows_reviewers_the_notes_of_the_work_they_may_see(
    curriculum, student, mentor, other_mentor, role, sees, request
):
    SubmissionFactory(student=student, project=curriculum.first)
    ReviewNoteFactory(project=curriculum.first, title="handed in")
    ReviewNoteFactory(project=curriculum.second, title="mine", author=mentor)
    ReviewNoteFactory(project=curriculum.second, title="theirs", author=other_mentor)
    ReviewNoteFactory(project=curriculum.second, title="nobody's work")
    user = request.getfixturevalue(role)

    notes = selectors.review_notes_visible_to(user)

    assert {note.title for note in notes} == sees


# --- Progress ------------------------------------------------------------------------------------


def _statuses(student) -> list[tuple[str, int]]:
    (progress,) = selectors.student_progress(student=student)
    return [(item.status, item.attempts) for item in progress.projects]


def test_it_shows_where_a_student_stands_on_each_project(student, curriculum):
    project_approved(student=student, project=curriculum.first)
    attempt_reviewed(student=student, project=curriculum.second)
    attempt_waiting(student=student, project=curriculum.second)

    assert _statuses(student) == [
        (SubmissionStatus.APPROVED, 1),
        (SubmissionStatus.SUBMITTED, 2),
        ("locked", 0),
    ]


def test_it_unlocks_the_project_after_an_approved_one(student, curriculum):
    project_approved(student=student, project=curriculum.first)

    assert _statuses(student) == [
        (SubmissionStatus.APPROVED, 1),
        ("available", 0),
        ("locked", 0),
    ]


def test_it_shows_changes_requested(student, curriculum):
    attempt_reviewed(student=student, project=curriculum.first)

    assert _statuses(student)[0] == (SubmissionStatus.CHANGES_REQUESTED, 1)


def test_it_makes_the_first_project_available_to_a_new_student(student, curriculum):
    assert _statuses(student) == [("available", 0), ("locked", 0), ("locked", 0)]


def test_it_makes_every_project_available_to_a_student_who_may_skip(student, curriculum):
    student.enrolments.update(allow_skipping=True)

    assert [status for status, _attempts in _statuses(student)] == ["available"] * 3


def test_it_locks_everything_left_when_the_enrolment_is_over(student, curriculum):
    student.enrolments.update(status=EnrolmentStatus.WITHDRAWN)

    assert [status for status, _attempts in _statuses(student)] == ["locked"] * 3


def test_it_gives_due_dates_and_the_next_project(student, curriculum):
    student.enrolments.update(started_on=date(2026, 1, 1), target_end_on=date(2026, 1, 31))
    project_approved(student=student, project=curriculum.first)

    (progress,) = selectors.student_progress(student=student)

    assert [item.due_on for item in progress.projects] == [
        date(2026, 1, 11),
        date(2026, 1, 21),
        date(2026, 1, 31),
    ]
    assert progress.approved_count == 1
    assert progress.next_project.project == curriculum.second


def test_it_has_no_next_project_when_all_are_approved(student, curriculum):
    for project in curriculum.projects:
        project_approved(student=student, project=project)

    (progress,) = selectors.student_progress(student=student)

    assert progress.next_project is None
    assert progress.approved_count == 3


def test_it_reads_progress_in_three_queries(student, other_student, django_assert_num_queries):
    for _ in range(3):
        curriculum = curriculum_create(projects=4, students=[student])
        project_approved(student=student, project=curriculum.first)

    # 1 enrolments with programmes, 2 their projects, 3 the student's submissions.
    with django_assert_num_queries(3):
        progress = selectors.student_progress(student=student)

    assert len(progress) == 3
    assert selectors.student_progress(student=other_student) == []
