"""Messages kept untranslated (mentorship.messages): what a lazy string of the code is
made of, and rendering it in the active language."""

import pytest
from django.utils import translation
from django.utils.translation import (
    gettext_lazy,
    ngettext_lazy,
    npgettext_lazy,
    pgettext_lazy,
)

from mentorship.messages import (
    lines_param,
    message_from_lazy,
    message_param,
    message_render,
    number_param,
    param_render,
)


def test_it_reads_a_gettext_lazy():
    assert message_from_lazy(gettext_lazy("%(student)s is now your student")) == {
        "msgid": "%(student)s is now your student"
    }


def test_it_reads_a_pgettext_lazy_with_its_context():
    assert message_from_lazy(pgettext_lazy("review verdict", "Approved")) == {
        "msgid": "Approved",
        "context": "review verdict",
    }


def test_it_reads_an_ngettext_lazy_with_the_name_of_its_number():
    lazy = ngettext_lazy("%(count)d session held", "%(count)d sessions held", "count")
    assert message_from_lazy(lazy) == {
        "msgid": "%(count)d session held",
        "plural": "%(count)d sessions held",
        "number": "count",
    }


def test_it_reads_an_npgettext_lazy():
    lazy = npgettext_lazy("relative time", "%(num)d minute", "%(num)d minutes", "num")
    assert message_from_lazy(lazy) == {
        "msgid": "%(num)d minute",
        "plural": "%(num)d minutes",
        "number": "num",
        "context": "relative time",
    }


def test_it_refuses_a_plural_without_a_named_number_and_plain_text():
    with pytest.raises(TypeError):
        message_from_lazy(ngettext_lazy("%(count)d session held", "%(count)d sessions held", 3))
    with pytest.raises(TypeError):
        message_from_lazy("plain text")


@pytest.mark.parametrize(
    ("count", "russian"),
    [
        (1, "1 ваш студент требует внимания"),
        (2, "2 ваших студента требуют внимания"),
        (5, "5 ваших студентов требуют внимания"),
        (21, "21 ваш студент требует внимания"),
    ],
)
def test_it_renders_a_plural_in_the_active_language(count, russian):
    lazy = ngettext_lazy(
        "One of your students needs attention",
        "%(count)d of your students need attention",
        "count",
    )
    message = message_from_lazy(lazy)

    with translation.override("ru"):
        assert message_render(message, {"count": count}) == russian
        assert message_render(message, {"count": count}) == str(lazy % {"count": count})
    assert message_render(message, {"count": count}) == str(lazy % {"count": count})


def test_it_renders_nested_messages_numbers_and_lines():
    lines = lines_param(
        [
            message_param(gettext_lazy("%(name)s: %(score)s"), {"name": "Ann", "score": 1}),
            number_param(1234.5, 1),
        ]
    )

    assert param_render(lines) == "Ann: 1\n1234.5"
    with translation.override("ru"):
        assert param_render(number_param(1234.5, 1)) == "1234,5"
