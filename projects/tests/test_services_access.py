"""Each write of the review loop checks, by itself, that the person may: whoever may
not gets ``NotAllowed`` (hidden when they may not even see the submission) and the
database is left as it was, whichever page or endpoint called the service."""

import pytest

from conftest import ROLES
from mentorship.access import NotAllowed
from mentorship.models import Notification
from projects import services
from projects.models import Review, ReviewDraft, Submission
from projects.services import CriterionInput
from projects.tests.helpers_curriculum import attempt_waiting, curriculum_create

ALLOWED, REFUSED, HIDDEN = "allowed", "refused", "hidden"

# What each role gets from the writes on a waiting submission of ``student``.
REVIEWING = {
    "student": REFUSED,
    "other_student": HIDDEN,
    "mentor": ALLOWED,
    "other_mentor": HIDDEN,
    "supervisor": ALLOWED,
    "other_supervisor": HIDDEN,
    "staff": ALLOWED,
}
REASSIGNING = {**REVIEWING, "mentor": REFUSED}


@pytest.fixture
def submission(student, other_student, mentor):
    curriculum = curriculum_create(projects=1, students=[student, other_student])
    return attempt_waiting(student=student, project=curriculum.first)


def test_it_releases_only_ones_own_claim(submission, mentor, supervisor):
    services.submission_claim(submission=submission, reviewer=mentor)

    services.submission_release(submission=submission, reviewer=supervisor)
    submission.refresh_from_db()
    assert submission.claimed_by == mentor

    services.submission_release(submission=submission, reviewer=mentor)
    submission.refresh_from_db()
    assert submission.claimed_by is None


def _database() -> tuple:
    return (
        list(Submission.objects.order_by("pk").values()),
        list(ReviewDraft.objects.values()),
        list(Review.objects.values()),
        Notification.objects.count(),
    )


def _claim(submission, user, mentor):
    services.submission_claim(submission=submission, reviewer=user)


def _release(submission, user, mentor):
    services.submission_release(submission=submission, reviewer=user)


def _draft(submission, user, mentor):
    services.review_draft_save(submission=submission, reviewer=user, feedback="Wip", criteria={})


def _submit(submission, user, mentor):
    services.review_submit(
        submission=submission,
        reviewer=user,
        verdict="approved",
        feedback="Good",
        criteria={
            criterion.pk: CriterionInput(met=True)
            for criterion in submission.project.criteria.all()
        },
    )


def _reassign(submission, user, mentor):
    services.submission_reassign(submission=submission, to_mentor=mentor, by=user)


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (_claim, REVIEWING),
        (_release, REVIEWING),
        (_draft, REVIEWING),
        (_submit, REVIEWING),
        (_reassign, REASSIGNING),
    ],
    ids=["claim", "release", "draft", "submit", "reassign"],
)
@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_those_who_may_write(request, submission, mentor, write, expected, role):
    user = request.getfixturevalue(role)
    before = _database()

    if expected[role] == ALLOWED:
        write(submission, user, mentor)
        return
    with pytest.raises(NotAllowed) as refused:
        write(submission, user, mentor)

    assert refused.value.hidden is (expected[role] == HIDDEN)
    assert _database() == before


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_lets_only_students_submit(request, submission, role):
    before = _database()

    with pytest.raises(NotAllowed) as refused:
        services.submission_create(
            student=request.getfixturevalue(role),
            project=submission.project,
            link="https://work.example/mine",
        )

    assert refused.value.hidden is False
    assert _database() == before
