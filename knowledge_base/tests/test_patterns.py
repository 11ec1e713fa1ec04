"""Question patterns: each figure on hand-built data, who sees what, the page per role,
its links, its languages and its queries."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from knowledge_base import patterns
from knowledge_base.models import (
    Answer,
    Article,
    ArticleStatus,
    Deflection,
    Question,
    QuestionStatus,
    QuestionVisibility,
    Topic,
)
from knowledge_base.patterns import PatternScope, Split
from knowledge_base.tests.search_counting import CountingSearch
from projects.tests.factories import EnrolmentFactory, ProgrammeFactory, ProjectFactory

PAGE = reverse("knowledge_base:patterns")

UTC_ZONE = ZoneInfo("UTC")

# Two weeks, Monday 2 March to Sunday 15 March 2026.
TWO_WEEKS = PatternScope(start=date(2026, 3, 2), end=date(2026, 3, 15), zone=UTC_ZONE)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def ask(
    author,
    programme,
    *,
    when: datetime,
    title: str = "How do I start?",
    project=None,
    topics=(),
    private: bool = False,
    answered_after: timedelta | None = None,
    **fields,
) -> Question:
    question = Question.objects.create(
        author=author,
        programme=programme,
        project=project,
        title=title,
        visibility=QuestionVisibility.PRIVATE if private else QuestionVisibility.PROGRAMME,
        created_at=when,
        waiting_since=when,
        first_answered_at=when + answered_after if answered_after is not None else None,
        **{
            "status": QuestionStatus.ANSWERED
            if answered_after is not None
            else QuestionStatus.OPEN,
            **fields,
        },
    )
    question.topics.set(topics)
    return question


def topic(name: str, *projects) -> Topic:
    made = Topic.objects.create(name=name, slug=name.lower().replace(" ", "-"))
    made.projects.set(projects)
    return made


@pytest.fixture
def programme(mentor, student):
    """Taught by ``mentor`` (so ``supervisor``'s team's); ``student`` is enrolled."""
    made = ProgrammeFactory(title="Web development")
    mentor.mentor_profile.programmes.add(made)
    EnrolmentFactory(student=student, programme=made)
    return made


@pytest.fixture
def other_programme(other_mentor, other_student):
    """Taught by ``other_mentor``; ``other_student`` is enrolled."""
    made = ProgrammeFactory(title="Data analysis")
    other_mentor.mentor_profile.programmes.add(made)
    EnrolmentFactory(student=other_student, programme=made)
    return made


@pytest.fixture
def html_project(programme):
    return ProjectFactory(programme=programme, title="Landing page", criteria=0)


@pytest.fixture
def api_project(programme):
    return ProjectFactory(programme=programme, title="REST API", criteria=0)


# --- Questions over time --------------------------------------------------------------


def test_it_counts_questions_per_week_by_project(
    staff, student, programme, html_project, api_project
):
    ask(student, programme, when=at(date(2026, 3, 2)), project=html_project)
    ask(student, programme, when=at(date(2026, 3, 8), 23), project=html_project)
    ask(student, programme, when=at(date(2026, 3, 9)), project=html_project)
    ask(student, programme, when=at(date(2026, 3, 10)), project=api_project)
    ask(student, programme, when=at(date(2026, 3, 11)))
    ask(student, programme, when=at(date(2026, 3, 16)), project=api_project)  # after

    counts = patterns.question_counts(staff, TWO_WEEKS, split=Split.PROJECT)

    assert [bucket.start for bucket in counts.buckets] == [date(2026, 3, 2), date(2026, 3, 9)]
    assert [(series.label, series.counts) for series in counts.series] == [
        ("Landing page", [2, 1]),
        ("No project", [0, 1]),
        ("REST API", [0, 1]),
    ]
    assert counts.series[0].detail == "Web development"
    assert counts.totals == [2, 3]
    assert counts.peak == 3


def test_it_reads_weeks_on_the_persons_calendar(staff, student, programme):
    staff.time_zone = "Asia/Tokyo"
    staff.save()
    # Sunday 8 March at 20:00 UTC is Monday 9 March in Tokyo.
    ask(student, programme, when=datetime(2026, 3, 8, 20, tzinfo=UTC))
    scope = PatternScope(start=date(2026, 3, 2), end=date(2026, 3, 15), zone=staff.zone)

    counts = patterns.question_counts(staff, scope, split=Split.PROGRAMME)

    assert counts.totals == [0, 1]


def test_it_counts_by_programme(staff, student, other_student, programme, other_programme):
    ask(student, programme, when=at(date(2026, 3, 3)))
    ask(student, programme, when=at(date(2026, 3, 4)))
    ask(other_student, other_programme, when=at(date(2026, 3, 12)))

    counts = patterns.question_counts(staff, TWO_WEEKS, split=Split.PROGRAMME)

    assert [(series.label, series.counts) for series in counts.series] == [
        ("Web development", [2, 0]),
        ("Data analysis", [0, 1]),
    ]


def test_it_counts_a_question_under_each_of_its_topics_and_once_in_the_totals(
    staff, student, programme
):
    css, layout = topic("CSS"), topic("Layout")
    ask(student, programme, when=at(date(2026, 3, 3)), topics=[css, layout])
    ask(student, programme, when=at(date(2026, 3, 4)), topics=[css])
    ask(student, programme, when=at(date(2026, 3, 10)))

    counts = patterns.question_counts(staff, TWO_WEEKS, split=Split.TOPIC)

    assert [(series.label, series.counts, series.kind) for series in counts.series] == [
        ("CSS", [2, 0], "item"),
        ("Layout", [1, 0], "item"),
        ("No topic", [0, 1], "none"),
    ]
    assert counts.totals == [2, 1]


def test_it_counts_by_month_over_a_year(staff, student, programme):
    ask(student, programme, when=at(date(2025, 6, 20)))
    ask(student, programme, when=at(date(2026, 2, 1)))
    ask(student, programme, when=at(date(2026, 2, 27)))
    scope = PatternScope(start=date(2025, 3, 1), end=date(2026, 2, 28), zone=UTC_ZONE)

    counts = patterns.question_counts(staff, scope, split=Split.PROGRAMME)

    assert scope.by_month
    assert len(counts.buckets) == 12
    assert counts.buckets[3].start == date(2025, 6, 1)
    assert counts.totals[3] == 1
    assert counts.totals[-1] == 2
    assert counts.buckets[-1].until == date(2026, 2, 28)


def test_it_sums_the_smallest_series_as_other(staff, student, programme):
    projects = [
        ProjectFactory(programme=programme, title=f"Project {index}", criteria=0)
        for index in range(patterns.SERIES_SHOWN + 2)
    ]
    for index, project in enumerate(projects):
        for _ in range(len(projects) - index):
            ask(student, programme, when=at(date(2026, 3, 3)), project=project)

    counts = patterns.question_counts(staff, TWO_WEEKS, split=Split.PROJECT)

    assert len(counts.series) == patterns.SERIES_SHOWN + 1
    other = counts.series[-1]
    assert other.kind == "other"
    assert other.counts == [2 + 1, 0]
    assert counts.cell_filters(other, counts.buckets[0]) is None
    assert sum(series.total for series in counts.series) == counts.total


def test_it_gives_each_cell_the_filters_of_its_questions(staff, student, programme, html_project):
    ask(student, programme, when=at(date(2026, 3, 10)), project=html_project)
    scope = PatternScope(
        start=date(2026, 3, 4), end=date(2026, 3, 15), zone=UTC_ZONE, programme=programme
    )

    counts = patterns.question_counts(staff, scope, split=Split.PROJECT)
    [row] = counts.table()

    assert row.cells[0].url == ""  # nothing to show
    assert query_of(row.cells[1].url) == {
        "programme": [str(programme.pk)],
        "project": [str(html_project.pk)],
        "since": ["2026-03-09"],
        "until": ["2026-03-15"],
    }
    assert query_of(counts.total_cells()[1].url)["since"] == ["2026-03-09"]
    assert counts.buckets[0].since == date(2026, 3, 4)  # the first week, inside the period


def test_it_draws_stacked_bars_scaled_to_the_tallest(staff, student, programme, html_project):
    for _ in range(3):
        ask(student, programme, when=at(date(2026, 3, 3)), project=html_project)
    ask(student, programme, when=at(date(2026, 3, 4)))
    ask(student, programme, when=at(date(2026, 3, 10)))

    chart = patterns.question_chart(
        patterns.question_counts(staff, TWO_WEEKS, split=Split.PROJECT)
    )

    first, second = chart.bars
    assert chart.peak == 4
    assert [segment.count for segment in first.segments] == [3, 1]
    room = chart.baseline_y - chart.top
    assert first.segments[0].height == pytest.approx(room * 3 / 4, abs=0.1)
    assert first.segments[1].y + first.segments[1].height == pytest.approx(
        first.segments[0].y, abs=0.1
    )
    assert second.total == 1


# --- Time to a first answer -----------------------------------------------------------


def test_it_finds_the_median_wait_for_a_first_answer(staff, student, programme):
    for hours in (1, 3, 20):
        ask(student, programme, when=at(date(2026, 3, 3)), answered_after=timedelta(hours=hours))
    ask(student, programme, when=at(date(2026, 3, 4)))
    original = ask(student, programme, when=at(date(2026, 3, 4)))
    ask(
        student,
        programme,
        when=at(date(2026, 3, 5)),
        status=QuestionStatus.DUPLICATE,
        duplicate_of=original,
    )

    times = patterns.answer_times(staff, TWO_WEEKS)

    assert times == patterns.AnswerTimes(
        asked=6, answered=3, unanswered=2, median=timedelta(hours=3)
    )


def test_it_takes_the_middle_two_waits_of_an_even_count(staff, student, programme):
    for hours in (1, 2, 6, 30):
        ask(student, programme, when=at(date(2026, 3, 3)), answered_after=timedelta(hours=hours))

    assert patterns.answer_times(staff, TWO_WEEKS).median == timedelta(hours=4)


def test_it_has_no_median_without_answers(staff, student, programme):
    ask(student, programme, when=at(date(2026, 3, 3)))

    assert patterns.answer_times(staff, TWO_WEEKS) == patterns.AnswerTimes(
        asked=1, answered=0, unanswered=1, median=None
    )


# --- Deflection -----------------------------------------------------------------------


def published_article(title: str = "Deploying to a server") -> Article:
    return Article.objects.create(
        title=title, body="Steps.", status=ArticleStatus.PUBLISHED, published_at=timezone.now()
    )


def test_it_rates_deflections_against_questions_asked(
    mentor, student, other_student, programme, other_programme
):
    article = published_article()
    solved = ask(student, programme, when=at(date(2026, 2, 1)), answered_after=timedelta(hours=1))
    Deflection.objects.create(
        student=student, programme=programme, article=article, created_at=at(date(2026, 3, 3))
    )
    Deflection.objects.create(
        student=student, programme=programme, question=solved, created_at=at(date(2026, 3, 9))
    )
    Deflection.objects.create(  # before the period
        student=other_student,
        programme=programme,
        article=article,
        created_at=at(date(2026, 2, 2)),
    )
    Deflection.objects.create(  # another programme
        student=other_student,
        programme=other_programme,
        question=solved,
        created_at=at(date(2026, 3, 4)),
    )
    for day in (3, 4, 5, 6, 7, 8):
        ask(student, programme, when=at(date(2026, 3, day)))

    rate = patterns.deflection_rate(mentor, TWO_WEEKS)

    assert (rate.deflections, rate.asked) == (2, 6)
    assert rate.rate == pytest.approx(0.25)
    assert rate.percent == 25


def test_it_has_no_deflection_rate_without_questions_or_deflections(mentor, programme):
    assert patterns.deflection_rate(mentor, TWO_WEEKS).rate is None


# --- Asked again and again ------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    kind: str
    pk: int
    title: str
    snippet: str
    language: str
    score: float


class FakeSearch:
    """Scores 1.0 for questions whose titles start with the same word, 0.3 for the
    others; reads its candidates in one query, like a search would."""

    def __init__(self):
        self.calls = []

    def __call__(self, user, query, *, kinds, questions, limit, **rest):
        self.calls.append(query)
        word = query.split()[0]
        rows = questions.values_list("pk", "title", "language")
        hits = [
            Hit("question", pk, title, title, language, 1.0 if title.split()[0] == word else 0.3)
            for pk, title, language in rows
        ]
        return sorted(hits, key=lambda hit: -hit.score)[:limit]


@pytest.fixture
def fake_search(monkeypatch):
    fake = FakeSearch()
    monkeypatch.setattr(patterns, "search", fake)
    return fake


def test_it_groups_similar_questions_without_an_article_largest_first(
    staff, student, other_student, programme, other_programme, fake_search
):
    for day in (3, 4, 5):
        ask(student, programme, when=at(date(2026, 3, day)), title=f"Deploy fails on day {day}")
    ask(other_student, other_programme, when=at(date(2026, 3, 6)), title="Deploy fails again")
    ask(student, programme, when=at(date(2026, 3, 10)), title="Pandas merge loses rows")
    ask(student, programme, when=at(date(2026, 3, 11)), title="Pandas merge duplicates")
    ask(student, programme, when=at(date(2026, 3, 12)), title="Unique question")

    groups = patterns.repeated_questions(staff, TWO_WEEKS)

    assert [(group.size, group.query) for group in groups] == [
        (4, "Deploy fails again"),
        (2, "Pandas merge duplicates"),
    ]
    assert groups[0].programmes == ["Data analysis", "Web development"]
    assert len(groups[0].titles) == patterns.REPEATED_SAMPLES
    # Each search runs once per group or lone question, most recent first.
    assert fake_search.calls == [
        "Unique question",
        "Pandas merge duplicates",
        "Deploy fails again",
    ]


def test_it_groups_repeated_questions_with_the_real_search(
    staff, student, other_student, programme, other_programme
):
    """The search itself (PostgreSQL's full text, or SQLite's fallback): repeats worded
    a little differently fall into one group, different problems do not."""
    repeats = {
        "module": [
            "ModuleNotFoundError: No module named requests",
            "No module named requests, but I installed it",
            "Python says: no module named requests",
        ],
        "merge": [
            "Resolving a merge conflict in git",
            "How to resolve a merge conflict in git",
        ],
    }
    when = at(date(2026, 3, 3))
    keys = {}
    for key, titles in repeats.items():
        for index, title in enumerate(titles):
            author, where = (
                (other_student, other_programme) if index == 1 else (student, programme)
            )
            question = ask(author, where, when=when + timedelta(hours=len(keys)), title=title)
            keys[question.pk] = key
    ask(student, programme, when=when + timedelta(days=1), title="Center a div with flexbox")
    ask(student, programme, when=when + timedelta(days=2), title="Pandas dataframe is empty")

    groups = patterns.repeated_questions(staff, TWO_WEEKS)

    assert [{keys[pk] for pk in group.question_ids} for group in groups] == [
        {"module"},
        {"merge"},
    ]
    assert [group.size for group in groups] == [3, 2]


def test_it_leaves_out_questions_an_article_answers_and_duplicates(
    staff, student, programme, fake_search
):
    answered = ask(student, programme, when=at(date(2026, 3, 3)), title="Deploy fails A")
    published_article().questions.add(answered)
    original = ask(student, programme, when=at(date(2026, 3, 4)), title="Deploy fails B")
    ask(
        student,
        programme,
        when=at(date(2026, 3, 5)),
        title="Deploy fails C",
        status=QuestionStatus.DUPLICATE,
        duplicate_of=original,
    )

    assert patterns.repeated_questions(staff, TWO_WEEKS) == []

    ask(student, programme, when=at(date(2026, 3, 6)), title="Deploy fails D")

    [group] = patterns.repeated_questions(staff, TWO_WEEKS)
    assert group.titles == ["Deploy fails D", "Deploy fails B"]


def test_it_keeps_hits_below_the_similarity_threshold_apart(
    staff, student, programme, monkeypatch, fake_search
):
    ask(student, programme, when=at(date(2026, 3, 3)), title="Deploy fails")
    ask(student, programme, when=at(date(2026, 3, 4)), title="Pandas merge")
    monkeypatch.setattr(patterns, "REPEATED_SIMILARITY", 0.2)

    [group] = patterns.repeated_questions(staff, TWO_WEEKS)  # 0.3 >= 0.2 * 1.0

    assert group.size == 2
    monkeypatch.setattr(patterns, "REPEATED_SIMILARITY", 0.5)
    assert patterns.repeated_questions(staff, TWO_WEEKS) == []


def test_it_caps_the_searches_and_the_candidates(
    staff, student, programme, monkeypatch, fake_search
):
    monkeypatch.setattr(patterns, "REPEATED_SEARCHES", 3)
    monkeypatch.setattr(patterns, "REPEATED_CANDIDATES", 5)
    for index in range(8):
        ask(student, programme, when=at(date(2026, 3, 3 + index)), title=f"Word{index} question")

    patterns.repeated_questions(staff, TWO_WEEKS)

    assert fake_search.calls == ["Word7 question", "Word6 question", "Word5 question"]


def test_it_offers_to_grow_a_case_from_the_accepted_or_most_answered_question(
    staff, mentor, student, other_student, programme, fake_search
):
    answered = timedelta(hours=1)
    once = ask(student, programme, when=at(date(2026, 3, 3)), title="Deploy fails one")
    busy = ask(student, programme, when=at(date(2026, 3, 4)), title="Deploy fails two")
    reopened = ask(student, programme, when=at(date(2026, 3, 5)), title="Deploy fails 3")
    by_a_peer = ask(student, programme, when=at(date(2026, 3, 6)), title="Deploy fails 4")
    for question in (once, busy, by_a_peer):
        Question.objects.filter(pk=question.pk).update(
            status=QuestionStatus.ANSWERED, first_answered_at=question.created_at + answered
        )
    Answer.objects.create(question=once, author=mentor, body="Check the logs.")
    Answer.objects.create(question=busy, author=mentor, body="Check the logs.")
    Answer.objects.create(question=busy, author=mentor, body="And the port.")
    for _ in range(3):  # answered, then the asker followed up: open again
        Answer.objects.create(question=reopened, author=mentor, body="Try this.")
    Answer.objects.create(question=reopened, author=student, body="Still?", is_follow_up=True)
    for _ in range(3):
        Answer.objects.create(question=by_a_peer, author=other_student, body="Same here.")

    [group] = patterns.repeated_questions(staff, TWO_WEEKS)

    assert (group.case_question, group.case_answered) == (busy.pk, True)
    link = patterns.write_case_link(group)
    assert link.post
    assert link.url == reverse("knowledge_base:article_from_question", args=[busy.pk])

    accepted = Answer.objects.create(question=once, author=other_student, body="Done.")
    Question.objects.filter(pk=once.pk).update(
        accepted_answer=accepted, status=QuestionStatus.ACCEPTED
    )
    [group] = patterns.repeated_questions(staff, TWO_WEEKS)
    assert group.case_question == once.pk


def test_it_offers_a_new_article_when_no_question_of_the_group_is_answered(
    staff, student, programme, fake_search
):
    ask(student, programme, when=at(date(2026, 3, 3)), title="Deploy fails one")
    newest = ask(student, programme, when=at(date(2026, 3, 4)), title="Deploy fails two")

    [group] = patterns.repeated_questions(staff, TWO_WEEKS)
    link = patterns.write_case_link(group)

    assert not link.post
    assert link.url == f"{reverse('knowledge_base:article_create')}?question={newest.pk}"
    assert query_of(group.search_url) == {"q": ["Deploy fails two"], "kind": ["question"]}


# --- Topics no project covers ---------------------------------------------------------


def test_it_lists_topics_asked_about_that_no_project_of_the_programme_covers(
    staff, student, other_student, programme, other_programme, html_project
):
    pandas_project = ProjectFactory(programme=other_programme, title="Pandas", criteria=0)
    css = topic("CSS", html_project)
    pandas = topic("Pandas", pandas_project)  # covered in the other programme only
    docker = topic("Docker")  # covered nowhere
    ask(student, programme, when=at(date(2026, 3, 3)), topics=[css, pandas])
    ask(student, programme, when=at(date(2026, 3, 4)), topics=[pandas, docker])
    ask(student, programme, when=at(date(2026, 3, 5)), topics=[pandas])
    ask(other_student, other_programme, when=at(date(2026, 3, 5)), topics=[pandas, docker])
    ask(student, programme, when=at(date(2026, 2, 5)), topics=[docker])  # before the period

    uncovered = patterns.topics_not_covered(staff, TWO_WEEKS)

    assert [(row.programme, row.topic, row.questions) for row in uncovered] == [
        ("Web development", "Pandas", 3),
        ("Data analysis", "Docker", 1),
        ("Web development", "Docker", 1),
    ]
    assert query_of(uncovered[0].url) == {
        "programme": [str(programme.pk)],
        "topic": [str(pandas.pk)],
        "since": ["2026-03-02"],
        "until": ["2026-03-15"],
    }


# --- Scope ----------------------------------------------------------------------------


@pytest.fixture
def scoped_questions(student, other_student, programme, other_programme):
    """In ``programme``: a public and a private question of ``student``, and a private
    one of ``other_student`` (another mentor's, also enrolled there); in
    ``other_programme``: a public one of ``other_student``."""
    EnrolmentFactory(student=other_student, programme=programme)
    when = at(date(2026, 3, 3))
    topics = [topic("Secrets")]
    return {
        "public": ask(student, programme, when=when, title="Public one", topics=topics),
        "private": ask(
            student, programme, when=when, title="Private one", private=True, topics=topics
        ),
        "outsider": ask(
            other_student, programme, when=when, title="Outsider", private=True, topics=topics
        ),
        "elsewhere": ask(other_student, other_programme, when=when, title="Elsewhere"),
    }


@pytest.mark.parametrize(
    ("role", "asked"),
    [
        ("mentor", 2),  # their programme: public, and their own student's private one
        ("supervisor", 2),
        ("other_mentor", 1),  # their programme only
        ("other_supervisor", 1),
        ("staff", 4),
    ],
)
def test_it_counts_only_questions_the_person_sees_in_their_programmes(
    request, scoped_questions, fake_search, role, asked
):
    user = request.getfixturevalue(role)

    counts = patterns.question_counts(user, TWO_WEEKS, split=Split.TOPIC)

    assert counts.total == asked
    assert patterns.answer_times(user, TWO_WEEKS).asked == asked
    # The deflection rate compares two counts over the whole programme (a deflection
    # names no question): the private question of another mentor's student is counted
    # there, and shown nowhere.
    programme_wide = {"mentor": 3, "supervisor": 3}.get(role, asked)
    assert patterns.deflection_rate(user, TWO_WEEKS).asked == programme_wide
    uncovered = {row.questions for row in patterns.topics_not_covered(user, TWO_WEEKS)}
    assert uncovered == (
        {asked} if role in ("mentor", "supervisor") else {3} if role == "staff" else set()
    )


def test_it_never_groups_a_private_question_for_someone_who_may_not_see_it(
    mentor, student, other_student, programme, fake_search
):
    EnrolmentFactory(student=other_student, programme=programme)
    ask(student, programme, when=at(date(2026, 3, 3)), title="Deploy fails here")
    ask(other_student, programme, when=at(date(2026, 3, 4)), title="Deploy fails", private=True)

    assert patterns.repeated_questions(mentor, TWO_WEEKS) == []


def test_it_narrows_to_one_programme(staff, student, other_student, programme, other_programme):
    ask(student, programme, when=at(date(2026, 3, 3)))
    ask(other_student, other_programme, when=at(date(2026, 3, 3)))
    scope = PatternScope(
        start=TWO_WEEKS.start, end=TWO_WEEKS.end, zone=UTC_ZONE, programme=other_programme
    )

    assert patterns.answer_times(staff, scope).asked == 1


# --- The page -------------------------------------------------------------------------


def query_of(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


def test_it_sends_anonymous_people_to_login(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("role", "status", "asked"),
    [
        ("student", 403, None),
        ("other_student", 403, None),
        ("mentor", 200, 2),
        ("other_mentor", 200, 1),
        ("supervisor", 200, 2),
        ("other_supervisor", 200, 1),
        ("staff", 200, 4),
    ],
)
def test_it_shows_the_patterns_to_mentors_supervisors_and_staff(
    as_user,
    client,
    student,
    other_student,
    programme,
    other_programme,
    fake_search,
    role,
    status,
    asked,
):
    EnrolmentFactory(student=other_student, programme=programme)
    now = timezone.now()
    ask(student, programme, when=now - timedelta(days=1), title="Public one")
    ask(student, programme, when=now - timedelta(days=2), title="Private one", private=True)
    ask(other_student, programme, when=now - timedelta(days=3), title="Outsider", private=True)
    ask(other_student, other_programme, when=now - timedelta(days=4), title="Elsewhere")
    as_user(role)

    response = client.get(PAGE)

    assert response.status_code == status
    if asked is not None:
        assert response.context["answer_times"].asked == asked
        assert response.context["counts"].total == asked


def test_it_offers_only_the_persons_programmes(
    as_user, client, programme, other_programme, fake_search
):
    as_user("mentor")

    response = client.get(PAGE, {"programme": other_programme.pk})

    assert response.status_code == 200
    assert list(response.context["form"].fields["programme"].queryset) == [programme]
    assert response.context["scope"].programme is None
    assert "programme" in response.context["form"].errors


def test_it_applies_the_period_programme_and_split(
    as_user, client, student, programme, html_project, fake_search
):
    ask(student, programme, when=timezone.now() - timedelta(days=40), project=html_project)
    ask(student, programme, when=timezone.now() - timedelta(days=100), project=html_project)
    as_user("mentor")

    default = client.get(PAGE)
    wide = client.get(PAGE, {"period": 365, "programme": programme.pk, "split": "project"})

    assert default.context["scope"].days == 90
    assert default.context["counts"].total == 1
    assert wide.context["scope"].days == 365
    assert wide.context["scope"].by_month
    assert wide.context["counts"].total == 2
    assert [series.label for series in wide.context["counts"].series] == ["Landing page"]
    assert query_of(wide.context["questions_url"])["programme"] == [str(programme.pk)]


def test_it_links_every_figure_to_its_questions(
    as_user, client, mentor, student, programme, html_project, fake_search
):
    today = timezone.localdate()
    for title in ("Deploy fails one", "Deploy fails two"):
        ask(
            student,
            programme,
            when=timezone.now() - timedelta(hours=2),
            title=title,
            project=html_project,
            topics=[topic(title)],
        )
    as_user("mentor")

    response = client.get(PAGE, {"period": 30})
    html = response.content.decode()

    since = (today - timedelta(days=29)).isoformat()
    assert query_of(response.context["questions_url"]) == {
        "since": [since],
        "until": [today.isoformat()],
    }
    assert query_of(response.context["unanswered_url"])["status"] == ["open"]
    assert query_of(response.context["no_article_url"])["no_article"] == ["1"]
    question_list = reverse("knowledge_base:question_list")
    assert html.count(f'href="{question_list}?') >= 6
    assert response.context["groups"][0].size == 2
    assert 'data-testid="write-case"' in html
    assert f'href="{reverse("knowledge_base:search")}?' in html


def test_it_writes_a_case_from_a_group_and_the_group_goes(
    as_user, client, mentor, student, programme, fake_search
):
    now = timezone.now()
    answered = ask(
        student,
        programme,
        when=now - timedelta(hours=3),
        title="Deploy fails one",
        answered_after=timedelta(hours=1),
    )
    Answer.objects.create(question=answered, author=mentor, body="Check the logs.")
    ask(student, programme, when=now - timedelta(hours=2), title="Deploy fails two")
    as_user("mentor")
    [group] = client.get(PAGE).context["groups"]

    response = client.post(group.case_link.url)

    assert response.status_code == 302
    article = Article.objects.get()
    assert list(article.questions.all()) == [answered]
    assert client.get(PAGE).context["groups"] == []


def test_it_shows_the_page_in_english_and_russian(as_user, client, mentor, programme, fake_search):
    as_user("mentor")

    english = client.get(PAGE).content.decode()
    mentor.language = "ru"
    mentor.save()
    russian = client.get(PAGE).content.decode()

    assert "Question patterns" in english
    assert "Median time to a first answer" in english
    assert "Закономерности в вопросах" in russian
    assert "Медианное время до первого ответа" in russian
    assert "Median time" not in russian


def test_it_keeps_the_chart_numbers_unlocalised_in_russian(
    as_user, client, mentor, student, programme, fake_search
):
    for hours in (1, 2, 3):
        ask(student, programme, when=timezone.now() - timedelta(hours=hours))
    mentor.language = "ru"
    mentor.save()
    as_user("mentor")

    html = client.get(PAGE, {"period": 30}).content.decode()

    assert 'data-testid="patterns-chart"' in html
    assert not any(f'="{digit},' in html for digit in "0123456789")


def test_it_has_a_navigation_entry_for_mentors(as_user, client, programme, fake_search):
    as_user("mentor")

    assert 'data-testid="nav-patterns"' in client.get(reverse("metrics:home")).content.decode()


def test_it_answers_get_only(client, staff):
    client.force_login(staff)

    assert client.post(PAGE).status_code == 405


def _school(size: int, student, other_student, mentor, programme, other_programme):
    """``size`` questions per programme over the period, with projects, topics,
    answers, articles and deflections."""
    now = timezone.now()
    projects = [ProjectFactory(programme=programme, criteria=0) for _ in range(3)]
    topics = [topic(f"Topic {index} of {size}", *projects[:index]) for index in range(4)]
    article = published_article()
    for index in range(size):
        for author, where in ((student, programme), (other_student, other_programme)):
            question = ask(
                author,
                where,
                when=now - timedelta(days=index % 80, hours=1),
                title=f"Subject{index} detail{index}",  # nothing alike: every search runs
                project=projects[index % 3] if where == programme else None,
                topics=topics[index % 4 : index % 4 + 2],
                private=index % 2 == 0,
                answered_after=timedelta(hours=index) if index % 3 else None,
            )
            if index % 3:
                Answer.objects.create(question=question, author=mentor, body="Like this.")
            if index % 5 == 0:
                article.questions.add(question)
        Deflection.objects.create(
            student=student, programme=programme, article=published_article(f"A{index}")
        )


# The page's own queries, whatever the size: session, user; counts by topic and bucket,
# and all questions by bucket; answer counts, and (SQLite) the middle waits; deflections,
# questions asked; the candidates without an article; topics not covered; unread
# notifications; the navigation's count of open questions; the programme choices. Then
# at most REPEATED_SEARCHES searches.
PAGE_QUERIES = 13


@pytest.mark.parametrize("size", [2, 40])
@pytest.mark.parametrize("role", ["mentor", "staff"])
def test_it_runs_a_constant_number_of_queries(
    as_user,
    client,
    student,
    other_student,
    mentor,
    programme,
    other_programme,
    django_assert_max_num_queries,
    monkeypatch,
    fake_search,
    size,
    role,
):
    monkeypatch.setattr(patterns, "REPEATED_SEARCHES", 5)
    _school(size, student, other_student, mentor, programme, other_programme)
    as_user(role)

    # The fake search runs one query.
    with django_assert_max_num_queries(PAGE_QUERIES + 5, info="Patterns: a query per row?"):
        response = client.get(PAGE, {"split": "topic"})

    assert response.status_code == 200
    assert response.context["counts"].total == (2 * size if role == "staff" else size)
    if size == 40:
        assert len(fake_search.calls) == 5  # the cap, reached


@pytest.mark.parametrize("size", [2, 40])
def test_it_runs_a_constant_number_of_queries_with_the_real_search(
    as_user,
    client,
    student,
    other_student,
    mentor,
    programme,
    other_programme,
    monkeypatch,
    size,
):
    monkeypatch.setattr(patterns, "REPEATED_SEARCHES", 5)
    counting = CountingSearch(patterns.search)
    monkeypatch.setattr(patterns, "search", counting)
    _school(size, student, other_student, mentor, programme, other_programme)
    as_user("staff")

    with CaptureQueriesContext(connection) as context:
        response = client.get(PAGE)

    assert response.status_code == 200
    # However many queries one search runs (the search module's business), the page
    # adds a fixed number of its own and searches at most REPEATED_SEARCHES times.
    assert len(context.captured_queries) - counting.queries <= PAGE_QUERIES
    assert counting.calls <= 5
    if size == 40:
        assert counting.calls == 5


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_it_fits_a_390_pixel_phone(
    logged_in_page,
    mentor,
    student,
    programme,
    html_project,
    api_project,
    fake_search,
    screenshot,
    language,
):
    mentor.language = language
    mentor.save()
    now = timezone.now()
    docker = topic("Docker")
    for index in range(24):
        ask(
            student,
            programme,
            when=now - timedelta(days=index * 3, hours=1),
            title=f"Deploy fails with a very long error message number {index % 3}",
            project=(html_project, api_project, None)[index % 3],
            topics=[docker],
            answered_after=timedelta(hours=index) if index % 2 else None,
        )
    page = logged_in_page(mentor)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(PAGE)

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    chart = page.get_by_test_id("patterns-chart").locator("svg")
    assert chart.bounding_box()["width"] <= 390
    label_height = page.locator(".patterns-chart .chart-label").first.bounding_box()["height"]
    assert label_height >= 7  # CSS pixels: still readable once the chart is scaled down
    assert page.get_by_test_id("question-group").count() == 1
    screenshot(page, f"patterns-390-{language}")
