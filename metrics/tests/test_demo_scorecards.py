"""``seed_demo``'s mentors as the scorecards should show them
(``metrics.demo_scorecards``): a strong and a weak mentor in the demo supervisor's team,
a harsh and a lenient reviewer on the same projects, one mentor improving and one
declining, different mixes of students, second readings and surveys, months of it,
written once."""

from datetime import timedelta
from io import StringIO
from statistics import mean, median

import pytest
from django.core.management import call_command
from django.db.models import Avg
from django.utils import timezone

from mentorship.models import Assignment, StudentProfile, User
from metrics.demo_scorecards import CHARACTERS
from metrics.models import SecondReading, Survey, SurveyContinue
from projects.models import CriterionVerdict, Review, Verdict
from students.demo import HISTORY_AGENDA
from students.models import FlagStatus, MentoringSession, RiskFlag, SessionStatus

STRONG, IMPROVING, WEAK, LENIENT, HARSH, DECLINING = 1, 2, 3, 4, 5, 6


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def seeded(demo_seeded, db) -> str:
    return demo_seeded.output  # seeded once for the module (conftest.py)


def _mentor(number: int) -> User:
    return User.objects.get(
        email="mentor@demo.test" if number == 1 else f"mentor{number}@demo.test"
    )


def _students(number: int):
    return Assignment.objects.current().filter(mentor=_mentor(number)).values("student_id")


def _review_hours(number: int, **filters) -> list[float]:
    return [
        (review.created_at - review.submission.submitted_at).total_seconds() / 3600
        for review in Review.objects.filter(reviewer=_mentor(number), **filters).select_related(
            "submission"
        )
    ]


def test_it_gives_the_supervisor_a_strong_and_a_weak_mentor(seeded):
    strong, weak = _mentor(STRONG), _mentor(WEAK)
    supervisor = User.objects.get(email="supervisor@demo.test")
    history = MentoringSession.objects.filter(agenda=HISTORY_AGENDA)

    assert strong.mentor_profile.supervisor == weak.mentor_profile.supervisor == supervisor
    # Quick reviews against slow ones: every one of them.
    assert max(_review_hours(STRONG)) < min(_review_hours(WEAK))
    assert median(_review_hours(WEAK)) > 3 * median(_review_hours(STRONG))
    # Sessions better rated and missed less.
    ratings = {
        number: history.filter(mentor=_mentor(number), rating__isnull=False).aggregate(
            mean=Avg("rating")
        )["mean"]
        for number in (STRONG, WEAK)
    }
    assert ratings[STRONG] - ratings[WEAK] >= 0.8
    missed = {
        number: history.filter(
            mentor=_mentor(number), status=SessionStatus.STUDENT_NO_SHOW
        ).count()
        / history.filter(mentor=_mentor(number)).count()
        for number in (STRONG, WEAK)
    }
    assert missed[STRONG] < missed[WEAK]
    # Students who say so.
    scores = {
        number: Survey.objects.filter(mentor=_mentor(number), score__isnull=False).aggregate(
            mean=Avg("score")
        )["mean"]
        for number in (STRONG, WEAK)
    }
    assert scores[STRONG] - scores[WEAK] >= 1.5


def test_it_leaves_the_weak_mentors_flags_unacknowledged_for_days(seeded):
    past = RiskFlag.objects.filter(status=FlagStatus.RESOLVED)
    weak = list(past.filter(student_id__in=_students(WEAK)))
    strong = list(past.filter(student_id__in=_students(STRONG)))

    def within_48_hours(flag: RiskFlag) -> bool:
        return (
            flag.acknowledged_at is not None
            and flag.acknowledged_at - flag.created_at <= timedelta(hours=48)
        )

    assert weak or strong
    assert not any(within_48_hours(flag) for flag in weak)
    assert all(within_48_hours(flag) for flag in strong)
    # And the weak mentor's students go quiet more often: more flags per student.
    assert len(weak) >= len(strong)


def test_it_makes_a_harsh_and_a_lenient_reviewer_of_the_same_projects(seeded):
    harsh = Review.objects.filter(reviewer=_mentor(HARSH))
    lenient = Review.objects.filter(reviewer=_mentor(LENIENT))
    shared = set(harsh.values_list("submission__project", flat=True)) & set(
        lenient.values_list("submission__project", flat=True)
    )

    def approval_rate(reviews) -> float:
        reviews = reviews.filter(submission__project__in=shared)
        return reviews.filter(verdict=Verdict.APPROVED).count() / reviews.count()

    def first_attempt_rate(reviews) -> float:
        return approval_rate(reviews.filter(submission__attempt=1))

    assert len(shared) >= 3
    assert approval_rate(lenient) - approval_rate(harsh) >= 0.25
    assert first_attempt_rate(lenient) - first_attempt_rate(harsh) >= 0.5
    # The harsh one marks criteria not met far more often.
    not_met = {
        name: CriterionVerdict.objects.filter(review__in=reviews, met=False).count()
        / CriterionVerdict.objects.filter(review__in=reviews).count()
        for name, reviews in (("harsh", harsh), ("lenient", lenient))
    }
    assert not_met["harsh"] > 3 * not_met["lenient"]


def test_it_shows_one_mentor_improving_and_one_declining(seeded):
    now = timezone.now()
    early = {"created_at__lt": now - timedelta(days=120)}
    late = {"created_at__gte": now - timedelta(days=45)}

    assert median(_review_hours(IMPROVING, **late)) < median(_review_hours(IMPROVING, **early))
    assert median(_review_hours(DECLINING, **late)) > 2 * median(_review_hours(DECLINING, **early))


def test_it_gives_mentors_different_mixes_of_students(seeded):
    hours = {
        number: list(
            StudentProfile.objects.filter(user_id__in=_students(number)).values_list(
                "weekly_hours", flat=True
            )
        )
        for number in CHARACTERS
    }

    for number, character in CHARACTERS.items():
        assert set(hours[number]) <= set(character.weekly_hours)
    assert mean(hours[DECLINING]) - mean(hours[IMPROVING]) >= 10
    assert mean(hours[HARSH]) < mean(hours[WEAK])


def test_it_has_the_supervisors_read_reviews_of_every_mentor(seeded):
    readings = SecondReading.objects.select_related("review__submission", "reader")

    for number in CHARACTERS:
        mentor = _mentor(number)
        mine = [reading for reading in readings if reading.review.reviewer_id == mentor.pk]
        assert len(mine) == len(CHARACTERS[number].second_readings)
        for reading in mine:
            reading.full_clean()
            assert reading.reader == mentor.mentor_profile.supervisor
            assert reading.comment
            assert reading.review.created_at < reading.created_at <= timezone.now()
    average = {
        number: mean(rating for rating, _comment in CHARACTERS[number].second_readings)
        for number in CHARACTERS
    }
    assert average[HARSH] < average[STRONG]
    assert average[LENIENT] < average[STRONG]
    harsh = readings.filter(review__reviewer=_mentor(HARSH))
    lenient = readings.filter(review__reviewer=_mentor(LENIENT))
    assert {reading.review.verdict for reading in harsh} == {Verdict.CHANGES_REQUESTED}
    assert {reading.review.verdict for reading in lenient} == {Verdict.APPROVED}


def test_it_sends_surveys_round_after_round(seeded):
    surveys = Survey.objects.select_related("student__student_profile")
    answered = surveys.filter(answered_at__isnull=False)
    now = timezone.now()

    assert len({survey.round for survey in surveys}) >= 5
    assert answered.count() > surveys.count() / 2
    assert answered.exclude(comment="").exists()
    assert set(answered.values_list("plans_to_continue", flat=True)) == set(SurveyContinue.values)
    assert answered.filter(student__language="ru").exclude(comment="").exists()
    for survey in surveys:
        survey.full_clean()
        assert survey.sent_at <= now
        assert survey.mentor_id == (
            Assignment.objects.current().get(student=survey.student).mentor_id
        )
        if survey.answered_at is None:
            assert (survey.score, survey.plans_to_continue, survey.comment) == (None, "", "")
        else:
            assert survey.sent_at < survey.answered_at <= now
            assert survey.score is not None


def test_it_spans_months(seeded):
    now = timezone.now()
    four_months_ago = now - timedelta(days=120)

    assert Review.objects.filter(created_at__lt=four_months_ago).exists()
    assert MentoringSession.objects.filter(
        agenda=HISTORY_AGENDA, scheduled_at__lt=four_months_ago
    ).exists()
    assert Survey.objects.filter(sent_at__lt=now - timedelta(days=4 * 28)).exists()
    for number in CHARACTERS:
        assert Review.objects.filter(
            reviewer=_mentor(number), created_at__lt=now - timedelta(days=100)
        ).exists()


def test_it_adds_nothing_the_second_time(seeded):
    models = [Survey, SecondReading, MentoringSession, RiskFlag]
    before = [model.objects.count() for model in models]

    output = _seed()

    assert "Mentors' history: 0 fortnightly sessions, 0 past at-risk flags, 0 surveys" in output
    assert "0 second readings." in output
    assert [model.objects.count() for model in models] == before
