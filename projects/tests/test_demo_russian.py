"""The demo's course content in Russian (``projects/demo_curriculum_ru.py``): a Russian
student of the demo reads the programme, the briefs, the rubric and the mentors' notes
in Russian; what staff wrote is kept on another run."""

import random

import pytest
from django.utils import translation

from projects.demo import seed_curriculum, seed_programmes, seed_review_notes, seed_russian_text
from projects.demo_curriculum import CURRICULUM, REVIEW_NOTES, WEB
from projects.demo_curriculum_ru import BRIEFS_RU, CRITERIA_RU, PROGRAMMES_RU, REVIEW_NOTES_RU
from projects.models import Programme, Project, ReviewNote, RubricCriterion


@pytest.fixture
def seeded(db):
    seed_programmes(mentors=0)
    seed_curriculum()
    seed_review_notes(random.Random(1))


def test_the_russian_follows_the_english_one_for_one():
    for key, spec in CURRICULUM.items():
        assert key in BRIEFS_RU
        assert len(CRITERIA_RU[key]) == len(spec.criteria), key
    for slug, notes in REVIEW_NOTES.items():
        assert len(REVIEW_NOTES_RU[slug]) == len(notes)
    assert set(PROGRAMMES_RU) == {slug for slug, _position in CURRICULUM}


def test_a_russian_reader_reads_the_demo_in_russian(seeded):
    with translation.override("ru"):
        programme = Programme.objects.get(slug=WEB)
        project = programme.projects.get(position=1)
        criterion = project.criteria.get(position=1)
        note = ReviewNote.objects.filter(project=project).order_by("title_en").first()

        assert programme.title == "Веб-разработчик"
        assert project.title == "Личная страница на HTML и CSS"
        assert project.brief == BRIEFS_RU[(WEB, 1)]
        assert (criterion.title, criterion.met_means) == CRITERIA_RU[(WEB, 1)][0]
        assert note.title in {title for title, _body in REVIEW_NOTES_RU[WEB]}
    with translation.override("en"):
        assert Project.objects.get(pk=project.pk).brief == CURRICULUM[(WEB, 1)].brief
        assert programme.title == "Web Developer"


def test_every_demo_text_has_its_russian(seeded):
    assert not Programme.objects.filter(title_ru__isnull=True).exists()
    assert not Project.objects.filter(title_ru__isnull=True).exists()
    assert not Project.objects.filter(brief_ru__isnull=True).exists()
    assert not RubricCriterion.objects.filter(title_ru__isnull=True).exists()
    assert not ReviewNote.objects.filter(body_ru__isnull=True).exists()


def test_it_keeps_what_staff_wrote_and_changes_nothing_the_second_time(seeded):
    project = Project.objects.get(programme__slug=WEB, position=2)
    project.title_ru = "Вёрстка для телефонов"
    project.brief_en = "A brief staff rewrote."
    project.brief_ru = None
    project.save()

    assert seed_russian_text() == 0

    project.refresh_from_db()
    assert project.title_ru == "Вёрстка для телефонов"
    assert project.brief_ru is None  # not the translation of the brief staff replaced
