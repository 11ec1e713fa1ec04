"""The admin in Russian: the third-party apps' models are named in Russian through the
project's catalogue (mentorship.third_party_messages)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _russian_staff(as_user):
    staff = as_user("staff")
    staff.language = "ru"
    staff.save()
    return staff


def test_it_names_the_third_party_models_in_russian_on_the_admin_index(client, as_user):
    _russian_staff(as_user)

    page = client.get(reverse("admin:index")).content.decode()

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    # django-celery-beat's app and models, allauth's MFA authenticators
    for russian in ("Периодические задачи", "Расписания cron", "Разовые запуски", "Способы входа"):
        assert russian in text
    for english in ("Authenticators", "Crontabs", "Clocked", "Periodic Tasks"):
        assert english not in page
    assert "Периодические Задачи" not in page


def test_it_labels_the_authenticators_fields_in_russian(client, as_user):
    _russian_staff(as_user)

    page = client.get(reverse("admin:mfa_authenticator_changelist")).content.decode()

    assert "Способы входа" in page
    assert "Authenticator" not in page
