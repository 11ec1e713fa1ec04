"""Recommendation pages: who sees what, who may write, methods and query counts."""

import pytest
from django.urls import reverse

from projects.models import Recommendation, RecommendationStatus
from projects.recommendations import recommendation_create
from projects.tests.factories import ProgrammeFactory

DETAIL_STATUS = [
    ("student", 200),
    ("other_student", 404),
    ("mentor", 200),
    ("other_mentor", 404),
    ("supervisor", 200),
    ("other_supervisor", 404),
    ("staff", 200),
]
ROLES = [role for role, _status in DETAIL_STATUS]


@pytest.fixture
def programme(db):
    return ProgrammeFactory(title="Data analyst")


@pytest.fixture
def recommendation(mentor, student, programme):
    return recommendation_create(
        mentor=mentor, student=student, programme=programme, note="Worth it"
    )


@pytest.mark.parametrize(("role", "status"), DETAIL_STATUS)
def test_it_shows_a_recommendation_to_whoever_may_see_it(
    client, as_user, recommendation, role, status
):
    as_user(role)
    response = client.get(reverse("projects:recommendation", args=[recommendation.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), DETAIL_STATUS)
def test_it_lists_only_recommendations_one_may_see(client, as_user, recommendation, role, status):
    as_user(role)
    response = client.get(reverse("projects:recommendations"))
    assert response.status_code == 200
    assert (b"Data analyst" in response.content) is (status == 200)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_mentors_open_the_form(client, as_user, role):
    as_user(role)
    response = client.get(reverse("projects:recommendation_create"))
    assert response.status_code == (200 if role in ("mentor", "other_mentor") else 403)


def test_it_creates_a_recommendation_from_the_form(client, as_user, student, programme):
    as_user("mentor")
    response = client.post(
        reverse("projects:recommendation_create"),
        {"student": student.pk, "programme": programme.pk, "note": "Try it"},
    )
    recommendation = Recommendation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("projects:recommendation", args=[recommendation.pk])
    assert recommendation.student == student


def test_it_refuses_another_mentors_student_in_the_form(client, as_user, other_student, programme):
    as_user("mentor")
    response = client.post(
        reverse("projects:recommendation_create"),
        {"student": other_student.pk, "programme": programme.pk},
    )
    assert response.status_code == 400
    assert not Recommendation.objects.exists()


def test_it_refuses_both_a_programme_and_a_course(client, as_user, student, programme):
    as_user("mentor")
    response = client.post(
        reverse("projects:recommendation_create"),
        {
            "student": student.pk,
            "programme": programme.pk,
            "course_title": "SQL",
            "course_url": "https://sql.example",
        },
    )
    assert response.status_code == 400
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize(("role", "status"), DETAIL_STATUS)
def test_it_lets_only_the_student_answer(client, as_user, recommendation, role, status):
    as_user(role)
    response = client.post(
        reverse("projects:recommendation_answer", args=[recommendation.pk]),
        {"answer": "accept"},
    )
    recommendation.refresh_from_db()
    if role == "student":
        assert response.status_code == 302
        assert recommendation.status == RecommendationStatus.ACCEPTED
    else:
        assert response.status_code == (404 if role == "other_student" else 403)
        assert recommendation.status == RecommendationStatus.PENDING
        assert recommendation.answered_at is None


def test_it_shows_the_student_accept_and_decline(client, as_user, recommendation):
    as_user("student")
    response = client.get(reverse("projects:recommendation", args=[recommendation.pk]))
    assert b'value="decline"' in response.content
    client.post(
        reverse("projects:recommendation_answer", args=[recommendation.pk]),
        {"answer": "decline"},
    )
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.DECLINED


def test_it_ignores_an_unknown_answer(client, as_user, recommendation):
    as_user("student")
    client.post(
        reverse("projects:recommendation_answer", args=[recommendation.pk]), {"answer": "maybe"}
    )
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.PENDING


@pytest.mark.parametrize(
    ("url_name", "method", "needs_pk"),
    [
        ("recommendations", "post", False),
        ("recommendation", "post", True),
        ("recommendation_answer", "get", True),
        ("recommendation_create", "put", False),
    ],
)
def test_it_refuses_wrong_methods(client, as_user, recommendation, url_name, method, needs_pk):
    as_user("student" if url_name == "recommendation_answer" else "mentor")
    url = reverse(f"projects:{url_name}", args=[recommendation.pk] if needs_pk else [])
    assert getattr(client, method)(url).status_code == 405


@pytest.mark.parametrize(
    ("url_name", "needs_pk"),
    [
        ("recommendations", False),
        ("recommendation", True),
        ("recommendation_create", False),
        ("recommendation_answer", True),
    ],
)
def test_it_sends_anonymous_people_to_login(client, recommendation, url_name, needs_pk):
    url = reverse(f"projects:{url_name}", args=[recommendation.pk] if needs_pk else [])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["student", "mentor", "supervisor", "staff"])
def test_it_lists_in_constant_queries(
    client, as_user, mentor, student, role, django_assert_max_num_queries
):
    as_user(role)
    url = reverse("projects:recommendations")
    for size in (10, 200):
        existing = Recommendation.objects.count()
        for index in range(existing, size):
            recommendation_create(
                mentor=mentor,
                student=student,
                programme=ProgrammeFactory() if index % 3 else None,
                course_title="" if index % 3 else f"Course {index}",
                course_url="" if index % 3 else "https://course.example",
            )
        with django_assert_max_num_queries(12):
            response = client.get(url)
        assert response.status_code == 200


@pytest.mark.parametrize("role", ["student", "mentor", "staff"])
def test_it_links_recommendations_from_home(client, as_user, role):
    as_user(role)
    response = client.get(reverse("metrics:home"))
    assert reverse("projects:recommendations").encode() in response.content
