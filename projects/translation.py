"""Course content in English and Russian (django-modeltranslation).

Each field named here gets a column per language (``title_en``, ``title_ru``); the
field itself (``project.title``) reads the reader's language, else the other one
(``MODELTRANSLATION_FALLBACK_LANGUAGES``). Staff write both in the admin, side by
side. A query through another model (``submission__project__title``) names the
columns itself: ``mentorship.text.translated``.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Programme, Project, ReviewNote, RubricCriterion


@register(Programme)
class ProgrammeTranslationOptions(TranslationOptions):
    fields = ("title", "description")


@register(Project)
class ProjectTranslationOptions(TranslationOptions):
    fields = ("title", "brief")


@register(RubricCriterion)
class RubricCriterionTranslationOptions(TranslationOptions):
    fields = ("title", "met_means")


@register(ReviewNote)
class ReviewNoteTranslationOptions(TranslationOptions):
    fields = ("title", "body")
