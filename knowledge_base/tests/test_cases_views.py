"""The case discussion pages: list, raise, detail, reply and resolve, per role."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from knowledge_base.models import CaseAudience, CaseDiscussion, CaseReply
from mentorship.models import Notification
from mentorship.tests.factories import MentorFactory

LIST = reverse("knowledge_base:case_list")
NEW = reverse("knowledge_base:case_open")


def detail_url(case):
    return reverse("knowledge_base:case_detail", args=[case.pk])


def reply_url(case):
    return reverse("knowledge_base:case_reply", args=[case.pk])


def resolve_url(case):
    return reverse("knowledge_base:case_resolve", args=[case.pk])


def make_case(author, *, audience=CaseAudience.SUPERVISOR, student=None, title="Hard case"):
    return CaseDiscussion.objects.create(
        author=author, audience=audience, title=title, body="**Help**", student=student
    )


@pytest.fixture
def private_case(mentor, student):
    """Raised by ``mentor`` to their supervisor only, about ``student``."""
    return make_case(mentor, student=student, title="Private case")


@pytest.fixture
def shared_case(mentor, student):
    """Raised by ``mentor`` to all mentors, about ``student``."""
    return make_case(mentor, audience=CaseAudience.MENTORS, student=student, title="Shared case")


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, NEW, "/cases/1/"])
def test_it_sends_anonymous_people_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("role", "private_status", "shared_status"),
    [
        ("student", 403, 403),
        ("other_student", 403, 403),
        ("mentor", 200, 200),
        ("other_mentor", 404, 200),
        ("supervisor", 200, 200),
        ("other_supervisor", 404, 404),
        ("staff", 200, 200),
    ],
)
def test_it_shows_a_case_only_to_whoever_may_see_it(
    as_user, client, private_case, shared_case, role, private_status, shared_status
):
    as_user(role)

    assert client.get(detail_url(private_case)).status_code == private_status
    assert client.get(detail_url(shared_case)).status_code == shared_status


@pytest.mark.parametrize(
    ("role", "status", "titles"),
    [
        ("student", 403, None),
        ("other_student", 403, None),
        ("mentor", 200, {"Private case", "Shared case"}),
        ("other_mentor", 200, {"Shared case"}),
        ("supervisor", 200, {"Private case", "Shared case"}),
        ("other_supervisor", 200, set()),
        ("staff", 200, {"Private case", "Shared case"}),
    ],
)
def test_it_lists_only_cases_the_person_may_see(
    as_user, client, private_case, shared_case, role, status, titles
):
    as_user(role)

    response = client.get(LIST)

    assert response.status_code == status
    if titles is not None:
        assert {case.title for case in response.context["page"].object_list} == titles


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 200),
        ("other_mentor", 200),
        ("supervisor", 403),
        ("other_supervisor", 403),
        ("staff", 403),
    ],
)
def test_it_lets_only_mentors_raise_a_case(as_user, client, role, status):
    as_user(role)

    assert client.get(NEW).status_code == status
    response = client.post(NEW, {"title": "T", "audience": "supervisor", "body": "B"})
    assert response.status_code == (302 if status == 200 else status)
    assert CaseDiscussion.objects.count() == (1 if status == 200 else 0)


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
def test_it_lets_only_those_who_see_a_case_reply(as_user, client, private_case, role, status):
    as_user(role)

    response = client.post(reply_url(private_case), {"body": "Try this"})

    assert response.status_code == status
    assert CaseReply.objects.count() == (1 if status == 302 else 0)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 302),
        ("other_mentor", 403),
        ("supervisor", 302),
        ("other_supervisor", 404),
        ("staff", 302),
    ],
)
def test_it_lets_only_the_author_their_supervisor_or_staff_resolve(
    as_user, client, shared_case, role, status
):
    as_user(role)

    response = client.post(resolve_url(shared_case))

    assert response.status_code == status
    shared_case.refresh_from_db()
    assert shared_case.is_resolved == (status == 302)


@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("post", "knowledge_base:case_list"),
        ("put", "knowledge_base:case_open"),
        ("post", "knowledge_base:case_detail"),
        ("get", "knowledge_base:case_reply"),
        ("get", "knowledge_base:case_resolve"),
    ],
)
def test_it_refuses_other_methods(as_user, client, private_case, method, url_name):
    as_user("mentor")
    args = (
        []
        if url_name in ("knowledge_base:case_list", "knowledge_base:case_open")
        else [private_case.pk]
    )

    response = getattr(client, method)(reverse(url_name, args=args))

    assert response.status_code == 405


# --- Behaviour ------------------------------------------------------------------------


def test_it_raises_a_case_about_a_student_and_tells_the_supervisor(
    as_user, client, student, supervisor
):
    as_user("mentor")

    response = client.post(
        NEW,
        {"title": "Stuck", "audience": "mentors", "body": "She is *stuck*", "student": student.pk},
    )

    case = CaseDiscussion.objects.get()
    assert response.url == detail_url(case)
    assert case.student == student
    assert case.audience == CaseAudience.MENTORS
    assert list(Notification.objects.values_list("user", flat=True)) == [supervisor.pk]


def test_it_offers_only_the_mentors_current_students(as_user, client, student, other_student):
    as_user("mentor")

    response = client.post(
        NEW, {"title": "T", "audience": "supervisor", "body": "B", "student": other_student.pk}
    )

    assert response.status_code == 400
    assert "student" in response.context["form"].errors
    assert not CaseDiscussion.objects.exists()


def test_it_renders_markdown_and_the_thread(as_user, client, private_case, supervisor):
    CaseReply.objects.create(case=private_case, author=supervisor, body="_first_")
    as_user("mentor")

    response = client.get(detail_url(private_case))

    assert b"<strong>Help</strong>" in response.content
    assert b"<em>first</em>" in response.content
    assert response.context["can_resolve"] is True


def test_it_shows_a_blank_reply_beside_the_field(as_user, client, private_case):
    as_user("mentor")

    response = client.post(reply_url(private_case), {"body": ""})

    assert response.status_code == 400
    assert "body" in response.context["reply_form"].errors
    assert not CaseReply.objects.exists()


def test_it_filters_open_resolved_and_mine(as_user, client, mentor, other_mentor, supervisor):
    mine_open = make_case(mentor, title="Mine open")
    mine_resolved = make_case(mentor, title="Mine resolved")
    mine_resolved.resolved_at = timezone.now()
    mine_resolved.resolved_by = supervisor
    mine_resolved.save()
    make_case(other_mentor, audience=CaseAudience.MENTORS, title="Theirs")
    as_user("mentor")

    def titles(show):
        response = client.get(LIST, {"show": show})
        return [case.title for case in response.context["page"].object_list]

    assert titles("") == ["Theirs", "Mine open", "Mine resolved"]
    assert titles("open") == ["Theirs", "Mine open"]
    assert titles("resolved") == ["Mine resolved"]
    assert titles("mine") == ["Mine open", "Mine resolved"]
    assert mine_open.title in titles("mine")


def test_it_lists_open_cases_first_then_the_resolved_newest_first(as_user, client, mentor):
    now = timezone.now()
    made = {}
    # (title, created days ago, resolved days ago or None)
    for title, created, resolved in [
        ("Old open", 9, None),
        ("New open", 1, None),
        ("Old, resolved long ago", 8, 6),
        ("Newer, resolved yesterday", 3, 1),
    ]:
        case = make_case(mentor, title=title)
        case.created_at = now - timedelta(days=created)
        if resolved is not None:
            case.resolved_at = now - timedelta(days=resolved)
            case.resolved_by = mentor
        case.save()
        made[title] = case
    as_user("mentor")

    response = client.get(LIST)

    assert [case.title for case in response.context["page"].object_list] == [
        "New open",
        "Old open",
        "Newer, resolved yesterday",
        "Old, resolved long ago",
    ]


@pytest.mark.parametrize("count", [10, 200])
def test_it_lists_cases_in_constant_queries(
    as_user, client, mentor, count, django_assert_max_num_queries
):
    authors = [mentor, *MentorFactory.create_batch(3)]
    CaseDiscussion.objects.bulk_create(
        CaseDiscussion(
            author=authors[index % 4],
            audience=CaseAudience.MENTORS,
            title=f"Case {index}",
            body="B",
        )
        for index in range(count)
    )
    as_user("mentor")

    # session + user, count, page of cases with authors, students and reply counts
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(6):
        response = client.get(LIST)

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, 25)


@pytest.mark.parametrize(
    ("role", "linked"), [("mentor", True), ("supervisor", True), ("student", False)]
)
def test_it_links_the_list_from_mentor_and_supervisor_home_pages(as_user, client, role, linked):
    as_user(role)

    response = client.get(reverse("metrics:home"))

    assert (LIST.encode() in response.content) == linked
