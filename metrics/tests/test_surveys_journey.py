"""Journey: a student's survey in the browser, on a phone. The student finds the survey
on their home page, gives a score in one click, adds their plans and a comment; their
mentor's supervisor reads the comment on the list of answers."""

import pytest

from metrics.models import Survey
from metrics.surveys import student_today, survey_round, survey_round_days, surveys_send_due

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_student_answers_in_one_click_and_the_supervisor_reads_the_comment(
    logged_in_page, student, mentor, supervisor, screenshot
):
    today = student_today(student)
    surveys_send_due(today=survey_round_days(student.pk, survey_round(student.pk, today))[0])

    student_page = logged_in_page("student")
    student_page.set_viewport_size(PHONE)
    student_page.goto("/")
    student_page.get_by_test_id("survey-card-link").click()
    expect(student_page.get_by_test_id("survey-privacy")).to_be_visible()
    screenshot(student_page, "student-survey-phone")
    student_page.get_by_test_id("survey-score-9").click()
    expect(student_page.get_by_text("Thank you: your score is recorded.")).to_be_visible()
    student_page.get_by_label("Not sure yet").check()
    student_page.get_by_label("Anything you would like to tell us?").fill("Reviews come late.")
    student_page.get_by_role("button", name="Save").click()
    expect(student_page.get_by_text("Thank you: your answers are saved.")).to_be_visible()
    screenshot(student_page, "student-answered-phone")
    answered = Survey.objects.get()
    assert (answered.score, answered.plans_to_continue, answered.comment) == (
        9,
        "unsure",
        "Reviews come late.",
    )

    supervisor_page = logged_in_page("supervisor")
    supervisor_page.set_viewport_size(PHONE)
    supervisor_page.goto("/team/surveys/")
    row = supervisor_page.get_by_test_id("survey-answer")
    expect(row).to_contain_text("Stas Student")
    expect(row).to_contain_text("Reviews come late.")
    screenshot(supervisor_page, "supervisor-reads-phone")
