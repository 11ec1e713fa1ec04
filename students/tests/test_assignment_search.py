"""The "Assign a mentor" page: who may use it, whom it lists (those waiting first),
its search, kept through the pages, and the way back from the form."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from mentorship.tests.factories import AssignmentFactory, StudentFactory

PAGE = reverse("students:assignment_unassigned")


def listed(response) -> list[int]:
    return [student.pk for student in response.context["page"].object_list]


def test_it_sends_anonymous_people_to_login(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={quote(PAGE)}"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 403),
        ("other_mentor", 403),
        ("supervisor", 200),
        ("other_supervisor", 200),
        ("staff", 200),
    ],
)
def test_it_is_for_those_who_assign_mentors(as_user, client, role, status):
    as_user(role)

    assert client.get(PAGE, {"q": "a"}).status_code == status


def test_it_refuses_other_methods(as_user, client):
    as_user("staff")

    assert client.post(PAGE).status_code == 405


def test_it_lists_a_supervisor_their_team_and_those_waiting(
    as_user, client, student, other_student
):
    waiting = StudentFactory(display_name="Wanda Waiting")
    as_user("supervisor")

    response = client.get(PAGE)

    assert listed(response) == [waiting.pk, student.pk]
    assert other_student.pk not in listed(client.get(PAGE, {"q": "olga"}))


def test_it_finds_a_student_with_a_mentor_by_name(as_user, client, student, other_student):
    StudentFactory(display_name="Wanda Waiting")
    as_user("staff")

    response = client.get(PAGE, {"q": "OTHERSTUDENT"})

    assert listed(response) == [other_student.pk]
    page = response.content.decode()
    assert "Otto Othermentor" in page
    assert "Change the mentor" in page


def test_it_finds_a_student_by_a_cyrillic_name(as_user, client, mentor):
    irina = StudentFactory(display_name="Ирина Соколова")
    AssignmentFactory(student=irina, mentor=mentor)
    as_user("staff")

    assert listed(client.get(PAGE, {"q": "соколова"})) == [irina.pk]


def test_it_keeps_the_search_through_the_pages(as_user, client, mentor):
    for number in range(30):
        AssignmentFactory(student=StudentFactory(display_name=f"Petr {number:02}"), mentor=mentor)
    as_user("staff")

    first = client.get(PAGE, {"q": "petr"})
    second = client.get(PAGE, {"q": "petr", "page": 2})

    assert "?q=petr&amp;page=2" in first.content.decode()
    assert len(listed(second)) == 5


def test_it_links_each_row_to_the_form_and_back_here(as_user, client, student):
    as_user("staff")

    page = client.get(PAGE, {"q": "stas"}).content.decode()

    form = reverse("students:assignment_assign", args=[student.pk])
    assert f"{form}?next={quote(PAGE, safe='')}%3Fq%3Dstas" in page


def test_it_says_when_the_search_finds_nobody(as_user, client, student):
    as_user("staff")

    response = client.get(PAGE, {"q": "nobody-like-this"})

    assert listed(response) == []
    assert "No student you may assign matches this search." in response.content.decode()
