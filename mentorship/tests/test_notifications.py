"""The notifications page, marking read, and the service that sends them."""

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext_lazy, ngettext_lazy

from conftest import ROLES
from mentorship.messages import choice_param, date_param, translated_param
from mentorship.models import Notification, Role, User
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


def test_it_emails_the_notification_in_the_recipient_language(
    student, django_capture_on_commit_callbacks
):
    student.language = "ru"
    student.save()

    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(student)

    assert notification.written_title == "Нужны доработки: «Portfolio»"
    assert notification.title == "Changes requested on “Portfolio”"  # the active language
    assert [message.to for message in mail.outbox] == [[student.email]]
    assert mail.outbox[0].subject == "Нужны доработки: «Portfolio»"


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
    assert [notification.written_title for notification in sent] == [
        russian,
        "One of your students needs attention",
        "2 of your students need attention",
    ]
    assert len(callbacks) == 1  # one task for the whole batch
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [student.email, mentor.email]
    )


NEED_ATTENTION = ngettext_lazy(
    "One of your students needs attention",
    "%(count)d of your students need attention",
    "count",
)


@pytest.mark.parametrize(
    ("count", "english", "russian"),
    [
        (1, "One of your students needs attention", "1 ваш студент требует внимания"),
        (2, "2 of your students need attention", "2 ваших студента требуют внимания"),
        (4, "4 of your students need attention", "4 ваших студента требуют внимания"),
        (5, "5 of your students need attention", "5 ваших студентов требуют внимания"),
        (21, "21 of your students need attention", "21 ваш студент требует внимания"),
    ],
)
def test_it_shows_existing_notifications_in_the_language_the_reader_switches_to(
    client, as_user, mentor, count, english, russian
):
    as_user("mentor")
    notification_send(
        user=mentor, kind="risk_flags", title=NEED_ATTENTION, params={"count": count}
    )

    assert english in client.get(reverse("mentorship:notifications")).content.decode()
    client.post(reverse("mentorship:language_switch"), {"language": "ru", "next": "/"})
    page = client.get(reverse("mentorship:notifications")).content.decode()
    assert russian in page
    assert english not in page
    client.post(reverse("mentorship:language_switch"), {"language": "en", "next": "/"})
    page = client.get(reverse("mentorship:notifications")).content.decode()
    assert english in page
    assert russian not in page


def test_it_emails_in_the_language_the_recipient_has_when_it_is_sent(student):
    from mentorship.tasks import send_notification_email

    notification = _notify(student)  # written while the student reads English
    student.language = "ru"
    student.save()

    assert send_notification_email(notification.pk) == 1
    assert mail.outbox[0].subject == "Нужны доработки: «Portfolio»"
    assert notification.written_title == "Changes requested on “Portfolio”"


def test_it_shows_rows_written_before_messages_as_they_were_written(client, as_user, student):
    as_user("student")
    old = Notification.objects.create(
        user=student, kind="old", written_title="Нужны доработки: «Old»", written_body="Текст"
    )

    for language in ("ru", "en"):
        client.post(reverse("mentorship:language_switch"), {"language": language, "next": "/"})
        page = client.get(reverse("mentorship:notifications")).content.decode()
        assert "Нужны доработки: «Old»" in page
        assert "Текст" in page
    assert (old.title, old.body) == ("Нужны доработки: «Old»", "Текст")


def test_it_renders_translatable_params_in_the_readers_language(student):
    # A project whose title exists in both languages (django-modeltranslation's columns).
    project = SimpleNamespace(title="Portfolio", title_en="Portfolio", title_ru="Портфолио")
    notification = notification_send(
        user=student,
        kind="test",
        title=gettext_lazy("Your session of %(when)s is logged: %(outcome)s"),
        body=gettext_lazy("Changes requested on “%(project)s”"),
        params={
            "when": date_param(datetime.date(2026, 12, 7)),
            "outcome": choice_param(User, "role", Role.MENTOR),
            "project": translated_param(project, "title"),
        },
    )

    english = (notification.title, notification.body)
    with translation.override("ru"):
        russian = (notification.title, notification.body)
        mentor_in_russian = str(Role.MENTOR.label)
    assert english == (
        f"Your session of {formats.date_format(datetime.date(2026, 12, 7))} is logged: Mentor",
        "Changes requested on “Portfolio”",
    )
    assert "7 декабря 2026" in russian[0]
    assert russian[0].endswith(mentor_in_russian)
    assert mentor_in_russian != "Mentor"
    assert russian[1] == "Нужны доработки: «Портфолио»"


def test_it_refuses_plain_text_filled_from_params(student):
    with pytest.raises(TypeError):
        notification_send(user=student, kind="test", title="Hi %(name)s", params={"name": "x"})
    assert not Notification.objects.exists()


def test_it_scrubs_an_erased_persons_name_from_others_notification_params(mentor):
    from mentorship.personal_data import Erasure

    notification_send(
        user=mentor,
        kind="assignment_mentor",
        title=gettext_lazy("%(student)s is now your student"),
        params={"student": "Иван Петров"},
    )
    erasure = Erasure(student=mentor, texts=("Иван Петров",), label="Erased student 1")

    assert erasure.scrub(Notification.objects.all(), ["written_title", "params"]) == 1
    notification = Notification.objects.get()
    with translation.override("ru"):
        assert "Иван" not in notification.title
    assert notification.params == {"student": "Erased student 1"}


def test_it_stores_a_person_as_their_name_and_a_lazy_label_as_a_message(student, mentor):
    notification = notification_send(
        user=student,
        kind="test",
        title=gettext_lazy("%(mentor)s is now your mentor"),
        body=gettext_lazy("Reason: %(reason)s"),
        params={"mentor": mentor, "reason": Role.MENTOR.label},
    )

    notification.refresh_from_db()
    assert notification.params["mentor"] == str(mentor)
    assert notification.body == "Reason: Mentor"
    with translation.override("ru"):
        assert notification.body == f"Причина: {Role.MENTOR.label}"
        assert notification.body != "Причина: Mentor"
