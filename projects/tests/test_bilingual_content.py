"""Course content in English and Russian (``projects/translation.py``): each reader
sees their language, else the other; the pages, the API (``Accept-Language``), the
notifications and the queries through other models agree."""

import pytest
from django.db.models import Value
from django.urls import reverse
from django.utils import translation

from mentorship.models import Notification
from mentorship.services import api_token_create
from mentorship.translated import translated
from projects import services
from projects.models import CriterionVerdict, ReviewNote, RubricCriterion, Submission, Verdict
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    SubmissionFactory,
)
from projects.tests.helpers_curriculum import attempt_reviewed, attempt_waiting


@pytest.fixture
def project(student):
    programme = ProgrammeFactory(title="Web Developer")
    programme.title_ru = "Веб-разработчик"
    programme.save()
    project = ProjectFactory(
        programme=programme, position=1, title="Personal page", brief="Write **HTML**.", criteria=0
    )
    project.title_ru, project.brief_ru = "Личная страница", "Напишите **HTML**."
    project.save()
    RubricCriterion.objects.create(
        project=project,
        position=1,
        title_en="Semantic HTML",
        title_ru="Семантическая разметка",
        met_means_en="Landmarks are used.",
        met_means_ru="",  # not translated yet: Russian readers read the English
    )
    EnrolmentFactory(student=student, programme=programme)
    return project


def _switch(client, language: str) -> None:
    response = client.post(reverse("mentorship:language_switch"), {"language": language})
    assert response.status_code == 302


def test_it_shows_the_course_in_the_language_just_chosen(client, as_user, project):
    as_user("student")
    url = reverse("projects:project", args=[project.pk])

    english = client.get(url).content.decode()
    _switch(client, "ru")
    russian = client.get(url).content.decode()
    _switch(client, "en")
    english_again = client.get(url).content.decode()

    for page in (english, english_again):
        assert "Personal page" in page
        assert "Личная страница" not in page
        assert "<strong>HTML</strong>" in page
        assert "Напишите" not in page
        assert "Semantic HTML" in page
        assert "Семантическая разметка" not in page
    assert "Личная страница" in russian
    assert "Personal page" not in russian
    assert "Напишите <strong>HTML</strong>." in russian
    assert "Семантическая разметка" in russian
    assert "Landmarks are used." in russian  # no Russian yet: the English, not nothing


def test_it_falls_back_to_russian_for_an_english_reader(client, as_user, project):
    project.title_en, project.brief_en = "", None
    project.save()
    as_user("student")

    page = client.get(reverse("projects:project", args=[project.pk])).content.decode()

    assert "Личная страница" in page
    assert "Напишите <strong>HTML</strong>." in page


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Personal page"), ("ru", "Личная страница")]
)
def test_it_reads_titles_through_other_models_in_the_reader_s_language(
    student, project, language, title
):
    SubmissionFactory(student=student, project=project)

    with translation.override(language):
        found = Submission.objects.values_list(translated("project__title"), flat=True).get()

    assert found == title


def test_it_reads_the_other_language_through_other_models_when_one_is_empty(student, project):
    project.title_ru = ""
    project.save()
    SubmissionFactory(student=student, project=project)

    with translation.override("ru"):
        row = Submission.objects.values(
            project_title=translated("project__title"),
            criterion=translated("project__criteria__title"),
        ).get()

    assert row == {"project_title": "Personal page", "criterion": "Семантическая разметка"}


def test_it_reads_nothing_as_empty_text(student, project):
    RubricCriterion.objects.filter(project=project).update(title_en=None, title_ru="")

    with translation.override("ru"):
        found = RubricCriterion.objects.values_list(
            translated("title"), Value("x"), named=False
        ).get()

    assert found == ("", "x")


# --- The API --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "title", "criterion"),
    [
        ({}, "Personal page", "Semantic HTML"),
        ({"HTTP_ACCEPT_LANGUAGE": "ru"}, "Личная страница", "Семантическая разметка"),
        ({"HTTP_ACCEPT_LANGUAGE": "ru-RU,ru;q=0.9,en;q=0.8"}, "Личная страница", None),
        ({"HTTP_ACCEPT_LANGUAGE": "de, en;q=0.5"}, "Personal page", None),
    ],
)
def test_the_api_answers_in_the_language_asked(client, as_user, project, header, title, criterion):
    as_user("student")

    response = client.get(reverse("api:project-detail", args=[project.pk]), **header)

    assert response.status_code == 200
    data = response.json()
    assert data["title"] == title
    assert response.headers["Content-Language"] == ("ru" if "ru" in str(header) else "en")
    if criterion:
        assert data["criteria"][0]["title"] == criterion


def test_the_api_answers_a_session_in_the_person_s_language(client, as_user, project):
    user = as_user("student")
    user.language = "ru"
    user.save()

    response = client.get(reverse("api:programme-detail", args=[project.programme.pk]))

    assert response.json()["title"] == "Веб-разработчик"


def test_accept_language_wins_over_the_person_s_language_on_the_api(client, as_user, project):
    user = as_user("student")
    user.language = "ru"
    user.save()

    response = client.get(
        reverse("api:programme-detail", args=[project.programme.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.json()["title"] == "Web Developer"
    assert response.headers["Content-Language"] == "en"


def test_accept_language_does_not_change_the_pages_of_a_person_who_chose(client, as_user, project):
    as_user("student")

    page = client.get(reverse("projects:project", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="ru")

    assert "Personal page" in page.content.decode()


@pytest.mark.parametrize(
    ("header", "title"),
    [({}, "Веб-разработчик"), ({"HTTP_ACCEPT_LANGUAGE": "en"}, "Web Developer")],
)
def test_a_token_reads_its_person_s_language_unless_another_is_asked(
    client, mentor, staff, project, header, title
):
    mentor.language = "ru"
    mentor.save()
    mentor.mentor_profile.programmes.add(project.programme)
    _token, key = api_token_create(name="Platform", user=mentor, created_by=staff)

    response = client.get(
        reverse("api:programme-detail", args=[project.programme.pk]),
        HTTP_AUTHORIZATION=f"Bearer {key}",
        **header,
    )

    assert response.status_code == 200, response.content
    assert response.json()["title"] == title


# --- Notifications and notes ----------------------------------------------------------


def test_a_notification_quotes_the_title_in_the_recipient_s_language(student, mentor, project):
    mentor.language = "ru"
    mentor.save()

    with translation.override("en"):  # the student reads English
        services.submission_create(
            student=student, project=project, comment="", link="https://x.test"
        )

    # Read in the reader's language of the moment (the mentor's Russian), and in English
    # once they switch.
    notification = Notification.objects.get(user=mentor)
    with translation.override(mentor.language):
        assert "Личная страница" in notification.title
        assert "Personal page" not in notification.title
    with translation.override("en"):
        assert "Personal page" in notification.title


def test_a_review_tells_the_student_in_their_language(
    django_capture_on_commit_callbacks, student, mentor, project
):
    student.language = "ru"
    student.save()
    submission = attempt_waiting(student=student, project=project)
    criterion = project.criteria.get()

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.review_submit(
            submission=submission,
            reviewer=mentor,
            verdict=Verdict.CHANGES_REQUESTED,
            feedback="Almost.",
            criteria={criterion.pk: services.CriterionInput(met=False)},
        )

    with translation.override(student.language):
        assert "Личная страница" in Notification.objects.get(user=student).title


@pytest.mark.parametrize(
    ("title", "body", "language"),
    [("Tests", "Write a test for each function.", "en"), ("Тесты", "Напишите тест.", "ru")],
)
def test_a_note_is_kept_in_the_language_it_is_written_in(mentor, project, title, body, language):
    with translation.override("ru" if language == "en" else "en"):  # the page's, not the note's
        note = services.review_note_create(project=project, author=mentor, title=title, body=body)

    stored = ReviewNote.objects.values("title_en", "title_ru", "body_en", "body_ru").get(
        pk=note.pk
    )
    other = "ru" if language == "en" else "en"
    assert (stored[f"title_{language}"], stored[f"body_{language}"]) == (title, body)
    assert not stored[f"title_{other}"]
    assert not stored[f"body_{other}"]
    with translation.override(other):
        assert ReviewNote.objects.get(pk=note.pk).title == title  # read by everyone


def test_a_criterion_verdict_names_the_criterion_in_the_reader_s_language(student, project):
    attempt_reviewed(student=student, project=project)  # a verdict on each criterion

    with translation.override("ru"):
        assert CriterionVerdict.objects.get().criterion.title == "Семантическая разметка"
