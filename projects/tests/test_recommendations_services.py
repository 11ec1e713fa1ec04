"""Recommendations: creating, answering, the enrolment loop and the uptake counts."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from mentorship.access import NotAllowed
from mentorship.models import Notification
from projects import services
from projects.models import Recommendation, RecommendationStatus
from projects.recommendations import (
    recommendation_answer,
    recommendation_create,
    recommendation_uptake,
)
from projects.tests.factories import ProgrammeFactory


@pytest.fixture
def programme(db):
    return ProgrammeFactory()


def test_it_creates_a_recommendation_and_tells_the_student(mentor, student, programme):
    recommendation = recommendation_create(
        mentor=mentor, student=student, programme=programme, note="Go **on**"
    )
    assert recommendation.status == RecommendationStatus.PENDING
    assert Notification.objects.filter(user=student, kind="recommendation").count() == 1


def test_it_recommends_an_external_course(mentor, student):
    recommendation = recommendation_create(
        mentor=mentor, student=student, course_title="SQL", course_url="https://sql.example"
    )
    assert str(recommendation) == "SQL"


def test_it_hides_a_student_of_another_mentor(mentor, other_student, programme):
    with pytest.raises(NotAllowed) as refused:
        recommendation_create(mentor=mentor, student=other_student, programme=programme)
    assert refused.value.hidden is True
    assert not Recommendation.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("role", ["supervisor", "staff", "student"])
def test_it_refuses_non_mentors(request, student, programme, role):
    with pytest.raises(NotAllowed) as refused:
        recommendation_create(
            mentor=request.getfixturevalue(role), student=student, programme=programme
        )
    assert refused.value.hidden is False
    assert str(refused.value) == "Only mentors recommend programmes."
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize(
    ("with_programme", "title", "url"),
    [(True, "SQL", "https://sql.example"), (False, "", ""), (False, "SQL", "")],
)
def test_it_wants_a_programme_or_a_course(mentor, student, programme, with_programme, title, url):
    with pytest.raises(ValidationError):
        recommendation_create(
            mentor=mentor,
            student=student,
            programme=programme if with_programme else None,
            course_title=title,
            course_url=url,
        )
    assert not Recommendation.objects.exists()


def test_it_checks_programme_or_course_in_the_database(mentor, student, programme):
    with pytest.raises(IntegrityError):
        Recommendation.objects.create(
            mentor=mentor, student=student, programme=programme, course_title="x", course_url="y"
        )


def test_it_lets_the_student_accept_and_tells_the_mentor(mentor, student, programme):
    recommendation = recommendation_create(mentor=mentor, student=student, programme=programme)
    recommendation_answer(recommendation=recommendation, student=student, accept=True)
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.ACCEPTED
    assert recommendation.answered_at is not None
    assert Notification.objects.filter(user=mentor, kind="recommendation").count() == 1
    recommendation_answer(recommendation=recommendation, student=student, accept=True)
    assert Notification.objects.filter(user=mentor, kind="recommendation").count() == 1


def test_it_refuses_an_answer_from_someone_else(mentor, student, other_student, programme):
    recommendation = recommendation_create(mentor=mentor, student=student, programme=programme)
    with pytest.raises(NotAllowed) as refused:
        recommendation_answer(recommendation=recommendation, student=other_student, accept=False)
    assert refused.value.hidden is True
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.PENDING


def test_it_refuses_an_answer_from_the_mentor_who_made_it(mentor, student, programme):
    recommendation = recommendation_create(mentor=mentor, student=student, programme=programme)
    with pytest.raises(NotAllowed) as refused:
        recommendation_answer(recommendation=recommendation, student=mentor, accept=True)
    assert refused.value.hidden is False
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.PENDING


def test_it_marks_the_recommendation_enrolled_on_enrolment(mentor, student, programme):
    accepted = recommendation_create(mentor=mentor, student=student, programme=programme)
    recommendation_answer(recommendation=accepted, student=student, accept=True)
    declined = recommendation_create(mentor=mentor, student=student, programme=programme)
    recommendation_answer(recommendation=declined, student=student, accept=False)
    other = recommendation_create(mentor=mentor, student=student, programme=ProgrammeFactory())
    services.enrolment_create(student=student, programme=programme)
    accepted.refresh_from_db()
    declined.refresh_from_db()
    other.refresh_from_db()
    assert accepted.status == RecommendationStatus.ENROLLED
    assert accepted.enrolled_at is not None
    assert declined.status == RecommendationStatus.DECLINED
    assert other.status == RecommendationStatus.PENDING


def test_it_refuses_to_answer_after_enrolment(mentor, student, programme):
    recommendation = recommendation_create(mentor=mentor, student=student, programme=programme)
    services.enrolment_create(student=student, programme=programme)
    with pytest.raises(ValidationError):
        recommendation_answer(recommendation=recommendation, student=student, accept=False)


def test_it_counts_uptake_per_mentor_in_one_query(
    mentor, other_mentor, student, programme, django_assert_num_queries
):
    first = recommendation_create(mentor=mentor, student=student, programme=programme)
    recommendation_create(
        mentor=mentor, student=student, course_title="A", course_url="https://a.example"
    )
    third = recommendation_create(
        mentor=mentor, student=student, course_title="B", course_url="https://b.example"
    )
    recommendation_answer(recommendation=third, student=student, accept=True)
    recommendation_answer(recommendation=first, student=student, accept=True)
    services.enrolment_create(student=student, programme=programme)
    with django_assert_num_queries(1):
        uptake = recommendation_uptake(mentor_ids=[mentor.pk, other_mentor.pk])
    assert uptake[mentor.pk] == {"made": 3, "accepted": 2, "enrolled": 1}
    assert uptake[other_mentor.pk] == {"made": 0, "accepted": 0, "enrolled": 0}
