"""Self-development services: who may add, delete, verify and unverify a record, the
rules of each kind, and who is told."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentorship.access import NotAllowed
from mentorship.models import Notification
from metrics.models import DevelopmentKind, DevelopmentRecord
from metrics.services import (
    development_record_add,
    development_record_delete,
    development_record_unverify,
    development_record_verify,
)
from metrics.tests.helpers_development import make_record
from projects.tests.factories import ProgrammeFactory

LAST_YEAR = date(2025, 3, 1)


@pytest.fixture
def programme(db):
    return ProgrammeFactory(title="Web development")


def field_errors(excinfo) -> set[str]:
    return set(excinfo.value.error_dict)


def test_it_records_a_programme_completed_as_a_student(mentor, programme):
    record = development_record_add(
        mentor=mentor,
        kind=DevelopmentKind.PROGRAMME,
        programme=programme,
        completed_on=LAST_YEAR,
        evidence_url="https://example.test/certificate",
        note="  With honours  ",
    )

    record.refresh_from_db()
    assert (record.mentor, record.programme, record.title) == (mentor, programme, "")
    assert record.note == "With honours"
    assert not record.is_verified


def test_it_records_an_area_of_expertise_without_a_date(mentor):
    record = development_record_add(
        mentor=mentor, kind=DevelopmentKind.EXPERTISE, title="  Django  "
    )

    assert (record.title, record.completed_on, record.programme) == ("Django", None, None)


@pytest.mark.parametrize("role", ["student", "supervisor", "staff"])
def test_it_refuses_records_from_anyone_but_mentors(request, role):
    person = request.getfixturevalue(role)

    with pytest.raises(NotAllowed) as refused:
        development_record_add(mentor=person, kind=DevelopmentKind.EXPERTISE, title="X")

    assert refused.value.hidden is False

    assert not DevelopmentRecord.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "hobby", "title": "Chess"}, "kind"),
        ({"kind": DevelopmentKind.PROGRAMME, "completed_on": LAST_YEAR}, "programme"),
        ({"kind": DevelopmentKind.COURSE, "title": "   ", "completed_on": LAST_YEAR}, "title"),
        ({"kind": DevelopmentKind.EXPERTISE, "title": ""}, "title"),
        ({"kind": DevelopmentKind.COURSE, "title": "Statistics"}, "completed_on"),
    ],
)
def test_it_names_the_field_that_is_missing_or_wrong(mentor, fields, field):
    with pytest.raises(ValidationError) as excinfo:
        development_record_add(mentor=mentor, **fields)

    assert field_errors(excinfo) == {field}
    assert not DevelopmentRecord.objects.exists()


def test_it_refuses_a_bad_evidence_link(mentor):
    with pytest.raises(ValidationError) as excinfo:
        development_record_add(
            mentor=mentor,
            kind=DevelopmentKind.EXPERTISE,
            title="Django",
            evidence_url="javascript:alert(1)",
        )

    assert field_errors(excinfo) == {"evidence_url"}


def test_it_refuses_a_title_with_a_programme_and_a_programme_with_a_course(mentor, programme):
    with pytest.raises(ValidationError) as excinfo:
        development_record_add(
            mentor=mentor,
            kind=DevelopmentKind.PROGRAMME,
            programme=programme,
            title="Also this",
            completed_on=LAST_YEAR,
        )
    assert field_errors(excinfo) == {"title"}

    with pytest.raises(ValidationError) as excinfo:
        development_record_add(
            mentor=mentor,
            kind=DevelopmentKind.COURSE,
            programme=programme,
            title="Statistics",
            completed_on=LAST_YEAR,
        )
    assert field_errors(excinfo) == {"programme"}
    assert not DevelopmentRecord.objects.exists()


def test_it_refuses_a_completion_date_after_today_in_the_mentors_time_zone(mentor):
    # Far east of UTC the mentor's today can be UTC's tomorrow: that day is allowed,
    # the one after it is not.
    mentor.time_zone = "Pacific/Kiritimati"
    mentor.save()
    mentors_today = timezone.localdate(timezone=timezone.get_fixed_timezone(14 * 60))

    development_record_add(
        mentor=mentor, kind=DevelopmentKind.COURSE, title="Today", completed_on=mentors_today
    )
    with pytest.raises(ValidationError) as excinfo:
        development_record_add(
            mentor=mentor,
            kind=DevelopmentKind.COURSE,
            title="Tomorrow",
            completed_on=mentors_today + timedelta(days=1),
        )

    assert field_errors(excinfo) == {"completed_on"}
    assert list(DevelopmentRecord.objects.values_list("title", flat=True)) == ["Today"]


def test_it_records_a_programme_once_per_mentor(mentor, other_mentor, programme):
    development_record_add(
        mentor=mentor, kind=DevelopmentKind.PROGRAMME, programme=programme, completed_on=LAST_YEAR
    )

    with pytest.raises(ValidationError) as excinfo:
        development_record_add(
            mentor=mentor,
            kind=DevelopmentKind.PROGRAMME,
            programme=programme,
            completed_on=LAST_YEAR,
        )
    development_record_add(
        mentor=other_mentor,
        kind=DevelopmentKind.PROGRAMME,
        programme=programme,
        completed_on=LAST_YEAR,
    )

    assert field_errors(excinfo) == {"programme"}
    assert DevelopmentRecord.objects.filter(programme=programme).count() == 2


def test_it_allows_the_same_course_title_twice(mentor):
    for _ in range(2):
        development_record_add(
            mentor=mentor, kind=DevelopmentKind.COURSE, title="SQL", completed_on=LAST_YEAR
        )

    assert DevelopmentRecord.objects.filter(title="SQL").count() == 2


def test_it_lets_the_mentor_delete_their_unverified_record(mentor):
    record = make_record(mentor)

    development_record_delete(record=record, by=mentor)

    assert not DevelopmentRecord.objects.exists()


@pytest.mark.parametrize(
    ("role", "hidden"), [("other_mentor", True), ("supervisor", False), ("student", True)]
)
def test_it_refuses_to_delete_someone_elses_record(request, mentor, role, hidden):
    record = make_record(mentor)

    with pytest.raises(NotAllowed) as refused:
        development_record_delete(record=record, by=request.getfixturevalue(role))

    # The mentor's supervisor sees the record; the others may not even see it.
    assert refused.value.hidden is hidden
    assert DevelopmentRecord.objects.filter(pk=record.pk).exists()


def test_it_keeps_a_verified_record_from_its_mentor_but_not_from_staff(mentor, staff):
    record = make_record(mentor, verified_by=staff)

    with pytest.raises(NotAllowed) as refused:
        development_record_delete(record=record, by=mentor)
    assert refused.value.hidden is False
    assert DevelopmentRecord.objects.filter(pk=record.pk).exists()

    development_record_delete(record=record, by=staff)
    assert not DevelopmentRecord.objects.exists()


def test_it_verifies_and_tells_the_mentor_once(mentor, staff, programme):
    record = make_record(mentor, kind=DevelopmentKind.PROGRAMME, programme=programme)

    development_record_verify(record=record, by=staff)
    first = DevelopmentRecord.objects.get(pk=record.pk)
    development_record_verify(record=record, by=staff)

    record.refresh_from_db()
    assert record.verified_by == staff
    assert record.verified_at == first.verified_at
    notification = Notification.objects.get()
    assert notification.user == mentor
    assert notification.kind == "development_verified"
    assert "Web development" in notification.title
    assert notification.url == "/development/"


def test_it_unverifies_without_telling_anyone(mentor, staff):
    record = make_record(mentor, verified_by=staff)

    development_record_unverify(record=record, by=staff)

    record.refresh_from_db()
    assert (record.verified_at, record.verified_by) == (None, None)
    assert not Notification.objects.exists()


@pytest.mark.parametrize("role", ["mentor", "supervisor", "other_mentor", "student"])
def test_it_lets_only_staff_verify_or_unverify(request, mentor, staff, role):
    unverified = make_record(mentor, title="Unverified")
    verified = make_record(mentor, title="Verified", verified_by=staff)
    person = request.getfixturevalue(role)

    with pytest.raises(NotAllowed):
        development_record_verify(record=unverified, by=person)
    with pytest.raises(NotAllowed):
        development_record_unverify(record=verified, by=person)

    assert set(
        DevelopmentRecord.objects.filter(verified_at__isnull=False).values_list("title", flat=True)
    ) == {"Verified"}
    assert not Notification.objects.exists()
