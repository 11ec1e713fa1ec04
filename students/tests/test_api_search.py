"""``/api/v1/students/?search=&mentor=``: the student list's search and mentor
filter, through the same selectors, only ever narrowing what the caller may see."""

import pytest
from django.urls import reverse

from conftest import ROLES
from mentorship.tests.factories import AssignmentFactory, StudentFactory

LIST = reverse("api:student-list")


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def russian(mentor):
    student = StudentFactory(display_name="Ирина Соколова", email="irina@example.org")
    AssignmentFactory(student=student, mentor=mentor)
    return student


@pytest.mark.parametrize("text", ["соколова", "ИРИНА", "IRINA@EXAMPLE"])
def test_it_finds_a_student_by_name_or_email(client, as_user, student, russian, text):
    as_user("staff")

    response = client.get(LIST, {"search": text})

    assert response.status_code == 200
    assert ids(response) == {russian.pk}


@pytest.mark.parametrize("role", ROLES)
def test_it_searches_only_among_the_students_one_may_see(
    client, as_user, student, other_student, role
):
    as_user(role)

    found = ids(client.get(LIST, {"search": "olga otherstudent"}))

    assert found == (
        {other_student.pk}
        if role in ("other_student", "other_mentor", "other_supervisor", "staff")
        else set()
    )


def test_it_filters_by_current_mentor(
    client, as_user, mentor, other_mentor, student, other_student
):
    as_user("staff")

    assert ids(client.get(LIST, {"mentor": mentor.pk})) == {student.pk}
    assert ids(client.get(LIST, {"mentor": other_mentor.pk})) == {other_student.pk}


def test_it_never_widens_what_a_mentor_sees(client, as_user, other_mentor, student, other_student):
    as_user("mentor")

    assert ids(client.get(LIST, {"mentor": other_mentor.pk})) == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"mentor": "abc"}, "mentor"),
        ({"mentor": "0"}, "mentor"),
        ({"search": "x" * 101}, "search"),
    ],
)
def test_it_names_a_bad_filter(client, as_user, student, params, field):
    as_user("staff")

    response = client.get(LIST, params)

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("count", [5, 60])
def test_it_searches_in_constant_queries(
    client, as_user, mentor, django_assert_max_num_queries, count
):
    for number in range(count):
        AssignmentFactory(student=StudentFactory(display_name=f"Анна {number}"), mentor=mentor)
    as_user("staff")

    # session, user, count, page, current mentors, progress (enrolments, projects,
    # submissions).
    with django_assert_max_num_queries(8):
        response = client.get(LIST, {"search": "анна", "mentor": mentor.pk})

    assert response.json()["count"] == count
