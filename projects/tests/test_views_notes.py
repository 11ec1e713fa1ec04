"""Shared review notes: adding one from the review page and counting its uses."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import ReviewNote, Submission
from projects.tests.factories import ProjectFactory, ReviewNoteFactory, SubmissionFactory

ALL_ROLES_STATUS = [
    ("student", 403),
    ("other_student", 403),
    ("mentor", 200),
    ("other_mentor", 200),
    ("supervisor", 200),
    ("other_supervisor", 200),
    ("staff", 200),
]


@pytest.fixture
def project(db):
    return ProjectFactory(title="Weather app")


@pytest.fixture
def note(project):
    return ReviewNoteFactory(project=project, title="README", body="Add a *README*.")


def create_url(project):
    return reverse("projects:note_create", args=[project.pk])


def use_url(note):
    return reverse("projects:note_use", args=[note.pk])


# --- Adding a note ----------------------------------------------------------------------


def test_it_adds_a_note_and_answers_the_notes_list(
    as_user, client, project, note, mentor, submitted
):
    as_user("mentor")

    response = client.post(
        create_url(project),
        {"title": "  Tests  ", "body": "Write a test for each function."},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    created = ReviewNote.objects.get(title="Tests")
    assert (created.project, created.author, created.body, created.use_count) == (
        project,
        mentor,
        "Write a test for each function.",
        0,
    )
    html = response.content.decode()
    assert 'id="review-notes"' in html
    assert "Tests" in html
    assert "README" in html  # the list is the whole list
    assert 'data-insert-note="Write a test for each function."' in html


def test_it_shows_what_is_wrong_with_a_note_and_saves_nothing(as_user, client, project):
    as_user("mentor")

    response = client.post(create_url(project), {"title": "", "body": "Body kept"})

    assert response.status_code == 400
    assert response.context["note_form"].errors == {"title": ["This field is required."]}
    assert "Body kept</textarea>" in response.content.decode()
    assert not ReviewNote.objects.exists()


@pytest.mark.parametrize(("role", "status"), ALL_ROLES_STATUS)
def test_it_lets_reviewers_add_notes(as_user, client, project, role, status):
    as_user(role)

    response = client.post(
        create_url(project), {"title": "Tip", "body": "Text"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == status
    assert ReviewNote.objects.exists() is (status == 200)


def test_it_answers_404_for_an_unknown_project(as_user, client):
    as_user("mentor")

    response = client.post(reverse("projects:note_create", args=[999999]), {"title": "T"})

    assert response.status_code == 404


def test_it_refuses_get_on_notes(as_user, client, project, note):
    as_user("mentor")

    assert client.get(create_url(project)).status_code == 405
    assert client.get(use_url(note)).status_code == 405


@pytest.mark.parametrize("url_name", ["note_create", "note_use"])
def test_it_sends_anonymous_people_to_login(client, project, note, url_name):
    target = project if url_name == "note_create" else note

    response = client.post(reverse(f"projects:{url_name}", args=[target.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert ReviewNote.objects.get().use_count == 0


# --- Using a note -----------------------------------------------------------------------


def test_it_counts_each_use(as_user, client, note, submitted):
    as_user("mentor")

    client.post(use_url(note), headers={"HX-Request": "true"})
    response = client.post(use_url(note), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert f'id="note-{note.pk}-uses"' in response.content.decode()
    assert "used 2×" in response.content.decode()
    note.refresh_from_db()
    assert note.use_count == 2


# A note is used on the review page of one of the project's submissions: whoever may
# see one of them (``submissions_visible_to``) may use the project's notes; other
# reviewers are answered as if the note did not exist.
USE_STATUS = [
    ("student", 403),
    ("other_student", 403),
    ("mentor", 200),
    ("other_mentor", 404),
    ("supervisor", 200),
    ("other_supervisor", 404),
    ("staff", 200),
]


@pytest.fixture
def submitted(student, project):
    """``student`` (``mentor``'s, in ``supervisor``'s team) has handed in the project."""
    return SubmissionFactory(student=student, project=project)


@pytest.mark.parametrize(("role", "status"), USE_STATUS)
def test_it_lets_only_reviewers_of_the_projects_work_count_uses(
    as_user, client, note, submitted, role, status
):
    as_user(role)

    response = client.post(use_url(note), headers={"HX-Request": "true"})

    assert response.status_code == status
    note.refresh_from_db()
    assert note.use_count == (1 if status == 200 else 0)


def test_it_answers_404_for_an_unknown_note(as_user, client):
    as_user("mentor")

    assert client.post(reverse("projects:note_use", args=[999999])).status_code == 404


def test_it_lets_an_author_count_uses_of_their_own_note(as_user, client, project, other_mentor):
    note = ReviewNoteFactory(project=project, author=other_mentor)
    as_user("other_mentor")

    assert client.post(use_url(note), headers={"HX-Request": "true"}).status_code == 200
    note.refresh_from_db()
    assert note.use_count == 1


def test_it_sends_a_plain_post_of_a_note_back_to_the_page(as_user, client, project, submitted):
    """Without htmx (the page's own way), a saved note redirects to the page it was
    written on (post/redirect/get), never to another site."""
    as_user("mentor")
    review_page = reverse("projects:review", args=[submitted.pk])

    response = client.post(
        create_url(project), {"title": "Tip", "body": "Text"}, headers={"Referer": review_page}
    )
    elsewhere = client.post(
        create_url(project),
        {"title": "Tip 2", "body": "Text"},
        headers={"Referer": "https://evil.test/"},
    )

    assert (response.status_code, response.url) == (302, review_page)
    assert (elsewhere.status_code, elsewhere.url) == (302, reverse("projects:queue"))
    assert ReviewNote.objects.filter(title__startswith="Tip").count() == 2


def test_it_sends_a_plain_post_of_a_note_use_back_to_the_page(as_user, client, note, submitted):
    as_user("mentor")
    review_page = reverse("projects:review", args=[submitted.pk])

    response = client.post(use_url(note), headers={"Referer": review_page})

    assert (response.status_code, response.url) == (302, review_page)
    note.refresh_from_db()
    assert note.use_count == 1


# --- On the review page -----------------------------------------------------------------


def test_it_lists_the_projects_notes_most_used_first_on_the_review_page(
    as_user, client, student, project, mentor
):
    ReviewNoteFactory(project=project, title="Rarely", use_count=1)
    ReviewNoteFactory(project=project, title="Often", use_count=9)
    ReviewNoteFactory(title="Another project's note")
    submission = SubmissionFactory(student=student, project=project)
    now = timezone.now()
    Submission.objects.filter(pk=submission.pk).update(
        claimed_by=mentor, claimed_at=now, claim_expires_at=now + timedelta(hours=1)
    )
    as_user("mentor")

    response = client.get(reverse("projects:review", args=[submission.pk]))

    assert [note.title for note in response.context["notes"]] == ["Often", "Rarely"]
    html = response.content.decode()
    often = ReviewNote.objects.get(title="Often")
    assert f'hx-post="{use_url(often)}"' in html
    assert 'data-insert-into="id_feedback"' in html
    assert f'hx-post="{create_url(project)}"' in html
    assert "used 9×" in html
