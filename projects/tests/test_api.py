"""``/api/v1/programmes/``, ``/api/v1/projects/`` and ``/api/v1/submissions/``: the same
access rules as the pages, writes through the same services, errors named by field."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES
from mentorship.models import Notification
from mentorship.tests.factories import AssignmentFactory
from projects import services
from projects.api import SubmissionPagination
from projects.models import Review, Submission, SubmissionFile, SubmissionStatus
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    SubmissionFileFactory,
)
from projects.tests.helpers_curriculum import (
    attempt_reviewed,
    attempt_waiting,
    curriculum_create,
    upload,
)

STUDENTS = {"student", "other_student"}
# Whose submission each role sees: "mine" is student's, "theirs" other_student's.
VISIBLE = {
    "student": {"mine"},
    "other_student": {"theirs"},
    "mentor": {"mine"},
    "other_mentor": {"theirs"},
    "supervisor": {"mine"},
    "other_supervisor": {"theirs"},
    "staff": {"mine", "theirs"},
}
LIST_URLS = ["api:programme-list", "api:project-list", "api:submission-list"]


@pytest.fixture
def curriculum(student, other_student):
    return curriculum_create(projects=2, students=[student, other_student])


@pytest.fixture
def submissions(student, other_student, curriculum):
    return {
        "mine": attempt_waiting(student=student, project=curriculum.first),
        "theirs": attempt_waiting(student=other_student, project=curriculum.first),
    }


def _review_url(submission) -> str:
    return reverse("api:submission-review", args=[submission.pk])


def _review_body(submission, verdict="approved", *, met=True, **extra) -> dict:
    return {
        "verdict": verdict,
        "feedback": "Well done.",
        "criteria": [
            {"criterion": criterion.pk, "met": met, "comment": ""}
            for criterion in submission.project.criteria.all()
        ],
        **extra,
    }


def _state(submission) -> tuple:
    submission.refresh_from_db()
    return (
        submission.status,
        submission.reviewed_at,
        submission.claimed_by_id,
        list(Review.objects.values_list("pk", "verdict", "feedback")),
    )


# --- Anonymous callers and wrong methods --------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", LIST_URLS)
def test_it_answers_anonymous_callers_with_401_json(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json"


def test_it_refuses_an_anonymous_submission(client, curriculum):
    response = client.post(
        reverse("api:submission-list"),
        {"project": curriculum.first.pk, "link": "https://github.com/x/y"},
    )

    assert response.status_code == 401
    assert not Submission.objects.exists()


def test_it_refuses_an_anonymous_review(client, submissions):
    response = client.post(
        _review_url(submissions["mine"]),
        _review_body(submissions["mine"]),
        content_type="application/json",
    )

    assert response.status_code == 401
    assert not Review.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_does_not_change_or_delete_submissions(client, as_user, submissions, method):
    as_user("staff")
    url = reverse("api:submission-detail", args=[submissions["mine"].pk])

    response = getattr(client, method)(url, {}, content_type="application/json")

    assert response.status_code == 405
    assert Submission.objects.filter(pk=submissions["mine"].pk).exists()


@pytest.mark.parametrize("url_name", ["api:programme-list", "api:project-list"])
def test_it_keeps_the_curriculum_read_only(client, as_user, curriculum, url_name):
    as_user("staff")

    response = client.post(reverse(url_name), {"title": "New"}, content_type="application/json")

    assert response.status_code == 405


def test_it_reviews_only_by_post(client, as_user, submissions):
    as_user("mentor")

    response = client.get(_review_url(submissions["mine"]))

    assert response.status_code == 405


# --- Programmes and projects ----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_programmes_a_role_may_see(client, as_user, curriculum, role):
    other = ProgrammeFactory()
    as_user(role)

    response = client.get(reverse("api:programme-list"))

    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    expected = (
        {curriculum.programme.pk} if role in STUDENTS else {curriculum.programme.pk, other.pk}
    )
    assert ids == expected


def test_it_describes_a_programme(client, as_user, curriculum):
    as_user("student")

    response = client.get(reverse("api:programme-detail", args=[curriculum.programme.pk]))

    assert response.json() == {
        "id": curriculum.programme.pk,
        "slug": curriculum.programme.slug,
        "title": curriculum.programme.title,
        "description": curriculum.programme.description,
        "is_active": True,
        "project_count": 2,
    }


def test_it_hides_other_programmes_from_a_student(client, as_user, student):
    other = ProgrammeFactory()
    as_user("student")

    response = client.get(reverse("api:programme-detail", args=[other.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_projects_a_role_may_see(client, as_user, curriculum, role):
    elsewhere = ProjectFactory()
    as_user(role)

    response = client.get(reverse("api:project-list"))

    ids = {row["id"] for row in response.json()["results"]}
    expected = {project.pk for project in curriculum.projects}
    if role not in STUDENTS:
        expected.add(elsewhere.pk)
    assert ids == expected


def test_it_hides_projects_of_other_programmes_from_a_student(client, as_user, student):
    elsewhere = ProjectFactory()
    as_user("student")

    response = client.get(reverse("api:project-detail", args=[elsewhere.pk]))

    assert response.status_code == 404


def test_it_describes_a_project_with_its_rubric(client, as_user, curriculum):
    project = curriculum.first
    project.allowed_file_types = "py,md"
    project.save()
    as_user("student")

    data = client.get(reverse("api:project-detail", args=[project.pk])).json()

    assert data["title"] == project.title
    assert data["programme"] == curriculum.programme.pk
    assert data["allowed_file_types"] == ["md", "py"]
    assert data["deliverable"] == "either"
    assert [c["position"] for c in data["criteria"]] == [1, 2]
    assert set(data["criteria"][0]) == {"id", "position", "title", "met_means"}


def test_it_filters_projects_by_programme(client, as_user, curriculum):
    ProjectFactory()
    as_user("staff")

    response = client.get(reverse("api:project-list"), {"programme": curriculum.programme.pk})

    assert [row["position"] for row in response.json()["results"]] == [1, 2]


def test_it_refuses_a_malformed_programme_filter(client, as_user):
    as_user("staff")

    response = client.get(reverse("api:project-list"), {"programme": "web"})

    assert response.status_code == 400
    assert "programme" in response.json()


# --- Reading submissions ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_the_submissions_a_role_may_see(client, as_user, submissions, role):
    as_user(role)

    response = client.get(reverse("api:submission-list"))

    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {submissions[name].pk for name in VISIBLE[role]}


@pytest.mark.parametrize("role", ROLES)
def test_it_answers_404_for_a_submission_a_role_may_not_see(client, as_user, submissions, role):
    as_user(role)

    for name, submission in submissions.items():
        response = client.get(reverse("api:submission-detail", args=[submission.pk]))

        assert response.status_code == (200 if name in VISIBLE[role] else 404), name


def test_it_shows_files_and_the_review_with_its_verdicts(client, as_user, student, curriculum):
    reviewed = attempt_reviewed(student=student, project=curriculum.first)
    file = SubmissionFileFactory(submission=reviewed, original_name="main.py")
    as_user("student")

    data = client.get(reverse("api:submission-detail", args=[reviewed.pk])).json()

    assert data["attempt"] == 1
    assert data["status"] == "changes_requested"
    assert data["student"] == {"id": student.pk, "display_name": student.display_name}
    assert data["project"]["title"] == curriculum.first.title
    assert data["files"] == [
        {
            "id": file.pk,
            "name": "main.py",
            "size": file.size,
            "content_type": "text/x-python",
            "url": f"http://testserver/submissions/files/{file.pk}/",
        }
    ]
    review = data["review"]
    assert review["verdict"] == "changes_requested"
    assert review["reviewer"]["id"] == reviewed.review.reviewer_id
    assert [(v["title"], v["met"]) for v in review["verdicts"]] == [
        ("Project number 1: criterion 1", False),
        ("Project number 1: criterion 2", True),
    ]


def test_it_shows_no_review_while_waiting(client, as_user, submissions):
    as_user("mentor")

    data = client.get(reverse("api:submission-detail", args=[submissions["mine"].pk])).json()

    assert data["review"] is None
    assert data["claimed_by"] is None


def test_it_filters_submissions_by_status_and_project(client, as_user, student, curriculum):
    reviewed = attempt_reviewed(student=student, project=curriculum.first)
    waiting = attempt_waiting(student=student, project=curriculum.first)
    as_user("mentor")
    url = reverse("api:submission-list")

    def ids(**params):
        return [row["id"] for row in client.get(url, params).json()["results"]]

    assert ids(status="submitted") == [waiting.pk]
    assert ids(status="changes_requested") == [reviewed.pk]
    assert ids(project=curriculum.first.pk) == [waiting.pk, reviewed.pk]
    assert ids(project=curriculum.second.pk) == []


def test_it_refuses_an_unknown_status_filter(client, as_user, submissions):
    as_user("mentor")

    response = client.get(reverse("api:submission-list"), {"status": "lost"})

    assert response.status_code == 400
    assert "status" in response.json()


def test_it_pages_submissions_by_cursor(client, as_user, student, curriculum, monkeypatch):
    monkeypatch.setattr(SubmissionPagination, "page_size", 2)
    for _ in range(3):
        attempt_reviewed(student=student, project=curriculum.first)
    as_user("student")

    first = client.get(reverse("api:submission-list")).json()
    second = client.get(first["next"]).json()

    assert first["count"] is None
    assert "cursor=" in first["next"]
    assert [row["attempt"] for row in first["results"]] == [3, 2]
    assert [row["attempt"] for row in second["results"]] == [1]
    assert second["next"] is None
    assert [row["attempt"] for row in client.get(second["previous"]).json()["results"]] == [3, 2]


def test_it_pages_through_submissions_of_the_same_moment(
    client, as_user, student, curriculum, monkeypatch
):
    monkeypatch.setattr(SubmissionPagination, "page_size", 2)
    for _ in range(5):
        attempt_reviewed(student=student, project=curriculum.first)
    Submission.objects.update(submitted_at=timezone.now())
    as_user("student")

    seen, url = [], reverse("api:submission-list")
    while url:
        data = client.get(url).json()
        seen += [row["id"] for row in data["results"]]
        url = data["next"]

    assert seen == sorted(Submission.objects.values_list("pk", flat=True), reverse=True)


def test_it_refuses_a_page_number(client, as_user, submissions):
    as_user("staff")

    response = client.get(reverse("api:submission-list"), {"page": 2})

    assert response.status_code == 400
    assert "page" in response.json()


def _many_submissions(count: int, mentor, curriculum):
    """``count`` reviewed submissions with a file each, from several of mentor's students."""
    students = [AssignmentFactory(mentor=mentor).student for _ in range(5)]
    for student in students:
        EnrolmentFactory(student=student, programme=curriculum.programme)
    for index in range(count):
        submission = attempt_reviewed(
            student=students[index % 5], project=curriculum.first, attempt=index // 5 + 1
        )
        SubmissionFile.objects.create(
            submission=submission, file="submissions/x.py", original_name="x.py", size=1
        )


@pytest.mark.parametrize("count", [10, 100])
@pytest.mark.parametrize("role", ["mentor", "staff"])
def test_it_lists_submissions_in_a_constant_number_of_queries(
    client, as_user, mentor, curriculum, django_assert_max_num_queries, count, role
):
    _many_submissions(count, mentor, curriculum)
    as_user(role)

    # 1 session, 2 user, 3 the ids of the students and 4 of the mentors whose
    # submissions a mentor sees (none for staff), 5 which submissions make the page,
    # 6 their rows with student, project, holder, review and reviewer, 7 their files,
    # 8 criterion verdicts with criteria. No count: the list is paged by cursor.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("api:submission-list"))

    assert len(response.json()["results"]) == min(count, 50)


# --- Submitting ---------------------------------------------------------------------------------


def test_it_lets_a_student_submit_files_a_link_and_a_comment(
    client, as_user, student, mentor, curriculum, media_root, django_capture_on_commit_callbacks
):
    as_user("student")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("api:submission-list"),
            {
                "project": curriculum.first.pk,
                "files": [upload("main.py", b"print(1)\n"), upload("README.md", b"# Hi\n")],
                "link": "https://github.com/stas/page",
                "comment": "My first try",
            },
        )

    assert response.status_code == 201, response.json()
    data = response.json()
    submission = Submission.objects.get()
    assert data["id"] == submission.pk
    assert (data["attempt"], data["status"]) == (1, "submitted")
    assert data["link"] == "https://github.com/stas/page"
    assert data["comment"] == "My first try"
    assert sorted(f["name"] for f in data["files"]) == ["README.md", "main.py"]
    stored = submission.files.get(original_name="main.py")
    assert (media_root / stored.file.name).read_bytes() == b"print(1)\n"
    assert Notification.objects.filter(user=mentor, kind="submission_new").count() == 1
    assert len(mail.outbox) == 1


def test_it_accepts_a_link_only_submission_as_json(client, as_user, curriculum):
    as_user("student")

    response = client.post(
        reverse("api:submission-list"),
        {"project": curriculum.first.pk, "link": "https://github.com/stas/page"},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["files"] == []


def _submit(client, project, **fields):
    return client.post(reverse("api:submission-list"), {"project": project.pk, **fields})


def test_it_names_an_oversized_file(client, as_user, curriculum, media_root):
    curriculum.first.max_file_size_mb = 1
    curriculum.first.save()
    as_user("student")

    response = _submit(client, curriculum.first, files=[upload("big.zip", b"x" * (2 << 20))])

    assert response.status_code == 400
    assert "larger than 1 MB" in response.json()["files"][0]
    assert not Submission.objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*"))


def test_it_names_a_disallowed_type(client, as_user, curriculum):
    as_user("student")

    response = _submit(client, curriculum.first, files=[upload("virus.exe", b"MZ")])

    assert response.status_code == 400
    assert "virus.exe" in response.json()["files"][0]
    assert not Submission.objects.exists()


def test_it_keeps_only_the_name_of_a_path_like_file(client, as_user, curriculum):
    as_user("student")

    response = _submit(client, curriculum.first, files=[upload("../../x.py")])

    assert response.status_code == 201
    assert [f["name"] for f in response.json()["files"]] == ["x.py"]


def test_it_refuses_an_empty_submission(client, as_user, curriculum):
    as_user("student")

    response = _submit(client, curriculum.first, comment="Nothing here")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Add at least one file or a link."]}
    assert not Submission.objects.exists()


def test_it_names_a_bad_link(client, as_user, curriculum):
    as_user("student")

    response = _submit(client, curriculum.first, link="not a url")

    assert response.status_code == 400
    assert "link" in response.json()


def test_it_refuses_a_second_attempt_while_one_waits(client, as_user, submissions, curriculum):
    as_user("student")

    response = _submit(client, curriculum.first, link="https://github.com/stas/page")

    assert response.status_code == 400
    assert "waiting for review" in response.json()["non_field_errors"][0]
    assert Submission.objects.count() == 2


def test_it_refuses_a_project_the_student_may_not_see(client, as_user, student):
    elsewhere = ProjectFactory()
    as_user("student")

    response = _submit(client, elsewhere, link="https://github.com/stas/page")

    assert response.status_code == 400
    assert "project" in response.json()
    assert not Submission.objects.exists()


@pytest.mark.parametrize("role", sorted(set(ROLES) - STUDENTS))
def test_it_lets_only_students_submit(client, as_user, curriculum, role):
    as_user(role)

    response = _submit(client, curriculum.first, link="https://github.com/stas/page")

    assert response.status_code == 403
    assert not Submission.objects.exists()


# --- Reviewing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 201),
        ("other_mentor", 404),
        ("supervisor", 201),
        ("other_supervisor", 404),
        ("staff", 201),
    ],
)
def test_it_lets_reviewers_who_may_see_a_submission_review_it(
    client, as_user, submissions, role, status
):
    submission = submissions["mine"]
    user = as_user(role)

    response = client.post(
        _review_url(submission), _review_body(submission), content_type="application/json"
    )

    assert response.status_code == status
    submission.refresh_from_db()
    if status == 201:
        assert submission.status == SubmissionStatus.APPROVED
        assert submission.review.reviewer == user
        data = response.json()
        assert data["status"] == "approved"
        assert data["review"]["verdict"] == "approved"
        assert [v["met"] for v in data["review"]["verdicts"]] == [True, True]
    else:
        assert submission.status == SubmissionStatus.SUBMITTED
        assert not Review.objects.exists()


def test_it_requests_changes_with_comments(client, as_user, submissions, student):
    submission = submissions["mine"]
    as_user("mentor")
    body = _review_body(submission, "changes_requested", feedback="Add a README.")
    body["criteria"][0].update(met=False, comment="Missing")

    response = client.post(_review_url(submission), body, content_type="application/json")

    assert response.status_code == 201
    verdicts = response.json()["review"]["verdicts"]
    assert (verdicts[0]["met"], verdicts[0]["comment"]) == (False, "Missing")
    assert Notification.objects.filter(user=student, kind="review_posted").exists()


def test_it_refuses_a_second_verdict_and_changes_nothing(client, as_user, submissions):
    submission = submissions["mine"]
    as_user("mentor")
    first = client.post(
        _review_url(submission),
        _review_body(submission, "changes_requested", met=False),
        content_type="application/json",
    )
    assert first.status_code == 201
    before = _state(submission)

    second = client.post(
        _review_url(submission), _review_body(submission), content_type="application/json"
    )

    assert second.status_code == 400
    assert "already been reviewed" in second.json()["non_field_errors"][0]
    assert _state(submission) == before


def test_it_refuses_a_review_while_someone_else_holds_it(client, as_user, submissions, supervisor):
    submission = submissions["mine"]
    services.submission_claim(submission=submission, reviewer=supervisor)
    before = _state(submission)
    as_user("mentor")

    response = client.post(
        _review_url(submission), _review_body(submission), content_type="application/json"
    )

    assert response.status_code == 400
    assert str(supervisor) in response.json()["non_field_errors"][0]
    assert _state(submission) == before


def test_it_refuses_approval_with_a_criterion_not_met(client, as_user, submissions):
    submission = submissions["mine"]
    as_user("mentor")

    response = client.post(
        _review_url(submission),
        _review_body(submission, met=False),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "verdict" in response.json()
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("missing_criterion", "criteria"),
        ("unknown_criterion", "criteria"),
        ("duplicate_criterion", "criteria"),
        ("bad_verdict", "verdict"),
        ("blank_feedback", "feedback"),
        ("no_feedback", "feedback"),
    ],
)
def test_it_names_the_field_of_a_bad_review(client, as_user, submissions, change, field):
    submission = submissions["mine"]
    body = _review_body(submission)
    if change == "missing_criterion":
        body["criteria"].pop()
    elif change == "unknown_criterion":
        body["criteria"].append({"criterion": 999999, "met": True})
    elif change == "duplicate_criterion":
        body["criteria"].append(body["criteria"][0])
    elif change == "bad_verdict":
        body["verdict"] = "maybe"
    elif change == "blank_feedback":
        body["feedback"] = "  "
    else:
        del body["feedback"]
    as_user("mentor")

    response = client.post(_review_url(submission), body, content_type="application/json")

    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert not Review.objects.exists()


# --- Schema -------------------------------------------------------------------------------------


def test_it_documents_the_endpoints(client, as_user):
    as_user("staff")

    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()

    assert {
        "/api/v1/programmes/",
        "/api/v1/projects/{id}/",
        "/api/v1/submissions/",
        "/api/v1/submissions/{id}/review/",
    } <= set(schema["paths"])
    create = schema["paths"]["/api/v1/submissions/"]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]
    params = {p["name"] for p in schema["paths"]["/api/v1/submissions/"]["get"]["parameters"]}
    assert {"status", "project", "cursor"} <= params
    assert "page" not in params
