"""services.submission_create and the rules it enforces: enrolment, one waiting attempt,
predecessors, deliverables, file checks; numbering; storage; notifying the mentor."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mentorship.models import Assignment, Notification
from projects import services
from projects.models import (
    Deliverable,
    EnrolmentStatus,
    Submission,
    SubmissionFile,
    SubmissionStatus,
)
from projects.tests.factories import EnrolmentFactory, SubmissionFactory
from projects.tests.helpers_curriculum import (
    attempt_reviewed,
    attempt_waiting,
    curriculum_create,
    project_approved,
    upload,
)


@pytest.fixture
def curriculum(student):
    return curriculum_create(projects=3, students=[student])


def _stored_files(media_root: Path) -> list[Path]:
    return (
        [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []
    )


def _error_fields(error: ValidationError) -> set[str]:
    return set(error.value.message_dict) if hasattr(error.value, "error_dict") else {"__all__"}


# --- Numbering and storage ----------------------------------------------------------


def test_it_numbers_the_first_attempt_one(student, curriculum):
    submission = services.submission_create(
        student=student, project=curriculum.first, link="https://github.com/stas/page"
    )

    assert submission.attempt == 1
    assert submission.status == SubmissionStatus.SUBMITTED


def test_it_numbers_attempts_after_the_earlier_ones(student, curriculum):
    attempt_reviewed(student=student, project=curriculum.first)
    attempt_reviewed(student=student, project=curriculum.first)

    submission = services.submission_create(
        student=student, project=curriculum.first, link="https://github.com/stas/page"
    )

    assert submission.attempt == 3


def test_it_numbers_attempts_per_project(student, curriculum):
    project_approved(student=student, project=curriculum.first)

    submission = services.submission_create(
        student=student, project=curriculum.second, link="https://github.com/stas/page"
    )

    assert submission.attempt == 1


def test_it_stores_files_under_random_names(student, curriculum, media_root):
    submission = services.submission_create(
        student=student,
        project=curriculum.first,
        files=[upload("main.py", b"print(1)\n"), upload("README.md", b"# Hi\n")],
        comment="  My work  ",
    )

    files = {f.original_name: f for f in submission.files.all()}
    assert set(files) == {"main.py", "README.md"}
    stored = files["main.py"]
    assert stored.size == len(b"print(1)\n")
    assert stored.content_type == "text/x-python"
    assert stored.file.name.startswith("submissions/")
    assert "main" not in Path(stored.file.name).name
    assert stored.file.name.endswith(".py")
    assert (media_root / stored.file.name).read_bytes() == b"print(1)\n"
    assert submission.comment == "My work"


# --- Bad files ------------------------------------------------------------------------


def test_it_refuses_an_oversized_file(student, curriculum, media_root):
    curriculum.first.max_file_size_mb = 1
    curriculum.first.save()

    with pytest.raises(ValidationError) as error:
        services.submission_create(
            student=student,
            project=curriculum.first,
            files=[upload("big.zip", b"x" * (1024 * 1024 + 1))],
        )

    assert _error_fields(error) == {"files"}
    assert "larger than 1 MB" in str(error.value)
    assert not Submission.objects.exists()
    assert _stored_files(media_root) == []


def test_it_accepts_a_file_of_exactly_the_limit(student, curriculum):
    curriculum.first.max_file_size_mb = 1
    curriculum.first.save()

    submission = services.submission_create(
        student=student,
        project=curriculum.first,
        files=[upload("big.zip", b"PK\x03\x04" + b"x" * (1024 * 1024 - 4))],
    )

    assert submission.files.get().size == 1024 * 1024


def test_it_refuses_a_file_whose_content_is_not_its_type(student, curriculum, media_root):
    """The first bytes are sniffed: a program renamed .pdf is not a PDF."""
    with pytest.raises(ValidationError) as error:
        services.submission_create(
            student=student,
            project=curriculum.first,
            files=[upload("report.pdf", b"MZ\x90\x00" + b"\x00" * 60), upload("ok.py")],
        )

    assert error.value.message_dict == {"files": ["report.pdf: its content is not a .pdf file."]}
    assert not Submission.objects.exists()
    assert _stored_files(media_root) == []


def test_it_refuses_a_disallowed_type(student, curriculum, media_root):
    with pytest.raises(ValidationError) as error:
        services.submission_create(
            student=student,
            project=curriculum.first,
            files=[upload("main.py"), upload("setup.exe", b"MZ")],
        )

    assert _error_fields(error) == {"files"}
    assert "setup.exe" in str(error.value)
    assert not Submission.objects.exists()
    assert not SubmissionFile.objects.exists()
    assert _stored_files(media_root) == []


def test_it_checks_extensions_case_insensitively(student, curriculum):
    submission = services.submission_create(
        student=student, project=curriculum.first, files=[upload("MAIN.PY")]
    )

    assert submission.files.get().original_name == "MAIN.PY"


def test_it_keeps_only_the_last_part_of_a_path_like_name(student, curriculum, media_root):
    submission = services.submission_create(
        student=student, project=curriculum.first, files=[upload("../../x.py")]
    )

    stored = submission.files.get()
    assert stored.original_name == "x.py"
    assert ".." not in stored.file.name
    path = (media_root / stored.file.name).resolve()
    assert path.is_relative_to(media_root.resolve())


def test_it_strips_windows_paths_too(student, curriculum):
    submission = services.submission_create(
        student=student, project=curriculum.first, files=[upload("..\\..\\evil\\x.py")]
    )

    assert submission.files.get().original_name == "x.py"


def test_it_refuses_a_path_like_name_without_an_allowed_type(student, curriculum, media_root):
    with pytest.raises(ValidationError) as error:
        services.submission_create(
            student=student, project=curriculum.first, files=[upload("../../x")]
        )

    assert _error_fields(error) == {"files"}
    assert not Submission.objects.exists()
    assert _stored_files(media_root) == []


def test_it_refuses_an_empty_file(student, curriculum):
    with pytest.raises(ValidationError) as error:
        services.submission_create(
            student=student, project=curriculum.first, files=[upload("main.py", b"")]
        )

    assert _error_fields(error) == {"files"}
    assert "empty" in str(error.value)


def test_it_lists_every_bad_file(student, curriculum):
    with pytest.raises(ValidationError) as error:
        services.submission_create(
            student=student,
            project=curriculum.first,
            files=[upload("a.exe"), upload("b.bat"), upload("ok.py")],
        )

    assert len(error.value.message_dict["files"]) == 2


# --- Empty submissions and deliverables ---------------------------------------------------


def test_it_refuses_an_empty_submission(student, curriculum):
    with pytest.raises(ValidationError) as error:
        services.submission_create(
            student=student, project=curriculum.first, files=[], link="   ", comment="Hi"
        )

    assert "Add at least one file or a link." in error.value.messages
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("deliverable", "files", "link", "field"),
    [
        (Deliverable.LINK, True, True, "files"),
        (Deliverable.LINK, True, False, "files"),
        (Deliverable.FILES, False, True, "link"),
        (Deliverable.FILES, True, True, "link"),
        (Deliverable.FILES_AND_LINK, True, False, "link"),
        (Deliverable.FILES_AND_LINK, False, True, "files"),
    ],
)
def test_it_refuses_what_the_project_does_not_expect(
    student, curriculum, deliverable, files, link, field
):
    curriculum.first.deliverable = deliverable
    curriculum.first.save()

    with pytest.raises(ValidationError) as error:
        services.submission_create(
            student=student,
            project=curriculum.first,
            files=[upload()] if files else [],
            link="https://github.com/stas/page" if link else "",
        )

    assert _error_fields(error) == {field}
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("deliverable", "files", "link"),
    [
        (Deliverable.LINK, False, True),
        (Deliverable.FILES, True, False),
        (Deliverable.FILES_AND_LINK, True, True),
        (Deliverable.FILES_OR_LINK, True, False),
        (Deliverable.FILES_OR_LINK, False, True),
        (Deliverable.FILES_OR_LINK, True, True),
    ],
)
def test_it_accepts_what_the_project_expects(student, curriculum, deliverable, files, link):
    curriculum.first.deliverable = deliverable
    curriculum.first.save()

    submission = services.submission_create(
        student=student,
        project=curriculum.first,
        files=[upload()] if files else [],
        link="https://github.com/stas/page" if link else "",
    )

    assert submission.files.count() == (1 if files else 0)
    assert bool(submission.link) is link


def test_it_refuses_a_link_that_is_not_a_url(student, curriculum):
    with pytest.raises(ValidationError) as error:
        services.submission_create(
            student=student, project=curriculum.first, link="javascript:alert(1)"
        )

    assert _error_fields(error) == {"link"}
    assert not Submission.objects.exists()


# --- Who may submit what, when --------------------------------------------------------


def test_it_refuses_a_second_attempt_while_one_waits(student, curriculum):
    attempt_waiting(student=student, project=curriculum.first)

    with pytest.raises(ValidationError) as error:
        services.submission_create(
            student=student, project=curriculum.first, link="https://github.com/stas/page"
        )

    assert "waiting for review" in str(error.value)
    assert Submission.objects.count() == 1


def test_it_refuses_an_approved_project(student, curriculum):
    project_approved(student=student, project=curriculum.first)

    with pytest.raises(ValidationError, match="already approved"):
        services.submission_create(
            student=student, project=curriculum.first, link="https://github.com/stas/page"
        )


def test_it_refuses_a_project_before_its_predecessor_is_approved(student, curriculum):
    attempt_reviewed(student=student, project=curriculum.first)

    with pytest.raises(ValidationError) as error:
        services.submission_create(
            student=student, project=curriculum.second, link="https://github.com/stas/page"
        )

    assert curriculum.first.title in str(error.value)
    assert not Submission.objects.filter(project=curriculum.second).exists()


def test_it_only_looks_at_the_immediate_predecessor(student, curriculum):
    project_approved(student=student, project=curriculum.first)

    with pytest.raises(ValidationError, match=curriculum.second.title):
        services.submission_create(
            student=student, project=curriculum.projects[2], link="https://github.com/stas/page"
        )


def test_it_lets_a_student_who_may_skip_ahead_submit_any_project(student, curriculum):
    student.enrolments.update(allow_skipping=True)

    submission = services.submission_create(
        student=student, project=curriculum.projects[2], link="https://github.com/stas/page"
    )

    assert submission.attempt == 1


def test_it_refuses_a_student_not_enrolled(other_student, curriculum):
    with pytest.raises(ValidationError, match="not enrolled"):
        services.submission_create(
            student=other_student, project=curriculum.first, link="https://github.com/o/p"
        )


@pytest.mark.parametrize("status", [EnrolmentStatus.WITHDRAWN, EnrolmentStatus.COMPLETED])
def test_it_refuses_a_student_whose_enrolment_is_over(student, curriculum, status):
    student.enrolments.update(status=status)

    with pytest.raises(ValidationError, match="not enrolled"):
        services.submission_create(
            student=student, project=curriculum.first, link="https://github.com/stas/page"
        )


def test_it_refuses_enrolling_someone_who_is_not_a_student(mentor, curriculum):
    with pytest.raises(ValidationError) as error:
        services.enrolment_create(student=mentor, programme=curriculum.programme)

    assert _error_fields(error) == {"student"}


def test_it_plans_an_enrolment_from_the_projects_targets(other_student, curriculum):
    enrolment = services.enrolment_create(
        student=other_student, programme=curriculum.programme, started_on=date(2026, 1, 1)
    )

    assert enrolment.target_end_on == date(2026, 1, 1) + timedelta(days=3 * 14)


def test_it_keeps_one_waiting_submission_per_project_in_the_database(student, curriculum):
    SubmissionFactory(student=student, project=curriculum.first, attempt=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionFactory(student=student, project=curriculum.first, attempt=2)


def test_it_allows_several_reviewed_attempts_in_the_database(student, curriculum):
    attempt_reviewed(student=student, project=curriculum.first)
    attempt_reviewed(student=student, project=curriculum.first)

    SubmissionFactory(student=student, project=curriculum.first, attempt=3)

    assert Submission.objects.count() == 3


def test_it_turns_a_lost_race_into_a_clear_error(student, curriculum, monkeypatch):
    # Two tabs submit at once: both pass the checks, the database lets one through.
    attempt_waiting(student=student, project=curriculum.first)
    monkeypatch.setattr(services, "submission_check_allowed", lambda **kwargs: None)

    with pytest.raises(ValidationError, match="waiting for review"):
        services.submission_create(
            student=student, project=curriculum.first, link="https://github.com/stas/page"
        )

    assert Submission.objects.count() == 1


# --- Telling the mentor -----------------------------------------------------------------


def test_it_notifies_the_mentor_and_emails_once_after_commit(
    student, mentor, curriculum, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submission = services.submission_create(
            student=student, project=curriculum.first, link="https://github.com/stas/page"
        )
        assert mail.outbox == []

    notification = Notification.objects.get(user=mentor)
    assert notification.kind == "submission_new"
    assert curriculum.first.title in notification.title
    assert "attempt 1" in notification.title
    assert notification.url == f"/reviews/{submission.pk}/"
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [mentor.email]
    assert not Notification.objects.filter(user=student).exists()


def test_it_does_not_email_a_mentor_who_opted_out(
    student, mentor, curriculum, django_capture_on_commit_callbacks
):
    mentor.email_notifications = False
    mentor.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.submission_create(
            student=student, project=curriculum.first, link="https://github.com/stas/page"
        )

    assert Notification.objects.filter(user=mentor).count() == 1
    assert mail.outbox == []


def test_it_notifies_nobody_when_the_student_has_no_mentor(
    student, curriculum, django_capture_on_commit_callbacks
):
    Assignment.objects.filter(student=student).delete()

    with django_capture_on_commit_callbacks(execute=True):
        services.submission_create(
            student=student, project=curriculum.first, link="https://github.com/stas/page"
        )

    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_it_sends_nothing_when_the_submission_is_refused(
    student, curriculum, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.submission_create(student=student, project=curriculum.first)

    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_it_enrols_with_a_factory_too(other_student, curriculum):
    # The factory the other tests use builds a valid enrolment.
    enrolment = EnrolmentFactory(student=other_student, programme=curriculum.programme)

    enrolment.full_clean()
