"""The availability and booking pages, the call link form, and the session pages as a
student reads them: who may use each, what they show, what bad input does."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from students.availability import booking_options
from students.models import AvailabilityBlock, AvailabilitySlot, MentoringSession, SessionStatus
from students.tests.helpers_availability import MONDAY, TUESDAY, WEDNESDAY, blocked, weekly_slot
from students.tests.helpers_sessions import MentoringSessionFactory, completed

AVAILABILITY = reverse("students:session_availability")
SLOT_ADD = reverse("students:session_availability_slot_add")
BLOCK_ADD = reverse("students:session_availability_block_add")
BOOK = reverse("students:session_book")
LIST = reverse("students:session_list")

MENTORS_ONLY = {role: (200 if role.endswith("mentor") else 403) for role in ROLES}
STUDENTS_ONLY = {role: (200 if role.endswith("student") else 403) for role in ROLES}


def slot_remove_url(slot):
    return reverse("students:session_availability_slot_remove", args=[slot.pk])


def block_remove_url(block):
    return reverse("students:session_availability_block_remove", args=[block.pk])


def call_url_url(session):
    return reverse("students:session_call_url", args=[session.pk])


@pytest.fixture
def slot(mentor):
    return weekly_slot(mentor, MONDAY, 18)


def _first_free(student):
    return booking_options(student=student, weeks=2).slots[0]


# --- Who may use each page ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        AVAILABILITY,
        BOOK,
        "/sessions/availability/slots/1/remove/",
        "/sessions/availability/blocks/1/remove/",
        "/sessions/1/call-link/",
    ],
)
def test_it_sends_anonymous_people_to_login(client, url):
    response = client.post(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_the_availability_page_to_mentors_only_each_their_own(
    as_user, client, slot, role
):
    as_user(role)

    response = client.get(AVAILABILITY)

    assert response.status_code == MENTORS_ONLY[role]
    if response.status_code == 200:
        listed = list(response.context["slots"])
        assert listed == ([slot] if role == "mentor" else [])


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_mentors_add_slots_and_blocks(as_user, client, role):
    user = as_user(role)
    today = timezone.localdate()

    slot = client.post(SLOT_ADD, {"weekday": "2", "start_time": "18:00", "duration_minutes": "45"})
    block = client.post(BLOCK_ADD, {"starts_on": today, "ends_on": today})

    if MENTORS_ONLY[role] == 200:
        assert (slot.status_code, block.status_code) == (302, 302)
        assert AvailabilitySlot.objects.filter(mentor=user).count() == 1
        assert AvailabilityBlock.objects.filter(mentor=user).count() == 1
    else:
        assert (slot.status_code, block.status_code) == (403, 403)
        assert not AvailabilitySlot.objects.exists()
        assert not AvailabilityBlock.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 302),
        ("other_mentor", 404),
        ("supervisor", 403),
        ("other_supervisor", 403),
        ("staff", 403),
    ],
)
def test_it_lets_only_the_mentor_remove_their_slot_and_dates(
    as_user, client, mentor, slot, role, status
):
    block = blocked(mentor, timezone.localdate() + timedelta(days=3))
    as_user(role)

    responses = [client.post(slot_remove_url(slot)), client.post(block_remove_url(block))]

    assert [response.status_code for response in responses] == [status, status]
    assert AvailabilitySlot.objects.filter(pk=slot.pk).exists() is (status != 302)
    assert AvailabilityBlock.objects.filter(pk=block.pk).exists() is (status != 302)


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_the_booking_page_to_students_only_with_their_own_mentors_times(
    as_user, client, slot, other_mentor, role
):
    weekly_slot(other_mentor, TUESDAY, 9)
    as_user(role)

    response = client.get(BOOK)

    assert response.status_code == STUDENTS_ONLY[role]
    if response.status_code == 200:
        expected = "Maria Mentor" if role == "student" else "Otto Othermentor"
        assert str(response.context["mentor"]) == expected
        weekdays = {
            local.weekday()
            for _day, day_slots in response.context["days"]
            for _slot, local in day_slots
        }
        assert weekdays == ({MONDAY} if role == "student" else {TUESDAY})


@pytest.mark.parametrize(
    ("role", "status", "booked"),
    [
        ("student", 302, True),
        ("other_student", 400, False),  # not a time of their mentor's
        ("mentor", 403, False),
        ("other_mentor", 403, False),
        ("supervisor", 403, False),
        ("other_supervisor", 403, False),
        ("staff", 403, False),
    ],
)
def test_it_lets_only_the_mentors_students_book_the_mentors_time(
    as_user, client, student, slot, role, status, booked
):
    free = _first_free(student)
    as_user(role)

    response = client.post(BOOK, {"scheduled_at": free.key, "agenda": "Portfolio"})

    assert response.status_code == status
    assert MentoringSession.objects.exists() is booked
    if booked:
        session = MentoringSession.objects.get()
        assert response.url == reverse("students:session_detail", args=[session.pk])
        assert (session.student, session.scheduled_at) == (student, free.starts_at)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 302),
        ("other_mentor", 404),
        ("supervisor", 403),
        ("other_supervisor", 403),
        ("staff", 403),
    ],
)
def test_it_lets_only_the_sessions_mentor_set_its_call_link(
    as_user, client, mentor, student, role, status
):
    session = MentoringSessionFactory(mentor=mentor, student=student)
    as_user(role)

    response = client.post(call_url_url(session), {"call_url": "https://meet.example.test/r"})

    assert response.status_code == status
    session.refresh_from_db()
    assert session.call_url == ("https://meet.example.test/r" if status == 302 else "")


@pytest.mark.parametrize(
    ("method", "url", "role"),
    [
        ("get", SLOT_ADD, "mentor"),
        ("get", BLOCK_ADD, "mentor"),
        ("get", "slot_remove", "mentor"),
        ("post", AVAILABILITY, "mentor"),
        ("put", BOOK, "student"),
        ("get", "call_url", "mentor"),
    ],
)
def test_it_refuses_other_methods(as_user, client, mentor, student, slot, method, url, role):
    session = MentoringSessionFactory(mentor=mentor, student=student)
    url = {"slot_remove": slot_remove_url(slot), "call_url": call_url_url(session)}.get(url, url)
    as_user(role)

    assert getattr(client, method)(url).status_code == 405


# --- The mentor's page ----------------------------------------------------------------


def test_it_keeps_what_the_mentor_typed_beside_the_error(as_user, client, mentor, slot):
    as_user("mentor")

    response = client.post(
        SLOT_ADD, {"weekday": str(MONDAY), "start_time": "18:30", "duration_minutes": "60"}
    )

    assert response.status_code == 400
    form = response.context["slot_form"]
    assert "start_time" in form.errors
    assert "overlaps your slot" in form.errors["start_time"][0]
    assert 'value="18:30"' in response.content.decode()
    assert AvailabilitySlot.objects.count() == 1


def test_it_names_bad_dates_beside_the_field(as_user, client, mentor):
    as_user("mentor")
    today = timezone.localdate()

    response = client.post(
        BLOCK_ADD, {"starts_on": today + timedelta(days=5), "ends_on": today, "note": "Trip"}
    )

    assert response.status_code == 400
    assert "ends_on" in response.context["block_form"].errors
    assert 'value="Trip"' in response.content.decode()


def test_it_shows_the_mentor_what_their_students_can_book(as_user, client, mentor, student):
    weekly_slot(mentor, WEDNESDAY, 18)
    mentor.mentor_profile.call_url = "https://meet.example.test/maria"
    mentor.mentor_profile.save()
    as_user("mentor")

    response = client.get(AVAILABILITY)

    assert response.status_code == 200
    assert len(response.context["upcoming_by_day"]) == 4
    assert "https://meet.example.test/maria" in response.content.decode()


@pytest.mark.parametrize("size", [2, 30])
def test_it_shows_the_availability_page_in_constant_queries(
    as_user, client, mentor, student, size, django_assert_max_num_queries
):
    for index in range(size):
        weekly_slot(mentor, index % 7, 6 + index // 7 * 3)
        blocked(mentor, timezone.localdate() + timedelta(days=30 + index))
    _book_some(mentor, student, size)
    as_user("mentor")

    # 1 session, 2 user, 3 the free times' slots, 4 their blocked dates, 5 the live
    # sessions, 6 the listed slots, 7 the listed blocked dates, 8 the default call
    # link, 9 unread notifications (navbar), 10 the navbar's questions waiting.
    with django_assert_max_num_queries(10):
        response = client.get(AVAILABILITY)

    assert response.status_code == 200


# --- The student's booking page -------------------------------------------------------


def _book_some(mentor, student, count):
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    MentoringSession.objects.bulk_create(
        MentoringSession(
            mentor=mentor, student=student, scheduled_at=start + timedelta(hours=5 * index)
        )
        for index in range(count)
    )


@pytest.mark.parametrize("size", [2, 30])
def test_it_shows_the_free_times_in_constant_queries(
    as_user, client, mentor, student, size, django_assert_max_num_queries
):
    for index in range(size):
        weekly_slot(mentor, index % 7, 6 + index // 7 * 3)
        blocked(mentor, timezone.localdate() + timedelta(days=30 + index))
    _book_some(mentor, student, size)
    as_user("student")

    # 1 session, 2 user, 3 the current mentor, 4 their slots, 5 their blocked dates,
    # 6 their live sessions, 7 unread notifications (navbar).
    with django_assert_max_num_queries(7):
        response = client.get(BOOK, {"weeks": "8"})

    assert response.status_code == 200
    assert response.context["days"]


def test_it_books_from_the_page_and_shows_the_time_in_the_students_zone(
    as_user, client, mentor, student
):
    mentor.time_zone = "Europe/Moscow"
    mentor.save()
    student.time_zone = "America/New_York"
    student.save()
    weekly_slot(mentor, MONDAY, 18)
    free = _first_free(student)
    as_user("student")

    page = client.get(BOOK)
    response = client.post(BOOK, {"scheduled_at": free.key, "agenda": "My CV"}, follow=True)

    local = free.starts_at.astimezone(student.zone)
    assert f'value="{free.key}"' in page.content.decode()
    assert page.context["days"][0][1][0][1] == local
    session = MentoringSession.objects.get()
    assert session.agenda == "My CV"
    assert response.redirect_chain[-1][0] == reverse("students:session_detail", args=[session.pk])
    assert "The session is booked" in response.content.decode()


def test_it_says_a_time_taken_meanwhile_and_keeps_the_agenda(as_user, client, mentor, student):
    weekly_slot(mentor, MONDAY, 18)
    free = _first_free(student)
    rival = StudentFactory()
    AssignmentFactory(student=rival, mentor=mentor)
    MentoringSessionFactory(mentor=mentor, student=rival, scheduled_at=free.starts_at)
    as_user("student")

    response = client.post(BOOK, {"scheduled_at": free.key, "agenda": "Keep me"})

    assert response.status_code == 400
    assert response.context["form"].errors["scheduled_at"] == [
        "This time is no longer free; choose another."
    ]
    assert "Keep me" in response.content.decode()
    assert MentoringSession.objects.filter(student=student).count() == 0


def test_it_asks_for_a_time_when_none_is_chosen(as_user, client, mentor, student, slot):
    as_user("student")

    response = client.post(BOOK, {"agenda": "Something"})

    assert response.status_code == 400
    assert response.context["form"].errors["scheduled_at"] == ["Choose a time."]


@pytest.mark.parametrize("weeks", ["0", "99", "abc", "-1", ""])
def test_it_falls_back_to_four_weeks_on_an_odd_weeks(as_user, client, slot, weeks):
    as_user("student")

    response = client.get(BOOK, {"weeks": weeks})

    assert response.status_code == 200
    assert response.context["weeks"] == 4


def test_it_tells_a_student_without_a_mentor_so(db, client):
    loner = StudentFactory()
    client.force_login(loner)

    response = client.get(BOOK)

    assert response.status_code == 200
    assert "You have no mentor yet" in response.content.decode()


# --- The session pages as the student reads them --------------------------------------


def test_it_shows_the_student_their_own_status_words_on_the_list(as_user, client, mentor, student):
    MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() - timedelta(hours=1)
    )
    completed(mentor, student)
    MentoringSessionFactory(
        mentor=mentor,
        student=student,
        scheduled_at=timezone.now() - timedelta(days=3),
        status=SessionStatus.STUDENT_NO_SHOW,
    )

    as_user("student")
    as_student = client.get(LIST).content.decode()
    as_user("mentor")
    as_mentor = client.get(LIST).content.decode()

    assert "To log" not in as_student
    assert all(word in as_student for word in ("Scheduled", "Held", "Missed"))
    assert 'data-testid="session-book"' in as_student
    assert "To log" in as_mentor
    assert 'data-testid="session-availability"' in as_mentor


def test_it_shows_the_student_the_call_link_and_the_late_notice(as_user, client, mentor, student):
    session = MentoringSessionFactory(
        mentor=mentor,
        student=student,
        scheduled_at=timezone.now() + timedelta(hours=3),
        call_url="https://meet.example.test/maria",
    )
    as_user("student")

    content = client.get(reverse("students:session_detail", args=[session.pk])).content.decode()

    assert 'href="https://meet.example.test/maria"' in content
    assert 'data-testid="session-late-notice"' in content
    assert 'data-testid="session-call-url-form"' not in content


def test_it_shows_the_mentor_the_call_link_form_only_while_scheduled(
    as_user, client, mentor, student
):
    scheduled = MentoringSessionFactory(mentor=mentor, student=student)
    held = completed(mentor, student)
    as_user("mentor")

    def page(session):
        return client.get(reverse("students:session_detail", args=[session.pk])).content.decode()

    assert 'data-testid="session-call-url-form"' in page(scheduled)
    assert 'data-testid="session-late-notice"' not in page(scheduled)
    assert 'data-testid="session-call-url-form"' not in page(held)


def test_it_names_a_bad_call_link_beside_the_field(as_user, client, mentor, student):
    session = MentoringSessionFactory(mentor=mentor, student=student)
    as_user("mentor")

    response = client.post(call_url_url(session), {"call_url": "not a link at all"})

    assert response.status_code == 400
    assert "call_url" in response.context["call_url_form"].errors
    assert 'value="not a link at all"' in response.content.decode()


def test_it_sends_the_mentor_back_when_the_session_is_no_longer_scheduled(
    as_user, client, mentor, student
):
    held = completed(mentor, student)
    as_user("mentor")

    response = client.post(call_url_url(held), {"call_url": "https://meet.example.test/"})

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.call_url == ""


def test_it_keeps_the_default_call_link_on_the_profile(as_user, client, mentor):
    as_user("mentor")

    response = client.post(
        reverse("mentorship:profile"),
        {
            "display_name": "Maria Mentor",
            "language": "en",
            "time_zone": "Europe/Moscow",
            "email_notifications": "on",
            "mentor-languages": ["en"],
            "mentor-bio": "",
            "mentor-call_url": "https://meet.example.test/maria",
        },
    )

    assert response.status_code == 302
    mentor.mentor_profile.refresh_from_db()
    assert mentor.mentor_profile.call_url == "https://meet.example.test/maria"
