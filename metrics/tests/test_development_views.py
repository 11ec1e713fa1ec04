"""The self-development page and its actions, per role: list, add, delete, verify and
unverify."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from mentorship.models import Notification
from mentorship.tests.factories import MentorFactory
from metrics.models import DevelopmentKind, DevelopmentRecord
from metrics.tests.helpers_development import make_record
from projects.tests.factories import ProgrammeFactory

LIST = reverse("metrics:development_list")
ADD = reverse("metrics:development_add")


def delete_url(record):
    return reverse("metrics:development_delete", args=[record.pk])


def verify_url(record):
    return reverse("metrics:development_verify", args=[record.pk])


def unverify_url(record):
    return reverse("metrics:development_unverify", args=[record.pk])


def listed_titles(response) -> set[str]:
    return {str(record) for record in response.context["page"].object_list}


def snapshot():
    return list(DevelopmentRecord.objects.order_by("pk").values())


@pytest.fixture
def mine(mentor):
    """An unverified course of ``mentor``'s (in ``supervisor``'s team)."""
    return make_record(mentor, title="Mine")


@pytest.fixture
def others(other_mentor):
    """An unverified course of ``other_mentor``'s (in ``other_supervisor``'s team)."""
    return make_record(other_mentor, title="Others")


@pytest.fixture
def programme(db):
    return ProgrammeFactory(title="Data analysis")


def course_form(**overrides):
    data = {
        "kind": DevelopmentKind.COURSE,
        "title": "Statistics",
        "completed_on": "2025-03-01",
        "evidence_url": "example.test/certificate",
        "note": "",
    }
    data.update(overrides)
    return data


# --- Access ---------------------------------------------------------------------------


def test_it_sends_anonymous_people_to_login(client, mine):
    for response in (
        client.get(LIST),
        client.post(ADD, course_form()),
        client.post(delete_url(mine)),
        client.post(verify_url(mine)),
        client.post(unverify_url(mine)),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert DevelopmentRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status", "titles"),
    [
        ("student", 403, None),
        ("other_student", 403, None),
        ("mentor", 200, {"Mine"}),
        ("other_mentor", 200, {"Others"}),
        ("supervisor", 200, {"Mine"}),
        ("other_supervisor", 200, {"Others"}),
        ("staff", 200, {"Mine", "Others"}),
    ],
)
def test_it_lists_only_records_the_person_may_see(
    as_user, client, mine, others, role, status, titles
):
    as_user(role)

    response = client.get(LIST)

    assert response.status_code == status
    if titles is not None:
        assert listed_titles(response) == titles


def test_it_shows_a_mentor_their_records_by_kind_and_the_form(as_user, client, mentor, staff):
    as_user("mentor")
    make_record(mentor, kind=DevelopmentKind.PROGRAMME, programme=ProgrammeFactory(title="Web"))
    make_record(mentor, kind=DevelopmentKind.EXPERTISE, title="Django", verified_by=staff)

    response = client.get(LIST)

    assert [heading for heading, _records in response.context["groups"]] == [
        "Programmes completed as a student",
        "Areas of expertise",
    ]
    assertContains(response, 'data-testid="development-form"')
    assertContains(response, 'data-testid="development-verified"', count=1)
    assert response.context["filter_form"] is None


@pytest.mark.parametrize("role", ["supervisor", "staff"])
def test_it_offers_no_add_form_beyond_mentors(as_user, client, role):
    as_user(role)

    response = client.get(LIST)

    assert response.context["form"] is None
    assert 'data-testid="development-form"' not in response.content.decode()


def test_it_filters_a_supervisors_list_by_a_mentor_of_their_team(
    as_user, client, supervisor, mine, others
):
    teammate = MentorFactory(display_name="Tina Teammate")
    teammate.mentor_profile.supervisor = supervisor
    teammate.mentor_profile.save()
    make_record(teammate, title="Teammate's")
    as_user("supervisor")

    everyone = client.get(LIST)
    one = client.get(LIST, {"mentor": teammate.pk})
    outsider = client.get(LIST, {"mentor": others.mentor_id})

    assert listed_titles(everyone) == {"Mine", "Teammate's"}
    assert listed_titles(one) == {"Teammate's"}
    # A mentor outside the team is not among the choices: the filter is ignored.
    assert listed_titles(outsider) == {"Mine", "Teammate's"}
    assert "show" not in everyone.context["filter_form"].fields


def test_it_shows_staff_records_awaiting_verification_unless_asked_for_all(
    as_user, client, staff, mentor, mine, others
):
    make_record(mentor, title="Done", verified_by=staff)
    as_user("staff")

    default = client.get(LIST)
    everything = client.get(LIST, {"show": "all"})
    one_mentor = client.get(LIST, {"show": "all", "mentor": mentor.pk})

    assert listed_titles(default) == {"Mine", "Others"}
    assert listed_titles(everything) == {"Mine", "Others", "Done"}
    assert listed_titles(one_mentor) == {"Mine", "Done"}
    assertContains(everything, 'data-testid="development-verify"', count=2)
    assertContains(everything, "Unverify", count=1)


@pytest.mark.parametrize(
    ("url_name", "roles"),
    [
        ("metrics:development_list", ["mentor", "supervisor", "staff"]),
        ("metrics:development_add", ["mentor"]),
        ("metrics:development_delete", ["mentor", "staff"]),
        ("metrics:development_verify", ["staff"]),
        ("metrics:development_unverify", ["staff"]),
    ],
)
def test_it_answers_405_to_the_wrong_method(as_user, client, mine, url_name, roles):
    args = [] if url_name in ("metrics:development_list", "metrics:development_add") else [mine.pk]
    url = reverse(url_name, args=args)
    before = snapshot()

    for role in roles:
        as_user(role)
        response = client.post(url) if url_name == "metrics:development_list" else client.get(url)
        assert response.status_code == 405, role

    assert snapshot() == before


# --- Adding ---------------------------------------------------------------------------


def test_it_adds_a_mentors_course(as_user, client, mentor):
    as_user("mentor")

    response = client.post(ADD, course_form())

    assert response.status_code == 302
    assert response.url == LIST
    record = DevelopmentRecord.objects.get()
    assert (record.mentor, record.title, record.completed_on) == (
        mentor,
        "Statistics",
        date(2025, 3, 1),
    )
    assert record.evidence_url == "https://example.test/certificate"


@pytest.mark.parametrize(
    "role", ["student", "other_student", "supervisor", "other_supervisor", "staff"]
)
def test_it_lets_only_mentors_add(as_user, client, role):
    as_user(role)

    response = client.post(ADD, course_form())

    assert response.status_code == 403
    assert not DevelopmentRecord.objects.exists()


def test_it_ignores_the_field_the_kind_does_not_use(as_user, client, programme):
    as_user("mentor")

    client.post(ADD, course_form(programme=programme.pk, title="SQL"))
    client.post(
        ADD,
        course_form(kind=DevelopmentKind.PROGRAMME, programme=programme.pk, title="Typed first"),
    )
    client.post(ADD, course_form(kind=DevelopmentKind.EXPERTISE, title="Django", programme="x"))

    rows = DevelopmentRecord.objects.order_by("pk").values_list("kind", "programme", "title")
    assert list(rows) == [
        ("course", None, "SQL"),
        ("programme", programme.pk, ""),
        ("expertise", None, "Django"),
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            course_form(kind=DevelopmentKind.PROGRAMME, title="Typed"),
            "programme",
            "Choose the programme you completed.",
        ),
        (course_form(title=""), "title", "Name the course or the area of expertise."),
        (course_form(completed_on=""), "completed_on", "Say when you completed it."),
        (course_form(completed_on="yesterday"), "completed_on", "Enter a valid date."),
        (course_form(evidence_url="not a link"), "evidence_url", "Enter a valid URL."),
        (course_form(kind="hobby"), "kind", "Select a valid choice."),
    ],
)
def test_it_shows_what_is_wrong_beside_the_field_and_keeps_the_input(
    as_user, client, data, field, message
):
    as_user("mentor")
    data = {**data, "note": "Kept note"}

    response = client.post(ADD, data)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert message in response.context["form"].errors[field][0]
    assertContains(response, message, status_code=400)
    assertContains(response, "Kept note", status_code=400)
    assert not DevelopmentRecord.objects.exists()


def test_it_refuses_a_date_in_the_future_beside_the_field(as_user, client):
    as_user("mentor")
    in_two_days = (date.today() + timedelta(days=2)).isoformat()

    response = client.post(ADD, course_form(completed_on=in_two_days))

    assert response.status_code == 400
    assert response.context["form"].errors["completed_on"] == ["This cannot be in the future."]
    assertContains(response, f'value="{in_two_days}"', status_code=400)
    assert not DevelopmentRecord.objects.exists()


def test_it_refuses_a_programme_recorded_before_beside_the_field(
    as_user, client, mentor, programme
):
    make_record(mentor, kind=DevelopmentKind.PROGRAMME, programme=programme)
    as_user("mentor")

    response = client.post(
        ADD, course_form(kind=DevelopmentKind.PROGRAMME, programme=programme.pk, title="")
    )

    assert response.status_code == 400
    assert response.context["form"].errors["programme"] == [
        "You have already recorded this programme."
    ]
    assert DevelopmentRecord.objects.count() == 1


# --- Deleting, verifying --------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 302),
        ("other_mentor", 404),
        ("supervisor", 403),
        ("other_supervisor", 403),
        ("staff", 302),
    ],
)
def test_it_deletes_a_record_only_for_its_mentor_or_staff(as_user, client, mine, role, status):
    as_user(role)
    before = snapshot()

    response = client.post(delete_url(mine))

    assert response.status_code == status
    if status == 302:
        assert not DevelopmentRecord.objects.exists()
    else:
        assert snapshot() == before


def test_it_keeps_a_verified_record_from_its_mentor(as_user, client, mentor, staff):
    record = make_record(mentor, verified_by=staff)
    as_user("mentor")
    before = snapshot()

    response = client.post(delete_url(record))

    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 403),
        ("other_mentor", 403),
        ("supervisor", 403),
        ("other_supervisor", 403),
        ("staff", 302),
    ],
)
def test_it_lets_only_staff_verify_and_unverify(as_user, client, mentor, staff, role, status):
    unverified = make_record(mentor, title="Unverified")
    verified = make_record(mentor, title="Verified", verified_by=staff)
    as_user(role)
    before = snapshot()

    verify = client.post(verify_url(unverified))
    unverify = client.post(unverify_url(verified))

    assert (verify.status_code, unverify.status_code) == (status, status)
    if status == 302:
        unverified.refresh_from_db()
        verified.refresh_from_db()
        assert unverified.verified_by == staff
        assert verified.verified_at is None
        assert Notification.objects.get().user == mentor
    else:
        assert snapshot() == before
        assert not Notification.objects.exists()


def test_it_answers_404_for_a_record_that_does_not_exist(as_user, client):
    as_user("staff")

    for url in (
        "/development/999/delete/",
        "/development/999/verify/",
        "/development/999/unverify/",
    ):
        assert client.post(url).status_code == 404


def test_it_returns_staff_to_the_filtered_list_after_verifying(as_user, client, mentor, mine):
    as_user("staff")

    response = client.post(f"{verify_url(mine)}?show=all&mentor={mentor.pk}")

    assert response.status_code == 302
    assert response.url == f"{LIST}?show=all&mentor={mentor.pk}"


# --- Queries --------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [2, 12])
@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_lists_records_in_a_bounded_number_of_queries(
    as_user, client, django_assert_max_num_queries, mentor, other_mentor, staff, role, rows
):
    for number in range(rows):
        make_record(mentor, kind=DevelopmentKind.PROGRAMME)
        make_record(other_mentor, title=f"Course {number}", verified_by=staff)
    as_user(role)

    # Session, user, the navbar's unread count, the page's count and rows (mentor,
    # programme and verifier joined), and either the programmes the mentor's form
    # offers or the mentors to filter by.
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(7, info="A query per row? Join it in the selector."):
        response = client.get(LIST, {"show": "all"})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) > 0


# --- Admin ----------------------------------------------------------------------------


def test_it_verifies_through_the_service_with_the_admin_action(as_user, client, mentor, staff):
    unverified = make_record(mentor, title="Unverified")
    earlier = make_record(mentor, title="Earlier", verified_by=staff)
    as_user("staff")

    response = client.post(
        reverse("admin:metrics_developmentrecord_changelist"),
        {"action": "mark_verified", "_selected_action": [unverified.pk, earlier.pk]},
    )

    assert response.status_code == 302
    unverified.refresh_from_db()
    assert unverified.verified_by == staff
    # Only the newly verified record is announced.
    assert list(Notification.objects.values_list("user", "kind")) == [
        (mentor.pk, "development_verified")
    ]


def test_it_offers_staff_the_admin_list_filtered_and_searched(as_user, client, mentor, staff):
    make_record(mentor, title="Statistics")
    make_record(mentor, title="Verified course", verified_by=staff)
    as_user("staff")
    url = reverse("admin:metrics_developmentrecord_changelist")

    awaiting = client.get(url, {"verified": "no", "kind": "course", "q": "stat"})

    assert awaiting.status_code == 200
    assert [str(record) for record in awaiting.context["cl"].result_list] == ["Statistics"]
