"""Proposal pages: who sees what, who may write, methods and query counts."""

import pytest
from django.urls import reverse

from knowledge_base.models import ImprovementProposal, ProposalStatus, ProposalSubject
from knowledge_base.services import proposal_create

DETAIL_STATUS = [
    ("student", 403),
    ("other_student", 403),
    ("mentor", 200),
    ("other_mentor", 404),
    ("supervisor", 200),
    ("other_supervisor", 404),
    ("staff", 200),
]
ROLES = [role for role, _status in DETAIL_STATUS]


@pytest.fixture
def proposal(mentor):
    return proposal_create(
        author=mentor, subject=ProposalSubject.PLATFORM, title="Dark mode", body="Please"
    )


@pytest.mark.parametrize(("role", "status"), DETAIL_STATUS)
def test_it_shows_a_proposal_to_whoever_may_see_it(client, as_user, proposal, role, status):
    as_user(role)
    response = client.get(reverse("knowledge_base:proposal", args=[proposal.pk]))
    assert response.status_code == status
    assert (b"proposal-update" in response.content) is (role == "staff")


@pytest.mark.parametrize(("role", "status"), DETAIL_STATUS)
def test_it_lists_only_proposals_one_may_see(client, as_user, proposal, role, status):
    as_user(role)
    response = client.get(reverse("knowledge_base:proposals"))
    assert response.status_code == (403 if status == 403 else 200)
    assert (b"Dark mode" in response.content) is (status == 200)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_mentors_file(client, as_user, role):
    as_user(role)
    response = client.get(reverse("knowledge_base:proposal_create"))
    assert response.status_code == (200 if role in ("mentor", "other_mentor") else 403)


def test_it_files_a_proposal_from_the_form(client, as_user, mentor):
    as_user("mentor")
    response = client.post(
        reverse("knowledge_base:proposal_create"),
        {"subject": "platform", "title": "Search", "body": "A search box"},
    )
    proposal = ImprovementProposal.objects.get()
    assert response.status_code == 302
    assert proposal.author == mentor


def test_it_shows_the_service_error_beside_the_field(client, as_user):
    as_user("mentor")
    response = client.post(
        reverse("knowledge_base:proposal_create"),
        {"subject": "project", "title": "Search", "body": "A search box"},
    )
    assert response.status_code == 400
    assert b"Choose the project" in response.content
    assert not ImprovementProposal.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_staff_update(client, as_user, proposal, role):
    as_user(role)
    response = client.post(
        reverse("knowledge_base:proposal_update", args=[proposal.pk]),
        {"status": "under_review", "reply": "Looking"},
    )
    proposal.refresh_from_db()
    if role == "staff":
        assert response.status_code == 302
        assert proposal.status == ProposalStatus.UNDER_REVIEW
    else:
        assert response.status_code == 403
        assert proposal.status == ProposalStatus.NEW
        assert proposal.reply == ""


def test_it_shows_a_refused_move_beside_the_status(client, as_user, proposal):
    as_user("staff")
    response = client.post(
        reverse("knowledge_base:proposal_update", args=[proposal.pk]), {"status": "done"}
    )
    assert response.status_code == 400
    assert b"cannot go from" in response.content
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.NEW


@pytest.mark.parametrize(
    ("url_name", "method", "needs_pk", "role"),
    [
        ("proposals", "post", False, "mentor"),
        ("proposal", "post", True, "mentor"),
        ("proposal_update", "get", True, "staff"),
        ("proposal_create", "put", False, "mentor"),
    ],
)
def test_it_refuses_wrong_methods(client, as_user, proposal, url_name, method, needs_pk, role):
    as_user(role)
    url = reverse(f"knowledge_base:{url_name}", args=[proposal.pk] if needs_pk else [])
    assert getattr(client, method)(url).status_code == 405


@pytest.mark.parametrize(
    ("url_name", "needs_pk"),
    [
        ("proposals", False),
        ("proposal", True),
        ("proposal_create", False),
        ("proposal_update", True),
    ],
)
def test_it_sends_anonymous_people_to_login(client, proposal, url_name, needs_pk):
    url = reverse(f"knowledge_base:{url_name}", args=[proposal.pk] if needs_pk else [])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_lists_in_constant_queries(
    client, as_user, mentor, role, django_assert_max_num_queries
):
    as_user(role)
    url = reverse("knowledge_base:proposals")
    for size in (10, 200):
        ImprovementProposal.objects.bulk_create(
            ImprovementProposal(
                author=mentor, subject=ProposalSubject.PLATFORM, title=f"P{index}", body="b"
            )
            for index in range(ImprovementProposal.objects.count(), size)
        )
        with django_assert_max_num_queries(12):
            response = client.get(url)
        assert response.status_code == 200


@pytest.mark.parametrize("role", ["mentor", "staff"])
def test_it_links_proposals_from_home(client, as_user, role):
    as_user(role)
    response = client.get(reverse("metrics:home"))
    assert reverse("knowledge_base:proposals").encode() in response.content


@pytest.mark.parametrize("reply", ["100% - done soon", "Use %(title)s and %s as they are"])
def test_it_tells_the_author_a_reply_with_percent_signs_as_written(
    client, as_user, proposal, mentor, reply, django_capture_on_commit_callbacks
):
    as_user("staff")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("knowledge_base:proposal_update", args=[proposal.pk]),
            {"status": ProposalStatus.UNDER_REVIEW, "reply": reply},
        )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reply) == (ProposalStatus.UNDER_REVIEW, reply)
    notification = mentor.notifications.get(kind="proposal")
    assert reply in notification.body
    assert "Dark mode" not in notification.body  # %(title)s stayed as typed
