"""Flags in the audit trail: the nightly run records what it opened, raised and
resolved, set-based (one insert per chunk, no query per student); a mentor's
acknowledgement and verdict, and a flag deleted in the admin, with who did it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentorship.audit import AuditAction, AuditEntry
from mentorship.tests.factories import MentorFactory
from students.flags import flag_acknowledge, flag_verdict_set
from students.models import FlagSettings, FlagStatus, RiskFlag

from .helpers_flag_runs import FLAGGED, idle_students
from .helpers_risk import AS_OF, active_on, programme_of
from .test_flag_job import run_flagging, student_idle_since

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_flag_budget")]


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("subject_id"))


def test_the_run_records_each_flag_it_opens():
    students = idle_students()

    run = run_flagging()

    opened = _entries(AuditAction.FLAG_OPENED)
    flags = dict(RiskFlag.objects.values_list("student_id", "pk"))
    assert len(opened) == FLAGGED == run.opened
    for entry in opened:
        assert entry.actor is None
        assert entry.object_id == str(flags[entry.subject_id])
        assert entry.before is None
        assert entry.after["status"] == FlagStatus.OPEN
        assert f"flag run {run.pk}" in entry.reason
    named = {student.pk: str(student) for student in students}
    assert all(entry.object_label.startswith(named[entry.subject_id]) for entry in opened)


def test_the_run_records_nothing_when_nothing_changes():
    idle_students()
    run_flagging()
    count = AuditEntry.objects.count()

    run_flagging()  # the same day again: nothing opens, rises or resolves

    assert AuditEntry.objects.count() == count


def test_the_run_records_a_raise_and_a_resolution(programme_and_mentor):
    programme, mentor = programme_and_mentor
    worse = student_idle_since(programme, mentor, 10)
    better = student_idle_since(programme, mentor, 8)
    run_flagging()
    active_on(better, range(-1, -12, -1))

    run_flagging(AS_OF + timedelta(days=1))  # clear since today
    run_flagging(AS_OF + timedelta(days=5))  # 15 days idle: red
    run_flagging(AS_OF + timedelta(days=8))  # clear for seven days: resolved

    (raised,) = _entries(AuditAction.FLAG_RAISED)
    assert (raised.subject_id, raised.before, raised.after) == (
        worse.pk,
        {"severity": "amber"},
        {"severity": "red"},
    )
    (resolved,) = _entries(AuditAction.FLAG_RESOLVED)
    assert resolved.subject_id == better.pk
    assert resolved.after["status"] == FlagStatus.RESOLVED
    assert resolved.object_id == str(RiskFlag.objects.get(student=better).pk)


def test_the_runs_audit_takes_the_same_queries_for_more_students():
    def queries_of_a_first_run() -> int:
        with CaptureQueriesContext(connection) as queries:
            run_flagging()
        return sum("mentorship_auditentry" in query["sql"] for query in queries.captured_queries)

    idle_students()
    few = queries_of_a_first_run()
    RiskFlag.objects.all().delete()
    AuditEntry.objects.all().delete()
    idle_students()
    idle_students()

    many = queries_of_a_first_run()

    # One insert per chunk and round (the red flags are settled in a second round).
    assert few == many == 2


@pytest.fixture
def programme_and_mentor():
    return programme_of(60, 60, 60), MentorFactory()


def test_a_mentor_acknowledging_and_judging_a_flag_is_recorded(programme_and_mentor):
    programme, mentor = programme_and_mentor
    student = student_idle_since(programme, mentor, 10)
    run_flagging()
    flag = RiskFlag.objects.get(student=student)

    flag_acknowledge(flag=flag, by=mentor)
    flag_verdict_set(flag=flag, by=mentor, verdict="false_alarm")
    flag_verdict_set(flag=flag, by=mentor, verdict="false_alarm")  # unchanged: nothing

    (acknowledged,) = _entries(AuditAction.FLAG_ACKNOWLEDGED)
    assert (acknowledged.actor, acknowledged.before) == (mentor, {"acknowledged_at": None})
    (verdict,) = _entries(AuditAction.FLAG_VERDICT_SET)
    assert (verdict.actor, verdict.before, verdict.after) == (
        mentor,
        {"verdict": ""},
        {"verdict": "false_alarm"},
    )


def test_a_flag_deleted_in_the_admin_is_recorded(client, as_user, programme_and_mentor):
    programme, mentor = programme_and_mentor
    student = student_idle_since(programme, mentor, 10)
    run_flagging()
    flag = RiskFlag.objects.get(student=student)
    staff = as_user("staff")

    response = client.post(
        reverse("admin:students_riskflag_delete", args=[flag.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    (deleted,) = _entries(AuditAction.FLAG_DELETED)
    assert (deleted.actor, deleted.subject_id, deleted.after) == (staff, student.pk, None)
    assert deleted.before["severity"] == flag.severity


def test_flags_deleted_from_the_list_are_recorded_in_one_insert(client, as_user):
    idle_students()
    run_flagging()
    flags = dict(RiskFlag.objects.values_list("pk", "student_id"))
    staff = as_user("staff")

    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("admin:students_riskflag_changelist"),
            {"action": "delete_selected", "_selected_action": list(flags), "post": "yes"},
        )

    assert response.status_code == 302
    assert not RiskFlag.objects.exists()
    deleted = _entries(AuditAction.FLAG_DELETED)
    assert {(entry.object_id, entry.subject_id) for entry in deleted} == {
        (str(pk), student_id) for pk, student_id in flags.items()
    }
    assert {entry.actor for entry in deleted} == {staff}
    inserts = [
        query
        for query in queries.captured_queries
        if query["sql"].startswith('INSERT INTO "mentorship_auditentry"')
    ]
    assert len(inserts) == 1, "one insert for the audit entries of all the flags deleted"


def _settings_form(**changes) -> dict:
    defaults = FlagSettings()
    fields = [field.name for field in FlagSettings._meta.fields if field.name != "id"]
    return {**{name: getattr(defaults, name) for name in fields}, **changes}


def test_new_thresholds_saved_in_the_admin_are_recorded(client, as_user):
    staff = as_user("staff")
    row = FlagSettings.current()

    response = client.post(
        reverse("admin:students_flagsettings_change", args=[row.pk]),
        _settings_form(inactivity_amber_days=5, inactivity_red_days=10),
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.FLAG_SETTINGS_CHANGED)
    assert entry.actor == staff
    # (The form also posts the default budget, which this module's fixture changed.)
    assert (entry.before["inactivity_amber_days"], entry.before["inactivity_red_days"]) == (7, 14)
    assert (entry.after["inactivity_amber_days"], entry.after["inactivity_red_days"]) == (5, 10)
