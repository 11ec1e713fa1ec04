"""Relative times in words (mentorship.relative_time), through the template filter."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from mentorship.relative_time import relative_time

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def said(moment, now=NOW) -> str:
    """The words, with the non-breaking space that keeps a number with its unit read as
    a space."""
    return relative_time(moment, now).replace("\xa0", " ")


@pytest.mark.parametrize(
    ("ago", "english", "russian"),
    [
        (timedelta(minutes=1), "1 minute ago", "1 минуту назад"),
        (timedelta(minutes=2), "2 minutes ago", "2 минуты назад"),
        (timedelta(minutes=5), "5 minutes ago", "5 минут назад"),
        (timedelta(minutes=21), "21 minutes ago", "21 минуту назад"),
        (timedelta(hours=1), "1 hour ago", "1 час назад"),
        (timedelta(hours=2), "2 hours ago", "2 часа назад"),
        (timedelta(hours=5), "5 hours ago", "5 часов назад"),
        (timedelta(hours=21), "21 hours ago", "21 час назад"),
        (timedelta(days=1), "1 day ago", "1 день назад"),
        (timedelta(days=2, hours=23), "2 days ago", "2 дня назад"),
        (timedelta(days=5), "5 days ago", "5 дней назад"),
        (timedelta(days=21), "3 weeks ago", "3 недели назад"),
        (timedelta(weeks=1), "1 week ago", "1 неделю назад"),
        (timedelta(days=400), "1 year ago", "1 год назад"),
    ],
)
def test_it_says_how_long_ago_in_each_language(ago, english, russian):
    assert said(NOW - ago) == english
    with translation.override("ru"):
        assert said(NOW - ago) == russian


@pytest.mark.parametrize(
    ("ahead", "english", "russian"),
    [
        (timedelta(days=3), "in 3 days", "через 3 дня"),
        (timedelta(minutes=21), "in 21 minutes", "через 21 минуту"),
        (timedelta(days=1), "in 1 day", "через 1 день"),
    ],
)
def test_it_says_how_soon_in_each_language(ahead, english, russian):
    assert said(NOW + ahead) == english
    with translation.override("ru"):
        assert said(NOW + ahead) == russian


def test_it_says_just_now_within_a_minute():
    assert said(NOW - timedelta(seconds=30)) == "just now"
    with translation.override("ru"):
        assert said(NOW + timedelta(seconds=30)) == "только что"


def test_the_filter_renders_it_and_nothing_for_no_moment():
    template = Template("{% load portal %}[{{ moment|relative_time }}]")

    five_minutes_ago = timezone.now() - timedelta(minutes=5, seconds=5)
    with translation.override("ru"):
        rendered = template.render(Context({"moment": five_minutes_ago}))
    assert rendered.replace("\xa0", " ") == "[5 минут назад]"
    assert template.render(Context({"moment": None})) == "[]"
