"""A factory for mentoring sessions, shared by the test_sessions_* files."""

from datetime import timedelta

import factory
from django.utils import timezone

from mentorship.tests.factories import MentorFactory, StudentFactory
from students.models import MentoringSession, SessionStatus


class MentoringSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentoringSession

    mentor = factory.SubFactory(MentorFactory)
    student = factory.SubFactory(StudentFactory)
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    duration_minutes = 45
    agenda = "Go through the portfolio project"
    status = SessionStatus.SCHEDULED


def completed(mentor, student, **kwargs):
    """A session held yesterday and logged, with a summary and private notes."""
    kwargs.setdefault("scheduled_at", timezone.now() - timedelta(days=1))
    return MentoringSessionFactory(
        mentor=mentor,
        student=student,
        status=SessionStatus.COMPLETED,
        logged_at=timezone.now(),
        summary="We reviewed the layout.",
        next_steps="Finish the contact page.",
        private_notes="SECRET-NOTE: seems discouraged, check in weekly.",
        **kwargs,
    )
