"""Every list page on a phone (390 x 844, the width of a common phone): the page does
not scroll sideways, and each row's main action (``data-testid="main-action"``, or
the selector a page names) is on the screen, not pushed past its right edge by a wide
table. A screenshot of each page is saved in ``var/test-results/<test name>/``.

Tables become cards below the md breakpoint (``.table-stack`` in static/css/app.css,
each cell under its column's name from ``data-label``); tables of figures keep
scrolling inside their box with their first column held (``.table-sticky-first``).

A new list page is one more ``ListPage`` in ``PAGES``; ``test_every_list_page_is_checked``
fails until it is there, or in ``NOT_LIST_PAGES`` with the reason it is not a list.
The home pages are metrics' and are being rewritten: they join ``PAGES`` then.

This module lives in metrics, the top layer, because its data spans every app."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from knowledge_base.models import (
    Article,
    ArticleStatus,
    CaseDiscussion,
    ImprovementProposal,
    ProposalSubject,
    Question,
)
from mentorship.models import Role
from mentorship.tests.factories import (
    AssignmentFactory,
    InvitationFactory,
    MentorFactory,
    StudentFactory,
)
from mentorship.tests.test_url_walk import ROUTES
from metrics.models import DevelopmentKind, DevelopmentRecord, Survey, WeeklyReport
from projects.models import Recommendation, Verdict
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReviewFactory,
    SubmissionFactory,
)
from students.models import (
    AvailabilitySlot,
    FlagStatus,
    Incident,
    MentoringSession,
    RiskFlag,
    SessionStatus,
    Weekday,
)

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

PHONE = {"width": 390, "height": 844}
MAIN_ACTION = "[data-testid=main-action]"
APPS = ("mentorship", "projects", "students", "knowledge_base", "metrics")


@dataclass(frozen=True)
class ListPage:
    """A list page as one role sees it. ``path`` builds the URL from the test's data
    when the page takes arguments; ``action`` finds the rows' main action (None: a
    page of figures whose rows are not links, checked for sideways scrolling only)."""

    url_name: str
    role: str
    action: str | None = MAIN_ACTION
    path: Callable[[dict], str] | None = None

    @property
    def id(self) -> str:
        return f"{self.url_name.split(':')[1]}-{self.role}"

    def url(self, school: dict) -> str:
        return self.path(school) if self.path else reverse(self.url_name)


QUESTION_LINK = "[data-testid=question-row] a"
PAGES = [
    # The mentor's working lists
    ListPage("projects:queue", "mentor"),
    ListPage("students:list", "mentor"),
    ListPage("students:session_list", "mentor"),
    ListPage("students:session_statement", "mentor"),
    ListPage("students:flag_list", "mentor"),
    ListPage("students:incident_list", "mentor"),
    ListPage("knowledge_base:question_queue", "mentor", "[data-testid=queue-row] a"),
    ListPage("knowledge_base:question_list", "mentor", QUESTION_LINK),
    ListPage("knowledge_base:article_list", "mentor", "[data-testid=article-row] h2 a"),
    ListPage(
        "knowledge_base:search",
        "mentor",
        "[data-testid=search-hit] a",
        path=lambda school: reverse("knowledge_base:search") + "?q=SQL",
    ),
    ListPage("knowledge_base:case_list", "mentor"),
    ListPage("knowledge_base:proposals", "mentor"),
    ListPage("knowledge_base:patterns", "mentor", "[data-testid=counts-table] tbody th"),
    ListPage("projects:recommendations", "mentor"),
    ListPage("projects:programmes", "mentor"),
    ListPage(
        "projects:programme",
        "mentor",
        path=lambda school: reverse("projects:programme", args=[school["programme"].slug]),
    ),
    ListPage("metrics:weekly_report_list", "mentor"),
    ListPage("metrics:scorecard_mine", "mentor", "[data-testid=figure-link]"),
    ListPage("metrics:development_list", "mentor", "[data-testid=development-form] button"),
    ListPage("mentorship:notifications", "mentor", None),
    ListPage("metrics:home", "mentor", "[data-testid=home-todo] a"),
    ListPage("students:session_availability", "mentor", "[data-testid=availability-slot]"),
    # The student's
    ListPage("projects:programmes", "student", "[data-testid=enrolment] h2 a"),
    ListPage(
        "projects:programme",
        "student",
        path=lambda school: reverse("projects:programme", args=[school["programme"].slug]),
    ),
    ListPage("students:session_list", "student"),
    ListPage("students:session_book", "student", "[data-testid=session-book-slot]"),
    ListPage("metrics:home", "student", "[data-testid=home-book]"),
    ListPage("knowledge_base:question_list", "student", QUESTION_LINK),
    ListPage("projects:recommendations", "student"),
    # The supervisor's
    ListPage("students:list", "supervisor"),
    ListPage("projects:queue", "supervisor"),
    ListPage("students:flag_list", "supervisor"),
    ListPage("students:session_list", "supervisor"),
    ListPage("metrics:dashboard", "supervisor"),
    ListPage(
        "metrics:scorecard",
        "supervisor",
        "[data-testid=figure-link]",
        path=lambda school: reverse("metrics:scorecard", args=[school["mentor"].pk]),
    ),
    ListPage(
        "metrics:scorecard_records",
        "supervisor",
        # This month's: the data is a few days old.
        path=lambda school: (
            reverse("metrics:scorecard_records", args=[school["mentor"].pk, "reviews_written"])
            + timezone.localdate().strftime("?period=%Y-%m")
        ),
    ),
    ListPage("metrics:weekly_report_list", "supervisor"),
    ListPage("metrics:second_reading", "supervisor", None),
    ListPage("metrics:review_consistency", "supervisor", None),
    ListPage("metrics:survey_comments", "supervisor", None),
    ListPage("students:assignment_unassigned", "supervisor"),
    ListPage("metrics:home", "supervisor", "[data-testid=home-queue-reviews]"),
    # Staff's
    ListPage("students:list", "staff"),
    ListPage("metrics:development_list", "staff", "[data-testid=development-verify]"),
    ListPage("metrics:programme_analytics_list", "staff"),
    ListPage(
        "metrics:programme_analytics",
        "staff",
        "[data-testid=projects-table] tbody th",
        path=lambda school: reverse("metrics:programme_analytics", args=[school["programme"].pk]),
    ),
    ListPage("mentorship:invitation_list", "staff"),
    ListPage("knowledge_base:proposals", "staff"),
    ListPage("students:assignment_unassigned", "staff"),
    ListPage("metrics:home", "staff", "[data-testid=home-queue-reviews]"),
]

# Argument-less pages of the portal that are not lists a person works through.
NOT_LIST_PAGES = {
    "mentorship:profile": "a form",
    "mentorship:language_switch": "a POST that redirects",
    "mentorship:healthz": "for load balancers",
    "mentorship:notifications_read": "a POST that redirects",
    "metrics:weekly_report_draft_now": "a POST that redirects",
    "metrics:dashboard_csv": "a CSV download",
    "metrics:dashboard_sample": "an htmx part of the dashboard, checked there",
    "metrics:development_add": "a POST from the development page",
    "projects:recommendation_create": "a form",
    "students:session_schedule": "a form",
    "students:session_availability_slot_add": "a POST from the availability page",
    "students:session_availability_block_add": "a POST from the availability page",
    "students:incident_record": "a form",
    "knowledge_base:case_open": "a form",
    "knowledge_base:proposal_create": "a form",
    "knowledge_base:article_create": "a form",
    "knowledge_base:question_ask": "a form",
    "knowledge_base:question_suggest": "an htmx part of the question form",
    "knowledge_base:question_solved": "a POST that redirects",
}


def _portal_pages_without_arguments() -> set[str]:
    return {
        route.name
        for route in ROUTES
        if route.name
        and not route.is_api
        and route.name.split(":")[0] in APPS
        and route.pattern.pattern.regex.groups == 0
    }


def test_every_list_page_is_checked():
    checked = {page.url_name for page in PAGES}

    missing = _portal_pages_without_arguments() - checked - set(NOT_LIST_PAGES)

    assert not missing, (
        f"Add {sorted(missing)} to PAGES (a list page) or NOT_LIST_PAGES (with the reason)."
    )
    assert not checked & set(NOT_LIST_PAGES)
    assert set(NOT_LIST_PAGES) <= _portal_pages_without_arguments(), "Remove pages that are gone."


@pytest.fixture
def school(student, other_student, mentor, other_mentor, supervisor, other_supervisor, staff):
    """A few weeks of a small school, with the long names and titles real data has:
    the mentor's students at different points of a programme, waiting work, sessions
    in every state, an open flag, questions, articles and the mentors' paperwork."""
    now = timezone.now()
    today = timezone.localdate()
    programme = ProgrammeFactory(
        title="Data Analyst: from spreadsheets to SQL and dashboards", slug="data-analyst"
    )
    titles = [
        "Clean a messy spreadsheet of customer orders",
        "Query a database with SQL: joins, groups and windows",
        "Build an interactive dashboard for the sales team",
        "Final project: tell a story with open data",
    ]
    projects = [
        ProjectFactory(programme=programme, position=position, title=title, criteria=2)
        for position, title in enumerate(titles, start=1)
    ]
    mentor.mentor_profile.programmes.add(programme)
    # Two weekly times the students may book.
    for weekday in (Weekday.MONDAY, Weekday.THURSDAY):
        AvailabilitySlot.objects.create(mentor=mentor, weekday=weekday, start_time=time(18))
    students = [student] + [
        StudentFactory(display_name=name)
        for name in ("Konstantin Konstantinopolsky-Rimsky", "Anna-Maria Fernández García")
    ]
    for index, someone in enumerate(students):
        if someone != student:
            AssignmentFactory(student=someone, mentor=mentor)
        EnrolmentFactory(student=someone, programme=programme, started_on=today - timedelta(60))
        first = SubmissionFactory(student=someone, project=projects[0])
        ReviewFactory(submission=first, reviewer=mentor, verdict=Verdict.APPROVED)
        SubmissionFactory(
            student=someone, project=projects[1], submitted_at=now - timedelta(days=index + 1)
        )
        for days, status in ((-3, SessionStatus.SCHEDULED), (4, SessionStatus.COMPLETED)):
            MentoringSession.objects.create(
                mentor=mentor,
                student=someone,
                # A mentor holds one session at a time: each student an hour apart.
                scheduled_at=now - timedelta(days=days) + timedelta(hours=index),
                status=status,
                rating=5 if status == SessionStatus.COMPLETED else None,
            )
        MentoringSession.objects.create(
            mentor=mentor, student=someone, scheduled_at=now - timedelta(hours=5 + index)
        )
    RiskFlag.objects.create(
        student=students[1],
        severity="red",
        status=FlagStatus.OPEN,
        reasons=[{"signal": "inactivity", "severity": "red", "observed": 15, "threshold": 14}],
        opened_on=today - timedelta(days=3),
        evaluated_on=today,
    )
    incident = Incident.objects.create(
        title="Heated words in the group call about a shared dataset",
        description="Raised voices.",
        reported_by=mentor,
        arbitrator=supervisor,
    )
    incident.students.set(students[:2])
    question = Question.objects.create(
        author=student,
        programme=programme,
        project=projects[1],
        title="Why does my SQL join return every order twice?",
        body="I join orders and customers and get duplicates.",
    )
    article = Article.objects.create(
        title="SQL joins that multiply rows, and how to spot them",
        body="Count before and after.",
        status=ArticleStatus.PUBLISHED,
        published_at=now - timedelta(days=2),
    )
    article.authors.set([mentor])
    article.programmes.set([programme])
    article.questions.set([question])
    CaseDiscussion.objects.create(
        author=mentor,
        title="A student who submits at night and never reads reviews",
        body="What would you do?",
        student=students[1],
    )
    ImprovementProposal.objects.create(
        author=mentor,
        subject=ProposalSubject.PROJECT,
        project=projects[2],
        title="Give the dashboard project a sample data set",
        body="Students lose a week finding data.",
    )
    Recommendation.objects.create(
        mentor=mentor, student=student, programme=ProgrammeFactory(title="Python for data work")
    )
    monday = today - timedelta(days=today.weekday() + 7)
    WeeklyReport.objects.create(
        mentor=mentor, week_start=monday, status="sent", sent_at=now, figures={}
    )
    DevelopmentRecord.objects.create(
        mentor=mentor, kind=DevelopmentKind.COURSE, title="Statistics for data analysts"
    )
    Survey.objects.create(
        student=student,
        mentor=mentor,
        round=1,
        sent_at=now - timedelta(days=2),
        answered_at=now - timedelta(days=1),
        score=9,
        plans_to_continue="yes",
        comment="Reviews come quickly and explain what to change.",
    )
    unassigned = StudentFactory(display_name="Bartholomew Featherstonehaugh")
    EnrolmentFactory(student=unassigned, programme=programme)
    InvitationFactory(
        email="a.very.long.address.for.a.new.mentor@example.test",
        role=Role.MENTOR,
        invited_by=staff,
    )
    MentorFactory()  # a mentor without students, on the dashboards
    return {"programme": programme, "mentor": mentor, "question": question}


# Russian labels run longer: the lists the issue found broken are checked in both.
IN_RUSSIAN_TOO = {
    "projects:queue",
    "students:session_list",
    "projects:programme",
    "students:list",
    "students:flag_list",
    "metrics:dashboard",
}
CASES = [pytest.param(page, "en", id=page.id) for page in PAGES] + [
    pytest.param(page, "ru", id=f"{page.id}-ru")
    for page in PAGES
    if page.url_name in IN_RUSSIAN_TOO
]


@pytest.mark.browser
@pytest.mark.parametrize(("list_page", "language"), CASES)
def test_the_list_page_works_on_a_phone(
    logged_in_page, screenshot, request, school, list_page, language
):
    user = request.getfixturevalue(list_page.role)
    user.language = language
    user.save(update_fields=["language"])
    page = logged_in_page(user)
    page.set_viewport_size(PHONE)

    page.goto(list_page.url(school))

    page.locator("main h1").first.wait_for()
    screenshot(page, f"{list_page.id}-{language}")
    # The navigation folds behind its button.
    assert page.locator(".navbar-toggler").is_visible()
    assert not page.locator("#main-nav").is_visible()
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], (
        f"the page scrolls sideways: {width[0]} px on a {width[1]} px screen"
    )
    # Every column of a list is on the screen, not in a scroll box past its edge; only
    # tables of figures scroll, holding their first column (.table-sticky-first).
    cut_off = page.evaluate(
        """() => [...document.querySelectorAll("main table:not(.table-sticky-first)")]
            .flatMap(table => [...(table.tBodies[0]?.rows[0]?.cells ?? [])])
            .filter(cell => cell.checkVisibility()
                && cell.getBoundingClientRect().right > window.innerWidth)
            .map(cell => cell.textContent.trim().slice(0, 40))"""
    )
    assert not cut_off, f"columns past the screen's edge: {cut_off}"
    if list_page.action is None:
        return
    actions = page.locator(list_page.action)
    assert actions.count(), f"no {list_page.action} on the page: is the data missing?"
    # Scrolled to vertically only (at once: Bootstrap scrolls smoothly): a table's own
    # scroll box is not scrolled to bring the action into view, and elementFromPoint
    # does not see what a scroll box clips.
    where = actions.first.evaluate(
        """element => {
            const top = element.getBoundingClientRect().top + window.scrollY - 100;
            window.scrollTo({top: top, left: 0, behavior: "instant"});
            const box = element.getBoundingClientRect();
            // A link may wrap: aim at its first line.
            const line = element.getClientRects()[0];
            const x = line.left + Math.min(line.width / 2, 10), y = line.top + line.height / 2;
            const hit = document.elementFromPoint(x, y);
            return {
                left: box.left, right: box.right, width: window.innerWidth,
                seen: hit !== null && (element === hit || element.contains(hit)),
                hit: hit && hit.outerHTML.slice(0, 120),
            };
        }"""
    )
    off_screen = f"the main action ({list_page.action}) is off the screen: {where}"
    assert where["left"] >= 0, off_screen
    assert where["right"] <= where["width"], off_screen
    assert where["seen"], f"the main action ({list_page.action}) is hidden: {where}"
