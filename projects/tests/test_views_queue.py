"""The review queue, claiming a submission and giving it back."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory
from projects import selectors
from projects.models import ReviewDraft, Submission, SubmissionStatus
from projects.tests.factories import (
    ProgrammeFactory,
    ProjectFactory,
    ReviewFactory,
    SubmissionFactory,
)

QUEUE = reverse("projects:queue")


def claim_url(submission):
    return reverse("projects:claim", args=[submission.pk])


def release_url(submission):
    return reverse("projects:release", args=[submission.pk])


def hold(submission, reviewer, *, minutes=60):
    """``reviewer`` holds ``submission`` for ``minutes`` more (negative: expired)."""
    now = timezone.now()
    Submission.objects.filter(pk=submission.pk).update(
        claimed_by=reviewer,
        claimed_at=now - timedelta(minutes=5),
        claim_expires_at=now + timedelta(minutes=minutes),
        first_claimed_at=now - timedelta(minutes=5),
    )
    submission.refresh_from_db()


@pytest.fixture
def waiting(student):
    """A waiting submission of ``student`` (mentored by ``mentor``)."""
    return SubmissionFactory(student=student, submitted_at=timezone.now() - timedelta(hours=3))


@pytest.fixture
def other_waiting(other_student):
    return SubmissionFactory(
        student=other_student, submitted_at=timezone.now() - timedelta(hours=2)
    )


def rows(response):
    return [submission.pk for submission in response.context["page"].object_list]


# --- Access ---------------------------------------------------------------------------


def test_it_sends_anonymous_people_to_login(client):
    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={quote(QUEUE)}"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 200),
        ("other_mentor", 200),
        ("supervisor", 200),
        ("other_supervisor", 200),
        ("staff", 200),
    ],
)
def test_it_lets_reviewers_in_and_keeps_students_out(as_user, client, role, status):
    as_user(role)

    assert client.get(QUEUE).status_code == status


@pytest.mark.parametrize(
    ("role", "sees_own_team", "sees_other_team"),
    [
        ("mentor", True, False),
        ("other_mentor", False, True),
        ("supervisor", True, False),
        ("other_supervisor", False, True),
        ("staff", True, True),
    ],
)
def test_it_lists_only_submissions_the_reviewer_may_see(
    as_user, client, waiting, other_waiting, role, sees_own_team, sees_other_team
):
    as_user(role)

    listed = rows(client.get(QUEUE))

    assert (waiting.pk in listed) is sees_own_team
    assert (other_waiting.pk in listed) is sees_other_team


@pytest.fixture
def held_across_teams(other_waiting, mentor, supervisor):
    """``other_student``'s waiting submission (other team), held by ``mentor``; and a
    teammate of ``mentor`` under the same supervisor, who does not hold it."""
    hold(other_waiting, mentor)
    teammate = MentorFactory(display_name="Tina Teammate")
    teammate.mentor_profile.supervisor = supervisor
    teammate.mentor_profile.save()
    return other_waiting, teammate


@pytest.mark.parametrize(
    ("role", "sees_it"),
    [
        ("mentor", True),  # the one holding it
        ("supervisor", True),  # the holder's supervisor
        ("other_mentor", True),  # the student's own mentor
        ("other_supervisor", True),  # and their supervisor
        ("staff", True),
        ("teammate", False),  # the holder's teammate: not theirs
    ],
)
def test_it_queues_a_submission_held_across_teams_for_the_holder_and_their_supervisor(
    as_user, client, waiting, held_across_teams, role, sees_it
):
    held, teammate = held_across_teams
    if role == "teammate":
        client.force_login(teammate)
    else:
        as_user(role)

    listed = rows(client.get(QUEUE))

    assert (held.pk in listed) is sees_it


@pytest.mark.parametrize(
    "role", ["mentor", "other_mentor", "supervisor", "other_supervisor", "staff", "teammate"]
)
def test_it_queues_exactly_the_waiting_submissions_the_reviewer_may_see(
    request, as_user, client, waiting, held_across_teams, role
):
    held, teammate = held_across_teams
    ReviewFactory(submission=SubmissionFactory(student=waiting.student))  # reviewed: not queued
    SubmissionFactory(student=StudentFactory())  # nobody's student: staff only
    if role == "teammate":
        user = teammate
        client.force_login(teammate)
    else:
        user = as_user(role)

    listed = rows(client.get(QUEUE))

    expected = selectors.submissions_visible_to(user).waiting().values_list("pk", flat=True)
    assert sorted(listed) == sorted(expected)
    assert len(listed) == len(set(listed))


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_filters_a_queue_with_a_held_submission_by_programme_and_project(
    as_user, client, waiting, held_across_teams, role
):
    held, _teammate = held_across_teams
    other_programme = ProgrammeFactory(title="Elsewhere")
    held.project.programme = other_programme
    held.project.save()
    as_user(role)

    by_programme = client.get(QUEUE, {"programme": other_programme.pk})
    by_project = client.get(QUEUE, {"project": waiting.project_id})

    assert rows(by_programme) == [held.pk]
    assert rows(by_project) == [waiting.pk]
    form = client.get(QUEUE).context["form"]
    programme_ids = {value for value, _label in form.fields["programme"].choices if value}
    assert programme_ids == {waiting.project.programme_id, other_programme.pk}


def test_it_refuses_other_methods(as_user, client):
    as_user("mentor")

    assert client.post(QUEUE).status_code == 405


# --- What it shows --------------------------------------------------------------------


def test_it_lists_waiting_submissions_oldest_first(as_user, client, student, mentor):
    now = timezone.now()
    project_a, project_b, project_c = ProjectFactory.create_batch(3)
    newest = SubmissionFactory(student=student, project=project_a, submitted_at=now)
    oldest = SubmissionFactory(
        student=student, project=project_b, submitted_at=now - timedelta(days=2)
    )
    middle = SubmissionFactory(
        student=student, project=project_c, submitted_at=now - timedelta(hours=5)
    )
    reviewed = SubmissionFactory(student=student, submitted_at=now - timedelta(days=9))
    ReviewFactory(submission=reviewed, reviewer=mentor)
    as_user("mentor")

    response = client.get(QUEUE)

    assert rows(response) == [oldest.pk, middle.pk, newest.pk]
    summary = response.content.decode()
    assert "3 waiting, the oldest for 2" in summary


def test_it_shows_the_students_situation_and_the_attempt(as_user, client, student, mentor):
    approved = ProjectFactory.create_batch(3)
    for project in approved:
        ReviewFactory(submission=SubmissionFactory(student=student, project=project))
    project = ProjectFactory(title="Weather app")
    first = SubmissionFactory(student=student, project=project, attempt=1)
    ReviewFactory(submission=first, reviewer=mentor, verdict="changes_requested")
    SubmissionFactory(student=student, project=project, attempt=2)
    as_user("mentor")

    html = client.get(QUEUE).content.decode()

    assert "Stas Student" in html
    assert "3 approved" in html
    assert "Weather app" in html
    assert "attempt 2" in html


def test_it_highlights_long_waits(as_user, client, student, settings):
    settings.REVIEW_REMINDER_HOURS = 48
    now = timezone.now()
    fresh, day_old, overdue = ProjectFactory.create_batch(3)
    SubmissionFactory(student=student, project=fresh, submitted_at=now - timedelta(hours=1))
    SubmissionFactory(student=student, project=day_old, submitted_at=now - timedelta(hours=30))
    SubmissionFactory(student=student, project=overdue, submitted_at=now - timedelta(hours=50))
    as_user("mentor")

    html = client.get(QUEUE).content.decode()

    assert html.count("badge text-bg-danger") == 1
    assert html.count("badge text-bg-warning") == 1


def test_it_shows_who_holds_a_submission_and_saved_drafts(
    as_user, client, student, mentor, supervisor
):
    held, drafted = ProjectFactory.create_batch(2)
    held_submission = SubmissionFactory(student=student, project=held)
    hold(held_submission, supervisor)
    drafted_submission = SubmissionFactory(student=student, project=drafted)
    ReviewDraft.objects.create(submission=drafted_submission, reviewer=mentor, feedback="So far")
    as_user("mentor")

    html = client.get(QUEUE).content.decode()

    until = timezone.localtime(held_submission.claim_expires_at).strftime("%H:%M")
    assert f"held by Sofia Supervisor until {until}" in html
    assert "draft saved" in html


def test_it_filters_by_programme_and_project(as_user, client, student):
    web, data = ProgrammeFactory(title="Web"), ProgrammeFactory(title="Data")
    web_one = ProjectFactory(programme=web, title="Landing page")
    web_two = ProjectFactory(programme=web, title="Blog")
    data_one = ProjectFactory(programme=data, title="Pandas")
    in_web_one = SubmissionFactory(student=student, project=web_one)
    in_web_two = SubmissionFactory(student=student, project=web_two)
    in_data = SubmissionFactory(student=student, project=data_one)
    as_user("mentor")

    by_programme = client.get(QUEUE, {"programme": web.pk})
    by_project = client.get(QUEUE, {"project": web_two.pk})

    assert set(rows(by_programme)) == {in_web_one.pk, in_web_two.pk}
    assert rows(by_project) == [in_web_two.pk]
    assert in_data.pk not in rows(by_programme)
    html = by_programme.content.decode()
    assert f'<option value="{web.pk}" selected>Web</option>' in html
    assert '<optgroup label="Data">' in html


def test_it_offers_only_programmes_in_the_reviewers_queue(as_user, client, waiting, other_waiting):
    as_user("mentor")

    form = client.get(QUEUE).context["form"]

    programme_ids = [value for value, _label in form.fields["programme"].choices if value]
    assert programme_ids == [waiting.project.programme_id]


def test_it_ignores_a_filter_it_does_not_know(as_user, client, waiting):
    as_user("mentor")

    response = client.get(QUEUE, {"project": "999999"})

    assert response.status_code == 200
    assert rows(response) == [waiting.pk]


def test_it_paginates_and_keeps_filters_in_page_links(as_user, client, mentor):
    programme = ProgrammeFactory()
    projects = ProjectFactory.create_batch(10, programme=programme, criteria=0)
    students = StudentFactory.create_batch(3)
    for student in students:
        AssignmentFactory(student=student, mentor=mentor)
    now = timezone.now()
    Submission.objects.bulk_create(
        Submission(
            student=student,
            project=project,
            attempt=1,
            submitted_at=now - timedelta(minutes=index * 10 + number),
        )
        for index, student in enumerate(students)
        for number, project in enumerate(projects)
    )
    as_user("mentor")

    first = client.get(QUEUE, {"programme": programme.pk})
    second = client.get(QUEUE, {"programme": programme.pk, "page": 2})

    assert len(rows(first)) == 25
    assert len(rows(second)) == 5
    assert f"?programme={programme.pk}&amp;page=2" in first.content.decode()
    assert not set(rows(first)) & set(rows(second))


@pytest.mark.parametrize("count", [10, 200])
def test_it_keeps_the_number_of_queries_constant(
    as_user, client, mentor, django_assert_max_num_queries, count
):
    programme = ProgrammeFactory()
    projects = ProjectFactory.create_batch(10, programme=programme, criteria=0)
    students = StudentFactory.create_batch(count // 10)
    for student in students:
        AssignmentFactory(student=student, mentor=mentor)
    Submission.objects.bulk_create(
        Submission(student=student, project=project, attempt=1)
        for student in students
        for project in projects
    )
    Submission.objects.filter(project=projects[0]).update(
        status=SubmissionStatus.APPROVED, reviewed_at=timezone.now()
    )
    as_user("mentor")

    # 1 session, 2 user, 3 the ids of the students and 4 of the mentors whose
    # submissions the reviewer sees (read once, so the queue is filtered by indexed
    # ids), 5 filter choices, 6 summary (count and oldest, also the paginator's
    # count), 7 unread notifications (navbar), 8 the page's rows with student,
    # project, programme, holder, approved count and draft flag, 9 the navbar's count
    # of questions waiting for an answer.
    with django_assert_max_num_queries(9):
        response = client.get(QUEUE)

    assert response.status_code == 200


# --- Claiming -------------------------------------------------------------------------


def test_it_claims_and_opens_the_review_page(as_user, client, waiting, mentor, settings):
    settings.REVIEW_CLAIM_MINUTES = 90
    as_user("mentor")

    response = client.post(claim_url(waiting))

    assert response.status_code == 302
    assert response.url == reverse("projects:review", args=[waiting.pk])
    waiting.refresh_from_db()
    assert waiting.claimed_by == mentor
    assert waiting.first_claimed_at is not None
    remaining = waiting.claim_expires_at - timezone.now()
    assert timedelta(minutes=89) < remaining <= timedelta(minutes=90)


def test_it_refuses_a_claim_another_reviewer_holds(as_user, client, waiting, supervisor):
    hold(waiting, supervisor)
    expires = waiting.claim_expires_at
    as_user("mentor")

    response = client.post(claim_url(waiting), follow=True)

    assert response.redirect_chain[-1][0] == QUEUE
    assert "Sofia Supervisor is reviewing this submission" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.claimed_by == supervisor
    assert waiting.claim_expires_at == expires


def test_it_takes_over_an_expired_claim(as_user, client, waiting, mentor, supervisor):
    hold(waiting, supervisor, minutes=-1)
    as_user("mentor")

    response = client.post(claim_url(waiting))

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.claimed_by == mentor
    assert waiting.claim_expires_at > timezone.now()


def test_it_refuses_to_claim_a_reviewed_submission(as_user, client, waiting, mentor):
    ReviewFactory(submission=waiting, reviewer=mentor)
    as_user("mentor")

    response = client.post(claim_url(waiting), follow=True)

    assert "already been reviewed" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.claimed_by is None


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 302),
        ("other_mentor", 404),
        ("supervisor", 302),
        ("other_supervisor", 404),
        ("staff", 302),
    ],
)
def test_it_lets_only_reviewers_who_see_it_claim(as_user, client, waiting, role, status):
    user = as_user(role)

    response = client.post(claim_url(waiting))

    assert response.status_code == status
    waiting.refresh_from_db()
    assert (waiting.claimed_by == user) is (status == 302)


@pytest.mark.parametrize("url", [claim_url, release_url])
def test_it_refuses_get_on_claim_and_release(as_user, client, waiting, url):
    as_user("mentor")

    assert client.get(url(waiting)).status_code == 405


def test_it_sends_anonymous_claims_to_login(client, waiting):
    response = client.post(claim_url(waiting))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    waiting.refresh_from_db()
    assert waiting.claimed_by is None


def test_it_releases_ones_own_claim(as_user, client, waiting, mentor):
    hold(waiting, mentor)
    ReviewDraft.objects.create(submission=waiting, reviewer=mentor, feedback="Half done")
    as_user("mentor")

    response = client.post(release_url(waiting))

    assert response.status_code == 302
    assert response.url == QUEUE
    waiting.refresh_from_db()
    assert waiting.claimed_by is None
    assert ReviewDraft.objects.filter(submission=waiting, reviewer=mentor).exists()


def test_it_does_not_release_someone_elses_claim(as_user, client, waiting, supervisor):
    hold(waiting, supervisor)
    as_user("mentor")

    client.post(release_url(waiting))

    waiting.refresh_from_db()
    assert waiting.claimed_by == supervisor


@pytest.mark.parametrize(
    ("role", "status"),
    [("student", 403), ("other_mentor", 404), ("other_supervisor", 404)],
)
def test_it_keeps_outsiders_from_releasing(as_user, client, waiting, mentor, role, status):
    hold(waiting, mentor)
    as_user(role)

    assert client.post(release_url(waiting)).status_code == status
    waiting.refresh_from_db()
    assert waiting.claimed_by == mentor
