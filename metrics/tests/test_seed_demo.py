"""``manage.py seed_demo``: the demo people and who mentors whom. The demo is seeded
once for the module (conftest.py); its scale mode is ``test_seed_demo_scale.py``'s."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.urls import reverse

from mentorship.models import Assignment, MentorProfile, Role, StudentProfile, User
from projects.models import Programme, Project


def _seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            EmailAddress,
            MentorProfile,
            StudentProfile,
            Assignment,
            Programme,
            Project,
        )
    }


@pytest.fixture
def seeded(demo_seeded, db) -> str:
    return demo_seeded.output  # seeded once for the module (conftest.py)


def test_it_creates_the_demo(seeded):
    output = seeded

    assert "40 students (40 new assignments)" in output
    assert User.objects.filter(role=Role.STAFF).count() == 1
    assert User.objects.filter(role=Role.SUPERVISOR).count() == 2
    assert User.objects.filter(role=Role.MENTOR).count() == 6
    # Forty students, and the alumni of a past cohort (``students.demo_cohort``),
    # their accounts closed.
    assert User.objects.filter(role=Role.STUDENT, is_active=True).count() == 40
    assert Assignment.objects.current().count() == 40
    assert StudentProfile.objects.filter(user__is_active=True).count() == 40
    assert "Calibrated flags: a past cohort of 240 alumni" in output
    assert MentorProfile.objects.count() == 6
    assert not EmailAddress.objects.filter(verified=False).exists()


def test_it_creates_nothing_the_second_time(seeded):
    before = _counts()

    output = _seed()

    assert "(0 new assignments)" in output
    assert _counts() == before


def test_it_relates_the_demo_logins(seeded):
    staff = User.objects.get(email="staff@demo.test")
    supervisor = User.objects.get(email="supervisor@demo.test")
    mentor = User.objects.get(email="mentor@demo.test")
    student = User.objects.get(email="student@demo.test")
    assert (staff.role, staff.is_superuser) == (Role.STAFF, True)
    assert supervisor.role == Role.SUPERVISOR
    assert mentor.mentor_profile.supervisor == supervisor
    assert Assignment.objects.current().get(student=student).mentor == mentor
    assert student.student_profile.status == "active"


@pytest.mark.parametrize(
    "email", ["staff@demo.test", "supervisor@demo.test", "mentor@demo.test", "student@demo.test"]
)
def test_it_lets_each_demo_login_sign_in_with_the_published_password(seeded, client, email):
    response = client.post(
        reverse("account_login"), {"login": email, "password": "mentorship"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("metrics:home")
    assert response.status_code == 200
    assert response.context["user"].email == email
