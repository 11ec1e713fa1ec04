"""A student's status and when it last changed (``student_status_set``), which the
flagging job and the backtest rely on."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentorship import services
from mentorship.models import StudentProfile, StudentStatus

EARLIER = datetime(2026, 1, 5, 9, tzinfo=UTC)


@pytest.fixture
def profile(student):
    profile = student.student_profile
    profile.status_changed_at = EARLIER
    profile.save()
    return profile


def test_it_records_when_the_status_changed(profile):
    before = timezone.now()

    services.student_status_set(profile=profile, status=StudentStatus.DROPPED)

    profile.refresh_from_db()
    assert profile.status == StudentStatus.DROPPED
    assert profile.status_changed_at >= before


def test_it_keeps_the_date_when_the_status_is_the_same(profile):
    services.student_status_set(profile=profile, status=StudentStatus.ACTIVE)

    profile.refresh_from_db()
    assert profile.status_changed_at == EARLIER


def test_it_refuses_an_unknown_status(profile):
    with pytest.raises(ValidationError):
        services.student_status_set(profile=profile, status="vanished")

    profile.refresh_from_db()
    assert (profile.status, profile.status_changed_at) == (StudentStatus.ACTIVE, EARLIER)


def _profile_form(profile, **changes) -> dict:
    return {
        "user": profile.user_id,
        "goals": profile.goals,
        "weekly_hours": profile.weekly_hours,
        "status": profile.status,
        "external_id": profile.external_id,
        **changes,
    }


def test_it_records_the_date_when_staff_change_the_status_in_the_admin(client, as_user, profile):
    as_user("staff")
    url = reverse("admin:mentorship_studentprofile_change", args=[profile.pk])

    response = client.post(url, _profile_form(profile, status=StudentStatus.DROPPED))

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.status == StudentStatus.DROPPED
    assert profile.status_changed_at > EARLIER


def test_it_keeps_the_date_when_staff_change_something_else(client, as_user, profile):
    as_user("staff")
    url = reverse("admin:mentorship_studentprofile_change", args=[profile.pk])

    response = client.post(url, _profile_form(profile, weekly_hours=3))

    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.weekly_hours, profile.status_changed_at) == (3, EARLIER)


def test_it_records_the_date_when_the_status_changes_on_the_person_page(client, as_user, profile):
    as_user("staff")
    user = profile.user
    url = reverse("admin:mentorship_user_change", args=[user.pk])
    prefix = "student_profile"
    form = {
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "language": user.language,
        "time_zone": user.time_zone,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1",
        f"{prefix}-0-id": profile.pk,
        f"{prefix}-0-user": user.pk,
        f"{prefix}-0-goals": profile.goals,
        f"{prefix}-0-weekly_hours": profile.weekly_hours,
        f"{prefix}-0-status": StudentStatus.PAUSED,
        f"{prefix}-0-external_id": "",
    }

    response = client.post(url, form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    profile.refresh_from_db()
    assert profile.status == StudentStatus.PAUSED
    assert profile.status_changed_at > EARLIER
    assert StudentProfile.objects.filter(user=user).count() == 1
