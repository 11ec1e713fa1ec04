"""Case discussion services and selectors: who may see, reply and resolve, who is
told, and peer help counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from knowledge_base.models import CaseAudience, CaseDiscussion, CaseReply
from knowledge_base.selectors import cases_visible_to, peer_help_counts
from knowledge_base.services import case_open, case_reply, case_resolve
from mentorship.access import NotAllowed
from mentorship.models import Notification
from mentorship.tests.factories import MentorFactory, StudentFactory


@pytest.fixture
def case(mentor, student):
    return case_open(
        author=mentor, audience=CaseAudience.SUPERVISOR, title="Stuck", body="B", student=student
    )


def test_it_tells_only_the_supervisor_when_a_case_is_raised_to_all_mentors(
    mentor, other_mentor, supervisor
):
    case_open(author=mentor, audience=CaseAudience.MENTORS, title="T", body="B")

    assert list(Notification.objects.values_list("user", flat=True)) == [supervisor.pk]


def test_it_refuses_a_case_from_a_non_mentor(supervisor):
    with pytest.raises(NotAllowed) as refused:
        case_open(author=supervisor, audience=CaseAudience.MENTORS, title="T", body="B")

    assert refused.value.hidden is False

    assert not CaseDiscussion.objects.exists()


def test_it_hides_a_student_who_is_not_the_authors(mentor, other_student):
    with pytest.raises(NotAllowed) as refused:
        case_open(author=mentor, audience="supervisor", title="T", body="B", student=other_student)

    assert refused.value.hidden is True

    assert not CaseDiscussion.objects.exists()


def test_it_never_shows_a_case_to_the_student_it_is_about(case, student):
    case.audience = CaseAudience.MENTORS
    case.save()

    assert not cases_visible_to(student).exists()


def test_it_hides_cases_from_inactive_mentors(case):
    case.audience = CaseAudience.MENTORS
    case.save()
    inactive = MentorFactory(is_active=False)

    assert not cases_visible_to(inactive).exists()


def test_it_tells_the_author_about_replies_by_others_only(case, mentor, supervisor):
    Notification.objects.all().delete()

    case_reply(case=case, author=supervisor, body="Try this")
    case_reply(case=case, author=mentor, body="Thanks")

    assert list(Notification.objects.values_list("user", flat=True)) == [mentor.pk]
    assert case.replies.count() == 2


def test_it_refuses_replies_from_students_and_outsiders(case, student, other_mentor):
    for author in (student, other_mentor):
        with pytest.raises(NotAllowed) as refused:
            case_reply(case=case, author=author, body="Hi")
        assert refused.value.hidden is True

    assert not CaseReply.objects.exists()


def test_it_resolves_once(case, supervisor, staff):
    first = case_resolve(case=case, by=supervisor)
    again = case_resolve(case=case, by=staff)

    assert again.resolved_at == first.resolved_at
    assert again.resolved_by == supervisor


def test_it_refuses_resolving_by_other_mentors_and_supervisors(
    case, other_mentor, other_supervisor
):
    for person in (other_mentor, other_supervisor):
        with pytest.raises(NotAllowed) as refused:
            case_resolve(case=case, by=person)
        assert refused.value.hidden is True

    case.refresh_from_db()
    assert not case.is_resolved


def test_it_counts_peer_help_on_other_mentors_cases_only(
    mentor, other_mentor, supervisor, django_assert_num_queries
):
    third = MentorFactory()
    own = case_open(author=mentor, audience=CaseAudience.MENTORS, title="A", body="B")
    theirs = case_open(author=other_mentor, audience=CaseAudience.MENTORS, title="C", body="D")
    case_reply(case=own, author=mentor, body="own case: not peer help")
    case_reply(case=own, author=other_mentor, body="1")
    case_reply(case=own, author=third, body="1")
    case_reply(case=theirs, author=mentor, body="1")
    case_reply(case=theirs, author=mentor, body="2")
    case_reply(case=own, author=supervisor, body="supervisor: not asked for")
    old = case_reply(case=theirs, author=third, body="old")
    CaseReply.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))

    with django_assert_num_queries(1):
        counts = peer_help_counts(mentor_ids=[mentor.pk, other_mentor.pk, third.pk])

    assert counts == {mentor.pk: 2, other_mentor.pk: 1, third.pk: 2}
    since = timezone.now() - timedelta(days=7)
    assert peer_help_counts(mentor_ids=[third.pk], since=since) == {third.pk: 1}
    assert peer_help_counts(mentor_ids=[StudentFactory().pk]) == {}
