"""What the scorecard pages and the dashboard read besides the figures
(``metrics.dashboard``): figures in words, the records behind a figure, the table's
order, the CSV's cells and the team's trend."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from knowledge_base.models import CaseDiscussion, CaseReply, ImprovementProposal
from knowledge_base.tests.helpers_articles import make_article, make_question
from metrics import dashboard
from metrics.dashboard import (
    RECORD_KINDS,
    dashboard_sort,
    format_difference,
    format_outcome,
    format_value,
    metric_records,
)
from metrics.definitions import METRICS_BY_KEY, Record, Row
from metrics.models import SecondReading
from metrics.periods import Period
from metrics.scorecards import Figure
from metrics.tests.helpers_scorecard_pages import snapshot, snapshot_runs, team_of
from projects.models import Verdict
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReviewFactory,
    SubmissionFactory,
)
from students.tests.helpers_flags import make_flag
from students.tests.helpers_sessions import completed

MARCH = Period.parse("2026-03")
WHEN = datetime(2026, 3, 10, 12, tzinfo=UTC)


def metric(key: str):
    return METRICS_BY_KEY[key]


def figure(key: str, value, *, n: int = 20, expected=None) -> Figure:
    return Figure(metric=metric(key), value=value, n=n, expected=expected, percentile=None)


# --- Figures in words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "n", "small", "text"),
    [
        ("first_attempt", 0.755, 20, False, "76%"),
        ("first_attempt", 0.75, 4, True, "3 of 4"),
        ("first_attempt", 0.0, 1, True, "0 of 1"),
        ("first_attempt", None, 0, True, "no data"),
        ("review_time", 0.5, 10, False, "30\xa0minutes"),
        ("review_time", 30.0, 10, False, "1\xa0day, 6\xa0hours"),
        ("review_time", 5.25, 10, False, "5\xa0hours, 15\xa0minutes"),
        ("community", 1.25, 10, False, "1.2 per student"),
        ("session_rating", 4.0, 10, False, "4 of 5"),
        ("recommend_score", 8.46, 10, False, "8.5 of 10"),
        ("articles_published", 3.0, 3, False, "3"),
        ("articles_published", 0.0, 0, False, "0"),
        ("attempts_to_approval", 1.5, 10, False, "1.5"),
    ],
)
def test_it_writes_a_figure_in_its_unit(key, value, n, small, text):
    assert format_value(metric(key), value, n=n, small=small) == text


def test_it_writes_numbers_as_the_reader_does():
    with translation.override("ru"):
        assert format_value(metric("attempts_to_approval"), 1.5) == "1,5"


@pytest.mark.parametrize(
    ("key", "value", "expected", "n", "text"),
    [
        ("first_attempt", 0.75, 0.6, 20, "+15 pp"),
        ("first_attempt", 0.55, 0.6, 20, "\u22125 pp"),
        ("first_attempt", 0.75, 0.6, 4, ""),  # on few records: only better or worse
        ("attempts_to_approval", 1.25, 1.5, 20, "\u22120.2"),
        ("projects_approved", 7.0, 4.5, 20, "+2.5"),
        ("first_attempt", 0.75, None, 20, ""),
    ],
)
def test_it_writes_the_difference_from_what_was_expected(key, value, expected, n, text):
    assert format_difference(figure(key, value, n=n, expected=expected)) == text


@pytest.mark.parametrize(
    ("key", "outcome", "text"),
    [
        ("first_attempt", 1.0, "yes"),
        ("first_attempt", 0.0, "no"),
        ("review_time", 2.0, "2\xa0hours"),
        ("session_rating", 4.0, "4"),
        ("reviews_written", 1.0, ""),
    ],
)
def test_it_writes_a_records_outcome(key, outcome, text):
    assert format_outcome(metric(key), outcome) == text


# --- The records behind a figure ------------------------------------------------------


def test_it_knows_how_to_show_every_kind_of_record():
    assert set(RECORD_KINDS) == set(Record.values)


@pytest.mark.parametrize("size", [3, 60])
def test_it_loads_a_page_of_records_in_two_queries(mentor, size, django_assert_num_queries):
    project = ProjectFactory()
    rows = [
        Row(mentor.pk, review.submission.student_id, float(index % 2), review.pk)
        for index, review in enumerate(
            ReviewFactory(submission=SubmissionFactory(project=project), reviewer=mentor)
            for _index in range(size)
        )
    ]

    # The records' order, then the page of them with their submissions, students and
    # projects.
    with django_assert_num_queries(2):
        table = metric_records(metric=metric("review_time"), rows=rows, page=1)
        lines = list(table.page.object_list)
        [str(line.student) for line in lines]

    assert table.total == size
    assert len(lines) == min(size, 50)


def test_it_loads_nothing_without_records(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        table = metric_records(metric=metric("review_time"), rows=[], page=1)

    assert (table.total, list(table.page.object_list)) == (0, [])


def only_line(key: str, record, *, student=None, outcome: float = 1.0):
    table = metric_records(
        metric=metric(key),
        rows=[Row(1, student.pk if student else None, outcome, record.pk)],
        page=1,
    )
    (line,) = table.page.object_list
    return line


def test_it_shows_a_session(mentor, student):
    session = completed(mentor, student, scheduled_at=WHEN, rating=5)

    line = only_line("session_rating", session, student=student, outcome=5.0)

    assert (line.day, str(line.student), line.what, line.outcome) == (
        WHEN,
        "Stas Student",
        "Completed, rated 5 of 5",
        "5",
    )
    assert line.url == reverse("students:session_detail", args=[session.pk])


def test_it_shows_a_review(mentor, student):
    review = ReviewFactory(
        submission=SubmissionFactory(
            student=student, project=ProjectFactory(title="Portfolio"), attempt=2
        ),
        reviewer=mentor,
        verdict=Verdict.CHANGES_REQUESTED,
        created_at=WHEN,
    )

    line = only_line("review_time", review, student=student, outcome=26.0)

    assert (line.day, line.what, line.outcome) == (
        WHEN,
        "Portfolio, attempt 2: Changes requested",
        "1\xa0day, 2\xa0hours",
    )
    assert line.url == reverse("projects:submission", args=[review.submission_id])


def test_it_shows_a_second_reading(mentor, supervisor, student):
    review = ReviewFactory(
        submission=SubmissionFactory(student=student, project=ProjectFactory(title="API")),
        reviewer=mentor,
    )
    reading = SecondReading.objects.create(
        review=review, reader=supervisor, rating=4, comment="PRIVATE", created_at=WHEN
    )

    line = only_line("second_reading", reading, student=student, outcome=4.0)

    assert (line.what, line.outcome) == ("API, attempt 1, read by Sofia Supervisor", "4")


def test_it_shows_a_question(student):
    question = make_question(
        author=student, programme=ProgrammeFactory(), title="Why does my loop never end?"
    )

    line = only_line("first_answer_time", question, student=student, outcome=3.0)

    assert (str(line.student), line.what) == ("Stas Student", "Why does my loop never end?")
    assert line.url == reverse("knowledge_base:question", args=[question.pk])


def test_it_shows_a_flag(student):
    flag = make_flag(student, severity="amber")

    line = only_line("flags_acknowledged", flag, student=student, outcome=0.0)

    assert (line.day, line.what, line.outcome) == (flag.opened_on, "Amber flag", "no")
    assert line.url == reverse("students:file", args=[student.pk])


def test_it_shows_an_article_without_a_student(mentor):
    article = make_article(authors=[mentor], title="Reading a stack trace", published_at=WHEN)

    table = metric_records(
        metric=metric("articles_published"), rows=[Row(mentor.pk, None, 1.0, article.pk)], page=1
    )

    (line,) = table.page.object_list
    assert (table.has_student, table.has_outcome) == (False, False)
    assert (line.day, line.what) == (WHEN, "Reading a stack trace")


def test_it_shows_a_reply_to_another_mentors_case(mentor, other_mentor):
    case = CaseDiscussion.objects.create(
        author=other_mentor, audience="mentors", title="A student who went silent", body="..."
    )
    reply = CaseReply.objects.create(case=case, author=mentor, body="Try a short call.")

    line = only_line("peer_help", reply)

    assert line.what == "A student who went silent"
    assert line.url == reverse("knowledge_base:case_detail", args=[case.pk])


def test_it_shows_a_proposal(mentor):
    proposal = ImprovementProposal.objects.create(
        author=mentor, subject="platform", title="Dark mode", body="Please.", status="accepted"
    )

    line = only_line("proposals_accepted", proposal)

    assert line.what == "Dark mode (Accepted)"


def test_it_shows_an_enrolment(student):
    enrolment = EnrolmentFactory(student=student, programme=ProgrammeFactory(title="Data"))

    line = only_line("further_enrolments", enrolment, student=student)

    assert (line.day, line.what) == (enrolment.started_on, "Data")


# --- The table ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "used"),
    [
        ("composite", "composite"),
        ("-composite", "-composite"),
        ("--composite", "name"),
        ("mentor__password", "name"),
        ("", "name"),
        (None, "name"),
    ],
)
def test_it_sorts_only_by_the_columns_it_knows(asked, used):
    assert dashboard_sort(asked) == used


def test_it_gives_the_teams_median_and_middle_half(supervisor, staff):
    team = team_of(supervisor, 4)
    snapshot_runs(MARCH.last(6))
    for mentor, percentile in zip(team, (10, 20, 30, 40), strict=True):
        snapshot(mentor, MARCH, "first_attempt", 0.5, n=20, expected=0.5, percentile=percentile)

    trend = dashboard.team_trend(team, period=MARCH, reader=staff)

    assert [each.period.key for each in trend] == [p.key for p in MARCH.last(6)]
    march = trend[-1]
    assert (march.mentors, march.median, march.lower, march.upper) == (4, 25.0, 17.5, 32.5)
    assert [(each.mentors, each.median) for each in trend[:-1]] == [(0, None)] * 5
