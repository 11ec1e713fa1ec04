"""Journey: a session in the browser. A mentor in Paris schedules a session with their
student in Moscow, the time passes, the mentor logs it as held with a summary, next
steps and private notes; the student reads the summary (never the notes) in their own
time zone and rates the session."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from students.models import MentoringSession, SessionStatus

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser


def test_it_schedules_logs_and_rates_a_session(logged_in_page, mentor, student, screenshot):
    mentor.time_zone = "Europe/Paris"
    mentor.save()
    student.time_zone = "Europe/Moscow"
    student.save()
    day = timezone.now().date() + timedelta(days=7)

    # The mentor schedules it, in Paris time.
    mentor_page = logged_in_page("mentor")
    mentor_page.goto("/")
    mentor_page.get_by_test_id("nav-sessions").click()
    mentor_page.get_by_test_id("session-schedule").click()
    mentor_page.get_by_label("Student").select_option(label=str(student))
    mentor_page.get_by_label("Date and time").fill(f"{day:%Y-%m-%d}T15:00")
    mentor_page.get_by_label("Duration (minutes)").fill("60")
    mentor_page.get_by_label("Agenda").fill("Review the **portfolio**")
    mentor_page.get_by_role("button", name="Schedule").click()
    expect(mentor_page.get_by_text("The session is scheduled")).to_be_visible()
    session = MentoringSession.objects.get()
    paris = datetime(day.year, day.month, day.day, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert session.scheduled_at == paris
    expect(mentor_page.get_by_test_id("session-when")).to_contain_text("3 p.m.")

    # The hour comes; the mentor logs the session as held.
    MentoringSession.objects.filter(pk=session.pk).update(
        scheduled_at=timezone.now() - timedelta(hours=1)
    )
    mentor_page.reload()
    mentor_page.get_by_test_id("session-log").click()
    mentor_page.get_by_label("Completed").check()
    mentor_page.get_by_label("Summary").fill("We restructured the portfolio.")
    mentor_page.get_by_label("Next steps").fill("Deploy it by Friday.")
    mentor_page.get_by_label("Private notes").fill("Lacks confidence; encourage.")
    mentor_page.get_by_role("button", name="Save the log").click()
    expect(mentor_page.get_by_test_id("session-private-notes")).to_contain_text("Lacks confidence")
    screenshot(mentor_page, "mentor-logged")

    # The student reads the summary in Moscow time, without the notes, and rates it.
    student_page = logged_in_page("student")
    student_page.goto("/")
    student_page.get_by_test_id("nav-sessions").click()
    student_page.get_by_role("link", name="Open").click()
    expect(student_page.get_by_test_id("session-summary")).to_contain_text(
        "We restructured the portfolio."
    )
    expect(student_page.get_by_test_id("session-summary")).to_contain_text("Deploy it by Friday.")
    expect(student_page.get_by_text("(Europe/Moscow)").first).to_be_visible()
    assert "Lacks confidence" not in student_page.content()
    student_page.get_by_label("5", exact=True).check()
    student_page.get_by_label("Comment").fill("Very helpful")
    student_page.get_by_test_id("session-rate").click()
    expect(student_page.get_by_test_id("session-rating")).to_have_text("5 out of 5")
    screenshot(student_page, "student-rated")

    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED
    assert (session.rating, session.rating_comment) == (5, "Very helpful")
