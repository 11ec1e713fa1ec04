"""The audit trail (``mentorship.audit``): the services of people record who changed
what, with the values before and after; staff read it in the admin, nobody else. The
other apps' entries are tested with them (``test_audit_*.py``, ``test_flag_audit.py``)."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from mentorship import services
from mentorship.audit import AuditAction, AuditEntry, audit_diff, audit_record
from mentorship.models import StudentProfile, StudentStatus
from mentorship.tests.factories import MentorFactory

pytestmark = pytest.mark.django_db


def _entry(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


# --- The services record -------------------------------------------------------------


def test_it_records_a_status_change_with_before_after_and_reason(student, staff):
    profile = StudentProfile.objects.get(user=student)

    services.student_status_set(
        profile=profile, status=StudentStatus.PAUSED, by=staff, reason="Family matters"
    )

    entry = _entry(AuditAction.STUDENT_STATUS_SET)
    assert (entry.actor, entry.subject, entry.reason) == (staff, student, "Family matters")
    assert entry.before["status"] == "active"
    assert entry.after["status"] == "paused"
    assert entry.object_label == str(profile)


def test_it_records_nothing_when_the_status_is_unchanged(student, staff):
    profile = StudentProfile.objects.get(user=student)

    services.student_status_set(profile=profile, status=StudentStatus.ACTIVE, by=staff)

    assert not AuditEntry.objects.exists()


def test_it_records_a_reassignment_and_its_end(student, mentor, staff):
    new_mentor = MentorFactory()

    assignment = services.assignment_create(
        student=student, mentor=new_mentor, assigned_by=staff, reason="Better fit"
    )
    services.assignment_end(student=student, by=staff, reason="Graduated")

    created = _entry(AuditAction.ASSIGNMENT_CREATED)
    assert (created.before, created.after["mentor"]) == ({"mentor": mentor.pk}, new_mentor.pk)
    assert (created.actor, created.subject, created.reason) == (staff, student, "Better fit")
    assert created.object_id == str(assignment.pk)
    ended = _entry(AuditAction.ASSIGNMENT_ENDED)
    assert ended.before == {"ended_at": None}
    assert ended.after["ended_at"] is not None


def test_a_rolled_back_change_leaves_no_entry(student, staff):
    def change_then_fail():
        with transaction.atomic():
            services.student_status_set(
                profile=StudentProfile.objects.get(user=student),
                status=StudentStatus.PAUSED,
                by=staff,
            )
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_then_fail()

    assert not AuditEntry.objects.exists()


# --- Staff read it ------------------------------------------------------------------


@pytest.fixture
def entry(student, staff):
    return audit_record(
        actor=staff,
        action=AuditAction.STUDENT_STATUS_SET,
        target=StudentProfile.objects.get(user=student),
        before={"status": "active"},
        after={"status": "<b>paused</b>"},
        reason="Asked",
        subject_id=student.pk,
    )


def test_it_shows_staff_the_list_and_the_diff(client, as_user, entry):
    as_user("staff")

    listing = client.get(reverse("admin:mentorship_auditentry_changelist"))
    detail = client.get(reverse("admin:mentorship_auditentry_change", args=[entry.pk]))

    assert listing.status_code == 200
    assertContains(listing, entry.object_label)
    assert detail.status_code == 200
    assertContains(detail, "<del>active</del>", html=False)
    # The values are data: escaped, never markup.
    assertContains(detail, "&lt;b&gt;paused&lt;/b&gt;")


def test_it_narrows_the_list_to_one_student(client, as_user, entry, other_student):
    as_user("staff")
    audit_record(
        actor=None,
        action=AuditAction.STUDENT_STATUS_SET,
        target=StudentProfile.objects.get(user=other_student),
        before=None,
        after={"status": "paused"},
        subject_id=other_student.pk,
    )

    response = client.get(
        reverse("admin:mentorship_auditentry_changelist") + f"?subject={entry.subject_id}"
    )

    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [entry.pk]


def _listing_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:mentorship_auditentry_changelist"))
    assert response.status_code == 200
    return len(queries)


def test_the_list_runs_the_same_queries_for_more_entries(client, as_user, entry, mentor):
    as_user("staff")
    few = _listing_queries(client)
    for number in range(20):
        audit_record(
            actor=mentor if number % 2 else None,
            action=AuditAction.ASSIGNMENT_CHANGED,
            target=None,
            label=f"row {number}",
            before={"ended_at": None},
            after={"ended_at": "2026-01-01"},
        )

    many = _listing_queries(client)

    assert many == few, "the audit trail's list must not run a query per entry"


@pytest.mark.parametrize(
    "query", ["?action=student.status_set", "?q=Sam", "?at__year=2026", "?actor__id__exact=1"]
)
def test_its_filters_answer(client, as_user, entry, query):
    as_user("staff")

    response = client.get(reverse("admin:mentorship_auditentry_changelist") + query)

    assert response.status_code == 200


def test_staff_may_not_change_or_delete_an_entry(client, as_user, entry):
    as_user("staff")

    change = client.post(
        reverse("admin:mentorship_auditentry_change", args=[entry.pk]), {"reason": "x"}
    )
    delete = client.post(
        reverse("admin:mentorship_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )

    assert delete.status_code == 403
    assert change.status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "Asked"


@pytest.mark.parametrize(
    "role",
    ["student", "other_student", "mentor", "other_mentor", "supervisor", "other_supervisor"],
)
def test_only_staff_read_it(client, as_user, entry, role):
    as_user(role)

    listing = client.get(reverse("admin:mentorship_auditentry_changelist"))
    detail = client.get(reverse("admin:mentorship_auditentry_change", args=[entry.pk]))

    # The admin sends everyone else to its login page.
    assert listing.status_code == 302
    assert detail.status_code == 302
    assert "/login/" in listing["Location"]


def test_anonymous_is_sent_to_log_in(client, entry):
    response = client.get(reverse("admin:mentorship_auditentry_changelist"))

    assert response.status_code == 302


def test_the_students_file_links_staff_to_the_history(client, as_user, student):
    as_user("staff")
    response = client.get(reverse("students:file", args=[student.pk]))
    assertContains(response, 'data-testid="audit-history"')

    as_user("mentor")
    response = client.get(reverse("students:file", args=[student.pk]))
    assertNotContains(response, 'data-testid="audit-history"')


@pytest.mark.parametrize("role", ["student", "mentor", "supervisor"])
def test_the_students_file_links_nobody_else_to_the_history(client, as_user, student, role):
    # The student themself, their mentor and the mentor's supervisor see the file,
    # not the admin's audit trail.
    as_user(role)
    response = client.get(reverse("students:file", args=[student.pk]))

    assert response.status_code == 200
    assertNotContains(response, 'data-testid="audit-history"')


def test_the_diff_lists_changed_fields_only():
    entry = AuditEntry(before={"a": 1, "b": 2}, after={"a": 1, "b": 3, "c": 4})

    assert audit_diff(entry) == [("b", 2, 3), ("c", None, 4)]


def test_an_entry_keeps_dates_as_text():
    entry = audit_record(
        actor=None,
        action=AuditAction.ASSIGNMENT_ENDED,
        target=None,
        label="x",
        before=None,
        after={"ended_at": timezone.now() - timedelta(days=1)},
    )

    entry.refresh_from_db()
    assert isinstance(entry.after["ended_at"], str)
