"""Self-development selectors: who sees which records, and the scorecard summary."""

import pytest
from django.http import Http404

from mentorship.tests.factories import MentorFactory
from metrics.models import DevelopmentKind
from metrics.selectors import (
    development_record_for_user,
    development_records_listed,
    development_records_visible_to,
    development_summary,
)
from metrics.tests.helpers_development import make_record


@pytest.fixture
def records(mentor, other_mentor):
    return {
        "mine": make_record(mentor, title="Mine"),
        "others": make_record(other_mentor, title="Others"),
    }


@pytest.mark.parametrize(
    ("role", "titles"),
    [
        ("student", set()),
        ("other_student", set()),
        ("mentor", {"Mine"}),
        ("other_mentor", {"Others"}),
        ("supervisor", {"Mine"}),
        ("other_supervisor", {"Others"}),
        ("staff", {"Mine", "Others"}),
    ],
)
def test_it_shows_records_to_whoever_may_see_them(request, records, role, titles):
    person = request.getfixturevalue(role)

    visible = development_records_visible_to(person)

    assert {record.title for record in visible} == titles


def test_it_shows_nothing_to_inactive_people(records, staff):
    staff.is_active = False
    staff.save()

    assert not development_records_visible_to(staff).exists()


def test_it_answers_404_for_a_record_outside_ones_view(records, mentor, other_supervisor):
    assert development_record_for_user(mentor, records["mine"].pk).title == "Mine"

    with pytest.raises(Http404):
        development_record_for_user(mentor, records["others"].pk)
    with pytest.raises(Http404):
        development_record_for_user(other_supervisor, records["mine"].pk)


def test_it_lists_programmes_then_courses_then_expertise(mentor):
    make_record(mentor, kind=DevelopmentKind.EXPERTISE, title="Expertise")
    make_record(mentor, kind=DevelopmentKind.COURSE, title="Course")
    programme = make_record(mentor, kind=DevelopmentKind.PROGRAMME)

    listed = development_records_listed(development_records_visible_to(mentor))

    assert [record.kind for record in listed] == ["programme", "course", "expertise"]
    assert listed[0].pk == programme.pk


def test_it_counts_verified_records_by_kind_for_the_scorecard(
    mentor, other_mentor, staff, django_assert_num_queries
):
    make_record(mentor, kind=DevelopmentKind.PROGRAMME, verified_by=staff)
    make_record(mentor, kind=DevelopmentKind.PROGRAMME, verified_by=staff)
    make_record(mentor, kind=DevelopmentKind.PROGRAMME)
    make_record(mentor, kind=DevelopmentKind.COURSE, verified_by=staff)
    make_record(mentor, kind=DevelopmentKind.EXPERTISE, verified_by=staff)
    make_record(mentor, kind=DevelopmentKind.EXPERTISE)
    make_record(other_mentor, kind=DevelopmentKind.COURSE)
    idle = MentorFactory()
    not_asked = MentorFactory()
    make_record(not_asked, verified_by=staff)

    with django_assert_num_queries(1):
        summary = development_summary(mentor_ids=(m.pk for m in (mentor, other_mentor, idle)))

    assert summary == {
        mentor.pk: {"programmes": 2, "courses": 1, "expertise": 1, "unverified": 2},
        other_mentor.pk: {"programmes": 0, "courses": 0, "expertise": 0, "unverified": 1},
        idle.pk: {"programmes": 0, "courses": 0, "expertise": 0, "unverified": 0},
    }
