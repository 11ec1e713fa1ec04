"""The knowledge base's part of a student's personal data (``mentorship.personal_data``):
the questions and answers they wrote, their improvement proposals, the case
discussions about them, their article votes and the searches the knowledge base
answered for them.

Erasing keeps every row (the patterns page and the deflection rate count them): what
the student wrote is emptied, their questions shown without a name, and their name
replaced where a case discussion about them mentions it."""

from mentorship.models import User
from mentorship.personal_data import (
    ERASED,
    Erasure,
    PersonalDataExport,
    personal_data_register,
)

from .models import (
    Answer,
    ArticleVote,
    CaseDiscussion,
    CaseReply,
    Deflection,
    ImprovementProposal,
    Question,
)


def knowledge_base_personal_data(student: User) -> PersonalDataExport:
    return PersonalDataExport(
        rows={
            "questions": Question.objects.filter(author=student).values(
                "id",
                "title",
                "body",
                "language",
                "visibility",
                "status",
                "created_at",
                "first_answered_at",
            ),
            "answers_written": Answer.objects.filter(author=student).values(
                "question_id", "body", "is_follow_up", "created_at"
            ),
            "answers_received": Answer.objects.filter(question__author=student)
            .exclude(author=student)
            .values("question_id", "author__display_name", "body", "created_at"),
            "improvement_proposals": ImprovementProposal.objects.filter(author=student).values(
                "subject", "title", "body", "status", "reply", "created_at", "decided_at"
            ),
            "case_discussions": CaseDiscussion.objects.filter(student=student).values(
                "id", "author__display_name", "title", "body", "created_at", "resolved_at"
            ),
            "case_replies": CaseReply.objects.filter(case__student=student).values(
                "case_id", "author__display_name", "body"
            ),
            "article_votes": ArticleVote.objects.filter(user=student).values(
                "article__title", "created_at"
            ),
            "deflections": Deflection.objects.filter(student=student).values(
                "query", "article__title", "question_id", "created_at"
            ),
        }
    )


def knowledge_base_personal_data_erase(erasure: Erasure) -> dict[str, int]:
    student = erasure.student
    return {
        "questions": Question.objects.filter(author=student).update(
            title=ERASED, body="", hide_name=True
        ),
        "answers_written": Answer.objects.filter(author=student).update(body=ERASED),
        "answers_received": erasure.scrub(
            Answer.objects.filter(question__author=student), ["body"]
        ),
        "improvement_proposals": ImprovementProposal.objects.filter(author=student).update(
            title=ERASED, body=""
        ),
        "case_discussions": erasure.scrub(
            CaseDiscussion.objects.filter(student=student), ["title", "body"]
        ),
        "case_replies": erasure.scrub(CaseReply.objects.filter(case__student=student), ["body"]),
        "deflections": Deflection.objects.filter(student=student).update(query=""),
    }


personal_data_register(
    "knowledge_base",
    export=knowledge_base_personal_data,
    erase=knowledge_base_personal_data_erase,
)
