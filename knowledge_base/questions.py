"""Students' questions and their answers: who sees a question (``questions_visible_to``),
who may answer, accept, follow up and mark a duplicate (``may_*``), and the writes.

A private question is seen by the asker, their current mentor, that mentor's supervisor
and staff; a public one also by every student enrolled in its programme and every mentor
of the programme (and their supervisors). Everything that lists, counts or searches
questions starts from ``questions_visible_to``."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from mentorship.models import MentorProfile, Role, User
from mentorship.selectors import students_visible_to
from projects.models import Enrolment, Programme

from .models import Question, QuestionVisibility


def programmes_of(user: User) -> QuerySet[Programme]:
    """The programmes a person belongs to for questions and articles: a student's
    enrolments, a mentor's programmes, a supervisor's team's; staff all."""
    programmes = Programme.objects.all()
    if not user.is_authenticated or not user.is_active:
        return programmes.none()
    if user.role == Role.STAFF:
        return programmes
    if user.role == Role.STUDENT:
        return programmes.filter(
            pk__in=Enrolment.objects.filter(student=user).values("programme_id")
        )
    if user.role == Role.MENTOR:
        mentors = MentorProfile.objects.filter(user=user)
    elif user.role == Role.SUPERVISOR:
        mentors = MentorProfile.objects.filter(supervisor=user)
    else:
        return programmes.none()
    return programmes.filter(pk__in=mentors.values("programmes"))


def questions_visible_to(user: User) -> QuerySet[Question]:
    """Questions this person may see (the module docstring says who)."""
    questions = Question.objects.all()
    if not user.is_authenticated or not user.is_active:
        return questions.none()
    if user.role == Role.STAFF:
        return questions
    public = Q(
        visibility=QuestionVisibility.PROGRAMME,
        programme_id__in=programmes_of(user).values("pk"),
    )
    if user.role == Role.STUDENT:
        return questions.filter(Q(author=user) | public)
    return questions.filter(Q(author_id__in=students_visible_to(user).values("pk")) | public)


def question_for_user(user: User, pk: int) -> Question:
    """One question for this person, with its people and project loaded; 404 to
    outsiders."""
    return get_object_or_404(
        questions_visible_to(user).select_related(
            "author", "programme", "project", "duplicate_of", "accepted_answer"
        ),
        pk=pk,
    )
