"""What people do about an at-risk flag (``students.services``): acknowledge it, log
outreach, give a verdict; who may, and what is refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mentorship.services import assignment_create
from students.flags import flag_acknowledge, flag_outreach_log, flag_verdict_set
from students.models import FlagOutreach, FlagVerdict, OutreachKind, RiskFlag

from .helpers_flags import make_flag

ACTORS = ["mentor", "supervisor", "staff"]
OUTSIDERS = ["student", "other_student", "other_mentor", "other_supervisor"]


@pytest.fixture
def flag(student):
    return make_flag(student)


@pytest.fixture
def resolved_flag(student):
    return make_flag(student, opened_days_ago=20, resolved_on=timezone.localdate())


def state(flag):
    flag.refresh_from_db()
    return (
        flag.acknowledged_at,
        flag.acknowledged_by_id,
        flag.first_outreach_at,
        flag.verdict,
        flag.verdict_at,
        FlagOutreach.objects.count(),
    )


# --- Acknowledge ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ACTORS)
def test_it_lets_the_mentor_their_supervisor_and_staff_acknowledge(request, flag, role):
    person = request.getfixturevalue(role)

    flag_acknowledge(flag=flag, by=person)

    flag.refresh_from_db()
    assert flag.acknowledged_by == person
    assert flag.acknowledged_at is not None


def test_it_keeps_the_first_acknowledgement(flag, mentor, supervisor):
    flag_acknowledge(flag=flag, by=mentor)
    first = state(flag)

    flag_acknowledge(flag=flag, by=mentor)
    flag_acknowledge(flag=flag, by=supervisor)

    assert state(flag) == first


@pytest.mark.parametrize("role", OUTSIDERS)
def test_it_refuses_acknowledgement_from_others(request, flag, role):
    person = request.getfixturevalue(role)
    before = state(flag)

    with pytest.raises(PermissionDenied):
        flag_acknowledge(flag=flag, by=person)

    assert state(flag) == before


def test_it_refuses_a_former_mentor(flag, student, mentor, other_mentor, staff):
    assignment_create(student=student, mentor=other_mentor, assigned_by=staff, reason="Moved")

    with pytest.raises(PermissionDenied):
        flag_acknowledge(flag=flag, by=mentor)
    flag_acknowledge(flag=flag, by=other_mentor)

    flag.refresh_from_db()
    assert flag.acknowledged_by == other_mentor


def test_it_refuses_to_acknowledge_a_resolved_flag(resolved_flag, mentor):
    before = state(resolved_flag)

    with pytest.raises(ValidationError) as error:
        flag_acknowledge(flag=resolved_flag, by=mentor)

    assert "resolved" in error.value.messages[0]
    assert state(resolved_flag) == before


# --- Outreach -------------------------------------------------------------------------


def test_it_logs_outreach_and_starts_the_recovery_window(flag, mentor):
    outreach = flag_outreach_log(
        flag=flag, by=mentor, kind=OutreachKind.CALL, note="  Talked about the deadline.  "
    )

    flag.refresh_from_db()
    assert (outreach.flag, outreach.mentor, outreach.kind) == (flag, mentor, "call")
    assert outreach.note == "Talked about the deadline."
    assert flag.first_outreach_at == outreach.at
    # Reaching out acknowledges a flag nobody had acknowledged.
    assert (flag.acknowledged_at, flag.acknowledged_by) == (outreach.at, mentor)


def test_it_keeps_the_first_outreach_and_the_first_acknowledgement(flag, mentor, supervisor):
    flag_acknowledge(flag=flag, by=supervisor)
    flag.refresh_from_db()
    acknowledged_at = flag.acknowledged_at
    first = flag_outreach_log(flag=flag, by=mentor, kind=OutreachKind.MESSAGE)
    RiskFlag.objects.filter(pk=flag.pk).update(first_outreach_at=first.at - timedelta(hours=1))
    flag.refresh_from_db()
    started = flag.first_outreach_at

    flag_outreach_log(flag=flag, by=mentor, kind=OutreachKind.SESSION_BOOKED)

    flag.refresh_from_db()
    assert flag.first_outreach_at == started
    assert (flag.acknowledged_at, flag.acknowledged_by) == (acknowledged_at, supervisor)
    assert list(flag.outreach.values_list("kind", flat=True)) == ["message", "session_booked"]


@pytest.mark.parametrize(
    ("kind", "note", "field"),
    [("letter", "", "kind"), ("", "", "kind"), ("call", "x" * 4001, "note")],
)
def test_it_names_the_field_of_bad_outreach(flag, mentor, kind, note, field):
    before = state(flag)

    with pytest.raises(ValidationError) as error:
        flag_outreach_log(flag=flag, by=mentor, kind=kind, note=note)

    assert field in error.value.message_dict
    assert state(flag) == before


@pytest.mark.parametrize("role", OUTSIDERS)
def test_it_refuses_outreach_from_others(request, flag, role):
    before = state(flag)

    with pytest.raises(PermissionDenied):
        flag_outreach_log(flag=flag, by=request.getfixturevalue(role), kind=OutreachKind.CALL)

    assert state(flag) == before


def test_it_refuses_outreach_on_a_resolved_flag(resolved_flag, mentor):
    before = state(resolved_flag)

    with pytest.raises(ValidationError):
        flag_outreach_log(flag=resolved_flag, by=mentor, kind=OutreachKind.CALL)

    assert state(resolved_flag) == before


# --- Verdict --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ACTORS)
def test_it_records_the_verdict(request, flag, role):
    flag_verdict_set(flag=flag, by=request.getfixturevalue(role), verdict=FlagVerdict.USEFUL)

    flag.refresh_from_db()
    assert flag.verdict == "useful"
    assert flag.verdict_at is not None


def test_it_changes_the_verdict_and_keeps_it_when_repeated(resolved_flag, mentor):
    flag_verdict_set(flag=resolved_flag, by=mentor, verdict=FlagVerdict.USEFUL)
    flag_verdict_set(flag=resolved_flag, by=mentor, verdict=FlagVerdict.FALSE_ALARM)
    resolved_flag.refresh_from_db()
    changed_at = resolved_flag.verdict_at

    flag_verdict_set(flag=resolved_flag, by=mentor, verdict=FlagVerdict.FALSE_ALARM)

    resolved_flag.refresh_from_db()
    assert (resolved_flag.verdict, resolved_flag.verdict_at) == ("false_alarm", changed_at)


def test_it_names_the_field_of_a_bad_verdict(flag, mentor):
    before = state(flag)

    with pytest.raises(ValidationError) as error:
        flag_verdict_set(flag=flag, by=mentor, verdict="maybe")

    assert "verdict" in error.value.message_dict
    assert state(flag) == before


@pytest.mark.parametrize("role", OUTSIDERS)
def test_it_refuses_a_verdict_from_others(request, flag, role):
    before = state(flag)

    with pytest.raises(PermissionDenied):
        flag_verdict_set(flag=flag, by=request.getfixturevalue(role), verdict=FlagVerdict.USEFUL)

    assert state(flag) == before
