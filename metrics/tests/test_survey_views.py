"""The survey pages, per role: the student's survey (the score in one click, then the
plans and a comment), the supervisors' and staff's list of answers, and the survey
card on the student's home page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from conftest import ROLES
from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory
from metrics.models import Survey

from .helpers_surveys import current_round, make_survey

COMMENTS = reverse("metrics:survey_comments")
HOME = reverse("metrics:home")


def survey_url(survey) -> str:
    return reverse("metrics:survey", args=[survey.pk])


@pytest.fixture
def survey(student, mentor):
    return make_survey(student, mentor=mentor)


def answers_of(survey) -> tuple:
    survey = Survey.objects.get(pk=survey.pk)
    return survey.score, survey.answered_at, survey.plans_to_continue, survey.comment


UNANSWERED = (None, None, "", "")


# --- The student's survey: access -----------------------------------------------------


def test_it_sends_anonymous_people_to_login(client, survey):
    for url in (survey_url(survey), COMMENTS):
        response = client.get(url)

        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 200),
        ("other_student", 404),
        ("mentor", 404),
        ("other_mentor", 404),
        ("supervisor", 404),
        ("other_supervisor", 404),
        ("staff", 404),
    ],
)
def test_it_shows_a_survey_to_the_student_it_was_sent_to_only(
    as_user, client, survey, role, status
):
    as_user(role)

    response = client.get(survey_url(survey))

    assert response.status_code == status


@pytest.mark.parametrize("role", [role for role in ROLES if role != "student"])
def test_it_lets_nobody_else_answer(as_user, client, survey, role):
    as_user(role)

    response = client.post(survey_url(survey), {"score": "10"})

    assert response.status_code == 404
    assert answers_of(survey) == UNANSWERED


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_answers_405_to_the_wrong_method_on_the_survey(as_user, client, survey, method):
    as_user("student")

    response = getattr(client, method)(survey_url(survey))

    assert response.status_code == 405
    assert answers_of(survey) == UNANSWERED


# --- The student's survey: answering --------------------------------------------------


def test_it_offers_eleven_score_buttons_and_says_who_reads_the_answers(as_user, client, survey):
    as_user("student")

    response = client.get(survey_url(survey))

    content = response.content.decode()
    for value in range(11):
        assert f'type="submit" name="score" value="{value}"' in content
    assert 'value="11"' not in content
    assertContains(response, "How likely are you to recommend your mentoring to a friend?")
    assertContains(response, "go to your mentor's supervisor, not to your mentor")
    assertContains(response, "Maria Mentor")
    assert response.context["follow_up_form"] is None


def test_it_records_the_score_in_one_click_then_asks_the_rest(as_user, client, survey):
    as_user("student")

    response = client.post(survey_url(survey), {"score": "8"}, follow=True)

    assert response.redirect_chain == [(survey_url(survey), 302)]
    assert answers_of(survey)[0] == 8
    assertContains(response, "Thank you: your score is recorded.")
    assertContains(response, "Your score: 8 out of 10")
    assertContains(response, "Do you plan to continue your studies?")
    assertNotContains(response, 'name="score"')


def test_it_saves_and_changes_the_plans_and_comment(as_user, client, survey):
    as_user("student")
    client.post(survey_url(survey), {"score": "9"})

    first = client.post(survey_url(survey), {"plans_to_continue": "unsure", "comment": "Fine"})
    second = client.post(survey_url(survey), {"plans_to_continue": "yes", "comment": "Great"})

    assert (first.status_code, second.status_code) == (302, 302)
    assert answers_of(survey)[0] == 9
    assert answers_of(survey)[2:] == ("yes", "Great")
    page = client.get(survey_url(survey))
    assert page.context["follow_up_form"].initial == {
        "plans_to_continue": "yes",
        "comment": "Great",
    }


def test_it_keeps_the_first_score(as_user, client, survey):
    as_user("student")
    client.post(survey_url(survey), {"score": "9"})
    recorded = answers_of(survey)

    response = client.post(survey_url(survey), {"score": "2"})

    assert response.status_code == 400
    assertContains(
        response, "Your score is already recorded and cannot be changed.", status_code=400
    )
    assert answers_of(survey) == recorded


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"score": "11"}, "Choose a score from 0 to 10."),
        ({"score": "ten"}, "Choose a score from 0 to 10."),
        ({"score": ""}, "Choose a score from 0 to 10."),
        ({"plans_to_continue": "yes"}, "Choose a score first."),
    ],
)
def test_it_refuses_bad_input(as_user, client, survey, data, message):
    as_user("student")

    response = client.post(survey_url(survey), data)

    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    assert answers_of(survey) == UNANSWERED


def test_it_refuses_a_bad_plan_beside_the_field(as_user, client, survey):
    as_user("student")
    client.post(survey_url(survey), {"score": "9"})

    response = client.post(survey_url(survey), {"plans_to_continue": "maybe", "comment": "x"})

    assert response.status_code == 400
    assert response.context["follow_up_form"].errors == {
        "plans_to_continue": ["Choose yes, no or not sure yet."]
    }
    assert answers_of(survey)[2:] == ("", "")


def test_it_takes_no_answer_once_the_round_is_over(as_user, client, student, mentor):
    closed = make_survey(student, mentor=mentor, round_number=current_round(student) - 1)
    as_user("student")

    page = client.get(survey_url(closed))
    response = client.post(survey_url(closed), {"score": "10"})

    assertContains(page, "This survey took answers until")
    assertNotContains(page, 'name="score"')
    assert response.status_code == 400
    assertContains(response, "This survey took answers until", status_code=400)
    assert answers_of(closed) == UNANSWERED


def test_it_shows_the_answers_of_a_closed_round(as_user, client, student, mentor):
    closed = make_survey(
        student,
        mentor=mentor,
        round_number=current_round(student) - 1,
        score=7,
        plans_to_continue="no",
        comment="Moving abroad",
    )
    as_user("student")

    response = client.get(survey_url(closed))

    assert response.context["follow_up_form"] is None
    assertContains(response, "Your score: 7 out of 10")
    assertContains(response, "Moving abroad")


# --- The student's home page ----------------------------------------------------------


def test_it_shows_the_waiting_survey_on_the_students_home(as_user, client, survey):
    as_user("student")

    response = client.get(HOME)

    assert response.context["survey"] == survey
    assertContains(response, survey_url(survey))


def test_it_shows_no_survey_card_once_it_is_answered(as_user, client, survey):
    as_user("student")
    client.post(survey_url(survey), {"score": "6"})

    response = client.get(HOME)

    assert response.context["survey"] is None
    assertNotContains(response, 'data-testid="survey-card"')


def test_the_survey_card_costs_the_home_page_no_query_per_survey(
    as_user, client, student, mentor, django_assert_num_queries
):
    as_user("student")
    with CaptureQueriesContext(connection) as without_survey:
        client.get(HOME)
    make_survey(student, mentor=mentor, round_number=current_round(student) - 1)
    make_survey(student, mentor=mentor)

    with django_assert_num_queries(len(without_survey), info="The card: one query, always."):
        response = client.get(HOME)

    assert response.context["survey"] is not None


# --- The supervisors' list of answers -------------------------------------------------


@pytest.fixture
def answers(student, mentor, other_student, other_mentor):
    """An answer about each mentor, and a survey not answered yet."""
    make_survey(student, mentor=mentor, score=9, comment="Helpful reviews")
    make_survey(other_student, mentor=other_mentor, score=3, comment="Never replies")
    make_survey(StudentFactory(display_name="Quiet Quentin"), mentor=mentor)


def comments_shown(response) -> list[str]:
    return [answer.comment for answer in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("role", "status", "shown"),
    [
        ("student", 403, None),
        ("other_student", 403, None),
        ("mentor", 403, None),
        ("other_mentor", 403, None),
        ("supervisor", 200, ["Helpful reviews"]),
        ("other_supervisor", 200, ["Never replies"]),
        ("staff", 200, ["Never replies", "Helpful reviews"]),
    ],
)
def test_it_shows_the_answers_to_supervisors_and_staff_only(
    as_user, client, answers, role, status, shown
):
    as_user(role)

    response = client.get(COMMENTS)

    assert response.status_code == status
    if shown is not None:
        assert sorted(comments_shown(response)) == sorted(shown)
        assertNotContains(response, "Quiet Quentin")


@pytest.mark.parametrize("role", ["supervisor", "staff"])
def test_it_answers_405_to_the_wrong_method_on_the_list(as_user, client, role):
    as_user(role)

    response = client.post(COMMENTS)

    assert response.status_code == 405


def test_it_shows_the_student_mentor_score_plans_and_comment(as_user, client, student, mentor):
    make_survey(
        student, mentor=mentor, score=9, plans_to_continue="unsure", comment="Helpful reviews"
    )
    as_user("supervisor")

    response = client.get(COMMENTS)

    row = response.content.decode().split('data-testid="survey-answer"')[1].split("</tr>")[0]
    for text in ["Stas Student", "Maria Mentor", ">9<", "Not sure yet", "Helpful reviews"]:
        assert text in row, text


def test_it_lists_the_newest_answer_first(as_user, client, student, mentor):
    now = datetime(2026, 10, 15, 12, tzinfo=UTC)
    for days, comment in [(3, "oldest"), (1, "newest"), (2, "middle")]:
        make_survey(
            StudentFactory(),
            mentor=mentor,
            score=8,
            answered_at=now - timedelta(days=days),
            comment=comment,
        )
    as_user("supervisor")

    response = client.get(COMMENTS)

    assert comments_shown(response) == ["newest", "middle", "oldest"]


def test_it_filters_by_mentor(as_user, client, mentor, staff):
    teammate = MentorFactory()
    make_survey(StudentFactory(), mentor=mentor, score=8, comment="mine")
    make_survey(StudentFactory(), mentor=teammate, score=5, comment="teammate's")
    as_user("staff")

    response = client.get(COMMENTS, {"mentor": teammate.pk})

    assert comments_shown(response) == ["teammate's"]
    assert response.context["filtered"]


def test_it_refuses_a_mentor_of_another_team(as_user, client, answers, other_mentor):
    as_user("supervisor")

    response = client.get(COMMENTS, {"mentor": other_mentor.pk})

    assert response.status_code == 400
    assert comments_shown(response) == []
    assert response.context["form"].errors == {"mentor": ["Choose one of the mentors listed."]}


@pytest.mark.parametrize(("zone", "month"), [("UTC", "2026-09"), ("Europe/Moscow", "2026-10")])
def test_it_filters_by_the_period_on_the_readers_calendar(
    as_user, client, supervisor, mentor, zone, month
):
    # 22:30 UTC on 30 September is 01:30 on 1 October in Moscow.
    make_survey(
        StudentFactory(),
        mentor=mentor,
        score=8,
        answered_at=datetime(2026, 9, 30, 22, 30, tzinfo=UTC),
        comment="late on 30 September (UTC)",
    )
    make_survey(
        StudentFactory(),
        mentor=mentor,
        score=8,
        answered_at=datetime(2026, 11, 1, 12, tzinfo=UTC),
        comment="November",
    )
    supervisor.time_zone = zone
    supervisor.save(update_fields=["time_zone"])
    as_user("supervisor")

    shown = {
        key: comments_shown(client.get(COMMENTS, {"period": key}))
        for key in ["2026-09", "2026-10"]
    }

    assert shown[month] == ["late on 30 September (UTC)"]
    assert [key for key, comments in shown.items() if comments] == [month]


@pytest.mark.parametrize("key", ["2026-13", "October", "2026-W60"])
def test_it_refuses_a_period_that_does_not_exist(as_user, client, answers, key):
    as_user("staff")

    response = client.get(COMMENTS, {"period": key})

    assert response.status_code == 400
    assert comments_shown(response) == []
    assert list(response.context["form"].errors) == ["period"]


def test_it_pages_by_25(as_user, client, mentor):
    for number in range(26):
        make_survey(StudentFactory(), mentor=mentor, score=number % 11, comment=f"c{number}")
    as_user("supervisor")

    first = client.get(COMMENTS)
    second = client.get(COMMENTS, {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 1


@pytest.mark.parametrize("answered", [2, 30])
@pytest.mark.parametrize("role", ["supervisor", "staff"])
def test_it_lists_answers_in_a_bounded_number_of_queries(
    as_user, client, django_assert_max_num_queries, mentor, role, answered
):
    for _number in range(answered):
        other = MentorFactory()
        student = StudentFactory()
        AssignmentFactory(student=student, mentor=mentor)
        make_survey(student, mentor=mentor, score=7, comment="ok")
        make_survey(StudentFactory(), mentor=other, score=5, comment="other team")
    as_user(role)

    # 1. the session, 2. the signed-in user, 3. the mentors to filter by, 4. the page's
    # count, 5. the page's answers with their students and mentors, 6. the unread
    # notifications badge, 7. the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(7, info="A query per answer? Join it in the selector."):
        response = client.get(COMMENTS, {"period": "", "mentor": ""})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(
        25, answered if role == "supervisor" else 2 * answered
    )


def test_it_asks_in_the_students_language(as_user, client, survey):
    student = as_user("student")
    student.language = "ru"
    student.save(update_fields=["language"])

    response = client.get(survey_url(survey))

    assertContains(response, "Насколько вероятно, что вы порекомендуете менторство другу?")
    assertContains(response, "прочтёт супервайзер вашего ментора, а не сам ментор")


# --- Admin ----------------------------------------------------------------------------


def test_staff_read_the_surveys_in_the_admin_without_changing_them(
    as_user, client, survey, student
):
    make_survey(student, mentor=None, round_number=current_round(student) - 1, score=4)
    as_user("staff")

    listing = client.get(reverse("admin:metrics_survey_changelist"), {"answered": "yes"})
    add = client.get(reverse("admin:metrics_survey_add"))
    change = client.post(reverse("admin:metrics_survey_change", args=[survey.pk]), {"score": "10"})

    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    assert add.status_code == 403
    assert change.status_code == 403
    assert answers_of(survey) == UNANSWERED
