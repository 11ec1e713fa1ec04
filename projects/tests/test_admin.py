"""The admin, where staff edit the curriculum and look into the review loop."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from conftest import ROLES
from projects.models import (
    Cohort,
    CohortDeadline,
    DifficultyRating,
    Enrolment,
    Programme,
    Project,
    Review,
    ReviewNote,
    RubricCriterion,
    Submission,
)
from projects.tests.factories import (
    DifficultyRatingFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReviewFactory,
    ReviewNoteFactory,
    SubmissionFactory,
    SubmissionFileFactory,
)

MODELS = [
    Programme,
    Project,
    Cohort,
    Enrolment,
    Submission,
    Review,
    ReviewNote,
    DifficultyRating,
]
NON_STAFF_ROLES = [role for role in ROLES if role != "staff"]

pytestmark = pytest.mark.django_db


def _url(model, page: str, *args) -> str:
    return reverse(f"admin:projects_{model._meta.model_name}_{page}", args=args)


def _loop(count: int) -> None:
    """``count`` reviewed submissions, with a file, a rating and a note each."""
    project = ProjectFactory()
    for _ in range(count):
        cohort = Cohort.objects.create(
            programme=project.programme,
            title="Spring",
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 6, 30),
        )
        CohortDeadline.objects.create(cohort=cohort, project=project, due_on=date(2026, 4, 1))
        enrolment = EnrolmentFactory(programme=project.programme, cohort=cohort)
        submission = SubmissionFactory(student=enrolment.student, project=project)
        SubmissionFileFactory(submission=submission)
        ReviewFactory(submission=submission)
        DifficultyRatingFactory(submission=submission)
        ReviewNoteFactory(project=project)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_shows_staff_every_change_page(client, as_user, model):
    _loop(1)
    as_user("staff")

    response = client.get(_url(model, "change", model.objects.first().pk))

    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_lists_rows_in_a_constant_number_of_queries(
    client, as_user, model, django_assert_max_num_queries
):
    as_user("staff")
    counts = []
    for added in (3, 27):
        _loop(added)
        # session, user, counts, the page with list_select_related's joins, the
        # filters' choices and the date hierarchy: none of them grows with the rows.
        with django_assert_max_num_queries(12) as captured:
            response = client.get(_url(model, "changelist"))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("role", NON_STAFF_ROLES)
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_sends_other_roles_to_the_admin_login(client, as_user, role, model):
    as_user(role)

    response = client.get(_url(model, "changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", [Submission, Review, DifficultyRating], ids=lambda m: m.__name__)
def test_it_leaves_writing_the_review_loop_to_the_portal(client, as_user, model):
    as_user("staff")

    response = client.get(_url(model, "add"))

    assert response.status_code == 403


def test_it_shows_a_programmes_projects_inline(client, as_user):
    project = ProjectFactory(title="Build a blog")
    as_user("staff")

    response = client.get(_url(Programme, "change", project.programme.pk))

    assertContains(response, "Build a blog")


def test_it_lets_staff_write_a_rubric_with_the_project(client, as_user):
    programme = ProgrammeFactory()
    as_user("staff")

    response = client.post(
        _url(Project, "add"),
        {
            "programme": programme.pk,
            "position": 1,
            "title_en": "Build a blog",
            "title_ru": "Свой блог",
            "brief_en": "# Brief",
            "brief_ru": "# Задание",
            "effort_hours": 10,
            "target_days": 14,
            "deliverable": "either",
            "allowed_file_types": "py,md",
            "max_file_size_mb": 5,
            "criteria-TOTAL_FORMS": 2,
            "criteria-INITIAL_FORMS": 0,
            "criteria-MIN_NUM_FORMS": 0,
            "criteria-MAX_NUM_FORMS": 1000,
            "criteria-0-position": 2,
            "criteria-0-title_en": "Tested",
            "criteria-0-title_ru": "Есть тесты",
            "criteria-0-met_means_en": "Tests pass.",
            "criteria-0-met_means_ru": "Тесты проходят.",
            "criteria-1-position": 1,
            "criteria-1-title_en": "",
            "criteria-1-title_ru": "Запускается",
            "criteria-1-met_means_en": "",
            "criteria-1-met_means_ru": "",
        },
    )

    assert response.status_code == 302, response.context["errors"]
    project = Project.objects.get(title_en="Build a blog")
    assert (project.title_ru, project.brief_en, project.brief_ru) == (
        "Свой блог",
        "# Brief",
        "# Задание",
    )
    assert list(project.criteria.values_list("position", "title_en", "title_ru")) == [
        (1, None, "Запускается"),  # left empty: read in Russian by everyone
        (2, "Tested", "Есть тесты"),
    ]
    assert project.criteria.get(position=2).met_means_ru == "Тесты проходят."


def test_it_shows_both_languages_side_by_side(client, as_user):
    project = ProjectFactory(title="Build a blog", criteria=1)
    project.title_ru = "Свой блог"
    project.save()
    as_user("staff")

    response = client.get(_url(Project, "change", project.pk))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert {"title_en", "title_ru", "brief_en", "brief_ru"} <= set(form.fields)
    assert "title" not in form.fields
    assertContains(response, 'name="title_ru"')
    assertContains(response, "Свой блог")
    assertContains(response, 'name="criteria-0-title_ru"')
    assertNotContains(response, "jquery-ui")  # the tabbed admin's CDN script: refused by the CSP


def test_it_needs_a_title_in_one_language_at_least(client, as_user):
    programme = ProgrammeFactory()
    as_user("staff")

    response = client.post(
        _url(Project, "add"),
        {
            "programme": programme.pk,
            "position": 1,
            "title_en": " ",
            "title_ru": "",
            "brief_en": "Kept",
            "effort_hours": 10,
            "target_days": 14,
            "deliverable": "either",
            "allowed_file_types": "md",
            "max_file_size_mb": 5,
            "criteria-TOTAL_FORMS": 0,
            "criteria-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"title_en": ["Write it in one language at least; both may be given."]}
    assertContains(response, "Kept")
    assert not Project.objects.exists()


def test_it_takes_a_russian_title_alone(client, as_user):
    programme = ProgrammeFactory(title="Data")
    as_user("staff")

    response = client.post(
        _url(Programme, "change", programme.pk),
        {
            "title_en": "",
            "title_ru": "Данные",
            "slug": programme.slug,
            "description_en": "",
            "description_ru": "Программа о данных.",
            "is_active": "on",
            "projects-TOTAL_FORMS": "0",
            "projects-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    programme.refresh_from_db()
    assert (programme.title_en, programme.title_ru) == (None, "Данные")
    with translation.override("en"):
        assert programme.title == "Данные"  # nothing in English: the Russian text


def test_it_orders_the_rubric_by_position(client, as_user):
    project = ProjectFactory(criteria=0)
    RubricCriterion.objects.create(project=project, position=2, title="Second criterion")
    RubricCriterion.objects.create(project=project, position=1, title="First criterion")
    as_user("staff")

    content = client.get(_url(Project, "change", project.pk)).content.decode()

    assert content.index("First criterion") < content.index("Second criterion")


def test_it_shows_a_submissions_files_and_review_read_only(client, as_user):
    submission = SubmissionFactory()
    SubmissionFileFactory(submission=submission, original_name="solution.py")
    ReviewFactory(submission=submission, feedback="Nice and tidy")
    as_user("staff")

    response = client.get(_url(Submission, "change", submission.pk))

    assertContains(response, "solution.py")
    assertContains(response, "Nice and tidy")
    assertNotContains(response, 'name="review-0-feedback"')
    assertNotContains(response, 'name="files-0-original_name"')


def test_it_shows_a_reviews_verdicts(client, as_user):
    review = ReviewFactory()
    as_user("staff")

    response = client.get(_url(Review, "change", review.pk))

    for criterion in review.submission.project.criteria.all():
        assertContains(response, criterion.title)


def test_it_searches_submissions_by_student(client, as_user):
    SubmissionFactory(student__email="findme@example.test")
    SubmissionFactory()
    as_user("staff")

    response = client.get(_url(Submission, "changelist"), {"q": "findme"})

    assert response.context["cl"].result_count == 1


def test_it_filters_submissions_by_status_and_programme(client, as_user):
    waiting = SubmissionFactory()
    ReviewFactory()
    as_user("staff")

    response = client.get(
        _url(Submission, "changelist"),
        {
            "status__exact": "submitted",
            "project__programme__id__exact": waiting.project.programme_id,
        },
    )

    assert list(response.context["cl"].result_list) == [waiting]


def test_it_autocompletes_students_for_an_enrolment(client, as_user, student):
    as_user("staff")

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "projects",
            "model_name": "enrolment",
            "field_name": "student",
            "term": "Stas",
        },
    )

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(student.pk)]


def test_it_offers_a_cohorts_deadlines_the_projects_of_its_programme(client, as_user):
    _loop(1)
    cohort = Cohort.objects.get()
    ProjectFactory(title="Of another programme")
    ProjectFactory(programme=cohort.programme, title="Due at the end")
    as_user("staff")

    response = client.get(_url(Cohort, "change", cohort.pk))

    assertContains(response, "Due at the end")
    assertNotContains(response, "Of another programme")
