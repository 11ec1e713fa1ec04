"""``projects 0012``/``0013``: course content written before it had two languages is
copied into the English columns (nothing a reader saw is lost), the Russian ones start
empty, and going back keeps the latest English text."""

import pytest
from django.utils import translation

from mentorship.tests.migrations import migrate_to, migrate_to_latest

BEFORE = [("projects", "0011_programme_change_log")]
AFTER = [("projects", "0013_course_content_english_copied")]


@pytest.fixture
def before_languages(transactional_db):
    apps = migrate_to(BEFORE)
    yield apps
    migrate_to_latest()


def test_it_copies_the_existing_text_into_english(before_languages):
    Programme = before_languages.get_model("projects", "Programme")
    Project = before_languages.get_model("projects", "Project")
    Criterion = before_languages.get_model("projects", "RubricCriterion")
    programme = Programme.objects.create(slug="web", title="Web", description="From HTML.")
    project = Project.objects.create(
        programme=programme, position=1, title="Page", brief="Write **HTML**."
    )
    Criterion.objects.create(project=project, position=1, title="Valid", met_means="")

    apps = migrate_to(AFTER)

    Programme = apps.get_model("projects", "Programme")
    Project = apps.get_model("projects", "Project")
    Criterion = apps.get_model("projects", "RubricCriterion")
    assert Programme.objects.values("title_en", "title_ru", "description_en").get() == {
        "title_en": "Web",
        "title_ru": None,
        "description_en": "From HTML.",
    }
    assert Project.objects.values("title_en", "brief_en", "brief_ru").get() == {
        "title_en": "Page",
        "brief_en": "Write **HTML**.",
        "brief_ru": None,
    }
    assert Criterion.objects.values("title_en", "met_means_en").get() == {
        "title_en": "Valid",
        "met_means_en": "",
    }


def test_a_russian_reader_reads_the_copied_english(before_languages):
    Programme = before_languages.get_model("projects", "Programme")
    Programme.objects.create(slug="web", title="Web")

    migrate_to_latest()

    from projects.models import Programme as Current

    with translation.override("ru"):
        assert Current.objects.get().title == "Web"
        # A lookup by the field searches the reader's language only (modeltranslation):
        # code that searches titles names the columns, as the admin does.
        assert not Current.objects.filter(title="Web").exists()
        assert Current.objects.filter(title_en="Web").exists()


def test_going_back_keeps_the_latest_english(before_languages):
    Programme = before_languages.get_model("projects", "Programme")
    Programme.objects.create(slug="web", title="Web")
    apps = migrate_to(AFTER)
    apps.get_model("projects", "Programme").objects.update(title_en="Web development")

    apps = migrate_to(BEFORE)

    assert apps.get_model("projects", "Programme").objects.get().title == "Web development"
