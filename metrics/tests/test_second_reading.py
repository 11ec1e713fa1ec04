"""Second reading's rules (metrics.second_reading): who reads which reviews, the sample,
the rating and the figures, with exact values."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from mentorship.access import NotAllowed
from mentorship.tests.factories import MentorFactory, StudentFactory
from metrics.models import SecondReading
from metrics.second_reading import (
    feedback_opening,
    may_second_read_review,
    review_for_second_reading,
    reviews_readable_by,
    second_reading_figures,
    second_reading_record,
    second_reading_sample,
    second_reading_summary,
)
from metrics.tests.helpers_reviews import make_review
from projects.tests.factories import ProjectFactory

NOW = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(db):
    return ProjectFactory(title="Weather app")


@pytest.fixture
def clock(monkeypatch):
    """``clock("2026-10-01 10:00")`` sets the time the services see (UTC)."""

    def set_to(moment: str) -> None:
        at = datetime.fromisoformat(moment).replace(tzinfo=UTC)
        monkeypatch.setattr(timezone, "now", lambda: at)

    return set_to


@pytest.fixture
def review(mentor, student, project):
    """``mentor``'s review (``supervisor``'s team) of ``student``'s attempt."""
    return make_review(
        reviewer=mentor, project=project, student=student, at=NOW - timedelta(days=1)
    )


@pytest.fixture
def other_review(other_mentor, other_student, project):
    """``other_mentor``'s review (``other_supervisor``'s team)."""
    return make_review(
        reviewer=other_mentor, project=project, student=other_student, at=NOW - timedelta(days=1)
    )


def team_mentor(supervisor, **fields):
    mentor = MentorFactory(**fields)
    mentor.mentor_profile.supervisor = supervisor
    mentor.mentor_profile.save()
    return mentor


# --- Who reads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "readable"),
    [
        ("student", set()),
        ("other_student", set()),
        ("mentor", set()),
        ("other_mentor", set()),
        ("supervisor", {"review"}),
        ("other_supervisor", {"other_review"}),
        ("staff", {"review", "other_review"}),
    ],
)
def test_it_lets_supervisors_read_their_team_and_staff_everyone(
    request, review, other_review, role, readable
):
    user = request.getfixturevalue(role)
    reviews = {"review": review, "other_review": other_review}

    found = set(reviews_readable_by(user).values_list("pk", flat=True))

    assert found == {reviews[name].pk for name in readable}


def test_it_reads_a_team_mentors_review_of_a_student_outside_the_team(
    supervisor, mentor, other_student, project
):
    # The review is the mentor's work, whoever's student it judged.
    review = make_review(reviewer=mentor, project=project, student=other_student, at=NOW)

    assert review_for_second_reading(supervisor, review.pk) == review


def test_it_reads_no_review_by_someone_who_is_not_a_mentor(supervisor, staff, student, project):
    review = make_review(reviewer=supervisor, project=project, student=student, at=NOW)

    assert not reviews_readable_by(staff).filter(pk=review.pk).exists()
    assert not reviews_readable_by(supervisor).filter(pk=review.pk).exists()


def test_it_answers_outsiders_404(other_supervisor, mentor, review):
    with pytest.raises(Http404):
        review_for_second_reading(other_supervisor, review.pk)
    with pytest.raises(Http404):
        review_for_second_reading(mentor, review.pk)


def test_it_loads_a_review_with_what_its_page_shows(supervisor, review, django_assert_num_queries):
    # The review with its submission, project, programme, student and reviewer; the
    # criterion verdicts with their criteria.
    with django_assert_num_queries(2):
        loaded = review_for_second_reading(supervisor, review.pk)
        shown = (
            loaded.submission.project.programme.title,
            str(loaded.submission.student),
            str(loaded.reviewer),
            [verdict.criterion.title for verdict in loaded.verdicts.all()],
        )

    assert shown[3] == ["Weather app: criterion 1", "Weather app: criterion 2"]


# --- The sample -----------------------------------------------------------------------


def test_it_samples_each_mentors_most_recent_unrated_reviews(
    supervisor, other_supervisor, mentor, project
):
    second = team_mentor(supervisor, display_name="Aaron Second")
    reviews = [
        make_review(reviewer=mentor, project=project, at=NOW - timedelta(days=day))
        for day in (1, 2, 3, 4, 5)
    ]
    make_review(reviewer=mentor, project=project, at=NOW - timedelta(days=31))  # too old
    make_review(reviewer=mentor, project=project, at=NOW + timedelta(minutes=1))  # after now
    # Rated by this reader: out; rated by someone else only: still in.
    SecondReading.objects.create(review=reviews[0], reader=supervisor, rating=4)
    SecondReading.objects.create(review=reviews[1], reader=other_supervisor, rating=2)
    seconds = [
        make_review(reviewer=second, project=project, at=NOW - timedelta(days=day))
        for day in (10, 30)
    ]

    sample = second_reading_sample(reader=supervisor, now=NOW)

    assert [group.mentor for group in sample.groups] == [second, mentor]
    assert [item.review for item in sample.groups[0].reviews] == seconds
    assert [item.review for item in sample.groups[1].reviews] == reviews[1:4]
    assert sample.review_count == 5
    assert (sample.start, sample.end) == (NOW - timedelta(days=30), NOW)


def test_it_takes_as_many_reviews_and_days_as_asked(supervisor, mentor, project):
    reviews = [
        make_review(reviewer=mentor, project=project, at=NOW - timedelta(days=day))
        for day in (1, 2, 8)
    ]

    sample = second_reading_sample(reader=supervisor, per_mentor=5, days=7, now=NOW)

    assert [item.review for item in sample.groups[0].reviews] == reviews[:2]


def test_it_shows_a_mentor_with_nothing_to_read_and_their_figures(
    supervisor, mentor, project, other_supervisor
):
    rated = make_review(reviewer=mentor, project=project, at=NOW - timedelta(days=2))
    reading = SecondReading.objects.create(
        review=rated, reader=supervisor, rating=3, created_at=NOW - timedelta(days=1)
    )
    SecondReading.objects.create(
        review=rated, reader=other_supervisor, rating=5, created_at=NOW - timedelta(days=40)
    )

    sample = second_reading_sample(reader=supervisor, now=NOW)

    (group,) = sample.groups
    assert group.reviews == []
    assert group.figures == {
        "n": 1,
        "mean": 3.0,
        "counts": {1: 0, 2: 0, 3: 1, 4: 0, 5: 0},
    }
    assert reading.pk


def test_it_leaves_out_mentors_who_left(supervisor, mentor):
    mentor.is_active = False
    mentor.save()

    assert second_reading_sample(reader=supervisor, now=NOW).groups == []


@pytest.mark.parametrize("role", ["student", "mentor", "other_mentor"])
def test_it_samples_nothing_for_people_who_do_not_read(request, role, review):
    assert second_reading_sample(reader=request.getfixturevalue(role), now=NOW).groups == []


def test_it_never_samples_reviews_the_reader_may_not_read(
    supervisor, other_mentor, other_review, mentor, review
):
    # A caller passing someone else's mentor gets no review of theirs.
    sample = second_reading_sample(reader=supervisor, mentors=[mentor, other_mentor], now=NOW)

    assert {group.mentor: [i.review for i in group.reviews] for group in sample.groups} == {
        mentor: [review],
        other_mentor: [],
    }


def test_it_samples_a_page_of_mentors_for_staff(staff, mentor, other_mentor, review, other_review):
    sample = second_reading_sample(reader=staff, mentors=[other_mentor], now=NOW)

    assert [(g.mentor, [i.review for i in g.reviews]) for g in sample.groups] == [
        (other_mentor, [other_review])
    ]


@pytest.mark.parametrize("size", [2, 8])
def test_it_samples_in_three_queries_whatever_the_team(
    supervisor, project, size, django_assert_num_queries
):
    for index in range(size):
        mentor = team_mentor(supervisor)
        for day in range(index % 5 + 1):
            make_review(reviewer=mentor, project=project, at=NOW - timedelta(days=day + 1))

    # The mentors; the reviews numbered per mentor by a window; the figures.
    with django_assert_num_queries(3):
        sample = second_reading_sample(reader=supervisor, now=NOW)
        shown = [
            (
                item.review.submission.project.title,
                str(item.review.submission.student),
                str(item.review.reviewer),
                item.opening,
            )
            for group in sample.groups
            for item in group.reviews
        ]

    assert len(sample.groups) == size
    assert len(shown) == sum(min(index % 5 + 1, 3) for index in range(size))


def test_it_opens_a_review_with_its_first_lines_as_plain_text():
    feedback = "**Good** work & care.\n\n- one\n- two\n- three\n- four"

    assert feedback_opening(feedback) == "Good work & care.\none\ntwo…"
    assert feedback_opening("Short.") == "Short."
    assert feedback_opening("x" * 400) == "x" * 279 + "…"


# --- The rating -----------------------------------------------------------------------


def test_it_records_a_rating(supervisor, review):
    reading = second_reading_record(
        review=review, reader=supervisor, rating=4, comment="  Clear and kind.  "
    )

    assert list(SecondReading.objects.values_list("review", "reader", "rating", "comment")) == [
        (review.pk, supervisor.pk, 4, "Clear and kind.")
    ]
    assert reading.rating == 4


def test_it_replaces_the_readers_earlier_rating(supervisor, staff, review, clock):
    clock("2026-10-01 10:00:00")
    second_reading_record(review=review, reader=supervisor, rating=2, comment="Too short.")
    second_reading_record(review=review, reader=staff, rating=5)
    clock("2026-10-03 10:00:00")

    second_reading_record(review=review, reader=supervisor, rating=4)

    assert sorted(
        SecondReading.objects.values_list("reader", "rating", "comment", "created_at")
    ) == sorted(
        [
            (supervisor.pk, 4, "", datetime(2026, 10, 3, 10, tzinfo=UTC)),
            (staff.pk, 5, "", datetime(2026, 10, 1, 10, tzinfo=UTC)),
        ]
    )


@pytest.mark.parametrize("rating", [0, 6, None, "4", True, 3.5])
def test_it_refuses_a_rating_outside_1_to_5(supervisor, review, rating):
    with pytest.raises(ValidationError) as refused:
        second_reading_record(review=review, reader=supervisor, rating=rating)

    assert set(refused.value.error_dict) == {"rating"}
    assert not SecondReading.objects.exists()


def test_it_refuses_a_comment_too_long(supervisor, review):
    with pytest.raises(ValidationError) as refused:
        second_reading_record(review=review, reader=supervisor, rating=3, comment="x" * 4001)

    assert set(refused.value.error_dict) == {"comment"}
    assert not SecondReading.objects.exists()


@pytest.mark.parametrize(
    ("role", "hidden"),
    [
        ("other_supervisor", True),  # sees nothing of it
        ("other_student", True),
        ("other_mentor", True),
        ("mentor", False),  # their own review: they see it, may not rate it
        ("student", False),  # their own submission's review
    ],
)
def test_it_refuses_people_who_may_not_rate(request, review, role, hidden):
    with pytest.raises(NotAllowed) as refused:
        second_reading_record(review=review, reader=request.getfixturevalue(role), rating=5)

    assert refused.value.hidden is hidden
    assert not SecondReading.objects.exists()


def test_it_refuses_the_supervisor_who_sees_a_review_from_outside_their_team(
    supervisor, student, other_mentor, project
):
    # Their team's student, reviewed by another team's mentor: visible, not theirs to rate.
    review = make_review(reviewer=other_mentor, project=project, student=student, at=NOW)

    with pytest.raises(NotAllowed) as refused:
        second_reading_record(review=review, reader=supervisor, rating=5)

    assert refused.value.hidden is False
    assert not may_second_read_review(supervisor, review=review)


def test_it_lets_nobody_rate_their_own_review(staff, student, project):
    # A reviewer who became staff still may not rate what they wrote.
    mentor = MentorFactory()
    review = make_review(reviewer=mentor, project=project, student=student, at=NOW)
    mentor.role = "staff"
    mentor.save()

    assert not reviews_readable_by(mentor).filter(pk=review.pk).exists()
    with pytest.raises(NotAllowed) as refused:
        second_reading_record(review=review, reader=mentor, rating=5)
    assert refused.value.message == "Nobody rates their own review."


# --- Figures --------------------------------------------------------------------------


def read(review, reader, rating, at):
    return SecondReading.objects.create(review=review, reader=reader, rating=rating, created_at=at)


START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)


def test_it_says_no_data_for_a_mentor_nobody_rated(mentor, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures = second_reading_figures(mentor_ids=[mentor.pk], start=START, end=END)

    assert figures == {mentor.pk: {"n": 0, "mean": None, "counts": dict.fromkeys(range(1, 6), 0)}}


def test_it_asks_nothing_for_no_mentors(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert second_reading_figures(mentor_ids=[], start=START, end=END) == {}


def test_it_counts_one_rating(mentor, supervisor, review):
    read(review, supervisor, 4, START)

    figures = second_reading_figures(mentor_ids=[mentor.pk], start=START, end=END)

    assert figures[mentor.pk] == {"n": 1, "mean": 4.0, "counts": {1: 0, 2: 0, 3: 0, 4: 1, 5: 0}}


def test_it_counts_ratings_in_the_period_per_mentor(
    mentor, other_mentor, supervisor, other_supervisor, staff, project, django_assert_num_queries
):
    reviews = [make_review(reviewer=mentor, project=project, at=START) for _ in range(3)]
    other = make_review(reviewer=other_mentor, project=project, at=START)
    read(reviews[0], supervisor, 5, START)  # the first moment: in
    read(reviews[0], staff, 2, START + timedelta(days=3))  # a second reader: counts too
    read(reviews[1], supervisor, 2, END - timedelta(microseconds=1))  # the last moment: in
    read(reviews[2], supervisor, 1, END)  # the first moment after: out
    read(reviews[2], staff, 3, START - timedelta(microseconds=1))  # before: out
    read(other, other_supervisor, 3, START)

    with django_assert_num_queries(1):
        figures = second_reading_figures(
            mentor_ids=[mentor.pk, other_mentor.pk], start=START, end=END
        )

    assert figures == {
        mentor.pk: {"n": 3, "mean": 3.0, "counts": {1: 0, 2: 2, 3: 0, 4: 0, 5: 1}},
        other_mentor.pk: {"n": 1, "mean": 3.0, "counts": {1: 0, 2: 0, 3: 1, 4: 0, 5: 0}},
    }


def test_it_counts_a_replaced_rating_once_at_its_new_time(mentor, supervisor, review, clock):
    clock("2026-09-30 23:00:00")
    second_reading_record(review=review, reader=supervisor, rating=1)
    clock("2026-10-02 08:00:00")
    second_reading_record(review=review, reader=supervisor, rating=5)

    october = second_reading_figures(mentor_ids=[mentor.pk], start=START, end=END)
    september = second_reading_figures(
        mentor_ids=[mentor.pk], start=datetime(2026, 9, 1, tzinfo=UTC), end=START
    )

    assert october[mentor.pk]["n"] == 1
    assert october[mentor.pk]["mean"] == 5.0
    assert september[mentor.pk]["n"] == 0


def test_it_sums_up_a_mentors_last_90_days(mentor, supervisor, project):
    reviews = [make_review(reviewer=mentor, project=project, at=NOW) for _ in range(3)]
    read(reviews[0], supervisor, 4, NOW - timedelta(days=89))
    read(reviews[1], supervisor, 3, NOW - timedelta(days=1))
    read(reviews[2], supervisor, 1, NOW - timedelta(days=91))

    summary = second_reading_summary(mentor=mentor, now=NOW)

    assert summary == {
        "n": 2,
        "mean": 3.5,
        "counts": {1: 0, 2: 0, 3: 1, 4: 1, 5: 0},
        "days": 90,
    }


def test_it_counts_students_nothing(student):
    # A student has no reviews: asking for them is harmless and empty.
    StudentFactory()
    assert (
        second_reading_figures(mentor_ids=[student.pk], start=START, end=END)[student.pk]["n"] == 0
    )
