"""An article's history in the admin (django-simple-history), in Russian: the package
ships Russian only as ru_RU, which Django never loads for ru, so its words come from the
project's catalogue (mentorship.third_party_messages)."""

import pytest
from django.urls import reverse

from knowledge_base.articles import article_create

pytestmark = pytest.mark.django_db


def test_it_shows_an_articles_history_in_russian(client, as_user):
    staff = as_user("staff")
    staff.language = "ru"
    staff.save()
    article = article_create(
        author=staff,
        title="Как читать отзыв",
        body="Текст",
        language="ru",
        topics=[],
        programmes=[],
        projects=[],
    )

    page = client.get(
        reverse("admin:knowledge_base_article_history", args=[article.pk])
    ).content.decode()

    assert "История изменений: Как читать отзыв" in page
    assert "Кто изменил" in page
    assert "Причина изменения" in page
    for english in ("Change history", "Changed by", "Change reason", "Date/time"):
        assert english not in page
