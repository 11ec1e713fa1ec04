"""The queries each page and API list runs, per role, committed beside this module in
``test_query_records.perf.yml`` (django-perf-rec): a new N+1 or a changed query shows up
as a diff of that file in review.

django-perf-rec keeps each query's shape (values become ``#``, selected columns
``...``) and each cache operation. A request whose queries differ from its record fails;
a record that is missing is written, except in CI (``CI`` set), where it fails too.
``PERF_REC_MODE=overwrite`` rewrites every record after an intended change
(``mentorship/settings_test.py``).

PostgreSQL only: production runs on it, and SQLite's queries differ (search above all).
The school is built once for the module, on a frozen clock, inside a transaction rolled
back at the end; each request runs in a savepoint of its own, as on a fresh process: an
empty cache, the search's vocabulary not yet read."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import django_perf_rec
import pytest
import time_machine
import yaml
from django.db import connection, transaction
from django.urls import reverse

from knowledge_base import search_postgresql
from metrics.tests.helpers_query_records import NOW, School, build_school

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="query records are kept for PostgreSQL, which production runs on",
)

EVERYONE = ("student", "mentor", "supervisor", "staff")
LOOKING_AFTER_STUDENTS = ("mentor", "supervisor", "staff")
SUPERVISING = ("supervisor", "staff")
STAFF = ("staff",)


@dataclass(frozen=True)
class Page:
    key: str
    url: Callable[[School], str]
    roles: tuple[str, ...]


def _to(name: str, *args: Callable[[School], object], query: str = ""):
    return lambda school: reverse(name, args=[arg(school) for arg in args]) + query


PAGES = [
    # The homes, and the pages of the review loop.
    Page("home", _to("metrics:home"), EVERYONE),
    Page("programme", _to("projects:programme", lambda s: s.programme.slug), EVERYONE),
    Page("submission", _to("projects:submission", lambda s: s.waiting.pk), EVERYONE),
    Page("review_queue", _to("projects:queue"), LOOKING_AFTER_STUDENTS),
    Page("review", _to("projects:review", lambda s: s.waiting.pk), LOOKING_AFTER_STUDENTS),
    # Students: the list, a file (a student's own), at-risk flags, sessions.
    Page("student_list", _to("students:list"), LOOKING_AFTER_STUDENTS),
    Page("student_file", _to("students:file", lambda s: s.student.pk), EVERYONE),
    Page("flag_list", _to("students:flag_list"), LOOKING_AFTER_STUDENTS),
    Page("session_list", _to("students:session_list"), EVERYONE),
    # Knowledge base: cases, questions, articles and search.
    Page("case_list", _to("knowledge_base:case_list"), LOOKING_AFTER_STUDENTS),
    Page("case", _to("knowledge_base:case_detail", lambda s: s.case.pk), LOOKING_AFTER_STUDENTS),
    Page("question_list", _to("knowledge_base:question_list"), EVERYONE),
    Page("question_queue", _to("knowledge_base:question_queue"), LOOKING_AFTER_STUDENTS),
    Page("question", _to("knowledge_base:question", lambda s: s.answered.pk), EVERYONE),
    Page("article_list", _to("knowledge_base:article_list"), EVERYONE),
    Page("search", _to("knowledge_base:search", query="?q=flexbox"), EVERYONE),
    # Metrics: weekly reports, scorecards, the supervisor's dashboard, analytics.
    Page("weekly_report_list", _to("metrics:weekly_report_list"), LOOKING_AFTER_STUDENTS),
    Page(
        "weekly_report",
        _to("metrics:weekly_report_detail", lambda s: s.report.pk),
        LOOKING_AFTER_STUDENTS,
    ),
    Page("scorecard", _to("metrics:scorecard", lambda s: s.mentor.pk), LOOKING_AFTER_STUDENTS),
    Page("dashboard", _to("metrics:dashboard"), SUPERVISING),
    Page("programme_analytics_list", _to("metrics:programme_analytics_list"), STAFF),
    Page(
        "programme_analytics",
        _to("metrics:programme_analytics", lambda s: s.programme.pk),
        STAFF,
    ),
    # The API (/api/v1/): who am I, and every list. The events endpoint only receives.
    Page("api_me", _to("api:me"), EVERYONE),
    Page("api_programmes", _to("api:programme-list"), EVERYONE),
    Page("api_projects", _to("api:project-list"), EVERYONE),
    Page("api_submissions", _to("api:submission-list"), EVERYONE),
    Page("api_students", _to("api:student-list"), EVERYONE),
    Page("api_flags", _to("api:flag-list"), LOOKING_AFTER_STUDENTS),
    Page("api_sessions", _to("api:session-list"), EVERYONE),
    Page("api_questions", _to("api:question-list"), EVERYONE),
    Page("api_articles", _to("api:article-list"), EVERYONE),
    Page("api_scorecards", _to("api:scorecard-list"), LOOKING_AFTER_STUDENTS),
    Page(
        "api_programme_analytics",
        _to("api:programme-analytics", lambda s: s.programme.pk),
        STAFF,
    ),
]

CASES = [(page, role) for page in PAGES for role in page.roles]
RECORDS = Path(__file__).with_suffix(".perf.yml")


@pytest.fixture(scope="module")
def school(django_db_setup, django_db_blocker):
    """Built once: every test reads it inside a savepoint (``db``) that is rolled back."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(NOW, tick=False) as traveller,
        transaction.atomic(),
    ):
        school = build_school(traveller)
        # The search reads the planner's statistics (its vocabulary): those of this
        # school, whatever tests ran before (rolled back with the school).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE knowledge_base_article")
            cursor.execute("ANALYZE knowledge_base_question")
        yield school
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _vocabulary_unread():
    """Each search reads the vocabulary, as the first one of a process does (it is kept
    for ten minutes, so whether it is read would depend on the tests before)."""
    search_postgresql.vocabulary_forget()
    yield
    search_postgresql.vocabulary_forget()


@pytest.mark.parametrize(
    ("page", "role"), CASES, ids=[f"{page.key}-{role}" for page, role in CASES]
)
def test_it_runs_the_recorded_queries(db, client, school, page, role):
    client.force_login(getattr(school, role))
    url = page.url(school)

    with django_perf_rec.record(record_name=f"{page.key}-{role}"):
        response = client.get(url)
        # Inside the record: a page that fails writes no record.
        assert response.status_code == 200, url


def test_it_keeps_no_record_of_a_page_it_no_longer_requests():
    recorded = set(yaml.safe_load(RECORDS.read_text()))

    assert recorded - {f"{page.key}-{role}" for page, role in CASES} == set(), (
        f"Remove these records from {RECORDS.name}."
    )
