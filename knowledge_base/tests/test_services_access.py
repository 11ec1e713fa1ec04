"""Each knowledge-base write checks, by itself, that the person may: whoever may not
gets ``NotAllowed`` (hidden when they may not even see the case or proposal) and the
database is left as it was, whichever page called the service."""

import pytest

from conftest import ROLES
from knowledge_base.models import (
    CaseAudience,
    CaseDiscussion,
    CaseReply,
    ImprovementProposal,
    ProposalStatus,
    ProposalSubject,
)
from knowledge_base.services import (
    case_open,
    case_reply,
    case_resolve,
    proposal_create,
    proposal_update,
)
from mentorship.access import NotAllowed
from mentorship.models import Notification

ALLOWED, REFUSED, HIDDEN = "allowed", "refused", "hidden"

# The mentor's case, raised to their supervisor, and the mentor's proposal.
ON_THE_CASE = {
    role: ALLOWED if role in ("mentor", "supervisor", "staff") else HIDDEN for role in ROLES
}
DECIDING = {**ON_THE_CASE, "mentor": REFUSED, "supervisor": REFUSED}
MENTORS_ONLY = {role: ALLOWED if "mentor" in role else REFUSED for role in ROLES}


@pytest.fixture
def case(mentor):
    return case_open(author=mentor, audience=CaseAudience.SUPERVISOR, title="Stuck", body="B")


@pytest.fixture
def proposal(mentor):
    return proposal_create(
        author=mentor, subject=ProposalSubject.PLATFORM, title="Dark mode", body="Please"
    )


def _database() -> tuple:
    return (
        list(CaseDiscussion.objects.order_by("pk").values()),
        list(CaseReply.objects.values()),
        list(ImprovementProposal.objects.order_by("pk").values()),
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


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_mentors_raise_a_case(request, role):
    user = request.getfixturevalue(role)

    _check(
        lambda: case_open(author=user, audience=CaseAudience.MENTORS, title="T", body="B"),
        MENTORS_ONLY[role],
    )


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_those_who_see_a_case_reply(request, case, role):
    user = request.getfixturevalue(role)

    _check(lambda: case_reply(case=case, author=user, body="Try this."), ON_THE_CASE[role])


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_the_author_their_supervisor_and_staff_resolve(request, case, role):
    user = request.getfixturevalue(role)

    _check(lambda: case_resolve(case=case, by=user), ON_THE_CASE[role])


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_mentors_file_a_proposal(request, role):
    user = request.getfixturevalue(role)

    _check(
        lambda: proposal_create(
            author=user, subject=ProposalSubject.PLATFORM, title="Search", body="Please"
        ),
        MENTORS_ONLY[role],
    )


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_staff_decide_on_a_proposal(request, proposal, role):
    user = request.getfixturevalue(role)

    _check(
        lambda: proposal_update(proposal=proposal, by=user, status=ProposalStatus.UNDER_REVIEW),
        DECIDING[role],
    )
