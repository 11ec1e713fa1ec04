"""Incidents between students: who sees them, who records, arbitrates, resolves and
reopens them, and who is told."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mentorship.models import Notification
from mentorship.tests.factories import (
    AssignmentFactory,
    MentorFactory,
    StudentFactory,
    SupervisorFactory,
)
from students import selectors, services
from students.models import Incident, IncidentStatus


def record(reporter, students, **kwargs):
    arguments = {
        "title": "Argument in the review thread",
        "description": "They *shouted*.",
        "occurred_on": timezone.localdate(),
    }
    arguments.update(kwargs)
    return services.incident_record(reporter=reporter, students=students, **arguments)


def notified():
    return {(n.user_id, n.kind) for n in Notification.objects.all()}


@pytest.fixture
def lone_student(db):
    """A student nobody mentors."""
    return StudentFactory(display_name="Lena Lonestudent")


@pytest.fixture
def incident(staff, student, lone_student):
    """Recorded and arbitrated by staff, so only the students' mentors' access counts."""
    incident = record(staff, [student, lone_student])
    Notification.objects.all().delete()
    return incident


# --- Who sees an incident ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("student", False),
        ("other_student", False),
        ("lone_student", False),
        ("mentor", True),
        ("other_mentor", False),
        ("supervisor", True),
        ("other_supervisor", False),
        ("staff", True),
    ],
)
def test_it_shows_an_incident_to_those_who_look_after_its_students(request, incident, role, sees):
    user = request.getfixturevalue(role)

    assert list(selectors.incidents_visible_to(user)) == ([incident] if sees else [])


def test_it_never_shows_an_incident_to_the_students_involved(incident, student, lone_student):
    assert not selectors.incidents_visible_to(student).exists()
    assert not selectors.incidents_visible_to(lone_student).exists()


def test_it_shows_an_incident_to_its_reporter_and_arbitrator(
    mentor, student, lone_student, other_supervisor, other_mentor
):
    incident = record(mentor, [student, lone_student], arbitrator=other_supervisor)
    student.mentor_assignments.update(ended_at=timezone.now())

    assert list(selectors.incidents_visible_to(mentor)) == [incident]
    assert list(selectors.incidents_visible_to(other_supervisor)) == [incident]
    assert not selectors.incidents_visible_to(other_mentor).exists()


def test_it_follows_current_assignments_only(incident, student, mentor, other_mentor):
    student.mentor_assignments.update(ended_at=timezone.now())
    AssignmentFactory(student=student, mentor=other_mentor)

    assert not selectors.incidents_visible_to(mentor).exists()
    assert list(selectors.incidents_visible_to(other_mentor)) == [incident]


def test_it_lists_an_incident_once_when_several_of_ones_students_are_involved(
    staff, mentor, supervisor, student
):
    second = StudentFactory()
    AssignmentFactory(student=second, mentor=mentor)
    incident = record(staff, [student, second])

    assert list(selectors.incidents_visible_to(mentor)) == [incident]
    assert list(selectors.incidents_visible_to(supervisor)) == [incident]


def test_it_hides_incidents_from_inactive_people(incident, mentor):
    mentor.is_active = False
    mentor.save()

    assert not selectors.incidents_visible_to(mentor).exists()


def test_it_marks_which_students_files_the_viewer_may_open(incident, mentor, student):
    loaded = selectors.incident_for_user(mentor, incident.pk)

    assert {s.pk: s.file_visible for s in loaded.students.all()} == {
        student.pk: True,
        incident.students.exclude(pk=student.pk).get().pk: False,
    }


# --- Recording ------------------------------------------------------------------------------


def test_it_records_a_mentors_incident_for_their_supervisor_to_arbitrate(
    mentor, supervisor, other_mentor, student, other_student
):
    incident = record(mentor, [student, other_student])

    assert incident.arbitrator == supervisor
    assert incident.reported_by == mentor
    assert incident.status == IncidentStatus.OPEN
    assert set(incident.students.all()) == {student, other_student}
    assert notified() == {
        (supervisor.pk, "incident_arbitrate"),
        (other_mentor.pk, "incident_recorded"),
    }


def test_it_lets_a_mentor_without_supervisor_arbitrate_their_own_incident(student, other_student):
    loner = MentorFactory()
    student.mentor_assignments.update(ended_at=timezone.now())
    AssignmentFactory(student=student, mentor=loner)

    incident = record(loner, [student, other_student])

    assert incident.arbitrator == loner


def test_it_tells_the_chosen_arbitrator_and_every_mentor_but_the_reporter(
    staff, other_supervisor, mentor, other_mentor, student, other_student
):
    record(staff, [student, other_student], arbitrator=other_supervisor)

    assert notified() == {
        (other_supervisor.pk, "incident_arbitrate"),
        (mentor.pk, "incident_recorded"),
        (other_mentor.pk, "incident_recorded"),
    }


def test_it_lets_a_supervisor_arbitrate_what_they_record(
    supervisor, mentor, other_mentor, student, other_student
):
    incident = record(supervisor, [student, other_student])

    assert incident.arbitrator == supervisor
    assert notified() == {(mentor.pk, "incident_recorded"), (other_mentor.pk, "incident_recorded")}


def test_it_tells_a_mentor_who_arbitrates_only_once(staff, mentor, student, other_student):
    record(staff, [student, other_student], arbitrator=mentor)

    assert Notification.objects.filter(user=mentor).count() == 1


@pytest.mark.parametrize(
    ("students", "field"),
    [
        (lambda s, o, m: [s], "students"),
        (lambda s, o, m: [s, s], "students"),
        (lambda s, o, m: [s, m], "students"),
    ],
)
def test_it_needs_two_distinct_students(mentor, student, other_student, students, field):
    with pytest.raises(ValidationError) as error:
        record(mentor, students(student, other_student, mentor))

    assert field in error.value.message_dict
    assert not Incident.objects.exists()


def test_it_needs_a_student_the_reporter_looks_after(other_mentor, student, lone_student):
    with pytest.raises(ValidationError) as error:
        record(other_mentor, [student, lone_student])

    assert "students" in error.value.message_dict
    assert not Incident.objects.exists()
    assert not Notification.objects.exists()


def test_it_refuses_a_date_in_the_future(mentor, student, other_student):
    with pytest.raises(ValidationError) as error:
        record(
            mentor, [student, other_student], occurred_on=timezone.localdate() + timedelta(days=1)
        )

    assert "occurred_on" in error.value.message_dict
    assert not Incident.objects.exists()


@pytest.mark.parametrize("who", ["student", "inactive"])
def test_it_refuses_an_arbitrator_who_is_a_student_or_inactive(
    mentor, student, other_student, who
):
    arbitrator = other_student if who == "student" else MentorFactory(is_active=False)

    with pytest.raises(ValidationError) as error:
        record(mentor, [student, other_student], arbitrator=arbitrator)

    assert "arbitrator" in error.value.message_dict
    assert not Incident.objects.exists()


def test_it_reports_every_error_at_once(mentor, student):
    with pytest.raises(ValidationError) as error:
        record(
            mentor,
            [student],
            title="  ",
            occurred_on=timezone.localdate() + timedelta(days=3),
        )

    assert set(error.value.message_dict) == {"students", "occurred_on", "title"}


@pytest.mark.parametrize("role", ["student", "other_student"])
def test_it_refuses_a_student_as_reporter(request, student, other_student, role):
    with pytest.raises(PermissionDenied):
        record(request.getfixturevalue(role), [student, other_student])

    assert not Incident.objects.exists()


# --- Resolving, reopening, changing the arbitrator -------------------------------------------


@pytest.fixture
def mentors_incident(mentor, student, other_student):
    """Recorded by ``mentor``; ``supervisor`` arbitrates."""
    incident = record(mentor, [student, other_student])
    Notification.objects.all().delete()
    return incident


def test_it_resolves_and_tells_the_reporter_and_the_mentors(
    mentors_incident, supervisor, mentor, other_mentor
):
    incident = services.incident_resolve(
        incident=mentors_incident, by=supervisor, resolution="  They apologised.  "
    )

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.resolution == "They apologised."
    assert incident.resolved_by == supervisor
    assert incident.resolved_at is not None
    assert notified() == {(mentor.pk, "incident_resolved"), (other_mentor.pk, "incident_resolved")}


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("student", False),
        ("other_student", False),
        ("mentor", False),
        ("other_mentor", False),
        ("supervisor", True),
        ("other_supervisor", False),
        ("staff", True),
    ],
)
def test_it_lets_only_the_arbitrator_a_supervisor_who_sees_it_or_staff_resolve(
    request, staff, student, lone_student, role, allowed
):
    incident = record(staff, [student, lone_student])
    by = request.getfixturevalue(role)

    if allowed:
        services.incident_resolve(incident=incident, by=by, resolution="Settled.")
    else:
        with pytest.raises(PermissionDenied):
            services.incident_resolve(incident=incident, by=by, resolution="Settled.")

    incident.refresh_from_db()
    assert (incident.status == IncidentStatus.RESOLVED) == allowed


def test_it_lets_the_arbitrator_resolve_without_looking_after_the_students(
    staff, student, lone_student, other_supervisor
):
    incident = record(staff, [student, lone_student], arbitrator=other_supervisor)

    services.incident_resolve(incident=incident, by=other_supervisor, resolution="Settled.")

    incident.refresh_from_db()
    assert incident.resolved_by == other_supervisor


def test_it_needs_a_resolution(mentors_incident, supervisor):
    with pytest.raises(ValidationError) as error:
        services.incident_resolve(incident=mentors_incident, by=supervisor, resolution="   ")

    assert "resolution" in error.value.message_dict
    mentors_incident.refresh_from_db()
    assert mentors_incident.is_open


def test_it_does_not_resolve_twice(mentors_incident, supervisor, staff):
    services.incident_resolve(incident=mentors_incident, by=supervisor, resolution="Done.")

    with pytest.raises(ValidationError):
        services.incident_resolve(incident=mentors_incident, by=staff, resolution="Again.")

    mentors_incident.refresh_from_db()
    assert (mentors_incident.resolution, mentors_incident.resolved_by) == ("Done.", supervisor)


def test_it_reopens_keeping_the_text_and_tells_the_arbitrator(mentors_incident, supervisor, staff):
    services.incident_resolve(incident=mentors_incident, by=supervisor, resolution="Done.")
    Notification.objects.all().delete()

    incident = services.incident_reopen(incident=mentors_incident, by=staff)

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN
    assert (incident.resolved_at, incident.resolved_by) == (None, None)
    assert incident.resolution == "Done."
    assert notified() == {(supervisor.pk, "incident_reopened")}


def test_it_refuses_to_reopen_an_open_incident_or_for_a_mentor(
    mentors_incident, supervisor, mentor
):
    with pytest.raises(ValidationError):
        services.incident_reopen(incident=mentors_incident, by=supervisor)
    services.incident_resolve(incident=mentors_incident, by=supervisor, resolution="Done.")

    with pytest.raises(PermissionDenied):
        services.incident_reopen(incident=mentors_incident, by=mentor)

    mentors_incident.refresh_from_db()
    assert mentors_incident.status == IncidentStatus.RESOLVED


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("student", False),
        ("mentor", False),
        ("other_mentor", False),
        ("supervisor", True),
        ("other_supervisor", False),
        ("staff", True),
    ],
)
def test_it_lets_only_staff_or_a_supervisor_who_sees_it_change_the_arbitrator(
    request, incident, staff, role, allowed
):
    by = request.getfixturevalue(role)
    new = SupervisorFactory()

    if allowed:
        services.incident_arbitrator_change(incident=incident, by=by, arbitrator=new)
    else:
        with pytest.raises(PermissionDenied):
            services.incident_arbitrator_change(incident=incident, by=by, arbitrator=new)

    incident.refresh_from_db()
    assert incident.arbitrator == (new if allowed else staff)


def test_it_tells_the_new_arbitrator(mentors_incident, supervisor, other_supervisor):
    services.incident_arbitrator_change(
        incident=mentors_incident, by=supervisor, arbitrator=other_supervisor
    )

    assert notified() == {(other_supervisor.pk, "incident_arbitrate")}
    assert list(selectors.incidents_visible_to(other_supervisor)) == [mentors_incident]


def test_it_refuses_a_student_arbitrator_or_a_resolved_incident(
    mentors_incident, supervisor, staff, student
):
    with pytest.raises(ValidationError) as error:
        services.incident_arbitrator_change(
            incident=mentors_incident, by=staff, arbitrator=student
        )
    assert "arbitrator" in error.value.message_dict
    services.incident_resolve(incident=mentors_incident, by=supervisor, resolution="Done.")

    with pytest.raises(ValidationError):
        services.incident_arbitrator_change(incident=mentors_incident, by=staff, arbitrator=staff)

    mentors_incident.refresh_from_db()
    assert mentors_incident.arbitrator == supervisor
