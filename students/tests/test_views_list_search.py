"""Finding a student on the student list: search by name or e-mail, the "by mentor"
filter (supervisors and staff only), both kept through pagination and sorting, and
the row's link to set the mentor (staff and supervisors), which comes back here."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship.models import Assignment
from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory
from projects.models import Enrolment
from projects.tests.factories import ProgrammeFactory

LIST = reverse("students:list")


def rows(response):
    return [student.pk for student, _progress in response.context["rows"]]


@pytest.fixture
def russian(mentor):
    student = StudentFactory(display_name="Ирина Соколова", email="irina@example.org")
    AssignmentFactory(student=student, mentor=mentor)
    return student


# --- Search ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["соколова", "ИРИНА", "irina@", "Соколова ирина"])
def test_it_finds_a_student_by_name_or_email(as_user, client, student, russian, text):
    as_user("mentor")

    response = client.get(LIST, {"q": text})

    assert rows(response) == [russian.pk]
    assert response.context["filtered"]


def test_it_searches_only_among_the_students_one_may_see(as_user, client, student, other_student):
    as_user("mentor")

    response = client.get(LIST, {"q": "olga"})

    assert rows(response) == []
    assert "No student matches these filters." in response.content.decode()


def test_it_names_a_too_long_search_beside_the_field_and_keeps_the_other_filters(
    as_user, client, student, russian
):
    as_user("mentor")

    response = client.get(LIST, {"q": "x" * 101, "sort": "activity"})

    assert response.status_code == 200
    assert response.context["form"].errors["q"]
    assert 'value="' + "x" * 101 + '"' in response.content.decode()


def test_it_keeps_the_search_and_sort_through_the_pages(as_user, client, mentor):
    for number in range(30):
        AssignmentFactory(student=StudentFactory(display_name=f"Пётр {number:02}"), mentor=mentor)
    AssignmentFactory(student=StudentFactory(display_name="Someone Else"), mentor=mentor)
    as_user("mentor")

    first = client.get(LIST, {"q": "пётр", "sort": "activity"})
    second = client.get(LIST, {"q": "пётр", "sort": "activity", "page": 2})

    assert first.context["page"].paginator.count == 30
    assert "?q=%D0%BF%D1%91%D1%82%D1%80&amp;sort=activity&amp;page=2" in first.content.decode()
    assert len(rows(second)) == 5
    assert not set(rows(first)) & set(rows(second))


# --- By mentor ------------------------------------------------------------------------


def test_it_gives_mentors_no_mentor_filter(as_user, client, student):
    as_user("mentor")

    response = client.get(LIST, {"mentor": student.pk})

    assert "mentor" not in response.context["form"].fields
    assert rows(response) == [student.pk]


def test_it_offers_a_supervisor_their_teams_mentors(
    as_user, client, mentor, other_mentor, student, other_student
):
    teammate = MentorFactory(display_name="Tanya Teammate")
    teammate.mentor_profile.supervisor = mentor.mentor_profile.supervisor
    teammate.mentor_profile.save()
    theirs = StudentFactory(display_name="Tom Teammates")
    AssignmentFactory(student=theirs, mentor=teammate)
    as_user("supervisor")

    everyone = client.get(LIST)
    filtered = client.get(LIST, {"mentor": teammate.pk})

    assert list(everyone.context["form"].fields["mentor"].queryset) == [mentor, teammate]
    assert set(rows(everyone)) == {student.pk, theirs.pk}
    assert rows(filtered) == [theirs.pk]


def test_it_refuses_another_teams_mentor_beside_the_field(
    as_user, client, other_mentor, student, other_student
):
    as_user("supervisor")

    response = client.get(LIST, {"mentor": other_mentor.pk, "q": "stas"})

    assert response.status_code == 200
    assert response.context["form"].errors["mentor"]
    assert rows(response) == [student.pk]  # the search still applies
    assert other_student.pk not in rows(response)


def test_it_offers_staff_every_mentor(as_user, client, mentor, other_mentor, other_student):
    as_user("staff")

    response = client.get(LIST, {"mentor": other_mentor.pk})

    assert set(response.context["form"].fields["mentor"].queryset) == {mentor, other_mentor}
    assert rows(response) == [other_student.pk]


def test_it_counts_only_the_current_mentor(as_user, client, mentor, other_mentor, student):
    Assignment.objects.filter(student=student).update(ended_at=timezone.now())
    AssignmentFactory(student=student, mentor=other_mentor)
    as_user("staff")

    assert rows(client.get(LIST, {"mentor": mentor.pk})) == []
    assert rows(client.get(LIST, {"mentor": other_mentor.pk})) == [student.pk]


# --- Setting the mentor from the row --------------------------------------------------


@pytest.mark.parametrize(
    ("role", "offered"), [("mentor", False), ("supervisor", True), ("staff", True)]
)
def test_it_offers_the_mentor_change_on_each_row_to_those_who_assign(
    as_user, client, student, role, offered
):
    as_user(role)

    response = client.get(LIST, {"q": "stas"})

    assert ('data-testid="row-assign"' in response.content.decode()) is offered


def test_it_links_the_row_to_the_form_and_back_to_this_search(as_user, client, student):
    as_user("staff")
    page = client.get(LIST, {"q": "stas", "sort": "activity"}).content.decode()
    link = page.split('data-testid="row-assign"')[0].rsplit('href="', 1)[1].split('"')[0]
    link = link.replace("&amp;", "&")

    url = urlsplit(link)

    assert url.path == reverse("students:assignment_assign", args=[student.pk])
    assert parse_qs(url.query)["next"] == [f"{LIST}?q=stas&sort=activity"]


def test_it_returns_to_the_list_with_its_search_after_assigning(
    as_user, client, student, other_mentor
):
    as_user("staff")
    back = f"{LIST}?q=stas&sort=activity"
    url = reverse("students:assignment_assign", args=[student.pk])

    form = client.get(url, {"next": back})
    response = client.post(
        f"{url}?next={back.replace('?', '%3F').replace('&', '%26')}",
        {"mentor": other_mentor.pk, "reason": "Closer time zone"},
    )

    assert 'data-testid="assignment-back"' in form.content.decode()
    assert response.status_code == 302
    assert response.url == back
    assert Assignment.objects.current().get(student=student).mentor == other_mentor


def test_it_never_returns_to_another_site(as_user, client, student, other_mentor):
    as_user("staff")
    url = reverse("students:assignment_assign", args=[student.pk])

    response = client.post(
        f"{url}?next=https://evil.example/", {"mentor": other_mentor.pk, "reason": "x"}
    )

    assert response.url == reverse("students:file", args=[student.pk])


# --- Queries --------------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 200])
def test_it_searches_and_filters_in_constant_queries(
    as_user, client, mentor, other_mentor, django_assert_max_num_queries, count
):
    programme = ProgrammeFactory()
    students = [StudentFactory(display_name=f"Анна {number}") for number in range(count)]
    today = timezone.localdate()
    for index, student in enumerate(students):
        AssignmentFactory(student=student, mentor=mentor if index % 2 else other_mentor)
    Enrolment.objects.bulk_create(
        Enrolment(
            student=student,
            programme=programme,
            started_on=today - timedelta(days=30),
            target_end_on=today + timedelta(days=30),
        )
        for student in students
    )
    as_user("staff")

    # 1 session, 2 user, 3 the mentor chosen (the filter's validation), 4 count, 5 page
    # of students (search, mentor and everything a row shows), 6-8 progress
    # (enrolments, projects, submissions), 9 unread notifications and 10 questions
    # waiting for an answer (navbar), 11 mentor choices, 12 programme choices.
    with django_assert_max_num_queries(12):
        response = client.get(LIST, {"q": "анна", "mentor": mentor.pk, "sort": "flag"})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == count // 2
