"""services.review_submit (the verdict), drafts, review notes and difficulty ratings."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentorship.access import NotAllowed
from mentorship.models import Notification, StudentStatus, StudentStatusChange
from mentorship.selectors import student_status_history
from projects import services
from projects.models import (
    CriterionVerdict,
    DifficultyRating,
    EnrolmentStatus,
    Review,
    ReviewDraft,
    ReviewNote,
    SubmissionStatus,
    Verdict,
)
from projects.selectors import Standing, student_progress
from projects.services import CriterionInput
from projects.tests.factories import ReviewNoteFactory, SubmissionFactory
from projects.tests.helpers_curriculum import (
    attempt_reviewed,
    attempt_waiting,
    curriculum_create,
    project_approved,
)


@pytest.fixture
def curriculum(student):
    return curriculum_create(projects=2, students=[student])


@pytest.fixture
def submission(student, curriculum):
    return attempt_waiting(student=student, project=curriculum.first)


def _criteria(project, *, met=True, **overrides) -> dict[int, CriterionInput]:
    return {
        criterion.pk: CriterionInput(met=overrides.get(criterion.title, met), comment=" ok ")
        for criterion in project.criteria.all()
    }


def _review(submission, reviewer, verdict=Verdict.APPROVED, *, criteria=None, feedback="Good"):
    return services.review_submit(
        submission=submission,
        reviewer=reviewer,
        verdict=verdict,
        feedback=feedback,
        criteria=criteria if criteria is not None else _criteria(submission.project),
    )


def _snapshot(submission) -> tuple:
    submission.refresh_from_db()
    return (
        submission.status,
        submission.reviewed_at,
        list(Review.objects.values_list("pk", "verdict", "feedback", "reviewer_id")),
        list(CriterionVerdict.objects.values_list("pk", "met", "comment")),
    )


# --- Posting a verdict ------------------------------------------------------------------


def test_it_approves_with_a_verdict_per_criterion(submission, mentor):
    review = _review(submission, mentor, feedback="  **Great** work  ")

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    assert submission.reviewed_at is not None
    assert submission.first_claimed_at is not None
    assert review.feedback == "**Great** work"
    assert review.reviewer == mentor
    verdicts = list(review.verdicts.values_list("criterion__position", "met", "comment"))
    assert verdicts == [(1, True, "ok"), (2, True, "ok")]


def test_it_requests_changes(submission, mentor):
    title = submission.project.criteria.first().title

    _review(
        submission,
        mentor,
        Verdict.CHANGES_REQUESTED,
        criteria=_criteria(submission.project, **{title: False}),
    )

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.CHANGES_REQUESTED
    assert not submission.review.verdicts.get(criterion__position=1).met


def test_it_requires_every_criterion_met_to_approve(submission, mentor):
    title = submission.project.criteria.last().title
    before = _snapshot(submission)

    with pytest.raises(ValidationError) as error:
        _review(submission, mentor, criteria=_criteria(submission.project, **{title: False}))

    assert set(error.value.message_dict) == {"verdict"}
    assert _snapshot(submission) == before
    assert submission.status == SubmissionStatus.SUBMITTED


def test_it_requires_a_verdict_on_every_criterion(submission, mentor):
    criteria = _criteria(submission.project)
    missing = submission.project.criteria.last()
    del criteria[missing.pk]

    with pytest.raises(ValidationError) as error:
        _review(submission, mentor, Verdict.CHANGES_REQUESTED, criteria=criteria)

    assert missing.title in error.value.message_dict["criteria"][0]
    assert not Review.objects.exists()


@pytest.mark.parametrize("feedback", ["", "   \n "])
def test_it_requires_feedback(submission, mentor, feedback):
    with pytest.raises(ValidationError) as error:
        _review(submission, mentor, feedback=feedback)

    assert set(error.value.message_dict) == {"feedback"}
    assert not Review.objects.exists()


def test_it_refuses_an_unknown_verdict(submission, mentor):
    with pytest.raises(ValidationError) as error:
        _review(submission, mentor, "maybe")

    assert set(error.value.message_dict) == {"verdict"}
    assert not Review.objects.exists()


@pytest.mark.parametrize("second", [Verdict.APPROVED, Verdict.CHANGES_REQUESTED])
def test_it_refuses_a_second_verdict_and_changes_nothing(
    submission, mentor, supervisor, second, django_capture_on_commit_callbacks
):
    title = submission.project.criteria.first().title
    _review(
        submission,
        mentor,
        Verdict.CHANGES_REQUESTED,
        criteria=_criteria(submission.project, **{title: False}),
        feedback="First",
    )
    before = _snapshot(submission)
    notifications = Notification.objects.count()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        _review(submission, supervisor, second, feedback="Second")

    assert "already been reviewed" in str(error.value)
    assert _snapshot(submission) == before
    assert Notification.objects.count() == notifications
    assert mail.outbox == []


def test_it_refuses_a_submission_someone_else_holds(submission, mentor, other_mentor, staff):
    services.submission_reassign(submission=submission, to_mentor=other_mentor, by=staff)
    before = _snapshot(submission)

    with pytest.raises(ValidationError) as error:
        _review(submission, mentor)

    assert str(other_mentor) in str(error.value)
    assert _snapshot(submission) == before
    submission.refresh_from_db()
    assert submission.claimed_by == other_mentor


def test_it_lets_the_holder_post_and_clears_the_claim(submission, mentor):
    services.submission_claim(submission=submission, reviewer=mentor)

    _review(submission, mentor)

    submission.refresh_from_db()
    assert submission.claimed_by is None
    assert submission.claim_expires_at is None
    assert submission.first_claimed_at is not None


def test_it_lets_anyone_post_when_nobody_holds_it(submission, supervisor):
    review = _review(submission, supervisor)

    assert review.reviewer == supervisor


def test_it_lets_another_reviewer_post_once_a_claim_has_expired(
    submission, mentor, other_mentor, staff
):
    services.submission_reassign(submission=submission, to_mentor=other_mentor, by=staff)
    submission.__class__.objects.filter(pk=submission.pk).update(
        claim_expires_at=timezone.now() - timedelta(minutes=1)
    )

    review = _review(submission, mentor)

    assert review.reviewer == mentor


def test_it_deletes_drafts_once_the_verdict_is_posted(submission, mentor, supervisor):
    services.review_draft_save(submission=submission, reviewer=mentor, feedback="Wip", criteria={})
    services.review_draft_save(
        submission=submission, reviewer=supervisor, feedback="Also", criteria={}
    )

    _review(submission, mentor)

    assert not ReviewDraft.objects.exists()


def test_it_records_time_to_review(submission, mentor):
    _review(submission, mentor)

    submission.refresh_from_db()
    assert submission.time_to_review == submission.reviewed_at - submission.submitted_at
    assert submission.time_to_review >= timedelta(0)


# --- Finishing the programme ------------------------------------------------------------


def test_it_completes_the_enrolment_and_graduates_on_the_last_approval(
    student, curriculum, mentor
):
    project_approved(student=student, project=curriculum.first)
    last = attempt_waiting(student=student, project=curriculum.second)

    _review(last, mentor)

    enrolment = student.enrolments.get()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert enrolment.completed_at is not None
    assert enrolment.ended_on == timezone.localdate(enrolment.completed_at, student.zone)
    student.student_profile.refresh_from_db()
    assert student.student_profile.status == StudentStatus.GRADUATED


def test_it_records_the_graduation_in_the_history_as_the_portals_today(
    student, curriculum, mentor
):
    project_approved(student=student, project=curriculum.first)

    _review(attempt_waiting(student=student, project=curriculum.second), mentor)

    change = student_status_history(student=student).first()
    assert (change.status, change.effective_on, change.recorded_by) == (
        StudentStatus.GRADUATED,
        timezone.localdate(timezone=student.zone),
        None,
    )


def test_it_keeps_a_student_with_another_programme_active(student, curriculum, mentor):
    other = curriculum_create(projects=2, students=[student])
    project_approved(student=student, project=curriculum.first)

    _review(attempt_waiting(student=student, project=curriculum.second), mentor)

    finished = student.enrolments.get(programme=curriculum.programme)
    assert finished.status == EnrolmentStatus.COMPLETED
    assert student.enrolments.get(programme=other.programme).status == EnrolmentStatus.ACTIVE
    student.student_profile.refresh_from_db()
    assert student.student_profile.status == StudentStatus.ACTIVE
    assert not StudentStatusChange.objects.filter(student_id=student.pk).exists()
    standing = {
        progress.enrolment.programme_id: progress.standing
        for progress in student_progress(student=student)
    }
    assert standing[curriculum.programme.pk] == Standing.FINISHED
    assert standing[other.programme.pk] != Standing.FINISHED


def test_it_graduates_once_the_last_active_programme_is_finished(student, curriculum, mentor):
    other = curriculum_create(projects=1, students=[student])
    project_approved(student=student, project=curriculum.first)
    _review(attempt_waiting(student=student, project=curriculum.second), mentor)

    _review(attempt_waiting(student=student, project=other.first), mentor)

    assert set(student.enrolments.values_list("status", flat=True)) == {EnrolmentStatus.COMPLETED}
    student.student_profile.refresh_from_db()
    assert student.student_profile.status == StudentStatus.GRADUATED
    assert student_status_history(student=student).first().status == StudentStatus.GRADUATED


def test_it_does_not_graduate_before_the_last_project(submission, student, mentor):
    _review(submission, mentor)

    assert student.enrolments.get().status == EnrolmentStatus.ACTIVE
    student.student_profile.refresh_from_db()
    assert student.student_profile.status == StudentStatus.ACTIVE


def test_it_does_not_graduate_when_changes_are_requested_on_the_last(student, curriculum, mentor):
    project_approved(student=student, project=curriculum.first)
    last = attempt_waiting(student=student, project=curriculum.second)
    title = curriculum.second.criteria.first().title

    _review(
        last,
        mentor,
        Verdict.CHANGES_REQUESTED,
        criteria=_criteria(curriculum.second, **{title: False}),
    )

    assert student.enrolments.get().status == EnrolmentStatus.ACTIVE


def test_it_graduates_a_student_who_skipped_ahead_only_when_all_are_approved(
    student, curriculum, mentor
):
    student.enrolments.update(allow_skipping=True)
    last = attempt_waiting(student=student, project=curriculum.second)

    _review(last, mentor)

    assert student.enrolments.get().status == EnrolmentStatus.ACTIVE


# --- Telling the student ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "words"),
    [(Verdict.APPROVED, "is approved"), (Verdict.CHANGES_REQUESTED, "Changes requested")],
)
def test_it_notifies_the_student_and_emails_once_after_commit(
    submission, student, mentor, verdict, words, django_capture_on_commit_callbacks
):
    title = submission.project.criteria.first().title
    met = {} if verdict == Verdict.APPROVED else {title: False}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _review(submission, mentor, verdict, criteria=_criteria(submission.project, **met))
        assert mail.outbox == []

    notification = Notification.objects.get(user=student)
    assert notification.kind == "review_posted"
    assert words in notification.title
    assert submission.project.title in notification.title
    assert str(mentor) in notification.body
    assert notification.url == f"/projects/{submission.project_id}/"
    assert len(callbacks) == 1
    assert [message.to for message in mail.outbox] == [[student.email]]


# --- Drafts -----------------------------------------------------------------------------


def test_it_saves_and_updates_one_draft_per_reviewer(submission, mentor):
    services.review_draft_save(
        submission=submission, reviewer=mentor, feedback="First", criteria={"1": {"met": True}}
    )

    draft = services.review_draft_save(
        submission=submission, reviewer=mentor, feedback="Second", criteria={}
    )

    assert ReviewDraft.objects.get() == draft
    assert draft.feedback == "Second"


def test_it_refuses_a_draft_after_the_verdict(student, curriculum, mentor):
    reviewed = attempt_reviewed(student=student, project=curriculum.first)

    with pytest.raises(ValidationError):
        services.review_draft_save(
            submission=reviewed, reviewer=mentor, feedback="Late", criteria={}
        )

    assert not ReviewDraft.objects.exists()


# --- Review notes -----------------------------------------------------------------------


def test_it_creates_a_review_note(curriculum, mentor):
    note = services.review_note_create(
        project=curriculum.first, author=mentor, title="  README  ", body=" Add one. "
    )

    assert (note.title, note.body, note.use_count) == ("README", "Add one.", 0)


def test_it_refuses_a_note_without_text(curriculum, mentor):
    with pytest.raises(ValidationError) as error:
        services.review_note_create(project=curriculum.first, author=mentor, title="", body=" ")

    assert {"title", "body"} <= set(error.value.message_dict)
    assert not ReviewNote.objects.exists()


def test_it_counts_each_use_of_a_note(curriculum, mentor, student):
    note = ReviewNoteFactory(project=curriculum.first)
    SubmissionFactory(student=student, project=curriculum.first)

    services.review_note_use(note=note, by=mentor)
    services.review_note_use(note=note, by=mentor)

    note.refresh_from_db()
    assert note.use_count == 2


def test_it_hides_the_notes_from_students(curriculum, student):
    note = ReviewNoteFactory(project=curriculum.first)

    with pytest.raises(NotAllowed) as refused:
        services.review_note_use(note=note, by=student)

    assert refused.value.hidden is True
    note.refresh_from_db()
    assert note.use_count == 0


def test_it_hides_a_note_from_a_reviewer_who_sees_none_of_its_projects_work(
    curriculum, student, other_mentor
):
    note = ReviewNoteFactory(project=curriculum.first)
    SubmissionFactory(student=student, project=curriculum.first)

    with pytest.raises(NotAllowed) as refused:
        services.review_note_use(note=note, by=other_mentor)

    assert refused.value.hidden is True
    note.refresh_from_db()
    assert note.use_count == 0


def test_it_refuses_a_note_from_a_student(curriculum, student):
    with pytest.raises(NotAllowed) as refused:
        services.review_note_create(
            project=curriculum.first, author=student, title="Tip", body="Read it twice."
        )

    assert refused.value.hidden is False
    assert not ReviewNote.objects.exists()


# --- Difficulty ratings -----------------------------------------------------------------


def test_it_records_a_difficulty_rating(student, curriculum):
    approved = project_approved(student=student, project=curriculum.first)

    rating = services.difficulty_rate(
        submission=approved, student=student, rating=4, comment=" Tough "
    )

    assert (rating.rating, rating.comment) == (4, "Tough")


def test_it_refuses_rating_twice(student, curriculum):
    approved = project_approved(student=student, project=curriculum.first)
    services.difficulty_rate(submission=approved, student=student, rating=4)

    with pytest.raises(ValidationError, match="already rated"):
        services.difficulty_rate(submission=approved, student=student, rating=2)

    assert DifficultyRating.objects.get().rating == 4


def test_it_refuses_rating_a_project_not_approved(student, submission):
    with pytest.raises(ValidationError):
        services.difficulty_rate(submission=submission, student=student, rating=3)

    assert not DifficultyRating.objects.exists()


def test_it_refuses_rating_someone_elses_project(student, other_student, curriculum):
    approved = project_approved(student=student, project=curriculum.first)

    with pytest.raises(NotAllowed) as refused:
        services.difficulty_rate(submission=approved, student=other_student, rating=3)

    assert refused.value.hidden is True
    assert not DifficultyRating.objects.exists()


@pytest.mark.parametrize("rating", [0, 6])
def test_it_refuses_a_rating_outside_one_to_five(student, curriculum, rating):
    approved = project_approved(student=student, project=curriculum.first)

    with pytest.raises(ValidationError) as error:
        services.difficulty_rate(submission=approved, student=student, rating=rating)

    assert set(error.value.message_dict) == {"rating"}
    assert not DifficultyRating.objects.exists()
