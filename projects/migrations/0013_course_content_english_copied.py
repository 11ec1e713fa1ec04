"""The course content written before it had two languages is English (the demo's and
the school's): each text is copied into its English column, where that is still empty,
so nothing a reader saw is lost. The Russian columns start empty and read the English
text until someone writes them (the fallback).

Backwards, the English column goes back into the field, so a rollback keeps the latest
English text staff wrote.

What ``manage.py update_translation_fields projects`` does, kept here so every
database gets it with ``migrate``.
"""

from django.db import migrations
from django.db.models import F, Q

TRANSLATED = {
    "Programme": ("title", "description"),
    "Project": ("title", "brief"),
    "RubricCriterion": ("title", "met_means"),
    "ReviewNote": ("title", "body"),
}


def copy_into_english(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("projects", model_name)
        for field in fields:
            english = f"{field}_en"
            empty = Q(**{f"{english}__isnull": True}) | Q(**{english: ""})
            model.objects.filter(empty).update(**{english: F(field)})


def copy_back_from_english(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("projects", model_name)
        for field in fields:
            english = f"{field}_en"
            written = Q(**{f"{english}__isnull": False}) & ~Q(**{english: ""})
            model.objects.filter(written).update(**{field: F(english)})


class Migration(migrations.Migration):
    dependencies = [("projects", "0012_course_content_in_english_and_russian")]

    operations = [migrations.RunPython(copy_into_english, copy_back_from_english)]
