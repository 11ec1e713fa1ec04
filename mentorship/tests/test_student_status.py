"""A student's status and its dated history: ``student_status_set`` records a change,
``student_status_on`` / ``student_status_since`` read it back, and the admin records a
change with its day and reason through the service."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from mentorship import services
from mentorship.models import StudentProfile, StudentStatus, StudentStatusChange, User
from mentorship.selectors import (
    student_status_history,
    student_status_since,
    student_statuses_on,
)
from mentorship.tests.factories import StudentFactory

EARLIER = date(2026, 1, 5)


@pytest.fixture
def profile(student):
    """A student who joined well before any day the tests date a change."""
    student.date_joined = timezone.now() - timedelta(days=400)
    student.save()
    return student.student_profile


def _history(profile) -> list[tuple[str, date]]:
    """Oldest first, as a person reads it."""
    return [
        (change.status, change.effective_on)
        for change in reversed(student_status_history(student=profile.user))
    ]


def _since(student) -> date | None:
    return (
        User.objects.filter(pk=student.pk)
        .annotate(since=student_status_since())
        .values_list("since", flat=True)
        .get()
    )


# --- The service ------------------------------------------------------------------------


def test_it_records_a_change_dated_today_on_the_students_calendar(profile, staff):
    profile.user.time_zone = "Pacific/Kiritimati"
    profile.user.save()
    today = timezone.localdate(timezone=ZoneInfo("Pacific/Kiritimati"))
    joined = timezone.localdate(profile.user.date_joined, ZoneInfo("Pacific/Kiritimati"))

    services.student_status_set(
        profile=profile, status=StudentStatus.PAUSED, by=staff, reason=" Exams at work "
    )

    profile.refresh_from_db()
    assert profile.status == StudentStatus.PAUSED
    latest = student_status_history(student=profile.user).first()
    assert (latest.status, latest.effective_on) == (StudentStatus.PAUSED, today)
    assert (latest.recorded_by, latest.reason) == (staff, "Exams at work")
    assert latest.recorded_at <= timezone.now()
    # Their first change begins the history with the status everyone starts with.
    assert _history(profile) == ([(StudentStatus.ACTIVE, joined)] if joined < today else []) + [
        (StudentStatus.PAUSED, today)
    ]


def test_it_records_a_withdrawal_with_its_past_date(profile):
    joined = timezone.localdate(profile.user.date_joined, profile.user.zone)

    services.student_status_set(
        profile=profile, status=StudentStatus.DROPPED, effective_on=EARLIER
    )

    profile.refresh_from_db()
    assert profile.status == StudentStatus.DROPPED
    assert _history(profile) == [
        (StudentStatus.ACTIVE, joined),
        (StudentStatus.DROPPED, EARLIER),
    ]
    assert student_status_history(student=profile.user).first().recorded_by is None


def test_it_refuses_a_day_in_the_future_naming_the_field(profile):
    tomorrow = timezone.localdate(timezone=profile.user.zone) + timedelta(days=1)

    with pytest.raises(ValidationError) as error:
        services.student_status_set(
            profile=profile, status=StudentStatus.DROPPED, effective_on=tomorrow
        )

    assert set(error.value.message_dict) == {"effective_on"}
    profile.refresh_from_db()
    assert profile.status == StudentStatus.ACTIVE
    assert not StudentStatusChange.objects.exists()


def test_it_refuses_an_unknown_status(profile):
    with pytest.raises(ValidationError) as error:
        services.student_status_set(profile=profile, status="vanished")

    assert set(error.value.message_dict) == {"status"}
    profile.refresh_from_db()
    assert profile.status == StudentStatus.ACTIVE
    assert not StudentStatusChange.objects.exists()


def test_it_keeps_a_later_change_current_when_an_earlier_one_is_recorded(profile):
    today = timezone.localdate(timezone=profile.user.zone)
    services.student_status_set(profile=profile, status=StudentStatus.PAUSED)

    services.student_status_set(
        profile=profile, status=StudentStatus.DROPPED, effective_on=today - timedelta(days=30)
    )

    profile.refresh_from_db()
    assert profile.status == StudentStatus.PAUSED
    assert student_statuses_on(day=today - timedelta(days=10))[profile.user_id] == "dropped"
    assert student_statuses_on(day=today)[profile.user_id] == "paused"


def test_it_lets_the_later_record_of_the_same_day_win(profile):
    services.student_status_set(profile=profile, status=StudentStatus.PAUSED, effective_on=EARLIER)
    services.student_status_set(profile=profile, status=StudentStatus.ACTIVE, effective_on=EARLIER)

    profile.refresh_from_db()
    assert profile.status == StudentStatus.ACTIVE
    assert student_statuses_on(day=EARLIER)[profile.user_id] == StudentStatus.ACTIVE


def test_it_records_nothing_when_the_status_is_the_one_they_had_that_day(profile):
    services.student_status_set(profile=profile, status=StudentStatus.ACTIVE)
    assert not StudentStatusChange.objects.exists()

    services.student_status_set(profile=profile, status=StudentStatus.PAUSED, effective_on=EARLIER)
    services.student_status_set(
        profile=profile, status=StudentStatus.PAUSED, effective_on=EARLIER + timedelta(days=3)
    )

    assert [status for status, _day in _history(profile)] == ["active", "paused"]


def test_it_writes_the_profile_status_from_the_history(profile):
    # Written around the service: the history is what counts.
    StudentProfile.objects.filter(pk=profile.pk).update(status=StudentStatus.GRADUATED)

    services.student_status_set(profile=profile, status=StudentStatus.ACTIVE)

    profile.refresh_from_db()
    assert profile.status == StudentStatus.ACTIVE


# --- Reading it back ----------------------------------------------------------------------


def test_it_answers_the_status_on_any_day_in_one_query(db, django_assert_num_queries):
    steady, paused, returned = StudentFactory(), StudentFactory(), StudentFactory()
    services.student_status_set(
        profile=paused.student_profile, status=StudentStatus.PAUSED, effective_on=EARLIER
    )
    for status, day in (("paused", EARLIER), ("active", EARLIER + timedelta(days=20))):
        services.student_status_set(
            profile=returned.student_profile, status=status, effective_on=day
        )

    with django_assert_num_queries(1):
        before = student_statuses_on(day=EARLIER - timedelta(days=1))
    during = student_statuses_on(day=EARLIER + timedelta(days=5), student_ids=[paused.pk])
    after = student_statuses_on(day=EARLIER + timedelta(days=20))

    assert before == {steady.pk: "active", paused.pk: "active", returned.pk: "active"}
    assert during == {paused.pk: "paused"}
    assert after == {steady.pk: "active", paused.pk: "paused", returned.pk: "active"}


def test_it_begins_no_history_before_the_day_they_joined(db):
    newcomer = StudentFactory()  # joined today

    services.student_status_set(
        profile=newcomer.student_profile, status=StudentStatus.PAUSED, effective_on=EARLIER
    )

    assert _history(newcomer.student_profile) == [(StudentStatus.PAUSED, EARLIER)]


def test_it_dates_the_current_status_from_its_first_record(profile):
    assert _since(profile.user) is None  # never changed: active since they joined
    services.student_status_set(
        profile=profile, status=StudentStatus.DROPPED, effective_on=EARLIER + timedelta(days=9)
    )
    assert _since(profile.user) == EARLIER + timedelta(days=9)

    # Staff learn the student had in fact stopped earlier still.
    services.student_status_set(profile=profile, status=StudentStatus.PAUSED, effective_on=EARLIER)
    services.student_status_set(
        profile=profile, status=StudentStatus.DROPPED, effective_on=EARLIER + timedelta(days=4)
    )

    assert _since(profile.user) == EARLIER + timedelta(days=4)


# --- The admin ----------------------------------------------------------------------------


def _profile_form(profile, **changes) -> dict:
    return {
        "user": profile.user_id,
        "goals": profile.goals,
        "weekly_hours": profile.weekly_hours,
        "status": profile.status,
        "external_id": profile.external_id,
        "effective_on": "",
        "reason": "",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0",
        "status_changes-MAX_NUM_FORMS": "0",
        **changes,
    }


def test_it_records_a_dated_change_with_its_reason_in_the_admin(client, as_user, profile):
    staff = as_user("staff")
    url = reverse("admin:mentorship_studentprofile_change", args=[profile.pk])

    response = client.post(
        url,
        _profile_form(
            profile,
            status=StudentStatus.DROPPED,
            effective_on=EARLIER.isoformat(),
            reason="Wrote to say they moved abroad.",
        ),
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.status == StudentStatus.DROPPED
    change = student_status_history(student=profile.user).first()
    assert (change.status, change.effective_on, change.recorded_by, change.reason) == (
        StudentStatus.DROPPED,
        EARLIER,
        staff,
        "Wrote to say they moved abroad.",
    )


def test_it_dates_an_admin_change_today_without_a_day(client, as_user, profile):
    as_user("staff")
    url = reverse("admin:mentorship_studentprofile_change", args=[profile.pk])

    client.post(url, _profile_form(profile, status=StudentStatus.PAUSED))

    change = student_status_history(student=profile.user).first()
    assert change.effective_on == timezone.localdate(timezone=profile.user.zone)


def test_it_refuses_a_future_day_in_the_admin_and_saves_nothing(client, as_user, profile):
    as_user("staff")
    url = reverse("admin:mentorship_studentprofile_change", args=[profile.pk])
    tomorrow = timezone.localdate(timezone=profile.user.zone) + timedelta(days=1)

    response = client.post(
        url,
        _profile_form(
            profile, status=StudentStatus.DROPPED, effective_on=tomorrow.isoformat(), goals="x"
        ),
    )

    assert response.status_code == 200
    assert "effective_on" in response.context["adminform"].form.errors
    profile.refresh_from_db()
    assert (profile.status, profile.goals) == (StudentStatus.ACTIVE, "Become a web developer")
    assert not StudentStatusChange.objects.exists()


def test_it_records_nothing_when_staff_change_something_else(client, as_user, profile):
    as_user("staff")
    url = reverse("admin:mentorship_studentprofile_change", args=[profile.pk])

    response = client.post(url, _profile_form(profile, weekly_hours=3, effective_on="2026-01-01"))

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.weekly_hours == 3
    assert not StudentStatusChange.objects.exists()


def test_it_shows_the_history_read_only_in_the_admin(client, as_user, profile, staff):
    services.student_status_set(
        profile=profile,
        status=StudentStatus.PAUSED,
        effective_on=EARLIER,
        by=staff,
        reason="A month of exams.",
    )
    as_user("staff")
    url = reverse("admin:mentorship_studentprofile_change", args=[profile.pk])

    response = client.get(url)

    assertContains(response, "A month of exams.")
    [inline] = response.context["inline_admin_formsets"]
    assert inline.formset.model is StudentStatusChange
    assert len(inline.formset.forms) == 2
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.formset.can_delete


def test_it_keeps_the_history_when_staff_post_changes_to_it(client, as_user, profile, staff):
    services.student_status_set(profile=profile, status=StudentStatus.PAUSED, effective_on=EARLIER)
    change = student_status_history(student=profile.user).first()
    as_user("staff")
    url = reverse("admin:mentorship_studentprofile_change", args=[profile.pk])
    form = _profile_form(
        profile,
        **{
            "status_changes-TOTAL_FORMS": "1",
            "status_changes-INITIAL_FORMS": "1",
            "status_changes-0-id": change.pk,
            "status_changes-0-student": profile.user_id,
            "status_changes-0-status": StudentStatus.DROPPED,
            "status_changes-0-effective_on": "2025-01-01",
            "status_changes-0-DELETE": "on",
        },
    )

    client.post(url, form)

    change.refresh_from_db()
    assert (change.status, change.effective_on) == (StudentStatus.PAUSED, EARLIER)


def test_it_records_the_change_when_the_status_changes_on_the_person_page(
    client, as_user, profile
):
    staff = as_user("staff")
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
    change = student_status_history(student=user).first()
    assert (change.status, change.effective_on, change.recorded_by) == (
        StudentStatus.PAUSED,
        timezone.localdate(timezone=user.zone),
        staff,
    )
    assert StudentProfile.objects.filter(user=user).count() == 1
