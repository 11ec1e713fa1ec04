"""Journey: staff invite a mentor, the mentor joins through the e-mailed link, switches
the interface to Russian, and finds it still Russian after signing in again."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from mentorship.models import User

# Without Playwright (a fresh laptop) the module is skipped, like every browser test.
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = pytest.mark.browser


def test_it_takes_an_invited_mentor_from_email_to_a_russian_home(
    logged_in_page, new_page, live_server, settings, supervisor, screenshot
):
    settings.SITE_URL = live_server.url

    # Staff invite a mentor to the supervisor's team.
    staff_page = logged_in_page("staff")
    staff_page.goto("/")
    # app.css is served under live_server (it makes the body a flex column).
    assert staff_page.locator("body").evaluate("body => getComputedStyle(body).display") == "flex"
    staff_page.get_by_test_id("nav-people").click()
    staff_page.get_by_role("navigation").get_by_role("link", name="Invitations").click()
    expect(staff_page).to_have_url(
        re.compile(re.escape(reverse("mentorship:invitation_list")) + "$")
    )
    form = staff_page.get_by_test_id("invitation-form")
    form.get_by_label("E-mail address").fill("mila.mentor@example.test")
    form.get_by_label("Name", exact=True).fill("Mila Mentor")
    form.get_by_label("Role").select_option(label="Mentor")
    form.get_by_label("Supervisor").select_option(label=str(supervisor))
    form.get_by_role("button", name="Send invitation").click()
    expect(staff_page.get_by_role("alert")).to_contain_text(
        "Invitation sent to mila.mentor@example.test."
    )
    row = staff_page.get_by_role("row").filter(has_text="mila.mentor@example.test")
    expect(row).to_contain_text("Mentor")
    expect(row).to_contain_text(f"team of {supervisor}")
    expect(row).to_contain_text("Pending until")

    # The e-mail went out after commit, with a link to this server.
    assert [message.to for message in mail.outbox] == [["mila.mentor@example.test"]]
    link = re.search(re.escape(live_server.url) + r"/invitations/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body

    # The mentor, in a browser of their own, opens the link and chooses a password.
    mentor_page = new_page()
    mentor_page.goto(link.group())
    expect(mentor_page.get_by_label("Your name")).to_have_value("Mila Mentor")
    mentor_page.get_by_label("Your name").fill("Mila Mentorova")
    # Required fields' labels end in an asterisk: "Password*", "Password (again)*".
    mentor_page.get_by_label("Password*", exact=True).fill("a long mentoring passphrase")
    mentor_page.get_by_label("Password (again)").fill("a long mentoring passphrase")
    mentor_page.get_by_role("button", name="Create my account").click()
    expect(mentor_page).to_have_url(live_server.url + reverse("metrics:home"))
    expect(mentor_page.get_by_role("heading", level=1)).to_have_text("Welcome, Mila Mentorova")
    expect(mentor_page.get_by_role("heading", name="Beyond reviews")).to_be_visible()

    # They switch the interface to Russian from the navigation bar.
    mentor_page.get_by_test_id("language-menu").click()
    mentor_page.get_by_role("button", name="Русский").click()
    expect(mentor_page.locator("html")).to_have_attribute("lang", "ru")
    expect(mentor_page.get_by_role("heading", level=1)).to_have_text(
        "Добро пожаловать, Mila Mentorova"
    )
    expect(mentor_page.get_by_role("heading", name="Кроме проверок")).to_be_visible()
    assert User.objects.get(email="mila.mentor@example.test").language == "ru"
    screenshot(mentor_page, "mentor-home-ru")

    # Signed out, they pick English for the sign-in page; once signed in again, the
    # language saved on their account wins over the browser's.
    mentor_page.get_by_test_id("user-menu").click()
    mentor_page.locator(f"form[action='{reverse('account_logout')}'] button").click()
    expect(mentor_page).to_have_url(re.compile(re.escape(reverse("account_login"))))
    mentor_page.get_by_test_id("language-menu").click()
    mentor_page.get_by_role("button", name="English").click()
    expect(mentor_page.locator("html")).to_have_attribute("lang", "en")
    mentor_page.locator("input[name=login]").fill("mila.mentor@example.test")
    mentor_page.locator("input[name=password]").fill("a long mentoring passphrase")
    mentor_page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(mentor_page).to_have_url(live_server.url + reverse("metrics:home"))
    expect(mentor_page.locator("html")).to_have_attribute("lang", "ru")
    expect(mentor_page.get_by_role("heading", name="Кроме проверок")).to_be_visible()
