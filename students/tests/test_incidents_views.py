"""The incident pages: list, record, detail, resolve, change the arbitrator, reopen;
per role, with bad input, notifications and query counts."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship.models import Notification
from mentorship.tests.factories import AssignmentFactory, StudentFactory, SupervisorFactory
from students import services
from students.models import Incident, IncidentStatus

LIST = reverse("students:incident_list")
NEW = reverse("students:incident_record")


def url(name, incident):
    return reverse(f"students:{name}", args=[incident.pk])


def titles(response):
    return [incident.title for incident in response.context["page"].object_list]


def record(reporter, students, *, title="Scuffle", **kwargs):
    return services.incident_record(
        reporter=reporter,
        students=students,
        title=title,
        description="**Loud** words",
        occurred_on=timezone.localdate(),
        **kwargs,
    )


def resolve(incident, by):
    return services.incident_resolve(incident=incident, by=by, resolution="Shook hands.")


@pytest.fixture
def lone_student(db):
    """A student nobody mentors."""
    return StudentFactory(display_name="Lena Lonestudent", email="lena@example.test")


@pytest.fixture
def incident(staff, supervisor, student, lone_student):
    """Between ``student`` and ``lone_student``, recorded by staff, arbitrated by
    ``supervisor``: mentor, supervisor and staff see it; the others do not."""
    incident = record(staff, [student, lone_student], arbitrator=supervisor)
    Notification.objects.all().delete()
    return incident


def snapshot(incident):
    incident.refresh_from_db()
    return (incident.status, incident.resolution, incident.resolved_by_id, incident.arbitrator_id)


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "incident_list"),
        ("get", "incident_record"),
        ("get", "incident_detail"),
        ("post", "incident_resolve"),
        ("post", "incident_arbitrator"),
        ("post", "incident_reopen"),
    ],
)
def test_it_sends_anonymous_people_to_login(client, incident, method, name):
    target = LIST if name == "incident_list" else NEW if name == "incident_record" else None
    target = target or url(name, incident)
    before = snapshot(incident)

    response = getattr(client, method)(target)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={quote(target)}"
    assert snapshot(incident) == before


@pytest.mark.parametrize(
    ("role", "status", "listed"),
    [
        ("student", 403, None),
        ("other_student", 403, None),
        ("lone_student", 403, None),
        ("mentor", 200, ["Scuffle"]),
        ("other_mentor", 200, []),
        ("supervisor", 200, ["Scuffle"]),
        ("other_supervisor", 200, []),
        ("staff", 200, ["Scuffle"]),
    ],
)
def test_it_lists_only_incidents_the_person_may_see(
    as_user, client, incident, role, status, listed
):
    as_user(role)

    response = client.get(LIST)

    assert response.status_code == status
    if listed is not None:
        assert titles(response) == listed


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 404),
        ("other_student", 404),
        ("lone_student", 404),
        ("mentor", 200),
        ("other_mentor", 404),
        ("supervisor", 200),
        ("other_supervisor", 404),
        ("staff", 200),
    ],
)
def test_it_shows_an_incident_only_to_whoever_may_see_it(as_user, client, incident, role, status):
    as_user(role)

    assert client.get(url("incident_detail", incident)).status_code == status


@pytest.mark.parametrize("role", ["student", "other_student", "lone_student"])
def test_it_never_shows_an_incident_to_a_student(
    as_user, client, incident, supervisor, student, role
):
    as_user(role)
    resolved = record(supervisor, [student, StudentFactory()], title="Secret quarrel")
    resolve(resolved, supervisor)

    for target in (incident, resolved):
        response = client.get(url("incident_detail", target))
        assert response.status_code == 404
        assert target.title.encode() not in response.content
        for action in ("incident_resolve", "incident_arbitrator", "incident_reopen"):
            assert client.post(url(action, target), {"resolution": "x"}).status_code == 404
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.get(reverse("metrics:home")).content.count(b"Scuffle") == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 200),
        ("other_mentor", 200),
        ("supervisor", 200),
        ("other_supervisor", 200),
        ("staff", 200),
    ],
)
def test_it_lets_only_mentors_supervisors_and_staff_record(
    as_user, client, student, other_student, role, status
):
    as_user(role)

    assert client.get(NEW).status_code == status
    response = client.post(
        NEW,
        {
            "title": "T",
            "description": "D",
            "occurred_on": timezone.localdate().isoformat(),
            "other_students": f"{student.email}\n{other_student.email}",
        },
    )
    assert response.status_code == (302 if status == 200 else status)
    assert Incident.objects.count() == (1 if status == 200 else 0)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 404),
        ("other_student", 404),
        ("mentor", 403),
        ("other_mentor", 404),
        ("supervisor", 302),
        ("other_supervisor", 404),
        ("staff", 302),
    ],
)
def test_it_lets_only_the_arbitrator_their_peers_or_staff_resolve(
    as_user, client, incident, role, status
):
    before = snapshot(incident)
    as_user(role)

    response = client.post(url("incident_resolve", incident), {"resolution": "Shook hands."})

    assert response.status_code == status
    if status == 302:
        assert snapshot(incident)[:2] == (IncidentStatus.RESOLVED, "Shook hands.")
    else:
        assert snapshot(incident) == before


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 404),
        ("other_student", 404),
        ("mentor", 403),
        ("other_mentor", 404),
        ("supervisor", 302),
        ("other_supervisor", 404),
        ("staff", 302),
    ],
)
def test_it_lets_only_staff_or_a_supervisor_who_sees_it_change_the_arbitrator(
    as_user, client, incident, staff, role, status
):
    before = snapshot(incident)
    as_user(role)

    response = client.post(url("incident_arbitrator", incident), {"arbitrator": staff.pk})

    assert response.status_code == status
    assert snapshot(incident)[3] == (staff.pk if status == 302 else before[3])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 404),
        ("other_student", 404),
        ("mentor", 403),
        ("other_mentor", 404),
        ("supervisor", 302),
        ("other_supervisor", 404),
        ("staff", 302),
    ],
)
def test_it_lets_only_those_who_resolve_reopen(
    as_user, client, incident, supervisor, role, status
):
    resolve(incident, supervisor)
    before = snapshot(incident)
    as_user(role)

    response = client.post(url("incident_reopen", incident))

    assert response.status_code == status
    if status == 302:
        assert snapshot(incident)[:3] == (IncidentStatus.OPEN, "Shook hands.", None)
    else:
        assert snapshot(incident) == before


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("post", "incident_list"),
        ("put", "incident_record"),
        ("post", "incident_detail"),
        ("get", "incident_resolve"),
        ("get", "incident_arbitrator"),
        ("get", "incident_reopen"),
    ],
)
def test_it_refuses_other_methods(as_user, client, incident, method, name):
    as_user("staff")
    target = reverse(
        f"students:{name}",
        args=[] if name in ("incident_list", "incident_record") else [incident.pk],
    )
    before = snapshot(incident)

    response = getattr(client, method)(target)

    assert response.status_code == 405
    assert snapshot(incident) == before


# --- Recording ------------------------------------------------------------------------


def test_it_records_ticked_and_named_students_and_tells_the_right_people(
    as_user, client, student, other_student, supervisor, other_mentor
):
    as_user("mentor")

    response = client.post(
        NEW,
        {
            "title": "Fight over a pull request",
            "description": "It got *personal*.",
            "occurred_on": timezone.localdate().isoformat(),
            "students": [student.pk],
            "other_students": f"  {other_student.email.upper()}  \n\n",
        },
    )

    incident = Incident.objects.get()
    assert response.url == url("incident_detail", incident)
    assert set(incident.students.all()) == {student, other_student}
    assert incident.arbitrator == supervisor
    assert set(Notification.objects.values_list("user", "kind")) == {
        (supervisor.pk, "incident_arbitrate"),
        (other_mentor.pk, "incident_recorded"),
    }


def test_it_names_unknown_addresses_beside_the_field_and_keeps_the_input(as_user, client, student):
    as_user("mentor")

    response = client.post(
        NEW,
        {
            "title": "Kept title",
            "description": "Kept description",
            "occurred_on": timezone.localdate().isoformat(),
            "students": [student.pk],
            "other_students": "nobody@example.test",
        },
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["other_students"]
    assert "nobody@example.test" in errors["other_students"][0]
    assert b"Kept title" in response.content
    assert b"Kept description" in response.content
    assert not Incident.objects.exists()
    assert not Notification.objects.exists()


def test_it_puts_service_errors_beside_the_students_and_the_date(as_user, client, student):
    as_user("mentor")

    response = client.post(
        NEW,
        {
            "title": "Kept title",
            "description": "D",
            "occurred_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
            "students": [student.pk],
        },
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"students", "occurred_on"}
    assert b"Kept title" in response.content
    assert not Incident.objects.exists()


def test_it_puts_staffs_student_errors_beside_the_addresses(as_user, client, student):
    as_user("staff")

    response = client.post(
        NEW,
        {
            "title": "T",
            "description": "D",
            "occurred_on": timezone.localdate().isoformat(),
            "other_students": student.email,
        },
    )

    assert response.status_code == 400
    assert "students" not in response.context["form"].fields
    assert list(response.context["form"].errors) == ["other_students"]


def test_it_offers_only_the_students_one_looks_after(
    as_user, client, student, other_student, lone_student, supervisor, staff
):
    as_user("mentor")

    response = client.get(NEW)

    assert list(response.context["form"].fields["students"].queryset) == [student]
    arbitrators = response.context["form"].fields["arbitrator"].queryset
    assert set(arbitrators.values_list("role", flat=True)) == {"supervisor", "staff"}
    response = client.post(
        NEW,
        {
            "title": "T",
            "description": "D",
            "occurred_on": timezone.localdate().isoformat(),
            "students": [student.pk, other_student.pk],
        },
    )
    assert response.status_code == 400
    assert "students" in response.context["form"].errors


@pytest.mark.parametrize(("which", "checked"), [("student", True), ("other_student", False)])
def test_it_prechecks_a_student_from_the_query_only_if_visible(
    as_user, client, request, which, checked
):
    chosen = request.getfixturevalue(which)
    as_user("mentor")

    response = client.get(NEW, {"student": chosen.pk})

    assert (response.context["form"].initial.get("students") == [chosen.pk]) == checked


def test_it_prefills_staffs_addresses_from_the_query(as_user, client, student):
    as_user("staff")

    response = client.get(NEW, {"student": student.pk})

    assert response.context["form"].initial == {"other_students": student.email}


# --- Detail and actions ---------------------------------------------------------------


def test_it_links_only_the_files_the_viewer_may_open(
    as_user, client, incident, student, lone_student
):
    as_user("mentor")

    response = client.get(url("incident_detail", incident))

    content = response.content.decode()
    assert reverse("students:file", args=[student.pk]) in content
    assert reverse("students:file", args=[lone_student.pk]) not in content
    assert "Lena Lonestudent" in content
    assert "<strong>Loud</strong>" in content
    assert response.context["may_resolve"] is False
    assert response.context["may_change_arbitrator"] is False


@pytest.mark.parametrize("count", [2, 8])
def test_it_shows_an_incident_without_a_query_per_student(
    as_user, client, staff, student, count, django_assert_max_num_queries
):
    incident = record(staff, [student, *StudentFactory.create_batch(count - 1)])
    as_user("supervisor")

    # session + user, incident with people, students with file access, may resolve,
    # may change the arbitrator (a supervisor's two EXISTS), arbitrator choices, unread
    # notifications in the navbar
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(9):
        response = client.get(url("incident_detail", incident))

    assert len(response.context["students"]) == count


def test_it_resolves_from_the_page_and_tells_the_reporter_and_mentors(
    as_user, client, incident, staff, mentor
):
    as_user("supervisor")

    response = client.post(url("incident_resolve", incident), {"resolution": "_Apologies_"})

    assert response.url == url("incident_detail", incident)
    assert set(Notification.objects.values_list("user", "kind")) == {
        (staff.pk, "incident_resolved"),
        (mentor.pk, "incident_resolved"),
    }
    page = client.get(url("incident_detail", incident))
    assert b"<em>Apologies</em>" in page.content
    assert page.context["may_reopen"] is True


def test_it_shows_a_blank_resolution_beside_the_field(as_user, client, incident):
    as_user("supervisor")

    response = client.post(url("incident_resolve", incident), {"resolution": "  "})

    assert response.status_code == 400
    assert "resolution" in response.context["resolve_form"].errors
    assert snapshot(incident)[0] == IncidentStatus.OPEN


def test_it_says_why_when_resolving_a_resolved_incident(as_user, client, incident, supervisor):
    resolve(incident, supervisor)
    as_user("staff")

    response = client.post(url("incident_resolve", incident), {"resolution": "Again"}, follow=True)

    assert b"already resolved" in response.content
    assert snapshot(incident)[1:3] == ("Shook hands.", supervisor.pk)


def test_it_changes_the_arbitrator_and_tells_them(as_user, client, incident):
    newcomer = SupervisorFactory()
    as_user("staff")

    response = client.post(url("incident_arbitrator", incident), {"arbitrator": newcomer.pk})

    assert response.status_code == 302
    assert snapshot(incident)[3] == newcomer.pk
    assert list(Notification.objects.values_list("user", "kind")) == [
        (newcomer.pk, "incident_arbitrate")
    ]


def test_it_offers_no_student_as_arbitrator(as_user, client, incident, student, supervisor):
    as_user("staff")

    response = client.post(url("incident_arbitrator", incident), {"arbitrator": student.pk})

    assert response.status_code == 400
    assert "arbitrator" in response.context["arbitrator_form"].errors
    assert snapshot(incident)[3] == supervisor.pk


# --- The list -------------------------------------------------------------------------


def test_it_puts_open_incidents_first_and_filters(
    as_user, client, staff, supervisor, student, other_student, lone_student
):
    old_open = record(staff, [student, lone_student], title="Old open")
    resolved = record(staff, [student, other_student], title="Resolved")
    record(staff, [student, other_student], title="New open", arbitrator=supervisor)
    Incident.objects.filter(pk=old_open.pk).update(created_at=timezone.now() - timedelta(days=3))
    resolve(resolved, staff)
    as_user("supervisor")

    assert titles(client.get(LIST)) == ["New open", "Old open", "Resolved"]
    assert titles(client.get(LIST, {"status": "open"})) == ["New open", "Old open"]
    assert titles(client.get(LIST, {"status": "resolved"})) == ["Resolved"]
    assert titles(client.get(LIST, {"arbitrating": "on"})) == ["New open"]


def test_it_paginates_by_twenty_five(as_user, client, staff, student, lone_student):
    for index in range(27):
        record(staff, [student, lone_student], title=f"Incident {index}")
    as_user("mentor")

    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})

    assert len(titles(first)) == 25
    assert len(titles(second)) == 2


@pytest.mark.parametrize("count", [2, 12])
def test_it_lists_incidents_in_constant_queries(
    as_user, client, staff, mentor, count, django_assert_max_num_queries
):
    students = StudentFactory.create_batch(4)
    for student in students[:2]:
        AssignmentFactory(student=student, mentor=mentor)
    for index in range(count):
        record(staff, students[index % 2 : index % 2 + 3], title=f"Incident {index}")
    as_user("mentor")

    # session + user, count, page of incidents with arbitrators, their students, unread
    # notifications in the navbar
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(7):
        response = client.get(LIST)

    assert response.status_code == 200
    assert len(titles(response)) == count
