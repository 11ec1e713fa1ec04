"""Journey: booking a session in the browser. A mentor in Moscow publishes a weekly
slot and a default call link; their student in New York books the first free time, read
on their own clock, and finds it on their session list with the call link; the mentor
finds it on theirs, and the time is no longer offered."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from students.models import AvailabilitySlot, MentoringSession, SessionStatus

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser


def test_it_publishes_availability_and_books_a_slot(logged_in_page, mentor, student, screenshot):
    mentor.time_zone = "Europe/Moscow"
    mentor.save()
    student.time_zone = "America/New_York"
    student.save()

    # The mentor publishes Mondays at 18:00 (Moscow) and a call link on their profile.
    mentor_page = logged_in_page("mentor")
    mentor_page.goto("/profile/")
    mentor_page.get_by_label("Default call link").fill("https://meet.example.test/maria")
    mentor_page.get_by_role("button", name="Save").click()
    expect(mentor_page.get_by_text("Your preferences are saved.")).to_be_visible()
    mentor_page.goto("/")
    mentor_page.get_by_test_id("nav-sessions").click()
    mentor_page.get_by_test_id("session-availability").click()
    form = mentor_page.get_by_test_id("availability-slot-form")
    form.get_by_label("Day").select_option(label="Monday")
    form.get_by_label("Start time").fill("18:00")
    form.get_by_label("Duration (minutes)").fill("60")
    form.get_by_role("button", name="Add the slot").click()
    expect(mentor_page.get_by_test_id("availability-slot")).to_contain_text("Monday at 6 p.m.")
    expect(mentor_page.get_by_test_id("availability-call-url")).to_have_text(
        "https://meet.example.test/maria"
    )
    expect(mentor_page.get_by_test_id("availability-upcoming")).to_contain_text("6 p.m.")
    assert AvailabilitySlot.objects.get(mentor=mentor).duration_minutes == 60
    screenshot(mentor_page, "mentor-availability")

    # The student books the first free time, shown on their clock: Monday 18:00 in
    # Moscow is 10:00 or 11:00 in New York (before or after the United States' DST).
    student_page = logged_in_page("student")
    student_page.goto("/")
    student_page.get_by_test_id("nav-sessions").click()
    student_page.get_by_test_id("session-book").click()
    expect(student_page.get_by_text("in your time zone, America/New_York")).to_be_visible()
    first = student_page.get_by_test_id("session-book-slot").first
    expect(first).to_contain_text("a.m.")
    first.click()
    student_page.get_by_label("What would you like to talk about?").fill("My portfolio")
    screenshot(student_page, "student-booking")
    student_page.get_by_test_id("session-book-submit").click()
    expect(student_page.get_by_text("The session is booked; your mentor is told.")).to_be_visible()

    session = MentoringSession.objects.get()
    assert (session.student, session.mentor, session.status) == (
        student,
        mentor,
        SessionStatus.SCHEDULED,
    )
    moscow = session.scheduled_at.astimezone(ZoneInfo("Europe/Moscow"))
    assert (moscow.weekday(), moscow.hour, moscow.minute) == (0, 18, 0)
    assert session.duration_minutes == 60
    local = session.scheduled_at.astimezone(ZoneInfo("America/New_York"))
    expect(student_page.get_by_test_id("session-when")).to_contain_text(
        f"{local:%-I} a.m."  # the hour on the student's clock
    )
    expect(student_page.get_by_test_id("session-status")).to_contain_text("Scheduled")
    expect(student_page.get_by_test_id("session-call-link")).to_have_attribute(
        "href", "https://meet.example.test/maria"
    )

    # On the student's list…
    student_page.get_by_test_id("nav-sessions").click()
    row = student_page.get_by_test_id("session-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Maria Mentor")
    expect(row).to_contain_text("Scheduled")
    screenshot(student_page, "student-sessions")

    # …and on the mentor's, with the time on the mentor's clock.
    mentor_page.get_by_test_id("nav-sessions").click()
    row = mentor_page.get_by_test_id("session-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Stas Student")
    expect(row).to_contain_text("6 p.m.")
    screenshot(mentor_page, "mentor-sessions")

    # The booked time is offered no more.
    student_page.goto("/sessions/book/")
    first_left = student_page.get_by_test_id("session-book-slot").first
    expect(first_left).to_be_visible()
    assert first_left.locator("time").get_attribute("datetime") != _iso(session.scheduled_at)

    # On a phone the times and the button stay within the screen.
    student_page.set_viewport_size({"width": 390, "height": 844})
    student_page.reload()
    submit = student_page.get_by_test_id("session-book-submit")
    expect(submit).to_be_visible()
    for element in (submit, student_page.get_by_test_id("session-book-slot").first):
        box = element.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
    assert student_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(student_page, "student-booking-phone")


def _iso(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("America/New_York")).isoformat()
