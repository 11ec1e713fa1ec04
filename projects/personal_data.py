"""The projects app's part of a student's personal data (``mentorship.personal_data``):
their enrolments, attempts and uploads, the reviews they received, their difficulty
ratings and the recommendations made to them.

Erasing keeps every enrolment, attempt, review and rating (the scorecards, the review
queue's history and the programme analytics count them), with what the student wrote
emptied, their uploads deleted from storage once the erasure commits, and their name
replaced where a reviewer's or mentor's text mentions them."""

from django.db import transaction

from mentorship.models import User
from mentorship.personal_data import Erasure, PersonalDataExport, personal_data_register
from mentorship.translated import translated

from .models import (
    CriterionVerdict,
    DifficultyRating,
    Enrolment,
    Recommendation,
    Review,
    ReviewDraft,
    Submission,
    SubmissionFile,
)


def _zip_path(upload: SubmissionFile) -> str:
    """Where an upload goes in the export: by attempt, under the name it was sent
    with (its id first, so two files of the same name do not collide)."""
    name = upload.original_name.replace("/", "_").replace("\\", "_") or "file"
    return f"submissions/{upload.submission_id}/{upload.pk}-{name}"


def projects_personal_data(student: User) -> PersonalDataExport:
    files = list(SubmissionFile.objects.filter(submission__student=student).order_by("pk"))
    return PersonalDataExport(
        rows={
            "enrolments": Enrolment.objects.filter(student=student),
            "submissions": Submission.objects.filter(student=student).values(
                "id",
                "attempt",
                "comment",
                "link",
                "status",
                "submitted_at",
                "reviewed_at",
                project_title=translated("project__title"),
            ),
            "submission_files": [
                {
                    "submission": each.submission_id,
                    "original_name": each.original_name,
                    "size": each.size,
                    "content_type": each.content_type,
                    "in_zip": f"files/{_zip_path(each)}",
                }
                for each in files
            ],
            "reviews": Review.objects.filter(submission__student=student).values(
                "submission_id", "reviewer__display_name", "verdict", "feedback", "created_at"
            ),
            "criterion_verdicts": CriterionVerdict.objects.filter(
                review__submission__student=student
            ).values(
                "review__submission_id",
                "met",
                "comment",
                criterion_title=translated("criterion__title"),
            ),
            "difficulty_ratings": DifficultyRating.objects.filter(
                submission__student=student
            ).values("submission_id", "rating", "comment", "created_at"),
            "recommendations": Recommendation.objects.filter(student=student).values(
                "mentor__display_name",
                "course_title",
                "course_url",
                "note",
                "status",
                "created_at",
                "answered_at",
                "enrolled_at",
                programme_title=translated("programme__title"),
            ),
        },
        files=[(_zip_path(each), each.file) for each in files],
    )


def projects_personal_data_erase(erasure: Erasure) -> dict[str, int]:
    student = erasure.student
    uploads = SubmissionFile.objects.filter(submission__student=student)
    stored = [(each.file.storage, each.file.name) for each in uploads if each.file]

    def delete_stored() -> None:
        # After commit: an erasure rolled back keeps the student's files.
        for storage, name in stored:
            storage.delete(name)

    transaction.on_commit(delete_stored)
    return {
        "files": uploads.delete()[0],
        "submissions": Submission.objects.filter(student=student).update(comment="", link=""),
        "difficulty_ratings": DifficultyRating.objects.filter(submission__student=student).update(
            comment=""
        ),
        "reviews": erasure.scrub(Review.objects.filter(submission__student=student), ["feedback"]),
        # A draft is a reviewer's unsent text about the attempt: nothing counts it.
        "review_drafts": ReviewDraft.objects.filter(submission__student=student).delete()[0],
        "criterion_verdicts": erasure.scrub(
            CriterionVerdict.objects.filter(review__submission__student=student), ["comment"]
        ),
        "recommendations": erasure.scrub(Recommendation.objects.filter(student=student), ["note"]),
    }


personal_data_register(
    "projects", export=projects_personal_data, erase=projects_personal_data_erase
)
