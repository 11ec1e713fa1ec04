"""Questions the knowledge base answered before a human had to ("deflections"): while
typing a question, a student opened a suggested article or answered public question
and said it solved the problem."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mentorship.access import NotAllowed
from mentorship.models import Role, User

from .articles import articles_visible_to
from .models import Article, ArticleStatus, Deflection, Question, QuestionStatus
from .questions import programmes_of, questions_visible_to

# A question that solves someone else's problem has an answer.
ANSWERED = (QuestionStatus.ANSWERED, QuestionStatus.ACCEPTED)


def may_say_solved(
    user: User, *, article: Article | None = None, question: Question | None = None
) -> bool:
    """Whether "did this solve your problem?" is offered to this reader of a page they
    may see: to a student, on a published article or on another student's answered
    public question."""
    if user.role != Role.STUDENT:
        return False
    if article is not None:
        return article.status == ArticleStatus.PUBLISHED
    return question.author_id != user.pk and _solves_others(question)


def _solves_others(question: Question) -> bool:
    return question.is_public and question.status in ANSWERED


def deflection_record(
    *,
    student: User,
    query: str = "",
    article: Article | None = None,
    question: Question | None = None,
) -> Deflection:
    """A student, about to ask, found the answer in a suggested article or answered
    public question and said it solved the problem: counted once per student and item."""
    if student.role != Role.STUDENT:
        raise NotAllowed(_("Only students ask questions."))
    if (article is None) == (question is None):
        raise ValidationError(_("Say which article or question solved it."))
    if article is not None:
        readable = articles_visible_to(student).filter(status=ArticleStatus.PUBLISHED)
        if not readable.filter(pk=article.pk).exists():
            raise NotAllowed(_("This article is not available."), hidden=True)
        programme = programmes_of(student).filter(articles=article).first()
    else:
        if not questions_visible_to(student).filter(pk=question.pk).exists():
            raise NotAllowed(_("This question is not available."), hidden=True)
        if not _solves_others(question):
            raise ValidationError(_("Only an answered question of your programme can solve it."))
        programme = question.programme
    programme = programme or programmes_of(student).first()
    existing = Deflection.objects.filter(student=student, article=article, question=question)
    if found := existing.first():
        return found
    try:
        with transaction.atomic():
            return Deflection.objects.create(
                student=student,
                programme=programme,
                query=(query or "")[:200],
                article=article,
                question=question,
            )
    except IntegrityError:  # the same click twice, at once
        return existing.get()
