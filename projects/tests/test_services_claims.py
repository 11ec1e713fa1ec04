"""Claiming a submission to review it: claim, expiry, release, reassignment."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentorship.models import Notification
from mentorship.tests.factories import MentorFactory
from projects import services
from projects.models import Submission
from projects.tests.helpers_curriculum import attempt_reviewed, attempt_waiting, curriculum_create


@pytest.fixture
def curriculum(student):
    return curriculum_create(projects=1, students=[student])


@pytest.fixture
def submission(student, curriculum):
    return attempt_waiting(student=student, project=curriculum.first)


def _expire(submission: Submission) -> None:
    Submission.objects.filter(pk=submission.pk).update(
        claim_expires_at=timezone.now() - timedelta(seconds=1)
    )


def _claim_fields(submission: Submission) -> tuple:
    submission.refresh_from_db()
    return (
        submission.claimed_by_id,
        submission.claimed_at,
        submission.claim_expires_at,
        submission.first_claimed_at,
    )


# --- Claiming -----------------------------------------------------------------------------


def test_it_claims_for_the_configured_time(submission, mentor, settings):
    settings.REVIEW_CLAIM_MINUTES = 30

    claimed = services.submission_claim(submission=submission, reviewer=mentor)

    assert claimed.claimed_by == mentor
    assert claimed.claim_expires_at - claimed.claimed_at == timedelta(minutes=30)
    assert claimed.first_claimed_at == claimed.claimed_at
    assert claimed.claim_is_active()


def test_it_refuses_a_claim_someone_else_holds(submission, mentor, supervisor):
    services.submission_claim(submission=submission, reviewer=mentor)
    before = _claim_fields(submission)

    with pytest.raises(ValidationError) as error:
        services.submission_claim(submission=submission, reviewer=supervisor)

    assert str(mentor) in str(error.value)
    assert _claim_fields(submission) == before


def test_it_hands_an_expired_claim_to_the_next_reviewer(submission, mentor, supervisor):
    first = services.submission_claim(submission=submission, reviewer=mentor)
    _expire(submission)

    claimed = services.submission_claim(submission=submission, reviewer=supervisor)

    assert claimed.claimed_by == supervisor
    assert claimed.claim_is_active()
    # The metric "time to first claim" keeps the first one.
    assert claimed.first_claimed_at == first.first_claimed_at


def test_it_extends_ones_own_claim(submission, mentor):
    first = services.submission_claim(submission=submission, reviewer=mentor)

    again = services.submission_claim(submission=submission, reviewer=mentor)

    assert again.claim_expires_at >= first.claim_expires_at
    assert again.first_claimed_at == first.first_claimed_at


def test_it_refuses_to_claim_a_reviewed_submission(student, curriculum, mentor):
    reviewed = attempt_reviewed(student=student, project=curriculum.first)

    with pytest.raises(ValidationError, match="already been reviewed"):
        services.submission_claim(submission=reviewed, reviewer=mentor)

    assert _claim_fields(reviewed)[0] is None


def test_it_knows_when_a_claim_is_over(submission, mentor):
    services.submission_claim(submission=submission, reviewer=mentor)
    _expire(submission)

    submission.refresh_from_db()
    assert not submission.claim_is_active()
    assert submission.claim_is_active(now=timezone.now() - timedelta(minutes=5))


# --- Releasing ----------------------------------------------------------------------------


def test_it_releases_ones_own_claim(submission, mentor, supervisor):
    services.submission_claim(submission=submission, reviewer=mentor)

    services.submission_release(submission=submission, reviewer=mentor)

    submission.refresh_from_db()
    assert (submission.claimed_by, submission.claim_expires_at) == (None, None)
    assert submission.first_claimed_at is not None
    services.submission_claim(submission=submission, reviewer=supervisor)


def test_it_does_not_release_someone_elses_claim(submission, mentor, supervisor):
    services.submission_claim(submission=submission, reviewer=mentor)
    before = _claim_fields(submission)

    services.submission_release(submission=submission, reviewer=supervisor)

    assert _claim_fields(submission) == before


# --- Reassigning --------------------------------------------------------------------------


def test_it_lets_a_supervisor_reassign_to_their_team_and_tells_the_mentor(
    submission, mentor, supervisor, django_capture_on_commit_callbacks
):
    teammate = MentorFactory(display_name="Tom Teammate")
    teammate.mentor_profile.supervisor = supervisor
    teammate.mentor_profile.save()
    services.submission_claim(submission=submission, reviewer=mentor)

    with django_capture_on_commit_callbacks(execute=True):
        reassigned = services.submission_reassign(
            submission=submission, to_mentor=teammate, by=supervisor
        )

    assert reassigned.claimed_by == teammate
    assert reassigned.claim_is_active()
    notification = Notification.objects.get(user=teammate)
    assert notification.kind == "review_reassigned"
    assert str(supervisor) in notification.title
    assert notification.url == f"/reviews/{submission.pk}/"
    assert [message.to for message in mail.outbox] == [[teammate.email]]


def test_it_refuses_a_supervisor_reassigning_outside_their_team(
    submission, supervisor, other_mentor
):
    before = _claim_fields(submission)

    with pytest.raises(ValidationError) as error:
        services.submission_reassign(submission=submission, to_mentor=other_mentor, by=supervisor)

    assert set(error.value.message_dict) == {"mentor"}
    assert _claim_fields(submission) == before
    assert not Notification.objects.exists()


def test_it_lets_staff_reassign_to_any_mentor(submission, staff, other_mentor):
    reassigned = services.submission_reassign(
        submission=submission, to_mentor=other_mentor, by=staff
    )

    assert reassigned.claimed_by == other_mentor


def test_it_overrides_a_live_claim_when_reassigning(submission, mentor, staff, other_mentor):
    services.submission_claim(submission=submission, reviewer=mentor)

    services.submission_reassign(submission=submission, to_mentor=other_mentor, by=staff)

    submission.refresh_from_db()
    assert submission.claimed_by == other_mentor


@pytest.mark.parametrize("target", ["supervisor", "student", "inactive_mentor"])
def test_it_reassigns_only_to_an_active_mentor(submission, staff, request, target):
    if target == "inactive_mentor":
        person = MentorFactory(is_active=False)
    else:
        person = request.getfixturevalue(target)

    with pytest.raises(ValidationError) as error:
        services.submission_reassign(submission=submission, to_mentor=person, by=staff)

    assert set(error.value.message_dict) == {"mentor"}
    assert _claim_fields(submission)[0] is None


def test_it_refuses_to_reassign_a_reviewed_submission(student, curriculum, staff, mentor):
    reviewed = attempt_reviewed(student=student, project=curriculum.first)

    with pytest.raises(ValidationError, match="already been reviewed"):
        services.submission_reassign(submission=reviewed, to_mentor=mentor, by=staff)

    assert not Notification.objects.exists()
