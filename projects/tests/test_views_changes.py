"""The programme change log: who reads it, what it shows, marking read, its queries."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from conftest import ROLES
from mentorship.tests.factories import MentorFactory
from projects import changes
from projects.models import ProgrammeChangeReceipt
from projects.tests.factories import ProgrammeFactory, ProjectFactory

pytestmark = pytest.mark.django_db

# ``mentor`` teaches the programme; ``supervisor`` leads ``mentor``'s team.
MAY_READ = {"mentor", "supervisor", "staff"}


@pytest.fixture
def programme(mentor):
    programme = ProgrammeFactory(title="Data analysis", slug="data")
    ProjectFactory(programme=programme, position=1, title="Step 1")
    mentor.mentor_profile.programmes.add(programme)
    return programme


def _record(programme, *, brief: str = "", title: str = "", actor=None):
    before = changes.programme_snapshots([programme.pk])
    project = programme.projects.get(position=1)
    project.brief = brief or project.brief
    project.title = title or project.title
    project.save()
    (change_set,) = changes.programme_changes_record(actor=actor, before=before)
    return change_set


def _log(programme) -> str:
    return reverse("projects:programme_changes", kwargs={"slug": programme.slug})


def _read(programme, change_set) -> str:
    return reverse(
        "projects:programme_change_set_read",
        kwargs={"slug": programme.slug, "pk": change_set.pk},
    )


def _read_all(programme) -> str:
    return reverse("projects:programme_changes_read_all", kwargs={"slug": programme.slug})


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_the_log_to_the_programmes_people_and_no_one_else(
    client, as_user, programme, role
):
    _record(programme, title="Load a CSV")
    as_user(role)

    response = client.get(_log(programme))

    assert response.status_code == (200 if role in MAY_READ else 404)
    if role in MAY_READ:
        assertContains(response, "Load a CSV")


def test_it_sends_anonymous_people_to_sign_in(client, programme):
    response = client.get(_log(programme))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_the_programmes_people_post_mark_read(client, as_user, programme, role):
    change_set = _record(programme, title="Load a CSV")
    as_user(role)

    one = client.post(_read(programme, change_set))
    every = client.post(_read_all(programme))

    expected = 302 if role in MAY_READ else 404
    assert (one.status_code, every.status_code) == (expected, expected)
    # Whoever posts, only the mentor's own receipt is theirs to mark.
    assert ProgrammeChangeReceipt.objects.get().read_at is None or role == "mentor"


def test_it_refuses_get_on_mark_read(client, as_user, programme):
    change_set = _record(programme, title="A")
    as_user("mentor")

    assert client.get(_read(programme, change_set)).status_code == 405
    assert client.get(_read_all(programme)).status_code == 405
    assert ProgrammeChangeReceipt.objects.get().read_at is None


def test_it_answers_404_for_a_change_set_of_another_programme(client, as_user, programme):
    other = ProgrammeFactory()
    ProjectFactory(programme=other, position=1)
    change_set = _record(other, title="Elsewhere")
    as_user("staff")

    response = client.post(_read(programme, change_set))

    assert response.status_code == 404


def test_it_shows_the_before_and_after_of_a_brief_escaped(client, as_user, programme, staff):
    _record(programme, brief="Load the data with <script>alert(1)</script> pandas.", actor=staff)
    as_user("mentor")

    response = client.get(_log(programme))

    assertContains(response, "Stella Staff")
    assertContains(response, '<del class="bg-danger-subtle">')
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assertNotContains(response, "<script>alert(1)")
    assertContains(response, 'data-testid="mark-read"')
    assertContains(response, 'data-testid="unread-count"')


def test_it_marks_one_read_and_comes_back_to_it(client, as_user, programme):
    first = _record(programme, title="A")
    second = _record(programme, title="B")
    mentor = as_user("mentor")

    response = client.post(_read(programme, first), {"page": "1"})

    assert response.status_code == 302
    assert response.url == f"/programmes/data/changes/#change-set-{first.pk}"
    unread = ProgrammeChangeReceipt.objects.filter(mentor=mentor, read_at__isnull=True)
    assert list(unread.values_list("change_set", flat=True)) == [second.pk]
    page = client.get(response.url)
    assertContains(page, "1 unread")


def test_it_marks_all_read_and_keeps_the_page(client, as_user, programme):
    _record(programme, title="A")
    _record(programme, title="B")
    as_user("mentor")

    response = client.post(_read_all(programme), {"page": "2"})

    assert response.url == "/programmes/data/changes/?page=2"
    assert not ProgrammeChangeReceipt.objects.filter(read_at__isnull=True).exists()
    page = client.get(_log(programme))
    assertContains(page, "2 change sets marked read.")
    assertNotContains(page, 'data-testid="mark-read"')


def test_it_links_the_log_from_the_programme_page_for_those_who_may_read_it(
    client, as_user, programme
):
    _record(programme, title="A")
    as_user("mentor")
    response = client.get(reverse("projects:programme", kwargs={"slug": programme.slug}))
    assertContains(response, 'data-testid="changes-link"')
    assertContains(response, "1 unread")

    as_user("other_mentor")
    response = client.get(reverse("projects:programme", kwargs={"slug": programme.slug}))
    assertNotContains(response, 'data-testid="changes-link"')


def test_it_pages_the_log(client, as_user, programme):
    for number in range(12):
        _record(programme, title=f"Title {number}")
    as_user("mentor")

    first = client.get(_log(programme))
    second = client.get(_log(programme) + "?page=2")

    assert len(first.context["entries"]) == 10
    assert len(second.context["entries"]) == 2
    assertContains(first, "Title 11")
    assertContains(second, "Title 0")


@pytest.mark.parametrize("size", [2, 10])
def test_it_reads_the_log_in_constant_queries(
    client, as_user, programme, django_assert_max_num_queries, size
):
    for _ in range(size):
        ProjectFactory(programme=programme, criteria=2)
    for number in range(size):
        colleague = MentorFactory()
        colleague.mentor_profile.programmes.add(programme)
        before = changes.programme_snapshots([programme.pk])
        programme.projects.update(brief=f"Brief {number}\nline two", target_days=number + 20)
        changes.programme_changes_record(actor=None, before=before)
    as_user("mentor")

    # session, user, programme, unread count, page count, page of change sets,
    # their changes; the messages and the navigation's few.
    with django_assert_max_num_queries(12):
        response = client.get(_log(programme))

    assert response.status_code == 200
    assert len(response.context["entries"]) == size
