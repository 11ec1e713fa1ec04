"""The student's file: access per role, private notes, timeline, query count."""

import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pytest_django.asserts import assertContains

from mentorship.models import Assignment, DailyActivity, StudentStatus
from mentorship.services import student_status_set
from mentorship.tests.factories import AssignmentFactory, MentorFactory
from projects.models import Recommendation, RecommendationStatus, Review, Submission, Verdict
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReviewFactory,
    SubmissionFactory,
)
from students.models import (
    FlagOutreach,
    FlagSeverity,
    FlagStatus,
    Incident,
    MentoringSession,
    MentorNote,
    OutreachKind,
    RiskFlag,
    SessionStatus,
)
from students.tests.helpers_sessions import MentoringSessionFactory, completed

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


# --- Private notes never reach the student --------------------------------------------


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
    assert kinds(response) == ["assignment"]


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_shows_private_notes_to_those_who_look_after_the_student(
    as_user, client, student, note, role
):
    as_user(role)

    response = client.get(file_url(student))

    assert SECRET in response.content.decode()
    assert kinds(response) == ["note", "assignment"]
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
    """The mentor assigned ten days ago, a submission three days ago reviewed two days
    ago, a note a day ago, and a waiting submission now."""
    now = timezone.now()
    assignment = Assignment.objects.get(student=student)
    assignment.started_at = now - timedelta(days=10)
    assignment.save()
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
    return second, note, review, first, assignment


def test_it_shows_the_timeline_newest_first(as_user, client, history):
    as_user("mentor")

    response = client.get(file_url(history[0].student))

    assert [item.object for item in response.context["items"]] == list(history)


def test_it_shows_the_student_their_timeline_without_notes(as_user, client, history):
    second, _note, review, first, assignment = history
    as_user("student")

    response = client.get(file_url(second.student))

    assert [item.object for item in response.context["items"]] == [
        second,
        review,
        first,
        assignment,
    ]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("submission", [0, 3]),
        ("review", [2]),
        ("note", [1]),
        ("assignment", [4]),
        ("", [0, 1, 2, 3, 4]),
    ],
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

    assert kinds(response) == ["assignment"]


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


# --- Sessions, recommendations, mentor changes, incidents -----------------------------

SESSION_SECRET = "SECRET-NOTE: seems discouraged, check in weekly."


@pytest.fixture
def incident(student, other_student, mentor, supervisor):
    incident = Incident.objects.create(
        title="Shouting match in the group call",
        description="Both raised their voices.",
        reported_by=mentor,
        arbitrator=supervisor,
    )
    incident.students.add(student, other_student)
    return incident


@pytest.fixture
def held_session(student, mentor):
    return completed(mentor, student, scheduled_at=timezone.now() - timedelta(days=2))


def test_it_never_shows_the_student_private_session_notes_nor_incidents(
    as_user, client, student, held_session, incident
):
    as_user("student")

    response = client.get(file_url(student))

    content = response.content.decode()
    assert SESSION_SECRET not in content
    assert 'data-testid="session-private-notes"' not in content
    assert incident.title not in content
    assert "incident" not in kinds(response)
    assert "We reviewed the layout." in content
    assert "Finish the contact page." in content


def test_it_shows_the_mentor_private_session_notes_and_incidents(
    as_user, client, student, held_session, incident
):
    as_user("mentor")

    response = client.get(file_url(student))

    content = response.content.decode()
    assert SESSION_SECRET in content
    assert incident.title in content
    assert kinds(response) == ["incident", "assignment", "session"]


def test_it_ignores_a_student_asking_for_incidents(as_user, client, student, incident):
    as_user("student")

    response = client.get(file_url(student), {"kind": "incident"})

    assert incident.title not in response.content.decode()
    assert "incident" not in kinds(response)


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        (
            "student",
            ["", "submission", "review", "session", "recommendation", "assignment"],
        ),
        (
            "mentor",
            [
                "",
                "submission",
                "review",
                "session",
                "recommendation",
                "assignment",
                "note",
                "incident",
                "flag",
            ],
        ),
    ],
)
def test_it_offers_only_the_kinds_the_viewer_may_see(as_user, client, student, role, offered):
    as_user(role)

    response = client.get(file_url(student))

    field = response.context["filter_form"].fields["kind"]
    assert [value for value, _label in field.choices] == offered


def test_it_labels_upcoming_sessions_and_shows_their_length(as_user, client, student, mentor):
    upcoming = MentoringSessionFactory(
        mentor=mentor, student=student, duration_minutes=60, private_notes="Planned privately"
    )
    as_user("student")

    response = client.get(file_url(student), {"kind": "session"})

    assert [item.object for item in response.context["items"]] == [upcoming]
    content = response.content.decode()
    assert 'data-testid="upcoming"' in content
    assert "Session with Maria Mentor, 60 minutes" in content
    assert reverse("students:session_detail", args=[upcoming.pk]) in content
    assert "Planned privately" not in content


def test_it_does_not_label_past_sessions_upcoming(as_user, client, student, held_session):
    as_user("mentor")

    response = client.get(file_url(student), {"kind": "session"})

    assert 'data-testid="upcoming"' not in response.content.decode()


def test_it_links_a_former_mentors_session_only_for_those_who_may_open_it(
    as_user, client, student
):
    former = MentorFactory(display_name="Former Mentor")
    session = completed(former, student, scheduled_at=timezone.now() - timedelta(days=40))
    url = reverse("students:session_detail", args=[session.pk])

    as_user("mentor")
    as_mentor = client.get(file_url(student), {"kind": "session"})
    as_user("staff")
    as_staff = client.get(file_url(student), {"kind": "session"})

    assert "Session with Former Mentor" in as_mentor.content.decode()
    assert url not in as_mentor.content.decode()
    assert url in as_staff.content.decode()


def test_it_shows_recommendations_to_the_student_too(as_user, client, student, mentor):
    programme = ProgrammeFactory(title="Data analyst")
    to_programme = Recommendation.objects.create(
        mentor=mentor, student=student, programme=programme
    )
    to_course = Recommendation.objects.create(
        mentor=mentor,
        student=student,
        course_title="SQL for beginners",
        course_url="https://example.com/sql",
        status=RecommendationStatus.ACCEPTED,
        created_at=timezone.now() + timedelta(minutes=1),
    )
    as_user("student")

    response = client.get(file_url(student), {"kind": "recommendation"})

    assert [item.object for item in response.context["items"]] == [to_course, to_programme]
    content = response.content.decode()
    assert "Recommendation from Maria Mentor: the programme Data analyst" in content
    assert "Recommendation from Maria Mentor: the course SQL for beginners" in content
    assert "Accepted" in content
    assert reverse("projects:recommendation", args=[to_course.pk]) in content


@pytest.mark.parametrize("role", ["student", "mentor", "supervisor", "staff"])
def test_it_shows_mentor_changes_with_their_reason(as_user, client, student, mentor, role):
    former = MentorFactory(display_name="Former Mentor")
    current = Assignment.objects.get(student=student)
    AssignmentFactory(
        student=student,
        mentor=former,
        started_at=timezone.now() - timedelta(days=100),
        ended_at=current.started_at,
    )
    current.reason = "Former mentor left the school"
    current.save()
    as_user(role)

    response = client.get(file_url(student), {"kind": "assignment"})

    assert kinds(response) == ["assignment", "assignment"]
    content = response.content.decode()
    assert "Mentor changed from Former Mentor to Maria Mentor" in content
    assert "New mentor: Former Mentor" in content
    assert "Reason: Former mentor left the school" in content


def test_it_links_an_incident_to_its_page(as_user, client, student, incident):
    as_user("mentor")

    content = client.get(file_url(student), {"kind": "incident"}).content.decode()

    assert incident.title in content
    assert ">Open</span>" in content
    assert reverse("students:incident_detail", args=[incident.pk]) in content


# --- Sessions in the header -----------------------------------------------------------


def test_it_shows_the_last_and_next_sessions(as_user, client, student, mentor):
    mentor.time_zone = "Asia/Tokyo"
    mentor.save()
    # 23:30 UTC is already the next day in Tokyo (UTC+9).
    MentoringSessionFactory(
        mentor=mentor,
        student=student,
        status=SessionStatus.STUDENT_NO_SHOW,
        scheduled_at=datetime(2025, 1, 12, 23, 30, tzinfo=ZoneInfo("UTC")),
    )
    MentoringSessionFactory(
        mentor=mentor,
        student=student,
        scheduled_at=datetime(2040, 3, 1, 23, 30, tzinfo=ZoneInfo("UTC")),
    )
    MentoringSessionFactory(
        mentor=mentor,
        student=student,
        status=SessionStatus.CANCELLED_BY_MENTOR,
        scheduled_at=datetime(2039, 3, 1, 9, 0, tzinfo=ZoneInfo("UTC")),
    )
    as_user("mentor")

    content = client.get(file_url(student)).content.decode()

    last = re.search(r'data-testid="last-session">(.*?)</dd>', content, re.S).group(1)
    upcoming = re.search(r'data-testid="next-session">(.*?)</dd>', content, re.S).group(1)
    assert "Jan. 13, 2025" in last
    assert "No-show" in last
    assert "March 2, 2040" in upcoming


def test_it_shows_the_last_day_of_the_activity_rollup_as_last_activity(as_user, client, student):
    DailyActivity.objects.create(student=student, day=datetime(2026, 3, 2).date(), events=2)
    as_user("mentor")

    content = client.get(file_url(student)).content.decode()

    last = re.search(r'data-testid="last-activity">(.*?)</dd>', content, re.S).group(1)
    assert 'datetime="2026-03-02"' in last


def test_it_says_when_a_student_has_no_activity_yet(as_user, client, student):
    as_user("student")

    content = client.get(file_url(student)).content.decode()

    last = re.search(r'data-testid="last-activity">(.*?)</dd>', content, re.S).group(1)
    assert "None yet" in last


def test_it_says_when_no_session_is_planned(as_user, client, student):
    as_user("student")

    content = client.get(file_url(student)).content.decode()

    assert "None planned" in content


@pytest.mark.parametrize("role", ["student", "supervisor", "staff"])
def test_it_offers_scheduling_only_to_the_mentor(as_user, client, student, role):
    as_user(role)

    content = client.get(file_url(student)).content.decode()

    assert 'data-testid="schedule-session"' not in content


def test_it_opens_the_schedule_form_with_the_student_chosen(as_user, client, student):
    as_user("mentor")
    content = client.get(file_url(student)).content.decode()
    link = f"{reverse('students:session_schedule')}?student={student.pk}"
    assert f'href="{link}" data-testid="schedule-session"' in content

    response = client.get(link)

    assert response.status_code == 200
    field = response.context["form"]["student"]
    assert str(field.value()) == str(student.pk)
    assert f'<option value="{student.pk}" selected>' in response.content.decode()


def test_it_does_not_preselect_someone_elses_student(as_user, client, student, other_student):
    as_user("mentor")

    response = client.get(reverse("students:session_schedule"), {"student": other_student.pk})

    assert response.status_code == 200
    assert f'<option value="{other_student.pk}"' not in response.content.decode()


# --- Query count ----------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 200])
def test_it_keeps_the_number_of_queries_constant(
    as_user, client, student, mentor, supervisor, django_assert_max_num_queries, count
):
    """Every kind of the timeline on the first page, at two sizes."""
    programme = ProgrammeFactory()
    projects = ProjectFactory.create_batch(3, programme=programme, criteria=0)
    EnrolmentFactory(student=student, programme=programme)
    # Ten minutes into the day: a flag stands at the start of the day it opened, so
    # today's is among the first rows.
    now = datetime.combine(timezone.now().date(), time(0, 10), tzinfo=UTC)
    per_kind = count // 7 + 1
    # Kind k of row n happens n * 7 + k minutes ago, so each page mixes every kind.

    def ago(number, kind):
        return now - timedelta(minutes=number * 7 + kind)

    submissions = Submission.objects.bulk_create(
        Submission(
            student=student,
            project=projects[0],
            attempt=number + 1,
            status="changes_requested",
            submitted_at=ago(number, 0),
        )
        for number in range(per_kind)
    )
    Review.objects.bulk_create(
        Review(
            submission=submission,
            reviewer=mentor,
            verdict=Verdict.CHANGES_REQUESTED,
            feedback="Again.",
            created_at=ago(number, 1),
        )
        for number, submission in enumerate(submissions)
    )
    MentoringSession.objects.bulk_create(
        MentoringSession(
            mentor=mentor,
            student=student,
            scheduled_at=ago(number, 2),
            status=SessionStatus.COMPLETED,
            summary="Went well.",
            private_notes="Private.",
            logged_at=now,
        )
        for number in range(per_kind)
    )
    Recommendation.objects.bulk_create(
        Recommendation(
            mentor=mentor, student=student, programme=programme, created_at=ago(number, 3)
        )
        for number in range(per_kind)
    )
    current = Assignment.objects.get(student=student)
    Assignment.objects.bulk_create(
        Assignment(
            student=student,
            mentor=mentor,
            started_at=ago(number + 1, 4),
            ended_at=ago(number, 4),
            reason="Back again",
        )
        for number in range(per_kind)
    )
    Assignment.objects.filter(pk=current.pk).update(started_at=ago(0, 4))
    MentorNote.objects.bulk_create(
        MentorNote(student=student, author=mentor, body="Note", created_at=ago(number, 5))
        for number in range(per_kind)
    )
    incidents = Incident.objects.bulk_create(
        Incident(
            title="Quarrel",
            description="Words.",
            reported_by=mentor,
            arbitrator=supervisor,
            created_at=ago(number, 6),
        )
        for number in range(per_kind)
    )
    Incident.students.through.objects.bulk_create(
        Incident.students.through(incident=incident, user=student) for incident in incidents
    )
    flags = RiskFlag.objects.bulk_create(
        RiskFlag(
            student=student,
            severity=FlagSeverity.AMBER,
            reasons=[],
            opened_on=ago(number, 7).date(),
            evaluated_on=ago(number, 7).date(),
            created_at=ago(number, 7),
            status=FlagStatus.OPEN if number == 0 else FlagStatus.RESOLVED,
            resolved_on=None if number == 0 else ago(number, 7).date(),
        )
        for number in range(per_kind)
    )
    FlagOutreach.objects.bulk_create(
        FlagOutreach(flag=flags[0], mentor=mentor, kind=OutreachKind.CALL)
        for _number in range(per_kind)
    )
    DailyActivity.objects.bulk_create(
        DailyActivity(student=student, day=now.date() - timedelta(days=number), events=1)
        for number in range(per_kind)
    )
    as_user("mentor")

    # 1 session, 2 user, 3 student with profile and last and next sessions, 4-6
    # progress (enrolments, projects, submissions), 7 mentor history, 8-10 the
    # at-risk flag card (the flag, its outreach, the weekly activity), 11 timeline
    # count, 12 timeline page (one UNION), 13-20 the page's submissions, reviews,
    # sessions, recommendations, mentor changes, notes, incidents and flags (opened
    # and resolved alike), 21 unread notifications.
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(22):
        response = client.get(file_url(student))

    assert response.status_code == 200
    # Each kind per_kind times, the current assignment, and the resolved flags once
    # more (at the start of the day they were resolved, so past the first page when
    # there are many rows).
    assert len(response.context["items"]) == min(8 * per_kind + 1 + per_kind - 1, 20)
    assert {item.kind for item in response.context["items"]} - {"flag_resolved"} == {
        "submission",
        "review",
        "session",
        "recommendation",
        "assignment",
        "note",
        "incident",
        "flag",
    }


def test_it_shows_since_when_the_students_status_holds(client, as_user, student):
    """The status is dated by its history: a pause recorded with its real day shows
    that day, not the day it was recorded."""
    student_status_set(
        profile=student.student_profile,
        status=StudentStatus.PAUSED,
        effective_on=date(2026, 3, 2),
        reason="Moving house",
    )
    as_user("mentor")

    response = client.get(reverse("students:file", args=[student.pk]))

    assertContains(response, 'data-testid="student-status-since"')
    assertContains(response, date_format(date(2026, 3, 2)))


# --- The timeline in Russian: outcomes as outcomes, times relative to now ----------------


@pytest.mark.parametrize(
    ("minutes", "when"),
    [(1, "1 минуту назад"), (2, "2 минуты назад"), (5, "5 минут назад"), (21, "21 минуту назад")],
)
def test_it_writes_the_timelines_outcomes_and_times_in_russian(
    as_user, client, student, mentor, minutes, when
):
    now = timezone.now()
    approved = ReviewFactory(
        submission=SubmissionFactory(
            student=student,
            project=ProjectFactory(title="Портфолио"),
            submitted_at=now - timedelta(days=3),
        ),
        reviewer=mentor,
        verdict=Verdict.APPROVED,
        created_at=now - timedelta(minutes=minutes, seconds=20),
    )
    ReviewFactory(
        submission=SubmissionFactory(
            student=student,
            project=ProjectFactory(title="Лендинг"),
            submitted_at=now - timedelta(days=3),
        ),
        reviewer=mentor,
        verdict=Verdict.CHANGES_REQUESTED,
        created_at=approved.created_at - timedelta(days=minutes),
    )
    user = as_user("mentor")
    user.language = "ru"
    user.save()

    page = client.get(file_url(student), {"kind": "review"}).content.decode()

    reviews = re.findall(r'data-testid="timeline-review">([^<]*)<', page)
    assert [text.replace("&quot;", '"') for text in reviews] == [
        "Проверка «Портфолио» (Maria Mentor): работа принята",
        "Проверка «Лендинг» (Maria Mentor): работа возвращена на доработку",
    ]
    times = re.findall(r'data-testid="timeline-when">([^<]*)<', page)
    days = {1: "1 день", 2: "2 дня", 5: "5 дней", 21: "3 недели"}[minutes]
    assert [text.replace("\xa0", " ") for text in times] == [when, f"{days} назад"]
    assert "проверил(а)" not in page
    assert "Принять" not in re.sub(r"<form.*?</form>", "", page, flags=re.S)
