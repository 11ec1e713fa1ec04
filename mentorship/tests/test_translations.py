"""The Russian catalogue is complete and loads. CI extracts strings afresh
(`make messages`) before the suite, so a new untranslated string fails here."""

import re
from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def _messages():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="ru")
    return [message for message in catalogue if message.id]


def _as_tuple(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def test_it_translates_every_string_into_russian():
    untranslated = [
        message.id
        for message in _messages()
        if message.fuzzy or not all(_as_tuple(message.string))
    ]
    assert untranslated == [], f"Translate these in {CATALOGUE}: {untranslated}"


def test_it_keeps_the_same_placeholders_in_translations():
    mismatched = []
    for message in _messages():
        expected = set(PLACEHOLDER.findall(_as_tuple(message.id)[-1]))
        for translated in _as_tuple(message.string):
            if translated and set(PLACEHOLDER.findall(translated)) != expected:
                mismatched.append(message.id)
    assert mismatched == []


def test_it_serves_the_compiled_russian_catalogue():
    with translation.override("ru"):
        assert translation.gettext("Your students") == "Ваши студенты"
