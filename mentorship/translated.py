"""Course content in two languages, read in SQL.

A translated field (``Project.title``: ``title_en`` and ``title_ru`` columns, see
``projects/translation.py``) reads the reader's language on the row itself, else the
other one; modeltranslation does that for the model's own fields. A query that reaches
the field through another model (``Submission.objects.values("project__title")``)
would read the untranslated column, which keeps the text as it was first written:
``translated("project__title")`` is the expression to use instead, with the same
fallback. And which language an API caller asks for (``requested_language``).
"""

from django.db.models import F, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order


def reading_order(language: str | None = None) -> tuple[str, ...]:
    """The languages a text is looked for in, for a reader of ``language`` (the active
    one by default, as one of ``LANGUAGES``): theirs first, then the others
    (``MODELTRANSLATION_FALLBACK_LANGUAGES``)."""
    return tuple(resolution_order(language or get_language()))


def translated(path: str, *, language: str | None = None) -> Coalesce:
    """The text at ``path`` (``"project__title"``, ``"criterion__project__title"``) in
    the reader's language, or the first other language that has it; ``""`` when none
    does. Asked when the query is built, so in the request's language."""
    text = TextField()  # a title (CharField) beside a brief (TextField)
    columns = [
        NullIf(F(build_localized_fieldname(path, code)), Value(""), output_field=text)
        for code in reading_order(language)
    ]
    return Coalesce(*columns, Value(""), output_field=text)


def requested_language(request) -> str | None:
    """The language an API caller asks for with ``Accept-Language`` (the first of
    ``LANGUAGES`` it accepts), or None when it asks for none of them or sends no header.
    On the API the header wins over the person's own setting: an integration reading
    both languages of a text asks for each in turn."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            return None
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return None
