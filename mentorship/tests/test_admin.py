"""The Django admin, where staff manage people, assignments, invitations and tokens."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains

from conftest import ROLES
from mentorship import services
from mentorship.models import ApiToken, Assignment, Invitation, MentorProfile, Role, User
from mentorship.tests.factories import StudentFactory

NON_STAFF_ROLES = [role for role in ROLES if role != "staff"]
REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


def _admin_url(app_label: str, model_name: str, page: str) -> str:
    return reverse(f"admin:{app_label}_{model_name}_{page}")


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
@pytest.mark.parametrize("page", ["changelist", "add"])
def test_it_shows_staff_every_changelist_and_add_page(
    client, as_user, rf, student, other_student, app_label, model_name, page
):
    user = as_user("staff")
    request = rf.get("/")
    request.user = user
    model_admin = next(
        model_admin
        for model, model_admin in admin.site._registry.items()
        if (model._meta.app_label, model._meta.model_name) == (app_label, model_name)
    )
    # Rows that only the portal's services write (submissions, reviews) have no add page.
    expected = 403 if page == "add" and not model_admin.has_add_permission(request) else 200

    response = client.get(_admin_url(app_label, model_name, page))

    assert response.status_code == expected


def test_it_shows_staff_the_index(client, as_user):
    as_user("staff")

    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("role", NON_STAFF_ROLES)
@pytest.mark.parametrize(
    "url_name", ["admin:index", "admin:mentorship_user_changelist", "admin:mentorship_user_add"]
)
def test_it_sends_other_roles_to_the_admin_login(client, as_user, role, url_name):
    as_user(role)

    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("role", NON_STAFF_ROLES)
def test_it_saves_nothing_other_roles_post(client, as_user, role):
    as_user(role)
    before = User.objects.count()

    response = client.post(
        _admin_url("mentorship", "user", "add"),
        {
            "email": "sneaky@example.test",
            "role": Role.STAFF,
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert User.objects.count() == before


@pytest.mark.django_db
def test_it_sends_anonymous_people_to_login(client):
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert "login" in response.url


def test_it_gives_a_mentor_added_in_the_admin_a_profile(client, as_user):
    as_user("staff")

    response = client.post(
        _admin_url("mentorship", "user", "add"),
        {
            "email": "new.mentor@example.test",
            "display_name": "New Mentor",
            "role": Role.MENTOR,
            "usable_password": "true",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert MentorProfile.objects.filter(user__email="new.mentor@example.test").exists()


def test_it_assigns_a_student_through_the_service(client, as_user, mentor):
    staff = as_user("staff")
    newcomer = StudentFactory()

    response = client.post(
        _admin_url("mentorship", "assignment", "add"),
        {"student": newcomer.pk, "mentor": mentor.pk, "reason": "Good fit"},
    )

    assert response.status_code == 302
    assignment = Assignment.objects.current().get(student=newcomer)
    assert (assignment.mentor, assignment.assigned_by) == (mentor, staff)


def test_it_shows_the_capacity_error_and_saves_nothing(client, as_user, mentor, student):
    as_user("staff")
    MentorProfile.objects.filter(user=mentor).update(capacity=1)
    newcomer = StudentFactory()
    before = Assignment.objects.count()

    response = client.post(
        _admin_url("mentorship", "assignment", "add"),
        {"student": newcomer.pk, "mentor": mentor.pk, "reason": ""},
    )

    assert response.status_code == 200
    assertContains(response, "Maria Mentor is at capacity (1 of 1 students).")
    assert response.context["adminform"].form.errors.keys() == {"mentor"}
    assert Assignment.objects.count() == before


def test_it_exceeds_capacity_with_a_reason(client, as_user, mentor, student):
    as_user("staff")
    MentorProfile.objects.filter(user=mentor).update(capacity=1)
    newcomer = StudentFactory()

    response = client.post(
        _admin_url("mentorship", "assignment", "add"),
        {
            "student": newcomer.pk,
            "mentor": mentor.pk,
            "reason": "Only Russian speaker",
            "override_capacity": "on",
        },
    )

    assert response.status_code == 302
    assert Assignment.objects.current().filter(mentor=mentor).count() == 2


def test_it_shows_a_new_api_tokens_key_once(client, as_user, mentor):
    staff = as_user("staff")

    response = client.post(
        _admin_url("mentorship", "apitoken", "add"),
        {"name": "Learning platform", "user": mentor.pk},
        follow=True,
    )

    token = ApiToken.objects.get()
    (message,) = [m for m in get_messages(response.wsgi_request) if "Copy the token" in str(m)]
    key = str(message).rsplit(" ", 1)[-1]
    assert ApiToken.hash_key(key) == token.key_hash
    assert key.startswith(token.prefix)
    assert (token.user, token.created_by) == (mentor, staff)
    later = client.get(_admin_url("mentorship", "apitoken", "changelist"))
    assert key not in later.content.decode()


def test_it_revokes_tokens_with_the_admin_action(client, as_user, mentor):
    as_user("staff")
    client.post(
        _admin_url("mentorship", "apitoken", "add"), {"name": "Reports", "user": mentor.pk}
    )
    token = ApiToken.objects.get()

    client.post(
        _admin_url("mentorship", "apitoken", "changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    token.refresh_from_db()
    assert token.revoked_at is not None


def test_it_sends_an_invitation_added_in_the_admin(
    client, as_user, supervisor, django_capture_on_commit_callbacks
):
    staff = as_user("staff")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _admin_url("mentorship", "invitation", "add"),
            {
                "email": "nina@example.test",
                "display_name": "Nina",
                "role": Role.MENTOR,
                "supervisor": supervisor.pk,
            },
        )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.invited_by, invitation.supervisor) == (
        "nina@example.test",
        staff,
        supervisor,
    )
    assert [message.to for message in mail.outbox] == [["nina@example.test"]]
    expected_expiry = invitation.created_at + timedelta(days=settings.INVITATION_VALID_DAYS)
    assert abs(invitation.expires_at - expected_expiry) < timedelta(seconds=5)


def test_it_offers_no_expiry_date_the_service_would_ignore(client, as_user):
    as_user("staff")

    response = client.get(_admin_url("mentorship", "invitation", "add"))

    assert "expires_at" not in response.context["adminform"].form.fields


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_staff_each_kind_of_persons_change_page(client, as_user, request, role):
    as_user("staff")
    person = request.getfixturevalue(role)

    response = client.get(reverse("admin:mentorship_user_change", args=[person.pk]))

    assert response.status_code == 200
    assertContains(response, person.email)


def _change_assignment(client, assignment, ended_at: str, reason: str = "Moved"):
    date, _space, time = ended_at.partition(" ")
    return client.post(
        reverse("admin:mentorship_assignment_change", args=[assignment.pk]),
        {"ended_at_0": date, "ended_at_1": time, "reason": reason},
    )


def test_it_ends_an_assignment_in_the_admin(client, as_user, student):
    as_user("staff")
    assignment = Assignment.objects.get(student=student)

    response = _change_assignment(client, assignment, "2099-01-01 10:00:00", "Graduated")

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.ended_at.year, assignment.reason) == (2099, "Graduated")


def test_it_refuses_an_end_before_the_start_in_the_admin(client, as_user, student):
    as_user("staff")
    assignment = Assignment.objects.get(student=student)

    response = _change_assignment(client, assignment, "2000-01-01 00:00:00")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() == {"ended_at"}
    assignment.refresh_from_db()
    assert (assignment.ended_at, assignment.reason) == (None, "")


def test_it_refuses_to_reopen_an_assignment_beside_a_current_one(
    client, as_user, student, other_mentor
):
    as_user("staff")
    former = Assignment.objects.get(student=student)
    services.assignment_create(student=student, mentor=other_mentor, assigned_by=None)
    former.refresh_from_db()

    response = _change_assignment(client, former, "")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() == {"ended_at"}
    former.refresh_from_db()
    assert former.ended_at is not None
    assert Assignment.objects.current().get(student=student).mentor == other_mentor
