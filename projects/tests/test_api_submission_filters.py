"""``/api/v1/submissions/``'s filters for the records behind a scorecard's figure:
the mentor of the student when the attempt was submitted, the reviewer, the student,
the attempt, the verdict, and periods by submission and by review (``_after``
inclusive, ``_before`` exclusive, a date being its midnight in the caller's zone).
They only narrow what the caller may already see.

``mover`` was ``other_mentor``'s student until 15 October 2026, 12:00 UTC, and is
``mentor``'s since; the role fixtures' students have had their mentors all year."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from mentorship.models import Assignment
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from projects.models import SubmissionFile, Verdict
from projects.tests.factories import EnrolmentFactory, ReviewFactory, SubmissionFactory
from projects.tests.helpers_curriculum import curriculum_create

pytestmark = pytest.mark.django_db

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
MOVED = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
OCTOBER = "submitted_after=2026-10-01T00:00:00Z&submitted_before=2026-11-01T00:00:00Z"


def utc(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def mover(student, other_student, mentor, other_mentor):
    Assignment.objects.update(started_at=JANUARY)  # the fixtures' students, all year
    user = StudentFactory(display_name="Mila Mover")
    Assignment.objects.create(
        student=user, mentor=other_mentor, started_at=JANUARY, ended_at=MOVED
    )
    Assignment.objects.create(student=user, mentor=mentor, started_at=MOVED)
    return user


def _attempt(student, project, attempt, submitted_at, *, reviewer=None, verdict=None, at=None):
    submission = SubmissionFactory(
        student=student, project=project, attempt=attempt, submitted_at=submitted_at
    )
    if reviewer is not None:
        ReviewFactory(submission=submission, reviewer=reviewer, verdict=verdict, created_at=at)
    return submission


@pytest.fixture
def attempts(student, other_student, mover, mentor, other_mentor, supervisor):
    curriculum = curriculum_create(projects=2, students=[student, other_student, mover])
    first, second = curriculum.first, curriculum.second
    changes, approved = Verdict.CHANGES_REQUESTED, Verdict.APPROVED
    return {
        # On the first moment of October (UTC).
        "early": _attempt(
            student, first, 1, utc(10, 1), reviewer=mentor, verdict=changes, at=utc(10, 2, 10)
        ),
        # Reviewed on the first moment of November.
        "retry": _attempt(
            student, first, 2, utc(10, 10, 9), reviewer=supervisor, verdict=approved, at=utc(11, 1)
        ),
        # The last second of September.
        "september": _attempt(
            student,
            second,
            1,
            utc(9, 30, 23, 59, 59),
            reviewer=mentor,
            verdict=changes,
            at=utc(10, 5),
        ),
        # The first moment of November, waiting.
        "november": _attempt(student, second, 2, utc(11, 1)),
        # Submitted while other_mentor was mover's mentor.
        "moved_old": _attempt(
            mover, first, 1, utc(10, 5), reviewer=other_mentor, verdict=changes, at=utc(10, 6)
        ),
        # Submitted once mentor was.
        "moved_new": _attempt(mover, first, 2, utc(10, 20)),
        "theirs": _attempt(
            other_student,
            first,
            1,
            utc(10, 3),
            reviewer=other_mentor,
            verdict=approved,
            at=utc(10, 4),
        ),
    }


def _names(client, attempts, query: str) -> list[str]:
    response = client.get(reverse("api:submission-list") + "?" + query)
    assert response.status_code == 200, response.content
    by_pk = {submission.pk: name for name, submission in attempts.items()}
    return sorted(by_pk[row["id"]] for row in response.json()["results"])


# --- Each filter ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mentor={mentor}", ["early", "moved_new", "november", "retry", "september"]),
        ("mentor={other_mentor}", ["moved_old", "theirs"]),
        ("mentor={supervisor}", []),
        ("reviewer={mentor}", ["early", "september"]),
        ("reviewer={supervisor}", ["retry"]),
        ("reviewer={other_mentor}", ["moved_old", "theirs"]),
        ("student={student}", ["early", "november", "retry", "september"]),
        ("student={mover}", ["moved_new", "moved_old"]),
        ("attempt=1", ["early", "moved_old", "september", "theirs"]),
        ("attempt=2", ["moved_new", "november", "retry"]),
        ("verdict=approved", ["retry", "theirs"]),
        ("verdict=changes_requested", ["early", "moved_old", "september"]),
        (OCTOBER, ["early", "moved_new", "moved_old", "retry", "theirs"]),
        ("submitted_after=2026-10-10T09:00:00Z", ["moved_new", "november", "retry"]),
        ("submitted_before=2026-10-03T00:00:00Z", ["early", "september"]),
        (
            "reviewed_after=2026-10-02T10:00:00Z&reviewed_before=2026-11-01T00:00:00Z",
            ["early", "moved_old", "september", "theirs"],
        ),
        ("reviewed_after=2026-10-05T00:00:01Z", ["moved_old", "retry"]),
        ("reviewed_before=2026-10-05T00:00:00Z", ["early", "theirs"]),
        # The first-attempt approval rate's records: a mentor's first attempts in October.
        (f"mentor={{mentor}}&attempt=1&{OCTOBER}", ["early"]),
        (f"mentor={{other_mentor}}&attempt=1&verdict=approved&{OCTOBER}", ["theirs"]),
        ("status=submitted&mentor={mentor}", ["moved_new", "november"]),
    ],
)
def test_it_filters_each_field(client, as_user, attempts, query, expected, request):
    as_user("staff")
    people = {
        name: request.getfixturevalue(name).pk
        for name in ("mentor", "other_mentor", "supervisor", "student", "mover")
    }

    assert _names(client, attempts, query.format(**people)) == expected


def test_it_includes_the_after_moment_and_excludes_the_before_moment(client, as_user, attempts):
    as_user("staff")

    assert "early" in _names(client, attempts, "submitted_after=2026-10-01T00:00:00Z")
    assert "early" not in _names(client, attempts, "submitted_before=2026-10-01T00:00:00Z")
    assert "retry" in _names(client, attempts, "reviewed_after=2026-11-01T00:00:00Z")
    assert "retry" not in _names(client, attempts, "reviewed_before=2026-11-01T00:00:00Z")
    # Consecutive periods share their bound, never a record.
    september = _names(client, attempts, "submitted_before=2026-10-01T00:00:00Z")
    october = _names(client, attempts, OCTOBER)
    november = _names(client, attempts, "submitted_after=2026-11-01T00:00:00Z")
    assert (september, november) == (["september"], ["november"])
    assert sorted(september + october + november) == sorted(attempts)


def test_it_reads_a_moment_in_any_offset(client, as_user, attempts):
    as_user("staff")

    # 03:00 in Moscow is midnight UTC, the moment "early" was submitted.
    assert _names(client, attempts, "submitted_before=2026-10-01T03:00:00%2B03:00") == [
        "september"
    ]
    # "+03:00" left unencoded in a URL arrives as " 03:00": still an offset.
    assert _names(client, attempts, "submitted_before=2026-10-01T03:00:00+03:00") == ["september"]


def test_it_counts_a_student_who_changed_mentor_for_the_mentor_of_each_moment(
    client, as_user, attempts, mentor, other_mentor
):
    as_user("staff")

    before_the_move = _names(client, attempts, f"mentor={other_mentor.pk}&{OCTOBER}")
    after_the_move = _names(client, attempts, f"mentor={mentor.pk}&{OCTOBER}")

    assert before_the_move == ["moved_old", "theirs"]
    assert after_the_move == ["early", "moved_new", "retry"]


def test_it_counts_an_approval_for_the_mentor_when_it_was_reviewed(
    client, as_user, attempts, mover, mentor, other_mentor
):
    # Submitted before the move, approved after it: the scorecard's "projects
    # approved" counts it for the mentor the student had when it was approved.
    straddling = _attempt(
        mover,
        attempts["september"].project,
        1,
        utc(10, 14),
        reviewer=mentor,
        verdict=Verdict.APPROVED,
        at=utc(10, 16),
    )
    attempts = {**attempts, "straddling": straddling}
    as_user("staff")

    assert _names(client, attempts, f"mentor_when_reviewed={mentor.pk}&verdict=approved") == [
        "retry",
        "straddling",
    ]
    assert _names(client, attempts, f"mentor_when_reviewed={other_mentor.pk}") == [
        "moved_old",
        "theirs",
    ]
    assert "straddling" in _names(client, attempts, f"mentor={other_mentor.pk}")


def test_it_reads_a_date_as_midnight_in_the_callers_time_zone(client, as_user, attempts, staff):
    as_user("staff")
    in_utc = _names(client, attempts, "submitted_before=2026-10-01")
    staff.time_zone = "Europe/Moscow"  # UTC+3: 1 October begins at 21:00 UTC on 30 September
    staff.save()

    in_moscow = _names(client, attempts, "submitted_before=2026-10-01")
    october_in_moscow = _names(
        client, attempts, "submitted_after=2026-10-01&submitted_before=2026-11-01"
    )

    assert in_utc == ["september"]
    assert in_moscow == []  # 23:59:59 UTC on 30 September is 1 October in Moscow
    # The first moment of November UTC is 03:00 on 1 November in Moscow.
    assert october_in_moscow == ["early", "moved_new", "moved_old", "retry", "september", "theirs"]


# --- Bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("mentor=maria", "mentor"),
        ("mentor=0", "mentor"),
        ("reviewer=1.5", "reviewer"),
        ("student=-3", "student"),
        ("attempt=first", "attempt"),
        ("verdict=rejected", "verdict"),
        ("submitted_after=yesterday", "submitted_after"),
        ("submitted_before=2026-02-30", "submitted_before"),
        ("reviewed_after=2026-10-01T00:00:00", "reviewed_after"),
        ("reviewed_before=2026-13-01", "reviewed_before"),
    ],
)
def test_it_names_a_bad_filter(client, as_user, attempts, query, field):
    as_user("mentor")

    response = client.get(reverse("api:submission-list") + "?" + query)

    assert response.status_code == 400
    assert set(response.json()) == {field}


def test_it_says_which_moments_it_reads(client, as_user, attempts):
    as_user("mentor")

    malformed = client.get(reverse("api:submission-list") + "?submitted_after=2026-02-30")
    naive = client.get(reverse("api:submission-list") + "?submitted_after=2026-10-01T10:00")

    assert malformed.json() == {
        "submitted_after": [
            "Give a date (2026-10-01) or a date-time with its UTC offset "
            "(2026-10-01T00:00:00+03:00)."
        ]
    }
    assert naive.json() == {
        "submitted_after": ["Give the time with its UTC offset, e.g. 2026-05-04T14:00:00+02:00."]
    }


def test_it_says_so_in_the_callers_language(client, as_user, attempts, mentor):
    mentor.language = "ru"
    mentor.save()
    as_user("mentor")

    response = client.get(reverse("api:submission-list") + "?reviewed_before=tomorrow")

    assert response.json() == {
        "reviewed_before": [
            "Укажите дату (2026-10-01) или дату и время со смещением от UTC "
            "(2026-10-01T00:00:00+03:00)."
        ]
    }


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "query", "expected"),
    [
        # mover is mentor's student now: their whole history is mentor's to see.
        ("mentor", "mentor={other_mentor}", ["moved_old"]),
        ("mentor", "student={other_student}", []),
        ("mentor", "reviewer={other_mentor}", ["moved_old"]),
        # other_mentor no longer sees mover, not even the attempt of their time.
        ("other_mentor", "mentor={other_mentor}", ["theirs"]),
        ("other_mentor", "mentor={mentor}", []),
        ("other_mentor", "student={student}", []),
        ("other_supervisor", "mentor={mentor}", []),
        ("supervisor", "mentor={other_mentor}", ["moved_old"]),
        ("student", "student={other_student}", []),
        ("student", "mentor={other_mentor}", []),
        ("other_student", "mentor={other_mentor}", ["theirs"]),
    ],
)
def test_it_never_widens_what_the_caller_may_see(
    client, as_user, attempts, role, query, expected, request
):
    as_user(role)
    people = {
        name: request.getfixturevalue(name).pk
        for name in ("mentor", "other_mentor", "student", "other_student")
    }

    assert _names(client, attempts, query.format(**people)) == expected


# --- Queries and the schema ------------------------------------------------------------


def _many_attempts(count: int, mentor) -> None:
    """``count`` reviewed attempts in October with a file each, from five of
    ``mentor``'s students."""
    students = [AssignmentFactory(mentor=mentor, started_at=JANUARY).student for _ in range(5)]
    curriculum = curriculum_create(projects=1)
    for student in students:
        EnrolmentFactory(student=student, programme=curriculum.programme)
    for index in range(count):
        submission = _attempt(
            students[index % 5],
            curriculum.first,
            index // 5 + 1,
            utc(10, 1 + index % 28, 9),
            reviewer=mentor,
            verdict=Verdict.CHANGES_REQUESTED,
            at=utc(10, 1 + index % 28, 15),
        )
        SubmissionFile.objects.create(
            submission=submission, file="submissions/x.py", original_name="x.py", size=1
        )


@pytest.mark.parametrize("count", [10, 100])
@pytest.mark.parametrize("role", ["mentor", "staff"])
def test_it_filters_in_a_constant_number_of_queries(
    client, as_user, mentor, django_assert_max_num_queries, count, role
):
    _many_attempts(count, mentor)
    as_user(role)
    query = (
        f"?mentor={mentor.pk}&reviewer={mentor.pk}&verdict=changes_requested&"
        "submitted_after=2026-10-01&submitted_before=2026-11-01&"
        "reviewed_after=2026-10-01T00:00:00Z&reviewed_before=2026-11-01T00:00:00Z"
    )

    # 1 session, 2 user, 3 the ids of the students and 4 of the mentors whose
    # submissions a mentor sees (none for staff), 5 which submissions make the page,
    # 6 their rows with student, project, holder, review and reviewer, 7 their files,
    # 8 criterion verdicts with criteria. No count: the list is paged by cursor.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("api:submission-list") + query)

    assert len(response.json()["results"]) == min(count, 50)


def test_it_documents_each_filter_and_its_bounds(client, as_user):
    as_user("staff")

    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()

    parameters = {
        p["name"]: p for p in schema["paths"]["/api/v1/submissions/"]["get"]["parameters"]
    }
    assert {
        "mentor",
        "reviewer",
        "student",
        "attempt",
        "verdict",
        "submitted_after",
        "submitted_before",
        "reviewed_after",
        "reviewed_before",
    } <= set(parameters)
    for name in ("submitted", "reviewed"):
        assert "(inclusive)" in parameters[f"{name}_after"]["description"]
        assert "(exclusive)" in parameters[f"{name}_before"]["description"]
        assert "your time zone" in parameters[f"{name}_after"]["description"]
    assert "while the student was theirs" in parameters["mentor"]["description"]
