import pytest
from django.conf import settings
from django.urls import reverse
from pytest_django.asserts import assertContains, assertTemplateUsed

from conftest import ROLES
from mentorship.models import MentorProfile, StudentProfile


def _form_data(role: str, **changes) -> dict:
    """A complete, valid submission of the profile page for a user of ``role``."""
    data = {"display_name": "New Name", "language": "ru", "time_zone": "Europe/Paris"}
    if role == "student":
        data.update({"student-goals": "Find a job as an analyst", "student-weekly_hours": 15})
    elif role == "mentor":
        data.update({"mentor-languages": ["ru", "en"], "mentor-bio": "Ten years of Django."})
    data.update(changes)
    return data


@pytest.mark.django_db
def test_it_sends_anonymous_people_to_login(client):
    response = client.get(reverse("mentorship:profile"))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=/profile/"


@pytest.mark.django_db
def test_it_does_not_save_for_anonymous_people(client):
    response = client.post(reverse("mentorship:profile"), _form_data("staff"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_every_role_their_preferences(client, as_user, role):
    user = as_user(role)

    response = client.get(reverse("mentorship:profile"))

    assert response.status_code == 200
    assertTemplateUsed(response, "mentorship/profile.html")
    assert response.context["form"].initial == {
        "display_name": user.display_name,
        "language": user.language,
        "time_zone": user.time_zone,
        "email_notifications": True,
    }


@pytest.mark.parametrize("role", ROLES)
def test_it_refuses_other_methods(client, as_user, role):
    user = as_user(role)

    response = client.put(
        reverse("mentorship:profile"),
        "display_name=Changed&language=ru&time_zone=Europe/Paris",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 405
    user.refresh_from_db()
    assert user.display_name != "Changed"


@pytest.mark.parametrize("role", ROLES)
def test_it_saves_name_language_and_time_zone(client, as_user, role):
    user = as_user(role)

    response = client.post(reverse("mentorship:profile"), _form_data(user.role))

    assert response.status_code == 302
    assert response.url == reverse("mentorship:profile")
    user.refresh_from_db()
    assert (user.display_name, user.language, user.time_zone) == (
        "New Name",
        "ru",
        "Europe/Paris",
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"


def test_it_shows_the_next_page_in_the_saved_language(client, as_user):
    as_user("staff")
    client.post(reverse("mentorship:profile"), _form_data("staff", language="ru"))

    response = client.get(reverse("mentorship:profile"))

    assert response.headers["Content-Language"] == "ru"


def test_it_puts_an_unknown_time_zone_error_beside_the_field(client, as_user):
    user = as_user("supervisor")

    response = client.post(
        reverse("mentorship:profile"), _form_data("supervisor", time_zone="Mars/Olympus_Mons")
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["time_zone"]
    assertContains(response, 'id="error_1_id_time_zone"', status_code=400)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    user.refresh_from_db()
    assert (user.display_name, user.language, user.time_zone) == (
        "Sofia Supervisor",
        "en",
        "UTC",
    )


def test_it_requires_a_display_name(client, as_user):
    user = as_user("staff")

    response = client.post(reverse("mentorship:profile"), _form_data("staff", display_name=""))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["display_name"]
    user.refresh_from_db()
    assert user.display_name == "Stella Staff"


def test_it_saves_a_students_goals_and_hours(client, as_user):
    student = as_user("student")

    response = client.post(reverse("mentorship:profile"), _form_data("student"))

    assert response.status_code == 302
    profile = StudentProfile.objects.get(user=student)
    assert (profile.goals, profile.weekly_hours) == ("Find a job as an analyst", 15)


def test_it_saves_a_mentors_languages_and_bio_but_not_their_capacity(client, as_user):
    mentor = as_user("mentor")

    response = client.post(
        reverse("mentorship:profile"), _form_data("mentor", **{"mentor-capacity": 99})
    )

    assert response.status_code == 302
    profile = MentorProfile.objects.get(user=mentor)
    assert (profile.languages, profile.bio, profile.capacity) == (
        ["en", "ru"],
        "Ten years of Django.",
        10,
    )


def test_it_saves_nothing_when_the_role_form_is_invalid(client, as_user):
    student = as_user("student")

    response = client.post(
        reverse("mentorship:profile"), _form_data("student", **{"student-weekly_hours": 0})
    )

    assert response.status_code == 400
    assert list(response.context["role_form"].errors) == ["weekly_hours"]
    student.refresh_from_db()
    assert student.display_name == "Stas Student"
    assert student.student_profile.weekly_hours == 12


@pytest.mark.parametrize("role", ["supervisor", "staff"])
def test_it_shows_no_profile_form_to_roles_without_a_profile(client, as_user, role):
    as_user(role)

    response = client.get(reverse("mentorship:profile"))

    assert response.context["role_form"] is None


def test_it_turns_email_notifications_off(client, as_user):
    user = as_user("staff")
    data = {"display_name": "Stella", "language": "en", "time_zone": "UTC"}

    response = client.post(reverse("mentorship:profile"), data)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email_notifications is False
