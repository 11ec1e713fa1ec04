"""Each write about a student checks, by itself, that the person may: sessions, private
notes, incidents and at-risk flags. Whoever may not gets ``NotAllowed`` (hidden when
they may not even see the session, student, incident or flag) and the database is
left as it was, whichever page or endpoint called the service."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import ROLES
from mentorship.access import NotAllowed
from mentorship.models import Notification
from mentorship.tests.factories import StudentFactory
from students import flags, services
from students.models import (
    FlagOutreach,
    Incident,
    MentoringSession,
    MentorNote,
    OutreachKind,
    RiskFlag,
    SessionStatus,
)
from students.sessions import session_cancel, session_log, session_rate, session_schedule

from .helpers_flags import make_flag
from .helpers_sessions import MentoringSessionFactory, completed

ALLOWED, REFUSED, HIDDEN = "allowed", "refused", "hidden"


def _outsiders(**others) -> dict[str, str]:
    """Every role hidden from the mentor's student, but those named."""
    return {role: others.get(role, HIDDEN) for role in ROLES}


LOGGING = _outsiders(mentor=ALLOWED, student=REFUSED, supervisor=REFUSED, staff=REFUSED)
CANCELLING = _outsiders(mentor=ALLOWED, student=ALLOWED, supervisor=REFUSED, staff=REFUSED)
RATING = _outsiders(student=ALLOWED, mentor=REFUSED, supervisor=REFUSED, staff=REFUSED)
SCHEDULING = _outsiders(mentor=ALLOWED, student=REFUSED, supervisor=REFUSED, staff=REFUSED)
NOTING = _outsiders(mentor=ALLOWED, supervisor=ALLOWED, staff=ALLOWED, student=REFUSED)
# The incident involves the mentor's student and a student nobody mentors; the mentor
# recorded it and the supervisor arbitrates. Students never see incidents.
SETTLING = _outsiders(supervisor=ALLOWED, staff=ALLOWED, mentor=REFUSED)
# Whoever may see a flag may act on it; students never see one.
FLAGGING = _outsiders(mentor=ALLOWED, supervisor=ALLOWED, staff=ALLOWED)


@pytest.fixture
def incident(mentor, supervisor, student):
    incident = Incident.objects.create(
        title="Words in the group call",
        description="Raised voices.",
        occurred_on=timezone.localdate(),
        reported_by=mentor,
        arbitrator=supervisor,
    )
    incident.students.set([student, StudentFactory()])
    return incident


def _database() -> tuple:
    return (
        list(MentoringSession.objects.order_by("pk").values()),
        list(MentorNote.objects.values()),
        list(Incident.objects.order_by("pk").values()),
        list(RiskFlag.objects.values()),
        list(FlagOutreach.objects.values()),
        Notification.objects.count(),
    )


def _check(write, expected: str) -> None:
    before = _database()
    if expected == ALLOWED:
        write()
        return
    with pytest.raises(NotAllowed) as refused:
        write()
    assert refused.value.hidden is (expected == HIDDEN)
    assert _database() == before


# --- Sessions -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_the_students_mentor_schedule(request, student, role):
    user = request.getfixturevalue(role)

    _check(
        lambda: session_schedule(
            mentor=user, student=student, scheduled_at=timezone.now() + timedelta(days=2)
        ),
        SCHEDULING[role],
    )


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_the_sessions_mentor_log_it(request, mentor, student, role):
    begun = MentoringSessionFactory(
        mentor=mentor, student=student, scheduled_at=timezone.now() - timedelta(hours=2)
    )
    user = request.getfixturevalue(role)

    _check(
        lambda: session_log(session=begun, mentor=user, status=SessionStatus.COMPLETED),
        LOGGING[role],
    )


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_the_sessions_two_people_cancel_it(request, mentor, student, role):
    upcoming = MentoringSessionFactory(mentor=mentor, student=student)
    user = request.getfixturevalue(role)

    _check(lambda: session_cancel(session=upcoming, by=user), CANCELLING[role])


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_the_sessions_student_rate_it(request, mentor, student, role):
    held = completed(mentor, student)
    user = request.getfixturevalue(role)

    _check(lambda: session_rate(session=held, student=user, rating=5), RATING[role])


# --- Private notes --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_those_who_look_after_the_student_write_notes(request, student, role):
    user = request.getfixturevalue(role)

    _check(
        lambda: services.mentor_note_create(author=user, student=student, body="Tired."),
        NOTING[role],
    )


# --- Incidents ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["student", "other_student"])
def test_it_lets_no_student_record_an_incident(request, student, other_student, role):
    user = request.getfixturevalue(role)

    _check(
        lambda: services.incident_record(
            reporter=user,
            title="Quarrel",
            description="Words.",
            occurred_on=timezone.localdate(),
            students=[student, other_student],
        ),
        REFUSED,
    )


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_those_who_settle_an_incident_resolve_it(request, incident, role):
    user = request.getfixturevalue(role)

    _check(
        lambda: services.incident_resolve(incident=incident, by=user, resolution="Made up."),
        SETTLING[role],
    )


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_those_who_settle_an_incident_reopen_it(request, incident, supervisor, role):
    services.incident_resolve(incident=incident, by=supervisor, resolution="Made up.")
    user = request.getfixturevalue(role)

    _check(lambda: services.incident_reopen(incident=incident, by=user), SETTLING[role])


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_staff_and_supervisors_change_the_arbitrator(request, incident, staff, role):
    user = request.getfixturevalue(role)

    _check(
        lambda: services.incident_arbitrator_change(incident=incident, by=user, arbitrator=staff),
        SETTLING[role],
    )


# --- At-risk flags --------------------------------------------------------------------


@pytest.mark.parametrize(
    "act",
    [
        lambda flag, user: flags.flag_acknowledge(flag=flag, by=user),
        lambda flag, user: flags.flag_outreach_log(flag=flag, by=user, kind=OutreachKind.CALL),
        lambda flag, user: flags.flag_verdict_set(flag=flag, by=user, verdict="useful"),
    ],
    ids=["acknowledge", "outreach", "verdict"],
)
@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_those_who_see_a_flag_act_on_it(request, student, act, role):
    flag = make_flag(student)
    user = request.getfixturevalue(role)

    _check(lambda: act(flag, user), FLAGGING[role])


def test_it_refuses_who_may_not_before_what_they_asked(student, other_mentor):
    flag = make_flag(student)

    with pytest.raises(NotAllowed):
        flags.flag_verdict_set(flag=flag, by=other_mentor, verdict="not a verdict")
