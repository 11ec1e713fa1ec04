"""The students' survey: its rounds, who is due, sending (twice, on two workers at
once), answering, who reads the answers, and the figures the scorecard takes."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone, translation

from mentorship.access import NotAllowed
from mentorship.models import Notification, StudentProfile, StudentStatus
from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory
from metrics import surveys, tasks
from metrics.models import Survey, SurveyContinue
from metrics.surveys import (
    SURVEY_MIN_RESPONSES,
    students_due_survey,
    survey_answer,
    survey_answers_visible_to,
    survey_figures,
    survey_is_due,
    survey_is_open,
    survey_last_day,
    survey_round,
    survey_round_days,
    survey_waiting,
    surveys_send_due,
)
from metrics.tasks import send_surveys

from .helpers_surveys import current_round, make_survey

DAY = date(2026, 10, 1)


def round_start(student, day: date = DAY) -> date:
    """The first day of the student's round that ``day`` falls in."""
    return survey_round_days(student.pk, survey_round(student.pk, day))[0]


def surveys_of(*students) -> list[tuple]:
    return list(
        Survey.objects.filter(student__in=students)
        .order_by("student_id", "round")
        .values_list("student_id", "mentor_id", "round")
    )


# --- Rounds ---------------------------------------------------------------------------


def test_it_counts_four_week_rounds_from_2024_01_01():
    assert survey_round(0, date(2024, 1, 1)) == 0
    assert survey_round(0, date(2024, 1, 28)) == 0
    assert survey_round(0, date(2024, 1, 29)) == 1
    assert survey_round(28, date(2024, 1, 29)) == 1  # 28 is staggered like 0


def test_it_staggers_each_students_round_by_their_id_modulo_28():
    # Student 27's first round began 27 days before the school's: it ends on 1 January.
    assert survey_round(27, date(2024, 1, 1)) == 0
    assert survey_round(27, date(2024, 1, 2)) == 1
    assert survey_round_days(27, 1) == (date(2024, 1, 2), date(2024, 1, 30))
    # 1,004 days after the epoch, plus 5: round 36, which began the day before.
    assert survey_round(5, date(2026, 10, 1)) == 36
    assert survey_round_days(5, 36) == (date(2026, 9, 30), date(2026, 10, 28))


@pytest.mark.parametrize("student_id", [1, 5, 27, 28, 1000])
def test_it_gives_every_day_of_a_round_that_round(student_id):
    round_number = survey_round(student_id, DAY)
    start, end = survey_round_days(student_id, round_number)

    assert (end - start).days == 28
    assert {survey_round(student_id, start + timedelta(days=n)) for n in range(28)} == {
        round_number
    }
    assert survey_round(student_id, start - timedelta(days=1)) == round_number - 1
    assert survey_round(student_id, end) == round_number + 1


def test_it_is_due_on_the_first_three_days_of_a_round_only():
    assert [survey_is_due(5, date(2026, 9, 29) + timedelta(days=n)) for n in range(6)] == [
        False,  # 29 September: the last day of round 35
        True,  # 30 September: round 36 begins
        True,
        True,
        False,  # 3 October: the fourth day
        False,
    ]


def test_it_makes_three_of_every_28_consecutive_ids_due_on_any_day():
    for day in [DAY + timedelta(days=n) for n in range(30)]:
        assert sum(survey_is_due(student_id, day) for student_id in range(100, 128)) == 3


# --- Who is due -----------------------------------------------------------------------


@pytest.fixture
def class_of_28(mentor):
    """28 active students of ``mentor``, one for each day of a round."""
    students = []
    for _number in range(28):
        student = StudentFactory()
        AssignmentFactory(student=student, mentor=mentor)
        students.append(student)
    return students


@pytest.mark.parametrize("offset", [0, 1, 13, 27])
def test_it_selects_the_students_the_rule_says_are_due_with_their_round(
    class_of_28, mentor, offset
):
    day = DAY + timedelta(days=offset)

    due = list(students_due_survey(day=day).values_list("pk", "survey_round", "survey_mentor_id"))

    assert len(due) == 3
    assert sorted(due) == [
        (student.pk, survey_round(student.pk, day), mentor.pk)
        for student in class_of_28
        if survey_is_due(student.pk, day)
    ]


def test_it_selects_only_active_students_with_a_mentor_not_yet_sent_this_round(
    student, mentor, other_mentor
):
    paused = StudentFactory()
    AssignmentFactory(student=paused, mentor=mentor)
    StudentProfile.objects.filter(user=paused).update(status=StudentStatus.PAUSED)
    deactivated = StudentFactory(is_active=False)
    AssignmentFactory(student=deactivated, mentor=mentor)
    without_mentor = StudentFactory()
    former = StudentFactory()
    AssignmentFactory(
        student=former,
        mentor=other_mentor,
        started_at=timezone.now() - timedelta(days=60),
        ended_at=timezone.now() - timedelta(days=1),
    )
    sent_already = StudentFactory()
    AssignmentFactory(student=sent_already, mentor=mentor)
    make_survey(
        sent_already, round_number=survey_round(sent_already.pk, round_start(sent_already))
    )
    previous_round = StudentFactory()
    AssignmentFactory(student=previous_round, mentor=mentor)
    make_survey(
        previous_round,
        round_number=survey_round(previous_round.pk, round_start(previous_round)) - 1,
    )

    def is_due(person) -> bool:
        return students_due_survey(day=round_start(person)).filter(pk=person.pk).exists()

    assert is_due(student)
    assert is_due(previous_round)
    assert not is_due(paused)
    assert not is_due(deactivated)
    assert not is_due(without_mentor)
    assert not is_due(former)
    assert not is_due(sent_already)


def test_it_selects_the_due_students_in_one_query(class_of_28, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(students_due_survey(day=DAY))


# --- Sending --------------------------------------------------------------------------


def test_it_sends_a_due_student_the_survey_of_their_round_about_their_mentor(
    student, mentor, django_capture_on_commit_callbacks
):
    day = round_start(student)

    with django_capture_on_commit_callbacks(execute=True):
        sent = surveys_send_due(today=day)

    survey = Survey.objects.get()
    assert sent == 1
    assert (survey.student_id, survey.mentor_id, survey.round) == (
        student.pk,
        mentor.pk,
        survey_round(student.pk, day),
    )
    assert (survey.score, survey.answered_at, survey.plans_to_continue, survey.comment) == (
        None,
        None,
        "",
        "",
    )
    notification = Notification.objects.get()
    assert (notification.user_id, notification.kind, notification.url) == (
        student.pk,
        "survey",
        reverse("metrics:survey", args=[survey.pk]),
    )
    assert notification.title == "How is your mentoring going? One click to tell us"
    assert "not to your mentor" in notification.body
    assert notification.emailed_at is not None


def test_it_tells_each_student_in_their_language(student):
    student.language = "ru"
    student.save(update_fields=["language"])

    surveys_send_due(today=round_start(student))

    notification = Notification.objects.get()
    assert notification.written_title == "Как идёт ваше менторство? Ответ — одно нажатие"
    assert "супервайзер вашего ментора, а не сам ментор" in notification.written_body
    with translation.override("ru"):
        assert notification.title == notification.written_title


def test_it_sends_nothing_twice_when_run_twice(student):
    day = round_start(student)
    first = surveys_send_due(today=day)

    again = surveys_send_due(today=day)
    next_day = surveys_send_due(today=day + timedelta(days=1))

    assert (first, again, next_day) == (1, 0, 0)
    assert Survey.objects.filter(student=student).count() == 1
    assert Notification.objects.filter(user=student).count() == 1


def test_it_catches_up_on_the_rounds_first_three_days_only(student, mentor):
    start = round_start(student)
    round_number = survey_round(student.pk, start)

    assert surveys_send_due(today=start + timedelta(days=3)) == 0
    assert surveys_send_due(today=start + timedelta(days=2)) == 1
    assert surveys_of(student) == [(student.pk, mentor.pk, round_number)]


def test_it_sends_the_next_rounds_survey_four_weeks_later(student, mentor):
    start = round_start(student)
    round_number = survey_round(student.pk, start)

    surveys_send_due(today=start)
    surveys_send_due(today=start + timedelta(days=28))

    assert surveys_of(student) == [
        (student.pk, mentor.pk, round_number),
        (student.pk, mentor.pk, round_number + 1),
    ]
    assert Notification.objects.filter(user=student).count() == 2


def test_it_notifies_only_the_surveys_it_wrote_when_another_worker_wrote_them_first(
    student, monkeypatch
):
    """The second worker chose the students before the first committed: its insert
    finds the rows there and writes, and so notifies, nothing."""
    day = round_start(student)
    chosen_before_the_first_committed = students_due_survey(day=day)
    surveys_send_due(today=day)
    monkeypatch.setattr(
        surveys, "students_due_survey", lambda *, day: chosen_before_the_first_committed
    )

    assert surveys_send_due(today=day) == 0
    assert Survey.objects.count() == 1
    assert Notification.objects.count() == 1


def _send_in_thread(barrier: threading.Barrier, day: date, outcomes: dict, name: str) -> None:
    try:
        barrier.wait(timeout=30)
        outcomes[name] = surveys_send_due(today=day)
    except Exception as error:  # reported by the test, in the main thread
        outcomes[name] = error
        barrier.abort()
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_it_sends_one_survey_when_two_workers_send_at_once():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite's shared in-memory test database refuses a second "
            "writer instead of making it wait"
        )
    mentor = MentorFactory()
    students = []
    for _number in range(28):
        student = StudentFactory()
        AssignmentFactory(student=student, mentor=mentor)
        students.append(student)
    barrier = threading.Barrier(2)
    outcomes: dict = {}
    threads = [
        threading.Thread(target=_send_in_thread, args=(barrier, DAY, outcomes, name))
        for name in ("first", "second")
    ]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads), "a worker never finished"
    assert not [o for o in outcomes.values() if isinstance(o, Exception)], outcomes
    assert sorted(outcomes.values()) == [0, 3]
    assert Survey.objects.count() == 3
    assert sorted(Notification.objects.values_list("user_id", flat=True)) == sorted(
        student.pk for student in students if survey_is_due(student.pk, DAY)
    )


# --- The daily task -------------------------------------------------------------------


def test_the_task_sends_todays_surveys_once(student, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: round_start(student))

    first = send_surveys.delay().get()
    again = send_surveys.delay().get()

    assert (first, again) == (1, 0)
    assert Survey.objects.filter(student=student).count() == 1
    assert Notification.objects.filter(user=student, kind="survey").count() == 1


def test_the_task_is_retried_on_a_database_error():
    assert OperationalError in send_surveys.autoretry_for


def test_the_task_is_scheduled_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-surveys"]

    assert entry["task"] == "metrics.tasks.send_surveys"
    assert entry["schedule"].hour == {6}
    assert entry["schedule"].day_of_week == set(range(7))
    assert tasks.send_surveys.name == "metrics.tasks.send_surveys"


# --- Answering ------------------------------------------------------------------------


@pytest.fixture
def survey(student, mentor):
    return make_survey(student, mentor=mentor)


def fresh(survey) -> tuple:
    survey = Survey.objects.get(pk=survey.pk)
    return survey.score, survey.answered_at, survey.plans_to_continue, survey.comment


def test_it_records_the_score_in_one_answer(survey, student):
    before = timezone.now()

    survey_answer(survey=survey, student=student, score=8)

    survey.refresh_from_db()
    assert survey.score == 8
    assert before <= survey.answered_at <= timezone.now()
    assert (survey.plans_to_continue, survey.comment) == ("", "")


def test_it_never_replaces_the_score(survey, student):
    survey_answer(survey=survey, student=student, score=8)
    recorded = fresh(survey)

    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=survey, student=student, score=3)

    assert refused.value.message_dict == {
        "score": ["Your score is already recorded and cannot be changed."]
    }
    assert fresh(survey) == recorded


def test_it_takes_the_same_score_twice_as_one_click(survey, student):
    survey_answer(survey=survey, student=student, score=8)
    recorded = fresh(survey)

    survey_answer(survey=survey, student=student, score=8)

    assert fresh(survey) == recorded


def test_it_adds_and_changes_the_plans_and_comment_until_the_round_is_over(survey, student):
    survey_answer(survey=survey, student=student, score=9)
    survey_answer(
        survey=survey, student=student, plans_to_continue="unsure", comment="  Good pace.  "
    )
    survey_answer(survey=survey, student=student, plans_to_continue=SurveyContinue.YES)

    assert fresh(survey)[0] == 9
    assert fresh(survey)[2:] == ("yes", "Good pace.")


def test_it_asks_for_the_score_first(survey, student):
    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=survey, student=student, plans_to_continue="yes", comment="Hi")

    assert refused.value.message_dict == {"score": ["Choose a score first."]}
    assert fresh(survey) == (None, None, "", "")


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"score": 11}, "score", "Choose a score from 0 to 10."),
        ({"score": -1}, "score", "Choose a score from 0 to 10."),
        ({"score": "7"}, "score", "Choose a score from 0 to 10."),
        ({"score": True}, "score", "Choose a score from 0 to 10."),
        ({"score": 7, "plans_to_continue": "maybe"}, "plans_to_continue", None),
        ({"score": 7, "comment": "x" * 4001}, "comment", None),
    ],
)
def test_it_refuses_bad_input_beside_the_field(survey, student, answers, field, message):
    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=survey, student=student, **answers)

    assert list(refused.value.message_dict) == [field]
    if message:
        assert refused.value.message_dict[field] == [message]
    assert fresh(survey) == (None, None, "", "")


def test_it_refuses_an_empty_answer(survey, student):
    with pytest.raises(ValidationError):
        survey_answer(survey=survey, student=student)

    assert fresh(survey) == (None, None, "", "")


@pytest.mark.parametrize("role", ["other_student", "mentor", "supervisor", "staff"])
def test_it_lets_only_the_student_it_was_sent_to_answer(request, survey, role):
    person = request.getfixturevalue(role)

    with pytest.raises(NotAllowed) as refused:
        survey_answer(survey=survey, student=person, score=10)

    assert refused.value.hidden
    assert fresh(survey) == (None, None, "", "")


def test_it_takes_no_answer_once_the_round_is_over(student, mentor):
    last_round = make_survey(student, mentor=mentor, round_number=current_round(student) - 1)

    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=last_round, student=student, score=10)

    assert "took answers until" in refused.value.messages[0]
    assert fresh(last_round) == (None, None, "", "")


def test_it_keeps_a_survey_open_to_the_last_day_of_its_round(survey, student):
    start, end = survey_round_days(student.pk, survey.round)

    assert survey_last_day(survey) == end - timedelta(days=1)
    assert survey_is_open(survey, day=start)
    assert survey_is_open(survey, day=end - timedelta(days=1))
    assert not survey_is_open(survey, day=end)


# --- The home page's survey -----------------------------------------------------------


def test_it_offers_the_survey_of_the_current_round_until_it_is_answered(
    student, mentor, django_assert_num_queries
):
    make_survey(student, mentor=mentor, round_number=current_round(student) - 1)
    waiting = make_survey(student, mentor=mentor)

    with django_assert_num_queries(1):
        assert survey_waiting(student=student) == waiting

    survey_answer(survey=waiting, student=student, score=7)
    assert survey_waiting(student=student) is None


def test_it_offers_no_survey_of_a_round_that_is_over(student, mentor):
    make_survey(student, mentor=mentor, round_number=current_round(student) - 1)

    assert survey_waiting(student=student) is None


# --- Who reads the answers ------------------------------------------------------------


@pytest.fixture
def answered(student, mentor, other_student, other_mentor):
    """One answered survey about each mentor, and an unanswered one."""
    ours = make_survey(student, mentor=mentor, score=9, comment="Helpful")
    theirs = make_survey(other_student, mentor=other_mentor, score=4, comment="Too slow")
    make_survey(student, mentor=mentor, round_number=current_round(student) - 1)
    return ours, theirs


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("student", []),
        ("other_student", []),
        ("mentor", []),
        ("other_mentor", []),
        ("supervisor", ["ours"]),
        ("other_supervisor", ["theirs"]),
        ("staff", ["ours", "theirs"]),
    ],
)
def test_it_shows_answers_to_the_mentors_supervisor_and_staff_only(
    request, answered, role, expected
):
    ours, theirs = answered
    names = {ours.pk: "ours", theirs.pk: "theirs"}

    visible = survey_answers_visible_to(request.getfixturevalue(role))

    assert sorted(names[pk] for pk in visible.values_list("pk", flat=True)) == expected


# --- Figures for the scorecard --------------------------------------------------------

START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)


def _answered(mentor, score, plans="", *, at=START + timedelta(days=3)):
    return make_survey(
        StudentFactory(), mentor=mentor, score=score, answered_at=at, plans_to_continue=plans
    )


def test_the_mentor_sees_scores_over_three_answers_or_more():
    assert SURVEY_MIN_RESPONSES == 3


def test_it_sums_up_each_mentors_answers_exactly(mentor, other_mentor, django_assert_num_queries):
    quiet = MentorFactory()
    _answered(mentor, 10, "yes", at=START)  # the first moment counts
    _answered(mentor, 9, "yes")
    _answered(mentor, 7, "no")
    _answered(mentor, 3)
    _answered(mentor, 0, "yes", at=END)  # the first moment after does not
    _answered(mentor, 10, "yes", at=START - timedelta(seconds=1))
    make_survey(StudentFactory(), mentor=mentor)  # not answered
    _answered(other_mentor, 6, "unsure")

    with django_assert_num_queries(1):
        figures = survey_figures(
            mentor_ids=[mentor.pk, other_mentor.pk, quiet.pk], start=START, end=END
        )

    assert figures == {
        mentor.pk: {
            "n": 4,
            "mean_score": 7.25,
            "scores_9_10": (2, 4),
            "scores_0_6": (1, 4),
            "continuing": (2, 3),
        },
        other_mentor.pk: {
            "n": 1,
            "mean_score": 6.0,
            "scores_9_10": (0, 1),
            "scores_0_6": (1, 1),
            "continuing": (0, 1),
        },
        quiet.pk: {
            "n": 0,
            "mean_score": None,
            "scores_9_10": (0, 0),
            "scores_0_6": (0, 0),
            "continuing": (0, 0),
        },
    }


def test_it_counts_a_survey_for_the_mentor_it_was_about(student, mentor, other_mentor):
    """The student moved to another mentor after answering: the answer stays the
    first mentor's."""
    make_survey(student, mentor=mentor, score=8, answered_at=START + timedelta(days=1))
    student.mentor_assignments.update(
        started_at=START - timedelta(days=30), ended_at=START + timedelta(days=2)
    )
    AssignmentFactory(student=student, mentor=other_mentor, started_at=START + timedelta(days=2))

    figures = survey_figures(mentor_ids=[mentor.pk, other_mentor.pk], start=START, end=END)

    assert (figures[mentor.pk]["n"], figures[other_mentor.pk]["n"]) == (1, 0)
