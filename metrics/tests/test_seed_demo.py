"""``manage.py seed_demo``: the demo people and who mentors whom."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.urls import reverse

from knowledge_base.demo import seed_knowledge_at_scale
from knowledge_base.models import Answer, Article, Question, QuestionStatus
from mentorship import selectors
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


@pytest.mark.django_db
def test_it_creates_the_demo():
    output = _seed()

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


@pytest.mark.django_db
def test_it_creates_nothing_the_second_time():
    _seed()
    before = _counts()

    output = _seed()

    assert "(0 new assignments)" in output
    assert _counts() == before


@pytest.mark.django_db
def test_it_relates_the_demo_logins():
    _seed()

    staff = User.objects.get(email="staff@demo.test")
    supervisor = User.objects.get(email="supervisor@demo.test")
    mentor = User.objects.get(email="mentor@demo.test")
    student = User.objects.get(email="student@demo.test")
    assert (staff.role, staff.is_superuser) == (Role.STAFF, True)
    assert supervisor.role == Role.SUPERVISOR
    assert mentor.mentor_profile.supervisor == supervisor
    assert Assignment.objects.current().get(student=student).mentor == mentor
    assert student.student_profile.status == "active"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email", ["staff@demo.test", "supervisor@demo.test", "mentor@demo.test", "student@demo.test"]
)
def test_it_lets_each_demo_login_sign_in_with_the_published_password(client, email):
    _seed()

    response = client.post(
        reverse("account_login"), {"login": email, "password": "mentorship"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("metrics:home")
    assert response.status_code == 200
    assert response.context["user"].email == email


@pytest.mark.django_db
def test_it_builds_benchmark_data_at_scale():
    _seed("--scale", "--students", "300", "--mentors", "12")

    assert User.objects.filter(role=Role.STUDENT).count() == 300
    assert User.objects.filter(role=Role.MENTOR).count() == 12
    assert Assignment.objects.current().count() == 300
    loads = [
        (mentor.current_students, mentor.mentor_profile.capacity)
        for mentor in selectors.mentors_with_load(User.objects.mentors())
    ]
    assert len(loads) == 12
    assert all(0 < load <= capacity for load, capacity in loads)
    # The knowledge base in proportion: about two questions a student (a third in
    # Russian, most answered), an article per twenty questions; written once.
    scaled = Question.objects.filter(title__startswith="[scale]")
    assert 550 <= scaled.count() <= 650
    assert scaled.filter(language="ru").exists()
    assert scaled.exclude(status=QuestionStatus.OPEN).count() > scaled.count() / 2
    assert Answer.objects.filter(question__in=scaled).exists()
    assert Article.objects.filter(title__startswith="[scale]").count() == scaled.count() // 20
    assert seed_knowledge_at_scale(seed=42)["questions"] == 0
