"""The notifications page, marking read, and the service that sends them."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy, ngettext_lazy

from conftest import ROLES
from mentorship.models import Notification
from mentorship.notifications import NotificationMessage, notification_send, notifications_send


def _notify(user, **kwargs):
    kwargs.setdefault("kind", "test")
    kwargs.setdefault("title", gettext_lazy("Changes requested on “%(project)s”"))
    kwargs.setdefault("params", {"project": "Portfolio"})
    kwargs.setdefault("url", "/programmes/")
    return notification_send(user=user, **kwargs)


def test_it_redirects_anonymous_people_to_sign_in(client):
    response = client.get(reverse("mentorship:notifications"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_each_person_only_their_own(client, as_user, role, student, other_student):
    _notify(student, params={"project": "Mine"})
    _notify(other_student, params={"project": "Theirs"})
    user = as_user(role)

    response = client.get(reverse("mentorship:notifications"))

    assert response.status_code == 200
    text = response.content.decode()
    assert ("Mine" in text) == (user == student)
    assert ("Theirs" in text) == (user == other_student)


def test_it_writes_the_notification_in_the_recipient_language(
    student, django_capture_on_commit_callbacks
):
    student.language = "ru"
    student.save()

    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(student)

    assert notification.title == "Нужны доработки: «Portfolio»"
    assert [message.to for message in mail.outbox] == [[student.email]]
    assert mail.outbox[0].subject == notification.title


def test_it_does_not_email_people_who_turned_email_off(
    student, django_capture_on_commit_callbacks
):
    student.email_notifications = False
    student.save()

    with django_capture_on_commit_callbacks(execute=True):
        _notify(student)

    assert Notification.objects.filter(user=student).count() == 1
    assert mail.outbox == []


def test_it_emails_a_notification_once_even_if_the_task_runs_twice(student):
    from mentorship.tasks import send_notification_email

    notification = _notify(student)

    assert send_notification_email(notification.pk) == 1
    assert send_notification_email(notification.pk) == 0
    assert len(mail.outbox) == 1


def test_it_marks_one_read_and_follows_its_link(client, as_user, student):
    as_user("student")
    notification = _notify(student, url="/programmes/")
    other = _notify(student)

    response = client.post(reverse("mentorship:notifications_read"), {"id": notification.pk})

    assert response.status_code == 302
    assert response.url == "/programmes/"
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at is not None
    assert other.read_at is None


def test_it_answers_404_for_someone_elses_notification(client, as_user, other_student):
    as_user("student")
    notification = _notify(other_student)

    response = client.post(reverse("mentorship:notifications_read"), {"id": notification.pk})

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_it_marks_all_read(client, as_user, student):
    as_user("student")
    _notify(student)
    _notify(student)

    response = client.post(reverse("mentorship:notifications_read"))

    assert response.status_code == 302
    assert not Notification.objects.unread().filter(user=student).exists()


def test_it_refuses_get_on_mark_read(client, as_user):
    as_user("student")

    assert client.get(reverse("mentorship:notifications_read")).status_code == 405


def test_it_shows_the_unread_count_in_the_navigation(client, as_user, student):
    as_user("student")
    _notify(student)
    _notify(student)

    response = client.get(reverse("mentorship:notifications"))

    assert response.context["unread_notifications"] == 2


@pytest.mark.parametrize("count", [3, 40])
def test_it_lists_notifications_in_constant_queries(
    client, as_user, student, count, django_assert_max_num_queries
):
    as_user("student")
    for _ in range(count):
        _notify(student)

    # session, user, count for the paginator, the page of notifications, unread badge
    with django_assert_max_num_queries(6):
        response = client.get(reverse("mentorship:notifications"))
    assert response.status_code == 200


def test_it_sends_many_at_once_each_in_its_readers_language_and_mails_after_commit(
    django_capture_on_commit_callbacks, student, other_student, mentor
):
    student.language = "ru"
    student.save()
    other_student.email_notifications = False
    other_student.save()
    plural = ngettext_lazy(
        "One of your students needs attention",
        "%(count)d of your students need attention",
        "count",
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sent = notifications_send(
            messages=[
                NotificationMessage(user=user, kind="test", title=plural, params={"count": count})
                for user, count in ((student, 3), (other_student, 1), (mentor, 2))
            ]
        )

    with translation.override("ru"):
        russian = str(plural % {"count": 3})
    assert russian != "3 of your students need attention"
    assert [notification.title for notification in sent] == [
        russian,
        "One of your students needs attention",
        "2 of your students need attention",
    ]
    assert len(callbacks) == 1  # one task for the whole batch
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [student.email, mentor.email]
    )
