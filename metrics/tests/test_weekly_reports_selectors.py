"""Weekly report figures: the week on the mentor's clock, and what each section counts."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from knowledge_base.models import CaseDiscussion, CaseReply, ImprovementProposal, ProposalStatus
from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory
from metrics.selectors import last_complete_week_start, week_bounds, weekly_report_figures
from projects.models import Recommendation, Verdict
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
    OutreachKind,
    RiskFlag,
    SessionStatus,
)
from students.tests.helpers_sessions import MentoringSessionFactory

WEEK = date(2026, 3, 2)  # a Monday
# Monday 00:00 of that week and of the next, in UTC, for each zone (no DST change in
# Moscow; New Zealand is on daylight time, UTC+13, all that week).
MOSCOW_START = datetime(2026, 3, 1, 21, 0, tzinfo=UTC)
MOSCOW_END = datetime(2026, 3, 8, 21, 0, tzinfo=UTC)
AUCKLAND_START = datetime(2026, 3, 1, 11, 0, tzinfo=UTC)
AUCKLAND_END = datetime(2026, 3, 8, 11, 0, tzinfo=UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def in_zone(user, zone):
    user.time_zone = zone
    user.save(update_fields=["time_zone"])
    return user


@pytest.mark.parametrize(
    ("zone", "start", "end"),
    [
        ("Europe/Moscow", MOSCOW_START, MOSCOW_END),
        ("Pacific/Auckland", AUCKLAND_START, AUCKLAND_END),
        ("UTC", utc(2026, 3, 2), utc(2026, 3, 9)),
    ],
)
def test_it_runs_the_week_from_monday_midnight_on_the_mentors_clock(mentor, zone, start, end):
    in_zone(mentor, zone)

    assert week_bounds(mentor=mentor, week_start=WEEK) == (start, end)


@pytest.mark.parametrize(
    ("zone", "now", "expected"),
    [
        # Sunday 12:00 UTC is already Monday 01:00 in Auckland: last week is over there.
        ("Pacific/Auckland", utc(2026, 3, 8, 12), date(2026, 3, 2)),
        ("Europe/Moscow", utc(2026, 3, 8, 12), date(2026, 2, 23)),
        ("Europe/Moscow", utc(2026, 3, 8, 21), date(2026, 3, 2)),
        ("America/Los_Angeles", utc(2026, 3, 9, 3), date(2026, 2, 23)),
    ],
)
def test_it_finds_the_last_complete_week_on_the_mentors_clock(mentor, zone, now, expected):
    in_zone(mentor, zone)

    assert last_complete_week_start(mentor, now) == expected


@pytest.fixture
def week_sessions(mentor, student):
    """Sessions around the week's edges; ratings only on completed ones."""

    def make(at, status, rating=None):
        return MentoringSessionFactory(
            mentor=mentor, student=student, scheduled_at=at, status=status, rating=rating
        )

    make(utc(2026, 3, 1, 20, 59), SessionStatus.COMPLETED, rating=5)  # Auckland only
    make(MOSCOW_START, SessionStatus.COMPLETED, rating=3)  # both
    make(utc(2026, 3, 4, 12), SessionStatus.SCHEDULED)  # both, never logged
    make(utc(2026, 3, 8, 10, 59), SessionStatus.STUDENT_NO_SHOW)  # both
    make(AUCKLAND_END, SessionStatus.CANCELLED_BY_MENTOR)  # Moscow only
    make(MOSCOW_END, SessionStatus.SCHEDULED)  # the next week for both
    make(MOSCOW_END + timedelta(days=7), SessionStatus.SCHEDULED)  # two weeks on


def test_it_counts_a_moscow_mentors_sessions_by_outcome(mentor, week_sessions):
    in_zone(mentor, "Europe/Moscow")

    sessions = weekly_report_figures(mentor=mentor, week_start=WEEK)["sessions"]

    assert sessions == {
        "total": 4,
        "by_outcome": {
            "completed": 1,
            "student_no_show": 1,
            "cancelled_by_student": 0,
            "cancelled_by_mentor": 1,
        },
        "unlogged": 1,
        "average_rating": 3.0,
        "ratings": 1,
        "next_week": 1,
    }


def test_it_counts_an_auckland_mentors_sessions_on_their_own_week(mentor, week_sessions):
    in_zone(mentor, "Pacific/Auckland")

    sessions = weekly_report_figures(mentor=mentor, week_start=WEEK)["sessions"]

    assert sessions["total"] == 4
    assert sessions["by_outcome"]["completed"] == 2
    assert sessions["by_outcome"]["cancelled_by_mentor"] == 0
    assert sessions["average_rating"] == 4.0
    assert sessions["ratings"] == 2
    assert sessions["next_week"] == 1


def behind_enrolment(student, programme):
    """An enrolment whose single project fell due twenty days ago, not approved."""
    today = timezone.localdate()
    return EnrolmentFactory(
        student=student,
        programme=programme,
        started_on=today - timedelta(days=200),
        target_end_on=today - timedelta(days=20),
    )


@pytest.fixture
def moscow_week(mentor, other_mentor):
    """A Moscow mentor's students, reviews and contributions around the week of WEEK."""
    in_zone(mentor, "Europe/Moscow")
    programme = ProgrammeFactory(title="Web development")
    ProjectFactory(programme=programme)
    people = {name: StudentFactory(display_name=name) for name in ["Anna", "Boris", "Clara"]}
    people["Dmitri"] = StudentFactory(display_name="Dmitri")
    people["Elena"] = StudentFactory(display_name="Elena")
    anna, boris, clara = people["Anna"], people["Boris"], people["Clara"]
    AssignmentFactory(student=anna, mentor=mentor, started_at=utc(2026, 1, 1))
    AssignmentFactory(student=boris, mentor=mentor, started_at=utc(2026, 3, 3))
    AssignmentFactory(
        student=clara, mentor=mentor, started_at=utc(2026, 1, 1), ended_at=utc(2026, 3, 5)
    )
    AssignmentFactory(student=people["Dmitri"], mentor=mentor, started_at=MOSCOW_END)
    AssignmentFactory(
        student=people["Elena"],
        mentor=mentor,
        started_at=utc(2026, 1, 1),
        ended_at=MOSCOW_END,
    )
    behind_enrolment(anna, programme)
    behind_enrolment(clara, programme)
    EnrolmentFactory(student=boris, programme=programme)

    def submission(student, submitted_at):
        return SubmissionFactory(student=student, submitted_at=submitted_at)

    ReviewFactory(
        submission=submission(anna, utc(2026, 3, 2)),
        reviewer=mentor,
        created_at=utc(2026, 3, 3),
    )
    ReviewFactory(
        submission=submission(boris, utc(2026, 3, 4)),
        reviewer=mentor,
        verdict=Verdict.CHANGES_REQUESTED,
        created_at=utc(2026, 3, 4, 12),
    )
    ReviewFactory(
        submission=submission(clara, utc(2026, 3, 1)),
        reviewer=mentor,
        created_at=MOSCOW_END,
    )
    submission(anna, utc(2026, 3, 5))  # still waiting
    ReviewFactory(
        submission=submission(anna, utc(2026, 3, 6)),
        reviewer=other_mentor,
        created_at=utc(2026, 3, 10),
    )  # waiting when the week ended
    submission(boris, MOSCOW_END)  # after the week

    def proposal(title, created_at, status=ProposalStatus.NEW, decided_at=None):
        return ImprovementProposal.objects.create(
            author=mentor,
            subject="platform",
            title=title,
            body="Why",
            status=status,
            created_at=created_at,
            decided_at=decided_at,
        )

    proposal("Filed", utc(2026, 3, 3))
    proposal("Decided", utc(2026, 2, 1), ProposalStatus.ACCEPTED, utc(2026, 3, 5))
    proposal("Both", utc(2026, 3, 4), ProposalStatus.DECLINED, utc(2026, 3, 6))
    proposal("Earlier", utc(2026, 2, 1))
    own = CaseDiscussion.objects.create(
        author=mentor, title="My case", body="B", created_at=utc(2026, 3, 4)
    )
    CaseDiscussion.objects.create(author=mentor, title="Later", body="B", created_at=MOSCOW_END)
    theirs = CaseDiscussion.objects.create(
        author=other_mentor, title="Their case", body="B", created_at=utc(2026, 3, 1)
    )
    CaseReply.objects.create(case=theirs, author=mentor, body="Try", created_at=utc(2026, 3, 5))
    CaseReply.objects.create(case=own, author=mentor, body="Me", created_at=utc(2026, 3, 5))
    CaseReply.objects.create(case=theirs, author=mentor, body="Late", created_at=MOSCOW_END)
    Recommendation.objects.create(
        mentor=mentor, student=anna, programme=programme, created_at=utc(2026, 3, 3)
    )
    Recommendation.objects.create(
        mentor=mentor,
        student=anna,
        course_title="SQL",
        course_url="https://x.test",
        created_at=MOSCOW_END,
    )
    return people


def test_it_counts_students_at_the_end_and_those_who_came_and_left(mentor, moscow_week):
    students = weekly_report_figures(mentor=mentor, week_start=WEEK)["students"]

    assert (students["current"], students["assigned"], students["left"]) == (3, 1, 1)


def test_it_lists_the_students_behind_plan_among_those_at_the_end(mentor, moscow_week):
    figures = weekly_report_figures(mentor=mentor, week_start=WEEK)

    anna = moscow_week["Anna"]
    expected = [
        {
            "id": anna.pk,
            "name": "Anna",
            "programme": "Web development",
            "projects_behind": 1,
            "days_behind": 20,
        }
    ]
    assert figures["students"]["behind_plan"] == expected
    assert figures["flags"]["behind_plan"] == expected


def test_it_counts_the_weeks_flags_and_lists_those_still_open(mentor, moscow_week):
    anna = moscow_week["Anna"]
    others = [StudentFactory(display_name=name) for name in ("Boris", "Clara", "Dmitri", "Elena")]
    for student in others:
        AssignmentFactory(student=student, mentor=mentor, started_at=utc(2026, 1, 1))

    def flag(student, opened_on, resolved_on=None, **fields):
        return RiskFlag.objects.create(
            student=student,
            severity=fields.pop("severity", FlagSeverity.AMBER),
            opened_on=opened_on,
            evaluated_on=resolved_on or opened_on,
            status=FlagStatus.RESOLVED if resolved_on else FlagStatus.OPEN,
            resolved_on=resolved_on,
            **fields,
        )

    opened = flag(anna, date(2026, 3, 3), severity=FlagSeverity.RED)
    flag(others[0], date(2026, 2, 20), acknowledged_at=utc(2026, 2, 21))  # open all week
    flag(others[1], date(2026, 2, 20), date(2026, 3, 4))  # resolved during the week
    flag(others[2], date(2026, 2, 1), date(2026, 2, 10))  # over before the week
    flag(others[3], date(2026, 3, 9))  # opened after the week
    FlagOutreach.objects.create(
        flag=opened, mentor=mentor, kind=OutreachKind.CALL, at=utc(2026, 3, 4)
    )

    flags = weekly_report_figures(mentor=mentor, week_start=WEEK)["flags"]

    assert (flags["opened"], flags["resolved"], flags["outreach"]) == (1, 1, 1)
    assert [
        (row["name"], row["severity"], row["acknowledged"]) for row in flags["open_at_end"]
    ] == [("Boris", "amber", True), ("Anna", "red", False)]


def test_it_counts_the_weeks_reviews_and_what_was_left_waiting(mentor, moscow_week):
    reviews = weekly_report_figures(mentor=mentor, week_start=WEEK)["reviews"]

    assert reviews == {
        "total": 2,
        "approved": 1,
        "changes_requested": 1,
        "average_turnaround_hours": 18.0,
        "waiting_at_end": 2,
    }


def test_it_lists_proposals_cases_peer_help_and_recommendations(mentor, moscow_week):
    community = weekly_report_figures(mentor=mentor, week_start=WEEK)["community"]

    assert [(p["title"], p["status"]) for p in community["proposals_filed"]] == [
        ("Filed", "new"),
        ("Both", "declined"),
    ]
    assert [(p["title"], p["status"]) for p in community["proposal_decisions"]] == [
        ("Decided", "accepted"),
        ("Both", "declined"),
    ]
    assert [case["title"] for case in community["cases_raised"]] == ["My case"]
    assert community["peer_help_replies"] == 1
    assert community["recommendations"] == 1


def test_it_gives_figures_that_survive_a_json_round_trip(mentor, moscow_week):
    figures = weekly_report_figures(mentor=mentor, week_start=WEEK)

    assert json.loads(json.dumps(figures)) == figures
    assert figures["week"] == {
        "start": "2026-03-02",
        "end": "2026-03-08",
        "time_zone": "Europe/Moscow",
    }


def test_it_draws_the_figures_in_the_same_queries_whatever_the_number_of_students(db):
    def queries_for(count):
        mentor = MentorFactory()
        programme = ProgrammeFactory()
        ProjectFactory(programme=programme)
        for _index in range(count):
            student = StudentFactory()
            AssignmentFactory(student=student, mentor=mentor, started_at=utc(2026, 1, 1))
            behind_enrolment(student, programme)
            SubmissionFactory(student=student, submitted_at=utc(2026, 3, 3))
        with CaptureQueriesContext(connection) as context:
            figures = weekly_report_figures(mentor=mentor, week_start=WEEK)
        assert len(figures["students"]["behind_plan"]) == count
        return len(context.captured_queries)

    assert queries_for(2) == queries_for(9)
