"""``seed_demo``'s community part (``students.demo.seed_community``): case discussions,
recommendations, proposals, incidents and self-development records, valid and once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from knowledge_base.models import CaseDiscussion, CaseReply, ImprovementProposal, ProposalStatus
from mentorship.models import Assignment, User
from mentorship.selectors import students_visible_to
from metrics.models import DevelopmentRecord, WeeklyReport, WeeklyReportStatus
from projects.changes import programme_changes_unread
from projects.models import ProgrammeChangeSet, Recommendation
from students.models import Incident, IncidentStatus


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def seeded(demo_seeded, db) -> str:
    return demo_seeded.output  # seeded once for the module (conftest.py)


def _mentor() -> User:
    return User.objects.get(email="mentor@demo.test")


def test_it_raises_cases_to_the_supervisor_and_to_all_mentors_with_replies(seeded):
    cases = CaseDiscussion.objects.all()

    assert {case.audience for case in cases} == {"supervisor", "mentors"}
    assert cases.filter(resolved_at__isnull=False).exists()
    assert cases.filter(resolved_at__isnull=True).exists()
    for case in cases:
        case.full_clean()
    # Peer help: mentors replying to other mentors' cases.
    assert (
        CaseReply.objects.filter(author__role="mentor").exclude(author=F("case__author")).exists()
    )


def test_it_recommends_to_the_mentors_own_students(seeded):
    recommendations = Recommendation.objects.all()

    assert recommendations.filter(mentor=_mentor()).exists()
    assert {"pending", "accepted", "declined"} <= {r.status for r in recommendations}
    for recommendation in recommendations:
        recommendation.full_clean()
        assert (
            Assignment.objects.current()
            .filter(student=recommendation.student, mentor=recommendation.mentor)
            .exists()
        )


def test_it_files_proposals_in_several_states_with_replies(seeded):
    proposals = ImprovementProposal.objects.all()

    assert proposals.filter(author=_mentor()).exists()
    assert len({proposal.status for proposal in proposals}) >= 3
    decided = proposals.exclude(status__in=[ProposalStatus.NEW, ProposalStatus.UNDER_REVIEW])
    assert all(proposal.reply and proposal.decided_at for proposal in decided)


def test_it_records_incidents_the_first_mentor_can_see(seeded):
    incidents = Incident.objects.prefetch_related("students")

    assert {incident.status for incident in incidents} == {
        IncidentStatus.OPEN,
        IncidentStatus.RESOLVED,
    }
    for incident in incidents:
        incident.full_clean()
        assert len(incident.students.all()) >= 2
        assert all(student.role == "student" for student in incident.students.all())
    mine = students_visible_to(_mentor())
    assert incidents.filter(students__in=mine).exists()


def test_it_records_verified_and_unverified_self_development(seeded):
    records = DevelopmentRecord.objects.filter(mentor=_mentor())

    assert {record.kind for record in records} == {"programme", "course", "expertise"}
    assert records.filter(verified_at__isnull=False).exists()
    assert records.filter(verified_at__isnull=True).exists()
    for record in DevelopmentRecord.objects.all():
        record.full_clean()


def test_it_drafts_weekly_reports_sent_and_one_left_to_complete(seeded):
    reports = WeeklyReport.objects.all()

    assert reports.filter(mentor=_mentor(), status=WeeklyReportStatus.DRAFT).count() == 1
    sent = reports.filter(status=WeeklyReportStatus.SENT)
    assert sent.exists()
    assert all(report.figures and report.comments for report in sent)
    assert all(report.week_start.weekday() == 0 for report in reports)


def test_it_adds_nothing_the_second_time(seeded):
    models = [
        CaseDiscussion,
        Recommendation,
        ImprovementProposal,
        Incident,
        DevelopmentRecord,
        WeeklyReport,
        ProgrammeChangeSet,
    ]
    before = [model.objects.count() for model in models]

    output = _seed()

    assert "Community: 0 case discussions, 0 recommendations, 0 improvement proposals" in output
    assert [model.objects.count() for model in models] == before


def test_it_tells_the_first_mentor_of_a_programme_change(seeded):
    (change_set,) = programme_changes_unread(_mentor())

    assert change_set.changed_by.email == "staff@demo.test"
    assert sorted(change_set.changes.values_list("field", flat=True)) == [
        "brief_en",
        "met_means_en",
    ]
    assert ProgrammeChangeSet.objects.count() == 1
