"""The review page, saving drafts, posting a verdict and reassigning a review."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship.models import Notification
from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory
from mentorship.tests.fault_services import free_port
from projects.models import (
    CriterionVerdict,
    Review,
    ReviewDraft,
    ReviewNote,
    Submission,
    SubmissionStatus,
    Verdict,
)
from projects.tests.factories import (
    ProgrammeFactory,
    ProjectFactory,
    ReviewFactory,
    ReviewNoteFactory,
    RubricCriterionFactory,
    SubmissionFactory,
    SubmissionFileFactory,
)
from projects.tests.test_views_files import PDF_VIEWER, _pdf_bytes


def review_url(submission):
    return reverse("projects:review", args=[submission.pk])


def submit_url(submission):
    return reverse("projects:review_submit", args=[submission.pk])


def draft_url(submission):
    return reverse("projects:draft", args=[submission.pk])


def reassign_url(submission):
    return reverse("projects:reassign", args=[submission.pk])


def hold(submission, reviewer, *, minutes=60):
    now = timezone.now()
    Submission.objects.filter(pk=submission.pk).update(
        claimed_by=reviewer,
        claimed_at=now,
        claim_expires_at=now + timedelta(minutes=minutes),
        first_claimed_at=now,
    )
    submission.refresh_from_db()


@pytest.fixture
def project(db):
    return ProjectFactory(title="Weather app", brief="Fetch the **forecast** and show it.")


@pytest.fixture
def criteria(project):
    return list(project.criteria.order_by("position"))


@pytest.fixture
def waiting(student, project):
    return SubmissionFactory(student=student, project=project, comment="Please look at main.py")


@pytest.fixture
def held(waiting, mentor):
    """The waiting submission, held by its student's mentor."""
    hold(waiting, mentor)
    return waiting


def verdict_data(criteria, *, met=("met", "met"), verdict=Verdict.APPROVED, feedback="Good"):
    data = {"verdict": verdict, "feedback": feedback}
    for criterion, value in zip(criteria, met, strict=True):
        if value:
            data[f"criterion_{criterion.pk}_met"] = value
        data[f"criterion_{criterion.pk}_comment"] = f"About {criterion.title}"
    return data


# --- The review page: access ----------------------------------------------------------


def test_it_sends_anonymous_people_to_login(client, waiting):
    response = client.get(review_url(waiting))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={quote(review_url(waiting))}"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 404),  # their own submission has its own page
        ("other_student", 404),
        ("mentor", 200),
        ("other_mentor", 404),
        ("supervisor", 200),
        ("other_supervisor", 404),
        ("staff", 200),
    ],
)
def test_it_shows_the_page_only_to_reviewers_who_may_see_it(
    as_user, client, waiting, role, status
):
    as_user(role)

    assert client.get(review_url(waiting)).status_code == status


def test_it_answers_404_for_an_unknown_submission(as_user, client):
    as_user("staff")

    assert client.get(reverse("projects:review", args=[999999])).status_code == 404


def test_it_refuses_post_on_the_page(as_user, client, waiting):
    as_user("mentor")

    assert client.post(review_url(waiting)).status_code == 405


def test_it_lets_a_mentor_holding_a_review_see_it_after_reassignment(
    as_user, client, other_waiting_held_by_mentor
):
    as_user("mentor")

    assert client.get(review_url(other_waiting_held_by_mentor)).status_code == 200


@pytest.fixture
def other_waiting_held_by_mentor(other_student, mentor):
    submission = SubmissionFactory(student=other_student)
    hold(submission, mentor)
    return submission


# --- The review page: what it shows ---------------------------------------------------


def test_it_shows_the_brief_the_attempt_and_the_link(as_user, client, held):
    as_user("mentor")

    html = client.get(review_url(held)).content.decode()

    assert "Fetch the <strong>forecast</strong> and show it." in html
    assert "Please look at main.py" in html
    assert (
        'href="https://github.com/example/project" target="_blank" rel="noopener noreferrer"'
        in html
    )


def test_it_shows_text_files_inline_with_line_numbers(as_user, client, held):
    submitted = SubmissionFileFactory(
        submission=held, original_name="main.py", content=b"import os\nprint('<b>hi</b>')\n"
    )
    as_user("mentor")

    response = client.get(review_url(held))

    html = response.content.decode()
    assert '<ol class="code-lines"><li><code>import os</code></li>' in html
    assert "<li><code>print(&#x27;&lt;b&gt;hi&lt;/b&gt;&#x27;)</code></li>" in html
    assert f"{reverse('projects:file', args=[submitted.pk])}?inline=1" in html


def test_it_decodes_text_leniently_and_cuts_long_files(as_user, client, held):
    SubmissionFileFactory(submission=held, original_name="notes.txt", content=b"caf\xe9\n")
    long_text = "".join(f"line {number}\n" for number in range(1, 3201)).encode()
    SubmissionFileFactory(submission=held, original_name="long.csv", content=long_text)
    as_user("mentor")

    response = client.get(review_url(held))

    previews = {preview.file.original_name: preview for preview in response.context["previews"]}
    assert previews["notes.txt"].lines == ["caf\ufffd"]
    assert len(previews["long.csv"].lines) == 3000
    assert previews["long.csv"].truncated
    assert "Only the first 3000 lines are shown" in response.content.decode()


def test_it_previews_images_and_pdfs_and_offers_other_files_for_download(as_user, client, held):
    image = SubmissionFileFactory(submission=held, original_name="screen.png", content=b"PNG")
    pdf = SubmissionFileFactory(submission=held, original_name="report.pdf", content=b"%PDF")
    archive = SubmissionFileFactory(
        submission=held, original_name="site.zip", content=b"PK" * 1000
    )
    as_user("mentor")

    html = client.get(review_url(held)).content.decode()

    file_url = reverse("projects:file", args=[image.pk])
    assert f'<img class="img-fluid review-image" src="{file_url}?inline=1"' in html
    assert (
        f'<iframe class="review-pdf" src="{reverse("projects:file", args=[pdf.pk])}?inline=1"'
        in html
    )
    assert f'href="{reverse("projects:file", args=[archive.pk])}">Download</a>' in html
    assert "site.zip" in html
    assert "2.0\xa0KB" in html


def test_it_says_when_a_stored_file_is_missing(as_user, client, held):
    submitted = SubmissionFileFactory(submission=held, original_name="gone.py")
    submitted.file.storage.delete(submitted.file.name)
    as_user("mentor")

    response = client.get(review_url(held))

    assert response.status_code == 200
    assert "The stored file could not be read." in response.content.decode()


def test_it_shows_earlier_attempts_and_their_reviews(
    as_user, client, student, project, mentor, criteria
):
    first = SubmissionFactory(student=student, project=project, attempt=1)
    ReviewFactory(
        submission=first,
        reviewer=mentor,
        verdict=Verdict.CHANGES_REQUESTED,
        feedback="Handle *errors* from the API.",
    )
    second = SubmissionFactory(student=student, project=project, attempt=2)
    hold(second, mentor)
    as_user("mentor")

    response = client.get(review_url(second))

    assert [attempt.pk for attempt in response.context["earlier"]] == [first.pk]
    html = response.content.decode()
    assert "Attempt 1" in html
    assert "Handle <em>errors</em> from the API." in html
    assert criteria[0].title in html
    assert "Not yet." in html  # the unmet criterion's comment


def test_it_shows_the_form_to_whoever_holds_the_review(as_user, client, held, criteria):
    as_user("mentor")

    response = client.get(review_url(held))

    html = response.content.decode()
    assert 'data-testid="review-form"' in html
    assert f'name="criterion_{criteria[0].pk}_met"' in html
    assert f'hx-post="{draft_url(held)}"' in html
    assert 'hx-trigger="input changed delay:800ms, change"' in html
    assert 'name="verdict" value="approved"' in html
    assert 'name="verdict" value="changes_requested"' in html


def test_it_offers_to_start_a_review_nobody_holds(as_user, client, waiting):
    as_user("mentor")

    html = client.get(review_url(waiting)).content.decode()

    assert 'data-testid="review-form"' not in html
    assert f'action="{reverse("projects:claim", args=[waiting.pk])}"' in html
    assert "Start review" in html


def test_it_shows_who_holds_a_review_and_no_form(as_user, client, waiting, supervisor):
    hold(waiting, supervisor)
    as_user("mentor")

    html = client.get(review_url(waiting)).content.decode()

    until = timezone.localtime(waiting.claim_expires_at).strftime("%H:%M")
    assert f"Held by Sofia Supervisor until {until}." in html
    assert 'data-testid="review-form"' not in html
    assert 'data-testid="reassign"' not in html


def test_it_offers_a_supervisor_to_reassign_among_their_team(
    as_user, client, held, mentor, other_mentor, supervisor
):
    teammate = MentorFactory(display_name="Tanya Teammate")
    teammate.mentor_profile.supervisor = supervisor
    teammate.mentor_profile.save()
    as_user("supervisor")

    response = client.get(review_url(held))

    html = response.content.decode()
    assert "Held by Maria Mentor" in html
    assert 'data-testid="review-form"' not in html
    offered = list(response.context["reassign_form"].fields["mentor"].queryset)
    assert offered == [mentor, teammate]
    assert other_mentor not in offered


def test_it_offers_staff_every_active_mentor_on_the_forms_own_page(
    as_user, client, held, mentor, other_mentor
):
    MentorFactory(is_active=False)
    as_user("staff")

    page = client.get(review_url(held))
    response = client.get(reassign_url(held))

    # The review page links to the choice instead of listing the school's mentors.
    html = page.content.decode()
    assert page.context["reassign_form"] is None
    assert 'data-testid="reassign-open"' in html
    assert "<select" not in html.split('data-testid="reassign"')[1]
    assert response.status_code == 200
    assert "projects/reassign.html" in [t.name for t in response.templates]
    offered = set(response.context["reassign_form"].fields["mentor"].queryset)
    assert offered == {mentor, other_mentor}
    assert f'action="{reassign_url(held)}"' in response.content.decode()


def test_it_swaps_the_form_into_the_review_page_for_htmx(as_user, client, held):
    as_user("staff")

    response = client.get(reassign_url(held), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card mb-3" data-testid="reassign">')
    assert "<html" not in html
    assert 'name="mentor"' in html


def test_it_shows_a_posted_review_instead_of_the_form(as_user, client, waiting, mentor):
    ReviewFactory(submission=waiting, reviewer=mentor, feedback="Lovely **work**.")
    as_user("mentor")

    html = client.get(review_url(waiting)).content.decode()

    assert 'data-testid="review-form"' not in html
    assert "Reviewed by Maria Mentor" in html
    assert "Lovely <strong>work</strong>." in html


def test_it_fills_the_form_from_the_reviewers_draft(as_user, client, held, mentor, criteria):
    ReviewDraft.objects.create(
        submission=held,
        reviewer=mentor,
        feedback="Nearly there",
        criteria={
            str(criteria[0].pk): {"met": True, "comment": "Clean code"},
            str(criteria[1].pk): {"met": False, "comment": ""},
        },
    )
    as_user("mentor")

    response = client.get(review_url(held))

    form = response.context["form"]
    assert form.initial == {
        "feedback": "Nearly there",
        f"criterion_{criteria[0].pk}_met": "met",
        f"criterion_{criteria[0].pk}_comment": "Clean code",
        f"criterion_{criteria[1].pk}_met": "not_met",
        f"criterion_{criteria[1].pk}_comment": "",
    }
    html = response.content.decode()
    assert "Nearly there</textarea>" in html
    assert 'value="met" checked' in html
    assert "Draft saved at" in html


def test_it_does_not_fill_the_form_from_another_reviewers_draft(as_user, client, held, supervisor):
    ReviewDraft.objects.create(submission=held, reviewer=supervisor, feedback="Not yours")
    as_user("mentor")

    html = client.get(review_url(held)).content.decode()

    assert "Not yours" not in html


@pytest.mark.parametrize("earlier_attempts", [10, 200])
def test_it_keeps_the_number_of_queries_constant(
    as_user, client, student, project, mentor, earlier_attempts, django_assert_max_num_queries
):
    for number in range(1, earlier_attempts + 1):
        attempt = SubmissionFactory(student=student, project=project, attempt=number)
        SubmissionFileFactory(submission=attempt, original_name=f"v{number}.zip")
        ReviewFactory(submission=attempt, reviewer=mentor, verdict=Verdict.CHANGES_REQUESTED)
    current = SubmissionFactory(student=student, project=project, attempt=earlier_attempts + 1)
    SubmissionFileFactory(submission=current)
    ReviewNoteFactory.create_batch(3, project=project)
    hold(current, mentor)
    as_user("mentor")

    # 1 session, 2 user, 3 the submission, 4 the attempts with reviews and reviewers,
    # 5 their files, 6 their criterion verdicts with criteria, 7 the reviewer's draft,
    # 8 the rubric, 9 the shared notes, 10 unread notifications (navbar).
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(11):
        response = client.get(review_url(current))

    assert response.status_code == 200
    assert len(response.context["earlier"]) == earlier_attempts


# --- Drafts ---------------------------------------------------------------------------


def test_it_saves_a_draft_as_the_reviewer_types(as_user, client, held, mentor, criteria):
    as_user("mentor")

    response = client.post(
        draft_url(held),
        {
            "feedback": "Half way",
            f"criterion_{criteria[0].pk}_met": "not_met",
            f"criterion_{criteria[0].pk}_comment": "Tests missing",
        },
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "Draft saved at" in response.content.decode()
    draft = ReviewDraft.objects.get(submission=held, reviewer=mentor)
    assert draft.feedback == "Half way"
    assert draft.criteria == {
        str(criteria[0].pk): {"met": False, "comment": "Tests missing"},
        str(criteria[1].pk): {"met": None, "comment": ""},
    }


def test_it_overwrites_the_draft_on_the_next_save(as_user, client, held, mentor):
    as_user("mentor")

    client.post(draft_url(held), {"feedback": "First"})
    client.post(draft_url(held), {"feedback": "Second"})

    assert list(
        ReviewDraft.objects.filter(submission=held).values_list("feedback", flat=True)
    ) == ["Second"]


def test_it_saves_no_draft_once_reviewed(as_user, client, waiting, mentor):
    ReviewFactory(submission=waiting, reviewer=mentor)
    as_user("mentor")

    response = client.post(
        draft_url(waiting), {"feedback": "Too late"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "already been reviewed" in response.content.decode()
    assert not ReviewDraft.objects.exists()


def test_it_sends_a_plain_post_of_a_draft_back_to_the_review_page(as_user, client, held, mentor):
    """The page saves drafts with htmx; a plain post (no script) is redirected to the
    review page, saved (post/redirect/get)."""
    as_user("mentor")

    response = client.post(draft_url(held), {"feedback": "No script"})

    assert response.status_code == 302
    assert response.url == reverse("projects:review", args=[held.pk])
    assert ReviewDraft.objects.get(submission=held, reviewer=mentor).feedback == "No script"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 200),
        ("other_mentor", 404),
        ("supervisor", 200),
        ("other_supervisor", 404),
        ("staff", 200),
    ],
)
def test_it_saves_drafts_only_for_reviewers_who_see_it(as_user, client, waiting, role, status):
    as_user(role)

    response = client.post(
        draft_url(waiting), {"feedback": "Mine"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == status
    assert ReviewDraft.objects.exists() is (status == 200)


def test_it_refuses_get_on_drafts_and_submits(as_user, client, held):
    as_user("mentor")

    assert client.get(draft_url(held)).status_code == 405
    assert client.get(submit_url(held)).status_code == 405


# --- Posting the verdict ----------------------------------------------------------------


def test_it_approves_when_every_criterion_is_met(as_user, client, held, mentor, criteria):
    ReviewDraft.objects.create(submission=held, reviewer=mentor, feedback="Draft")
    as_user("mentor")

    response = client.post(submit_url(held), verdict_data(criteria, feedback="Great *job*"))

    assert response.status_code == 302
    assert response.url == reverse("projects:queue")
    held.refresh_from_db()
    assert held.status == SubmissionStatus.APPROVED
    assert held.claimed_by is None
    review = held.review
    assert (review.reviewer, review.verdict, review.feedback) == (
        mentor,
        Verdict.APPROVED,
        "Great *job*",
    )
    assert sorted(
        CriterionVerdict.objects.filter(review=review).values_list(
            "criterion_id", "met", "comment"
        )
    ) == [(criterion.pk, True, f"About {criterion.title}") for criterion in criteria]
    assert not ReviewDraft.objects.exists()
    assert Notification.objects.filter(user=held.student, kind="review_posted").exists()


def test_it_requests_changes(as_user, client, held, criteria):
    as_user("mentor")

    response = client.post(
        submit_url(held),
        verdict_data(criteria, met=("met", "not_met"), verdict=Verdict.CHANGES_REQUESTED),
        follow=True,
    )

    assert "Requested changes to “Weather app” by Stas Student." in response.content.decode()
    held.refresh_from_db()
    assert held.status == SubmissionStatus.CHANGES_REQUESTED
    assert [verdict.met for verdict in held.review.verdicts.all()] == [True, False]


def test_it_refuses_to_approve_with_an_unmet_criterion(as_user, client, held, criteria):
    as_user("mentor")

    response = client.post(
        submit_url(held), verdict_data(criteria, met=("met", "not_met"), feedback="Kept text")
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Every criterion must be met to approve" in html
    assert "Kept text</textarea>" in html
    assert f"About {criteria[1].title}</textarea>" in html
    assert not Review.objects.exists()
    held.refresh_from_db()
    assert held.status == SubmissionStatus.SUBMITTED


def test_it_asks_for_a_verdict_on_every_criterion(as_user, client, held, criteria):
    as_user("mentor")

    response = client.post(
        submit_url(held), verdict_data(criteria, met=("met", None), feedback="Kept text")
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        f"criterion_{criteria[1].pk}_met": ["Say whether this criterion is met."]
    }
    assert "Kept text</textarea>" in response.content.decode()
    assert not Review.objects.exists()


def test_it_asks_for_overall_feedback(as_user, client, held, criteria):
    as_user("mentor")

    response = client.post(submit_url(held), verdict_data(criteria, feedback=""))

    assert response.status_code == 400
    assert "feedback" in response.context["form"].errors
    assert not Review.objects.exists()


def test_it_refuses_a_review_someone_else_holds(as_user, client, waiting, supervisor, criteria):
    hold(waiting, supervisor)
    as_user("mentor")

    response = client.post(submit_url(waiting), verdict_data(criteria, feedback="My words"))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Sofia Supervisor holds this submission" in html
    assert "My words</textarea>" in html  # nothing typed is lost
    assert not Review.objects.exists()
    waiting.refresh_from_db()
    assert waiting.status == SubmissionStatus.SUBMITTED
    assert waiting.claimed_by == supervisor


def test_it_refuses_a_second_verdict_and_changes_nothing(as_user, client, held, criteria):
    as_user("mentor")
    client.post(submit_url(held), verdict_data(criteria, feedback="First verdict"))
    review = Review.objects.get()
    held.refresh_from_db()
    reviewed_at = held.reviewed_at

    response = client.post(
        submit_url(held),
        verdict_data(criteria, met=("not_met", "not_met"), verdict=Verdict.CHANGES_REQUESTED),
    )

    assert response.status_code == 400
    assert "already been reviewed" in response.content.decode()
    assert list(Review.objects.values_list("pk", "verdict", "feedback")) == [
        (review.pk, Verdict.APPROVED, "First verdict")
    ]
    assert not CriterionVerdict.objects.filter(met=False).exists()
    held.refresh_from_db()
    assert (held.status, held.reviewed_at) == (SubmissionStatus.APPROVED, reviewed_at)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("other_mentor", 404),
        ("other_supervisor", 404),
    ],
)
def test_it_keeps_outsiders_from_posting_a_verdict(
    as_user, client, waiting, criteria, role, status
):
    as_user(role)

    response = client.post(submit_url(waiting), verdict_data(criteria))

    assert response.status_code == status
    assert not Review.objects.exists()
    waiting.refresh_from_db()
    assert waiting.status == SubmissionStatus.SUBMITTED


@pytest.mark.parametrize("role", ["supervisor", "staff"])
def test_it_lets_a_supervisor_or_staff_review(as_user, client, waiting, criteria, role):
    user = as_user(role)

    response = client.post(submit_url(waiting), verdict_data(criteria))

    assert response.status_code == 302
    assert Review.objects.get().reviewer == user


# --- Reassigning ------------------------------------------------------------------------


def test_it_reassigns_within_the_supervisors_team(as_user, client, held, supervisor, mentor):
    teammate = MentorFactory(display_name="Tanya Teammate")
    teammate.mentor_profile.supervisor = supervisor
    teammate.mentor_profile.save()
    as_user("supervisor")

    response = client.post(reassign_url(held), {"mentor": teammate.pk})

    assert response.status_code == 302
    assert response.url == reverse("projects:queue")
    held.refresh_from_db()
    assert held.claimed_by == teammate
    assert held.claim_expires_at > timezone.now()
    assert Notification.objects.filter(user=teammate, kind="review_reassigned").exists()


def test_it_refuses_to_reassign_outside_the_team(as_user, client, held, mentor, other_mentor):
    as_user("supervisor")

    response = client.post(reassign_url(held), {"mentor": other_mentor.pk})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    held.refresh_from_db()
    assert held.claimed_by == mentor


def test_it_lets_staff_reassign_to_any_mentor(as_user, client, held, other_mentor):
    as_user("staff")

    response = client.post(reassign_url(held), {"mentor": other_mentor.pk})

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.claimed_by == other_mentor


def test_it_refuses_to_reassign_a_reviewed_submission(as_user, client, waiting, mentor):
    ReviewFactory(submission=waiting, reviewer=mentor)
    as_user("staff")

    response = client.post(reassign_url(waiting), {"mentor": mentor.pk})

    assert response.status_code == 400
    assert "already been reviewed" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.claimed_by is None


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 403),
        ("other_mentor", 403),
        ("other_supervisor", 404),
    ],
)
def test_it_keeps_others_from_reassigning(
    as_user, client, held, mentor, other_mentor, role, status
):
    as_user(role)

    response = client.post(reassign_url(held), {"mentor": other_mentor.pk})

    assert response.status_code == status
    held.refresh_from_db()
    assert held.claimed_by == mentor


def test_it_shows_the_reassign_form_to_a_supervisor_too(as_user, client, held, mentor):
    as_user("supervisor")

    response = client.get(reassign_url(held))

    assert response.status_code == 200
    assert list(response.context["reassign_form"].fields["mentor"].queryset) == [mentor]


def test_it_has_no_reassign_form_for_a_reviewed_submission(as_user, client, waiting, mentor):
    ReviewFactory(submission=waiting, reviewer=mentor)
    as_user("staff")

    assert client.get(reassign_url(waiting)).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 403),
        ("other_mentor", 403),
        ("other_supervisor", 404),
    ],
)
def test_it_shows_the_reassign_form_to_no_one_else(as_user, client, held, role, status):
    as_user(role)

    assert client.get(reassign_url(held)).status_code == status


def test_it_sends_anonymous_people_from_the_reassign_form_to_login(client, held):
    response = client.get(reassign_url(held))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_it_refuses_other_methods_on_reassign(as_user, client, held):
    as_user("supervisor")

    assert client.put(reassign_url(held)).status_code == 405


# --- In the browser ---------------------------------------------------------------------


def _png_bytes(width: int = 240, height: int = 140) -> bytes:
    """A small valid PNG (a colour gradient), made without an imaging library."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + bytes(value for x in range(width) for value in (x % 256, 90, 200 - y % 200))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


CODE = '''"""Fetch the forecast for a city and print it."""

import json
import sys
from urllib.request import urlopen

API = "https://api.example.test/forecast?city={city}"


def forecast(city: str) -> dict:
    with urlopen(API.format(city=city)) as response:
        return json.load(response)


def main() -> int:
    city = sys.argv[1] if len(sys.argv) > 1 else "Lisbon"
    data = forecast(city)
    for day in data["days"]:
        print(f"{day['date']}: {day['min']}–{day['max']} °C, {day['summary']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
'''


@pytest.fixture
def full_queue(db, mentor, student):
    """A mentor's realistic day: thirty waiting submissions across students and
    projects, the oldest (``student``'s third attempt at a weather app) with files,
    two earlier reviewed attempts and shared notes."""

    programme = ProgrammeFactory(title="Python developer")
    weather = ProjectFactory(
        programme=programme,
        position=3,
        title="Weather app",
        brief=(
            "## Goal\nWrite a command-line tool that fetches the **forecast** for a city "
            "and prints it.\n\n## Requirements\n- handle network errors\n- a README that "
            "says how to run it\n- tests for the parsing"
        ),
        criteria=0,
    )
    for position, (title, means) in enumerate(
        [
            ("It runs", "The tool runs with the command in the README."),
            ("Errors are handled", "No traceback when the network is down."),
            ("Tests", "The parsing has unit tests that pass."),
        ],
        start=1,
    ):
        RubricCriterionFactory(project=weather, position=position, title=title, met_means=means)
    now = timezone.now()
    for number in (1, 2):
        earlier = SubmissionFactory(
            student=student,
            project=weather,
            attempt=number,
            submitted_at=now - timedelta(days=10 - number * 3),
        )
        SubmissionFileFactory(submission=earlier, original_name=f"weather-v{number}.zip")
        ReviewFactory(
            submission=earlier,
            reviewer=mentor,
            verdict=Verdict.CHANGES_REQUESTED,
            feedback="Good start. The tool crashes when the network is down; catch it.",
        )
    current = SubmissionFactory(
        student=student,
        project=weather,
        attempt=3,
        submitted_at=now - timedelta(hours=52),
        comment="I added error handling and tests. The screenshot shows a run.",
        link="https://github.com/stas/weather-app",
    )
    SubmissionFileFactory(submission=current, original_name="weather.py", content=CODE.encode())
    SubmissionFileFactory(
        submission=current,
        original_name="README.md",
        content=b"# Weather\n\nRun `python weather.py Lisbon`.\n",
    )
    SubmissionFileFactory(submission=current, original_name="run.png", content=_png_bytes())
    SubmissionFileFactory(submission=current, original_name="report.pdf", content=_pdf_bytes())
    SubmissionFileFactory(submission=current, original_name="tests.zip", content=b"PK" * 700)
    ReviewNoteFactory(
        project=weather,
        title="README: how to run",
        body="Add to the README the exact command that runs the tool.",
        use_count=7,
    )
    ReviewNoteFactory(
        project=weather,
        title="Catch URLError",
        body="Wrap the request in `try/except URLError` and print a friendly message.",
        use_count=3,
    )
    others = [ProjectFactory(programme=programme, position=number) for number in (1, 2, 4)]
    students = StudentFactory.create_batch(9)
    for index, other in enumerate(students):
        AssignmentFactory(student=other, mentor=mentor)
        for offset, project in enumerate(others):
            SubmissionFactory(
                student=other,
                project=project,
                submitted_at=now - timedelta(hours=index * 4 + offset * 9),
            )
    return current


def _wait_for_pdf_viewer(page) -> None:
    """Let Chromium's PDF viewer finish loading in the preview <iframe>: leaving the
    page while it loads aborts its scripts, which the browser fixtures report."""

    for _attempt in range(50):
        viewers = [frame for frame in page.frames if frame.url.startswith(PDF_VIEWER)]
        if viewers:
            viewers[0].wait_for_load_state("load")
            page.wait_for_timeout(300)
            return
        page.wait_for_timeout(100)
    raise AssertionError("The PDF preview did not load.")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_reviews_in_the_browser(
    logged_in_page, full_queue, mentor, screenshot, test_results_dir
):
    """Queue → claim → mark criteria (the draft saves itself) → insert a shared note →
    a refused approval keeps everything typed → request changes."""
    page = logged_in_page(mentor)
    page.goto(reverse("projects:queue"))
    assert "28 waiting" in page.get_by_test_id("queue-summary").inner_text()
    screenshot(page, "review-queue")

    row = page.locator(f'[data-testid="queue-row"][data-submission="{full_queue.pk}"]')
    row.get_by_role("button", name="Start review").click()
    page.wait_for_url(f"**{review_url(full_queue)}")

    assert page.locator(".code-lines li").count() == CODE.count("\n") + 3  # + README lines
    # The image loads lazily: bring it into view and wait for it rather than
    # asking the instant the page's load event fires.
    image = page.locator("img.review-image")
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const image = document.querySelector('img.review-image');"
        " return image.complete && image.naturalWidth > 0; }"
    )
    assert image.evaluate("image => image.naturalWidth") == 240
    assert page.locator("iframe.review-pdf").count() == 1
    _wait_for_pdf_viewer(page)

    criteria = list(full_queue.project.criteria.order_by("position"))
    # One step at a time, each waiting for the draft it saves: the live server's
    # in-memory SQLite refuses concurrent writes ("table is locked").
    for criterion, choice in zip(criteria, (0, 1, 0), strict=True):
        with page.expect_response(lambda response: response.url.endswith("/draft/")):
            page.locator(f'label[for="id_criterion_{criterion.pk}_met_{choice}"]').click()
    with page.expect_response(lambda response: response.url.endswith("/draft/")):
        page.locator(f"#id_criterion_{criteria[1].pk}_comment").fill("Still crashes offline.")
        page.locator(f"#id_criterion_{criteria[1].pk}_comment").press("Tab")
    with page.expect_response(lambda response: response.url.endswith("/draft/")):
        page.locator("#id_feedback").fill("Much better than attempt 2.")
        page.locator("#id_feedback").press("Tab")
    page.get_by_test_id("draft-status").get_by_text("Draft saved at").wait_for()
    with page.expect_response(lambda response: response.url.endswith("/draft/")):
        page.get_by_test_id("note").first.get_by_role("button", name="Insert").click()
        page.get_by_test_id("note").first.get_by_text("used 8×").wait_for()
    draft = ReviewDraft.objects.get(submission=full_queue, reviewer=mentor)
    assert draft.feedback.startswith("Much better than attempt 2.\n\nAdd to the README")
    assert draft.criteria[str(criteria[1].pk)] == {
        "met": False,
        "comment": "Still crashes offline.",
    }

    page.locator("#review-notes summary").click()
    page.get_by_label("Title").fill("Tests offline")
    page.get_by_label("Text").fill("Mock urlopen to test the offline path.")
    page.get_by_role("button", name="Add note").click()
    page.get_by_test_id("note").get_by_text("Tests offline").wait_for()
    page.locator("#review-notes summary").click()  # the partial comes back closed
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Add note").click()  # refused by the browser: required
    assert ReviewNote.objects.filter(project=full_queue.project).count() == 3
    screenshot(page, "review-page")
    # What the reviewer sees on arrival (the sidebar scrolls on its own, so the whole
    # page shot above shows it part-way).
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(".review-sidebar").evaluate("sidebar => { sidebar.scrollTop = 0; }")
    page.screenshot(path=str(test_results_dir / "review-page-top.png"))

    page.get_by_test_id("approve").click()
    page.get_by_test_id("review-form").wait_for()
    _wait_for_pdf_viewer(page)
    assert "Every criterion must be met to approve" in page.content()
    assert page.locator("#id_feedback").input_value().startswith("Much better")
    assert page.locator(f"#id_criterion_{criteria[1].pk}_met_1").is_checked()

    page.get_by_test_id("request-changes").click()
    page.wait_for_url("**/reviews/")
    assert "Requested changes to “Weather app” by Stas Student." in page.content()
    full_queue.refresh_from_db()
    assert full_queue.status == SubmissionStatus.CHANGES_REQUESTED


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_reassign_a_review_in_the_browser(logged_in_page, held, other_mentor):
    """Staff's review page links to the choice of mentor; it opens in place (htmx),
    and the review changes hands."""
    page = logged_in_page("staff")
    page.goto(review_url(held))
    assert page.get_by_test_id("reassign").locator("select").count() == 0

    page.get_by_test_id("reassign-open").click()
    page.get_by_test_id("reassign").locator("select").wait_for()
    assert page.url.endswith(review_url(held))  # swapped in, not navigated
    page.get_by_test_id("reassign").locator("select").select_option(str(other_mentor.pk))
    page.get_by_role("button", name="Reassign", exact=True).click()

    page.wait_for_url(f"**{reverse('projects:queue')}")
    assert "now holds the review" in page.content()
    held.refresh_from_db()
    assert held.claimed_by == other_mentor


# --- When the broker is down (issue 16) -----------------------------------------------


def test_it_saves_the_review_and_answers_when_the_broker_cannot_be_reached(
    as_user, client, held, criteria, student, celery_broker, django_capture_on_commit_callbacks
):
    # Nothing listens on a port the system just handed out and took back (not one of
    # the fault tests' ports, where another worker may start a Redis): queueing the
    # e-mail after commit fails.
    port = free_port(range(0))
    celery_broker(broker_url=f"redis://127.0.0.1:{port}/0", broker_connection_timeout=1)
    as_user("mentor")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(submit_url(held), verdict_data(criteria, feedback="Fine"))

    assert response.status_code == 302
    assert Review.objects.filter(submission=held).exists()
    notification = Notification.objects.get(user=student, kind="review_posted")
    assert notification.email_state == "pending"
    assert notification.emailed_at is None
