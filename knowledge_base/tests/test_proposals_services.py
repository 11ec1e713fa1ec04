"""Improvement proposals: filing, and the staff moving them through their states."""

import pytest
from django.core.exceptions import ValidationError

from knowledge_base.models import ImprovementProposal, ProposalStatus, ProposalSubject
from knowledge_base.services import proposal_create, proposal_update
from mentorship.access import NotAllowed
from mentorship.models import Notification
from projects.tests.factories import ProgrammeFactory


@pytest.fixture
def proposal(mentor):
    return proposal_create(
        author=mentor, subject=ProposalSubject.PLATFORM, title="Dark mode", body="Please"
    )


def test_it_files_a_proposal_about_a_programme(mentor):
    programme = ProgrammeFactory()
    proposal = proposal_create(
        author=mentor,
        subject=ProposalSubject.PROGRAMME,
        title="Shorter",
        body="Less theory",
        programme=programme,
    )
    assert proposal.status == ProposalStatus.NEW
    assert proposal.programme == programme


def test_it_wants_the_programme_a_proposal_is_about(mentor):
    with pytest.raises(ValidationError) as error:
        proposal_create(author=mentor, subject=ProposalSubject.PROGRAMME, title="x", body="y")
    assert "programme" in error.value.message_dict


def test_it_refuses_proposals_from_non_mentors(student):
    with pytest.raises(NotAllowed):
        proposal_create(author=student, subject=ProposalSubject.PLATFORM, title="x", body="y")
    assert not ImprovementProposal.objects.exists()


def test_it_moves_a_proposal_through_its_states_and_tells_the_author(proposal, staff, mentor):
    for status in (ProposalStatus.UNDER_REVIEW, ProposalStatus.ACCEPTED, ProposalStatus.DONE):
        proposal_update(proposal=proposal, by=staff, status=status, reply="Noted")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DONE
    assert proposal.reply == "Noted"
    assert proposal.decided_at is not None
    assert Notification.objects.filter(user=mentor, kind="proposal").count() == 3


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], ProposalStatus.ACCEPTED),
        ([], ProposalStatus.DONE),
        ([ProposalStatus.UNDER_REVIEW], ProposalStatus.DONE),
        ([ProposalStatus.UNDER_REVIEW, ProposalStatus.DECLINED], ProposalStatus.DONE),
        ([ProposalStatus.UNDER_REVIEW, ProposalStatus.ACCEPTED], ProposalStatus.NEW),
    ],
)
def test_it_refuses_other_moves(proposal, staff, path, refused):
    for status in path:
        proposal_update(proposal=proposal, by=staff, status=status)
    with pytest.raises(ValidationError) as error:
        proposal_update(proposal=proposal, by=staff, status=refused)
    assert "status" in error.value.message_dict
    proposal.refresh_from_db()
    assert proposal.status == (path[-1] if path else ProposalStatus.NEW)


def test_it_lets_only_staff_decide(proposal, supervisor):
    with pytest.raises(NotAllowed) as refused:
        proposal_update(proposal=proposal, by=supervisor, status=ProposalStatus.UNDER_REVIEW)
    assert refused.value.hidden is False  # the author's supervisor sees it
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.NEW
