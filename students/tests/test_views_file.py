"""The student's file: access per role, private notes, timeline, query count."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship.models import Assignment
from mentorship.tests.factories import AssignmentFactory, MentorFactory
from projects.models import Review, Submission, Verdict
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReviewFactory,
    SubmissionFactory,
)
from students.models import MentorNote

SECRET = "Struggles at home; be gentle about deadlines."


def file_url(student):
    return reverse("students:file", args=[student.pk])


def note_url(student):
    return reverse("students:note_create", args=[student.pk])


@pytest.fixture
def note(student, mentor):
    return MentorNote.objects.create(student=student, author=mentor, body=SECRET)


def kinds(response):
    return [item.kind for item in response.context["items"]]


# --- Access ---------------------------------------------------------------------------


def test_it_sends_anonymous_people_to_login(client, student):
    url = file_url(student)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={quote(url)}"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 200),
        ("other_student", 404),
        ("mentor", 200),
        ("other_mentor", 404),
        ("supervisor", 200),
        ("other_supervisor", 404),
        ("staff", 200),
    ],
)
def test_it_shows_the_file_only_to_those_who_may_see_the_student(
    as_user, client, student, role, status
):
    as_user(role)

    assert client.get(file_url(student)).status_code == status


def test_it_answers_404_for_a_missing_student(as_user, client):
    as_user("staff")

    assert client.get(reverse("students:file", args=[999999])).status_code == 404


def test_it_answers_404_for_a_non_student(as_user, client, mentor):
    as_user("staff")

    assert client.get(file_url(mentor)).status_code == 404


def test_it_hides_the_file_from_a_former_mentor(as_user, client, student, mentor):
    Assignment.objects.filter(student=student).update(ended_at=timezone.now())
    as_user("mentor")

    assert client.get(file_url(student)).status_code == 404


def test_it_refuses_post_on_the_file(as_user, client, student):
    as_user("mentor")

    assert client.post(file_url(student)).status_code == 405


def test_it_refuses_get_on_note_creation(as_user, client, student):
    as_user("mentor")

    assert client.get(note_url(student)).status_code == 405


# --- Private notes never reach the student -------------------------------------------


def test_it_never_shows_private_notes_to_the_student(as_user, client, student, note):
    as_user("student")

    response = client.get(file_url(student))

    content = response.content.decode()
    assert SECRET not in content
    assert "note" not in kinds(response)
    assert response.context["note_form"] is None
    assert 'data-testid="note-form"' not in content


def test_it_ignores_a_student_asking_for_notes_in_the_timeline(as_user, client, student, note):
    as_user("student")

    response = client.get(file_url(student), {"kind": "note"})

    assert SECRET not in response.content.decode()
    assert response.context["items"] == []


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_shows_private_notes_to_those_who_look_after_the_student(
    as_user, client, student, note, role
):
    as_user(role)

    response = client.get(file_url(student))

    assert SECRET in response.content.decode()
    assert kinds(response) == ["note"]
    assert 'data-testid="note-form"' in response.content.decode()


# --- Writing a note -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_saves_a_private_note(as_user, client, student, role):
    author = as_user(role)

    response = client.post(note_url(student), {"body": "Asked for *more* examples."})

    assert response.status_code == 302
    assert response.url == file_url(student)
    note = MentorNote.objects.get()
    assert (note.student, note.author, note.body) == (
        student,
        author,
        "Asked for *more* examples.",
    )
    page = client.get(file_url(student)).content.decode()
    assert "<em>more</em>" in page


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("other_mentor", 404),
        ("other_supervisor", 404),
    ],
)
def test_it_refuses_notes_from_outsiders(as_user, client, student, role, status):
    as_user(role)

    response = client.post(note_url(student), {"body": "Sneaky"})

    assert response.status_code == status
    assert not MentorNote.objects.exists()


def test_it_refuses_anonymous_notes(client, student):
    response = client.post(note_url(student), {"body": "Sneaky"})

    assert response.status_code == 302
    assert not MentorNote.objects.exists()


def test_it_shows_errors_for_an_empty_note(as_user, client, student):
    as_user("mentor")

    response = client.post(note_url(student), {"body": "   "})

    assert response.status_code == 400
    assert response.context["note_form"].errors["body"]
    assert not MentorNote.objects.exists()


# --- Profile, enrolments, mentors -----------------------------------------------------


def test_it_shows_profile_enrolment_and_mentor_history(as_user, client, student, mentor):
    old_mentor = MentorFactory(display_name="Former Mentor")
    AssignmentFactory(
        student=student,
        mentor=old_mentor,
        started_at=timezone.now() - timedelta(days=100),
        ended_at=timezone.now() - timedelta(days=50),
        reason="Moved to another time zone",
    )
    student.time_zone = "Europe/Moscow"
    student.save()
    programme = ProgrammeFactory(title="Data analyst")
    ProjectFactory(programme=programme, position=1, criteria=0)
    EnrolmentFactory(student=student, programme=programme)
    as_user("supervisor")

    response = client.get(file_url(student))

    content = response.content.decode()
    for text in (
        "Become a web developer",
        "Europe/Moscow",
        "Data analyst",
        "Former Mentor",
        "Moved to another time zone",
        str(mentor),
    ):
        assert text in content
    assert [item.enrolment.programme for item in response.context["progress"]] == [programme]


# --- Timeline -------------------------------------------------------------------------


@pytest.fixture
def history(student, mentor):
    """A submission three days ago reviewed two days ago, a note a day ago, and a
    waiting submission now."""
    now = timezone.now()
    first = SubmissionFactory(student=student, submitted_at=now - timedelta(days=3))
    review = ReviewFactory(
        submission=first,
        reviewer=mentor,
        verdict=Verdict.CHANGES_REQUESTED,
        created_at=now - timedelta(days=2),
    )
    note = MentorNote.objects.create(
        student=student, author=mentor, body=SECRET, created_at=now - timedelta(days=1)
    )
    second = SubmissionFactory(student=student, project=first.project, attempt=2, submitted_at=now)
    return second, note, review, first


def test_it_shows_the_timeline_newest_first(as_user, client, history):
    as_user("mentor")

    response = client.get(file_url(history[0].student))

    assert [item.object for item in response.context["items"]] == list(history)


def test_it_shows_the_student_their_timeline_without_notes(as_user, client, history):
    second, _note, review, first = history
    as_user("student")

    response = client.get(file_url(second.student))

    assert [item.object for item in response.context["items"]] == [second, review, first]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("submission", [0, 3]), ("review", [2]), ("note", [1]), ("", [0, 1, 2, 3])],
)
def test_it_filters_the_timeline_by_kind(as_user, client, history, kind, expected):
    as_user("mentor")

    response = client.get(file_url(history[0].student), {"kind": kind})

    assert [item.object for item in response.context["items"]] == [
        history[index] for index in expected
    ]


def test_it_keeps_other_students_out_of_the_timeline(as_user, client, student, other_student):
    SubmissionFactory(student=other_student)
    MentorNote.objects.create(student=other_student, author=other_student, body="Other")
    as_user("staff")

    response = client.get(file_url(student))

    assert response.context["items"] == []


def test_it_paginates_the_timeline_and_keeps_the_filter(as_user, client, student):
    project = ProjectFactory(criteria=0)
    now = timezone.now()
    Submission.objects.bulk_create(
        Submission(
            student=student,
            project=project,
            attempt=number,
            status="changes_requested",
            submitted_at=now - timedelta(hours=number),
        )
        for number in range(1, 26)
    )
    as_user("mentor")

    first = client.get(file_url(student), {"kind": "submission"})
    second = client.get(file_url(student), {"kind": "submission", "page": 2})

    assert len(first.context["items"]) == 20
    assert len(second.context["items"]) == 5
    assert "?kind=submission&amp;page=2" in first.content.decode()


@pytest.mark.parametrize("count", [10, 200])
def test_it_keeps_the_number_of_queries_constant(
    as_user, client, student, mentor, django_assert_max_num_queries, count
):
    programme = ProgrammeFactory()
    projects = ProjectFactory.create_batch(3, programme=programme, criteria=0)
    EnrolmentFactory(student=student, programme=programme)
    now = timezone.now()
    third = count // 3
    Submission.objects.bulk_create(
        Submission(
            student=student,
            project=projects[0],
            attempt=number,
            status="changes_requested",
            submitted_at=now - timedelta(hours=number),
        )
        for number in range(1, third + 1)
    )
    Review.objects.bulk_create(
        Review(
            submission=submission,
            reviewer=mentor,
            verdict=Verdict.CHANGES_REQUESTED,
            feedback="Again.",
            created_at=submission.submitted_at + timedelta(minutes=30),
        )
        for submission in Submission.objects.filter(student=student)
    )
    MentorNote.objects.bulk_create(
        MentorNote(
            student=student, author=mentor, body="Note", created_at=now - timedelta(minutes=n)
        )
        for n in range(count - 2 * third)
    )
    as_user("mentor")

    # 1 session, 2 user, 3 student with profile, 4-6 progress (enrolments, projects,
    # submissions), 7 mentor history, 8 timeline count, 9 timeline page (one UNION),
    # 10-12 the page's submissions, reviews and notes, 13 unread notifications.
    with django_assert_max_num_queries(13):
        response = client.get(file_url(student))

    assert response.status_code == 200
    assert len(response.context["items"]) == min(count, 20)
