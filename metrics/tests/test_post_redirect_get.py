"""Post/redirect/get: a successful post answers with a redirect, so the address bar
holds a page's address and a reload sends nothing again.

Every URL that accepts POST (found from its view's method decorator) must be listed
in ``AUDITED`` with how its successful post answers; a new one fails here until
someone checks it redirects (or, for an htmx part of a page, that a plain post of it
redirects) and lists it. The views changed for this are then posted to with valid
data, without htmx, and must answer 302 to a page that answers 200."""

from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from knowledge_base.models import Article, ArticleStatus
from mentorship.notifications import notification_send
from mentorship.tests.test_url_walk import ROUTES
from projects import services as project_services
from projects.models import Deliverable
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReviewNoteFactory,
    SubmissionFactory,
)

REDIRECTS = "redirects"
HTMX_PART = "htmx part of a page: a plain post redirects"

AUDITED = {
    "mentorship:profile": REDIRECTS,
    "mentorship:language_switch": REDIRECTS,  # Django's set_language
    "mentorship:invitation_list": REDIRECTS,
    "mentorship:invitation_revoke": REDIRECTS,
    "mentorship:invitation_accept": REDIRECTS,
    "mentorship:notifications_read": REDIRECTS,
    "metrics:weekly_report_draft_now": REDIRECTS,
    "metrics:weekly_report_detail": REDIRECTS,
    "metrics:weekly_report_refresh": REDIRECTS,
    "metrics:weekly_report_send": REDIRECTS,
    "metrics:development_add": REDIRECTS,
    "metrics:development_delete": REDIRECTS,
    "metrics:development_verify": REDIRECTS,
    "metrics:development_unverify": REDIRECTS,
    "metrics:second_reading_rate": HTMX_PART,
    "metrics:survey": REDIRECTS,
    "projects:submit": REDIRECTS,
    "projects:rate": REDIRECTS,
    "projects:claim": REDIRECTS,
    "projects:release": REDIRECTS,
    "projects:draft": HTMX_PART,
    "projects:review_submit": REDIRECTS,
    "projects:reassign": REDIRECTS,
    "projects:note_create": HTMX_PART,
    "projects:note_use": HTMX_PART,
    "projects:recommendation_create": REDIRECTS,
    "projects:recommendation_answer": REDIRECTS,
    "projects:programme_change_set_read": REDIRECTS,
    "projects:programme_changes_read_all": REDIRECTS,
    "students:note_create": REDIRECTS,
    "students:assignment_assign": REDIRECTS,
    "students:session_schedule": REDIRECTS,
    "students:session_log": REDIRECTS,
    "students:session_cancel": REDIRECTS,
    "students:session_rate": REDIRECTS,
    "students:session_call_url": REDIRECTS,
    "students:session_book": REDIRECTS,
    "students:session_availability_slot_add": REDIRECTS,
    "students:session_availability_slot_remove": REDIRECTS,
    "students:session_availability_block_add": REDIRECTS,
    "students:session_availability_block_remove": REDIRECTS,
    "students:flag_acknowledge": HTMX_PART,
    "students:flag_outreach": HTMX_PART,
    "students:flag_verdict": HTMX_PART,
    "students:incident_record": REDIRECTS,
    "students:incident_resolve": REDIRECTS,
    "students:incident_arbitrator": REDIRECTS,
    "students:incident_reopen": REDIRECTS,
    "knowledge_base:case_open": REDIRECTS,
    "knowledge_base:case_reply": REDIRECTS,
    "knowledge_base:case_resolve": REDIRECTS,
    "knowledge_base:proposal_create": REDIRECTS,
    "knowledge_base:proposal_update": REDIRECTS,
    "knowledge_base:article_create": REDIRECTS,
    "knowledge_base:article_edit": REDIRECTS,
    "knowledge_base:article_publish": REDIRECTS,
    "knowledge_base:article_archive": REDIRECTS,
    "knowledge_base:article_helped": HTMX_PART,
    "knowledge_base:article_from_question": REDIRECTS,
    "knowledge_base:question_ask": REDIRECTS,
    "knowledge_base:question_solved": REDIRECTS,
    "knowledge_base:question_answer": REDIRECTS,
    "knowledge_base:answer_accept": REDIRECTS,
    "knowledge_base:question_duplicate": REDIRECTS,
}

# Not the portal's own pages: the admin, allauth's account pages and the API (which
# answers JSON, 201/200 by design).
FOREIGN = ("admin", "account_", "mfa_", "socialaccount", "api")


def _methods(view) -> set[str] | None:
    """The methods a function view accepts, read from ``require_http_methods`` (and
    ``require_POST``/``require_GET``) anywhere in its decorators; None when it names
    none (it then accepts every method)."""
    seen = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        for cell in getattr(view, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(item, str) and item.isupper() for item in value)
            ):
                return set(value)
        view = getattr(view, "__wrapped__", None)
    return None


def _post_routes() -> set[str]:
    routes = set()
    for route in ROUTES:
        if route.name is None or route.is_api or route.name.startswith(FOREIGN):
            continue
        callback = route.pattern.callback
        if hasattr(callback, "view_class"):
            continue  # the API's schema and docs: GET only
        methods = _methods(callback)
        if methods is None or "POST" in methods:
            routes.add(route.name)
    return routes


def test_it_finds_the_views_that_accept_post():
    routes = _post_routes()

    assert {"projects:submit", "knowledge_base:question_solved", "mentorship:profile"} <= routes
    assert "projects:programmes" not in routes  # GET only


def test_every_view_that_accepts_post_is_checked_for_post_redirect_get():
    routes = _post_routes()

    assert routes - set(AUDITED) == set(), (
        "These views accept POST: check that a successful post redirects (an htmx part: "
        "that a plain post of it does), test it, and list them in AUDITED."
    )
    assert set(AUDITED) - routes == set(), "Remove views that no longer accept POST."


# --- Valid posts, without htmx ----------------------------------------------------------


@dataclass
class Post:
    path: str
    data: dict
    headers: dict


@pytest.fixture
def project(student):
    programme = ProgrammeFactory()
    project = ProjectFactory(programme=programme, position=1, deliverable=Deliverable.LINK)
    EnrolmentFactory(student=student, programme=programme)
    return project


def _submit(request) -> Post:
    project = request.getfixturevalue("project")
    return Post(
        reverse("projects:submit", args=[project.pk]),
        {"link": "https://github.com/me/work"},
        {},
    )


def _draft(request) -> Post:
    project = request.getfixturevalue("project")
    student = request.getfixturevalue("student")
    mentor = request.getfixturevalue("mentor")
    submission = SubmissionFactory(student=student, project=project)
    project_services.submission_claim(submission=submission, reviewer=mentor)
    return Post(reverse("projects:draft", args=[submission.pk]), {"feedback": "Half way"}, {})


def _note_create(request) -> Post:
    project = request.getfixturevalue("project")
    student = request.getfixturevalue("student")
    submission = SubmissionFactory(student=student, project=project)
    return Post(
        reverse("projects:note_create", args=[project.pk]),
        {"title": "Tests", "body": "Write one per function."},
        {"Referer": reverse("projects:review", args=[submission.pk])},
    )


def _note_use(request) -> Post:
    project = request.getfixturevalue("project")
    student = request.getfixturevalue("student")
    SubmissionFactory(student=student, project=project)
    note = ReviewNoteFactory(project=project, author=request.getfixturevalue("mentor"))
    return Post(reverse("projects:note_use", args=[note.pk]), {}, {})


def _question_solved(request) -> Post:
    article = Article.objects.create(
        title="Grid", body="B", status=ArticleStatus.PUBLISHED, published_at=timezone.now()
    )
    return Post(
        reverse("knowledge_base:question_solved"),
        {"kind": "article", "pk": article.pk, "query": "grid"},
        {},
    )


def _notifications_read(request) -> Post:
    notification_send(user=request.getfixturevalue("student"), kind="test", title="Hello", url="")
    return Post(reverse("mentorship:notifications_read"), {}, {})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "build"),
    [
        ("student", _submit),
        ("mentor", _draft),
        ("mentor", _note_create),
        ("mentor", _note_use),
        ("student", _question_solved),
        ("student", _notifications_read),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_a_valid_post_redirects_to_a_page(client, as_user, request, role, build):
    post = build(request)
    as_user(role)

    response = client.post(post.path, post.data, headers=post.headers)

    assert response.status_code in (302, 303), post.path
    assert response.url != post.path
    page = client.get(response.url)
    assert page.status_code == 200, response.url
    assert "<html" in page.content.decode()[:500].lower()
