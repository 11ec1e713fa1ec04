"""Small builders for the curriculum, submission and file-view tests: a programme of a
few projects with the role fixtures' students enrolled, and uploads."""

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Programme, Project, Submission, SubmissionStatus, Verdict
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReviewFactory,
    SubmissionFactory,
)


@dataclass
class Curriculum:
    programme: Programme
    projects: list[Project]

    @property
    def first(self) -> Project:
        return self.projects[0]

    @property
    def second(self) -> Project:
        return self.projects[1]


def curriculum_create(*, projects: int = 3, students=(), **project_fields) -> Curriculum:
    """A programme of ``projects`` projects (two rubric criteria each) and an active
    enrolment for each of ``students``."""
    programme = ProgrammeFactory()
    items = [
        ProjectFactory(
            programme=programme,
            position=position,
            title=f"Project number {position}",
            **project_fields,
        )
        for position in range(1, projects + 1)
    ]
    for student in students:
        EnrolmentFactory(student=student, programme=programme)
    return Curriculum(programme, items)


def attempt_reviewed(*, student, project, verdict=Verdict.CHANGES_REQUESTED, attempt=None):
    """A reviewed attempt (changes requested unless told), numbered after the last."""
    if attempt is None:
        attempt = Submission.objects.filter(student=student, project=project).count() + 1
    submission = SubmissionFactory(student=student, project=project, attempt=attempt)
    ReviewFactory(submission=submission, verdict=verdict)
    submission.refresh_from_db()
    return submission


def project_approved(*, student, project) -> Submission:
    return attempt_reviewed(student=student, project=project, verdict=Verdict.APPROVED)


def attempt_waiting(*, student, project, **fields) -> Submission:
    attempt = Submission.objects.filter(student=student, project=project).count() + 1
    return SubmissionFactory(
        student=student,
        project=project,
        attempt=attempt,
        status=SubmissionStatus.SUBMITTED,
        **fields,
    )


def upload(name: str = "main.py", content: bytes = b"print('hello')\n", content_type=None):
    return SimpleUploadedFile(name, content, content_type=content_type or "text/plain")
