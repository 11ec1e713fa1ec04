"""Weekly report pages: the lists, the report, saving, sending, refreshing and
drafting now, per role."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from knowledge_base.models import ImprovementProposal
from mentorship.models import Notification
from mentorship.tests.factories import MentorFactory
from metrics.models import WeeklyReport, WeeklyReportStatus
from metrics.selectors import last_complete_week_start
from metrics.services import weekly_report_draft, weekly_report_send
from students.models import SessionStatus
from students.tests.helpers_sessions import MentoringSessionFactory

LIST = reverse("metrics:weekly_report_list")
DRAFT_NOW = reverse("metrics:weekly_report_draft_now")
WEEK = date(2026, 3, 2)


def detail_url(report):
    return reverse("metrics:weekly_report_detail", args=[report.pk])


def send_url(report):
    return reverse("metrics:weekly_report_send", args=[report.pk])


def refresh_url(report):
    return reverse("metrics:weekly_report_refresh", args=[report.pk])


@pytest.fixture
def draft(mentor):
    return weekly_report_draft(mentor=mentor, week_start=WEEK)


@pytest.fixture
def sent(mentor):
    report = weekly_report_draft(mentor=mentor, week_start=WEEK - timedelta(days=7))
    return weekly_report_send(
        report=report, by=mentor, comments="**Good** week", difficulties="Late reviews"
    )


def unchanged(report):
    fresh = WeeklyReport.objects.get(pk=report.pk)
    return (fresh.status, fresh.comments, fresh.difficulties) == (
        report.status,
        report.comments,
        report.difficulties,
    )


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [LIST, DRAFT_NOW, "/reports/1/", "/reports/1/send/", "/reports/1/refresh/"]
)
def test_it_sends_anonymous_people_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("role", "draft_status", "sent_status"),
    [
        ("student", 404, 404),
        ("other_student", 404, 404),
        ("mentor", 200, 200),
        ("other_mentor", 404, 404),
        ("supervisor", 404, 200),
        ("other_supervisor", 404, 404),
        ("staff", 404, 200),
    ],
)
def test_it_shows_a_report_only_to_whoever_may_read_it(
    as_user, client, draft, sent, role, draft_status, sent_status
):
    as_user(role)

    assert client.get(detail_url(draft)).status_code == draft_status
    assert client.get(detail_url(sent)).status_code == sent_status


@pytest.mark.parametrize("role", ["student", "other_student"])
def test_it_forbids_the_list_to_students(as_user, client, role):
    as_user(role)

    assert client.get(LIST).status_code == 403


@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("get", "metrics:weekly_report_send"),
        ("get", "metrics:weekly_report_refresh"),
        ("put", "metrics:weekly_report_detail"),
    ],
)
def test_it_answers_405_to_the_wrong_method(as_user, client, draft, method, url_name):
    as_user("mentor")

    response = getattr(client, method)(reverse(url_name, args=[draft.pk]))

    assert response.status_code == 405


@pytest.mark.parametrize(("method", "url"), [("get", DRAFT_NOW), ("post", LIST)])
def test_it_answers_405_to_the_wrong_method_on_the_list_urls(as_user, client, method, url):
    as_user("mentor")

    assert getattr(client, method)(url).status_code == 405


# --- The lists ------------------------------------------------------------------------


def test_it_lists_a_mentors_own_reports_drafts_included(as_user, client, draft, sent):
    as_user("mentor")

    response = client.get(LIST)

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [draft, sent]
    assert detail_url(draft) in response.content.decode()


def test_it_lists_no_report_of_another_mentor(as_user, client, draft, sent):
    as_user("other_mentor")

    response = client.get(LIST)

    assert list(response.context["page"].object_list) == []


def test_it_shows_a_supervisor_who_sent_and_who_has_not_without_opening_drafts(
    as_user, client, mentor, draft, sent
):
    waiting = MentorFactory(display_name="Walter Waiting")
    waiting.mentor_profile.supervisor = mentor.mentor_profile.supervisor
    waiting.mentor_profile.save()
    as_user("supervisor")

    latest = client.get(LIST, {"week": draft.week_start.isoformat()})
    earlier = client.get(LIST, {"week": sent.week_start.isoformat()})

    assert latest.status_code == 200
    assert [(row.mentor, row.report) for row in latest.context["rows"]] == [
        (mentor, None),
        (waiting, None),
    ]
    assert detail_url(draft) not in latest.content.decode()
    assert latest.content.decode().count('data-testid="weekly-report-not-sent"') == 2
    assert [(row.mentor, row.report) for row in earlier.context["rows"]] == [
        (mentor, sent),
        (waiting, None),
    ]
    assert detail_url(sent) in earlier.content.decode()


def test_it_shows_the_latest_week_by_default(as_user, client, draft, sent):
    as_user("supervisor")

    response = client.get(LIST)

    assert response.context["form"].cleaned_data["week"] == draft.week_start


def test_it_filters_the_supervisors_list_by_mentor(as_user, client, mentor, sent):
    other = MentorFactory()
    other.mentor_profile.supervisor = mentor.mentor_profile.supervisor
    other.mentor_profile.save()
    as_user("supervisor")

    response = client.get(LIST, {"week": sent.week_start.isoformat(), "mentor": other.pk})

    assert [row.mentor for row in response.context["rows"]] == [other]


def test_it_shows_no_mentor_of_another_team_to_a_supervisor(as_user, client, sent):
    as_user("other_supervisor")

    response = client.get(LIST)

    assert response.status_code == 200
    assert all(row.report is None for row in response.context["rows"])
    assert detail_url(sent) not in response.content.decode()


def test_it_shows_staff_every_sent_report(as_user, client, mentor, other_mentor, sent):
    as_user("staff")

    response = client.get(LIST, {"week": sent.week_start.isoformat()})

    assert {(row.mentor, row.report) for row in response.context["rows"]} == {
        (mentor, sent),
        (other_mentor, None),
    }


@pytest.mark.parametrize(
    "query", [{"week": "not-a-date"}, {"week": "2020-01-06"}, {"mentor": "999999"}]
)
def test_it_answers_400_with_a_message_to_a_bad_filter(as_user, client, sent, query):
    as_user("supervisor")

    response = client.get(LIST, query)

    assert response.status_code == 400
    assert response.context["form"].errors
    assert 'class="invalid-feedback"' in response.content.decode()


def test_it_refuses_another_teams_mentor_as_a_filter(as_user, client, other_mentor, sent):
    as_user("supervisor")

    response = client.get(LIST, {"mentor": other_mentor.pk})

    assert response.status_code == 400
    assert "mentor" in response.context["form"].errors


@pytest.mark.parametrize("count", [2, 12])
def test_it_lists_a_supervisors_team_in_the_same_queries_whatever_its_size(
    as_user, client, supervisor, count, django_assert_max_num_queries
):
    for _index in range(count):
        mentor = MentorFactory()
        mentor.mentor_profile.supervisor = supervisor
        mentor.mentor_profile.save()
        report = weekly_report_draft(mentor=mentor, week_start=WEEK)
        weekly_report_send(report=report, by=mentor)
    as_user("supervisor")

    # session, user, weeks, mentors for the filter, page count, page of mentors,
    # their reports, messages and the unread-notification badge.
    with django_assert_max_num_queries(10):
        response = client.get(LIST)

    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("count", [2, 12])
def test_it_lists_a_mentors_reports_in_the_same_queries_whatever_their_number(
    as_user, client, mentor, count, django_assert_max_num_queries
):
    for index in range(count):
        weekly_report_draft(mentor=mentor, week_start=WEEK - timedelta(weeks=index))
    as_user("mentor")

    # session, user, last week drafted?, page count, page of reports, messages, badge.
    with django_assert_max_num_queries(8):
        response = client.get(LIST)

    assert len(response.context["page"].object_list) == count


# --- The report -----------------------------------------------------------------------


def test_it_shows_the_sections_and_the_sent_text_as_markdown(as_user, client, sent):
    as_user("supervisor")

    page = client.get(detail_url(sent)).content.decode()

    for section in ["students", "sessions", "reviews", "at-risk", "community"]:
        assert f'data-testid="weekly-report-{section}"' in page
    assert "<strong>Good</strong> week" in page
    assert 'data-testid="weekly-report-send"' not in page


def test_it_offers_the_mentor_the_form_on_a_draft(as_user, client, draft):
    as_user("mentor")

    page = client.get(detail_url(draft)).content.decode()

    assert 'data-testid="weekly-report-save"' in page
    assert 'data-testid="weekly-report-send"' in page


def test_it_saves_the_draft_text(as_user, client, draft):
    as_user("mentor")

    response = client.post(detail_url(draft), {"comments": "Calm", "difficulties": "None"})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.comments, draft.difficulties) == ("Calm", "None")


def test_it_answers_400_to_text_too_long_and_keeps_what_was_typed(as_user, client, draft):
    as_user("mentor")

    response = client.post(
        detail_url(draft), {"comments": "x" * 10001, "difficulties": "Keep me typed"}
    )

    assert response.status_code == 400
    assert "comments" in response.context["form"].errors
    assert "Keep me typed" in response.content.decode()
    assert unchanged(draft)


@pytest.mark.parametrize(("role", "status"), [("supervisor", 403), ("staff", 403)])
def test_it_forbids_anyone_but_the_mentor_to_change_a_sent_report(
    as_user, client, sent, role, status
):
    as_user(role)

    response = client.post(detail_url(sent), {"comments": "Hijack", "difficulties": ""})

    assert response.status_code == status
    assert unchanged(sent)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 404),
        ("other_mentor", 404),
        ("supervisor", 404),
        ("other_supervisor", 404),
        ("staff", 404),
    ],
)
def test_it_lets_no_one_else_save_send_or_refresh_a_draft(as_user, client, draft, role, status):
    as_user(role)
    data = {"comments": "Hijack", "difficulties": ""}

    assert client.post(detail_url(draft), data).status_code == status
    assert client.post(send_url(draft), data).status_code == status
    assert client.post(refresh_url(draft)).status_code == status
    assert unchanged(draft)


def test_it_refuses_to_change_a_sent_report_with_a_message(as_user, client, sent):
    as_user("mentor")

    response = client.post(detail_url(sent), {"comments": "Later", "difficulties": ""})

    assert response.status_code == 400
    assert 'data-testid="weekly-report-refusal"' in response.content.decode()
    assert unchanged(sent)


# --- Sending, refreshing, drafting now ------------------------------------------------


def test_it_sends_the_text_typed_and_tells_the_supervisor(as_user, client, draft, supervisor):
    as_user("mentor")

    response = client.post(
        send_url(draft), {"comments": "All good", "difficulties": "None"}, follow=True
    )

    draft.refresh_from_db()
    assert draft.status == WeeklyReportStatus.SENT
    assert (draft.comments, draft.difficulties) == ("All good", "None")
    assert Notification.objects.filter(user=supervisor, kind="weekly_report_sent").exists()
    assert "Sofia Supervisor" in response.content.decode()


def test_it_says_staff_will_read_the_report_of_a_mentor_without_supervisor(db, client):
    loner = MentorFactory()
    report = weekly_report_draft(mentor=loner, week_start=WEEK)
    client.force_login(loner)

    response = client.post(send_url(report), {"comments": "", "difficulties": ""}, follow=True)

    assert "staff will read it" in response.content.decode()
    report.refresh_from_db()
    assert report.is_sent


def test_it_refuses_to_send_twice(as_user, client, sent):
    as_user("mentor")

    response = client.post(send_url(sent), {"comments": "Again", "difficulties": ""})

    assert response.status_code == 400
    assert unchanged(sent)


def test_it_refreshes_a_drafts_figures(as_user, client, draft):
    WeeklyReport.objects.filter(pk=draft.pk).update(figures={})
    as_user("mentor")

    response = client.post(refresh_url(draft))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.figures["week"]["start"] == WEEK.isoformat()


def test_it_does_not_refresh_a_sent_report(as_user, client, sent):
    as_user("mentor")

    client.post(refresh_url(sent))

    fresh = WeeklyReport.objects.get(pk=sent.pk)
    assert (fresh.figures, fresh.drafted_at) == (sent.figures, sent.drafted_at)


def test_it_drafts_last_weeks_report_now_once(as_user, client, mentor):
    as_user("mentor")

    first = client.post(DRAFT_NOW)
    second = client.post(DRAFT_NOW)

    report = WeeklyReport.objects.get()
    assert report.week_start == last_complete_week_start(mentor)
    assert first.url == second.url == detail_url(report)


@pytest.mark.parametrize("role", ["student", "supervisor", "staff"])
def test_it_lets_only_mentors_draft_now(as_user, client, role):
    as_user(role)

    assert client.post(DRAFT_NOW).status_code == 403
    assert not WeeklyReport.objects.exists()


def test_it_shows_each_figure_of_a_busy_week(as_user, client, mentor, student):
    MentoringSessionFactory(
        mentor=mentor,
        student=student,
        scheduled_at=datetime(2026, 3, 4, 12, tzinfo=UTC),
        status=SessionStatus.COMPLETED,
        rating=4,
    )
    ImprovementProposal.objects.create(
        author=mentor,
        subject="platform",
        title="Dark mode please",
        body="Eyes",
        created_at=datetime(2026, 3, 3, tzinfo=UTC),
    )
    report = weekly_report_draft(mentor=mentor, week_start=WEEK)
    as_user("mentor")

    page = client.get(detail_url(report)).content.decode()

    assert '<progress class="w-100" value="1" max="1"' in page
    assert "4.0 (1 rating)" in page
    assert "Dark mode please" in page
    assert "New" in page


def test_it_shows_staff_the_figures_as_json_in_the_admin_read_only(as_user, client, sent):
    as_user("staff")

    response = client.get(reverse("admin:metrics_weeklyreport_change", args=[sent.pk]))

    assert response.status_code == 200
    assert "<pre>{\n  &quot;community&quot;" in response.content.decode()
    assert reverse("admin:metrics_weeklyreport_add") not in response.content.decode()


# --- The counters in words, in Russian ------------------------------------------------


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (
            1,
            [
                "1 встреча проведена",
                "1 встреча пропущена студентом",
                "1 встреча отменена ментором",
                "1 встреча ещё без итогов",
                "1 работа принята",
                "1 работа возвращена на доработку",
            ],
        ),
        (
            2,
            [
                "2 встречи проведены",
                "2 встречи пропущены студентом",
                "2 встречи отменены ментором",
                "2 встречи ещё без итогов",
                "2 работы приняты",
                "2 работы возвращены на доработку",
            ],
        ),
        (
            5,
            [
                "5 встреч проведено",
                "5 встреч пропущено студентом",
                "5 встреч отменено ментором",
                "5 встреч ещё без итогов",
                "5 работ принято",
                "5 работ возвращено на доработку",
            ],
        ),
        (
            21,
            [
                "21 встреча проведена",
                "21 встреча пропущена студентом",
                "21 встреча отменена ментором",
                "21 встреча ещё без итогов",
                "21 работа принята",
                "21 работа возвращена на доработку",
            ],
        ),
    ],
)
def test_it_writes_each_counter_in_russian_agreeing_with_its_number(
    as_user, client, draft, count, expected
):
    draft.figures["sessions"] = {
        "total": 4 * count,
        "by_outcome": {
            SessionStatus.COMPLETED: count,
            SessionStatus.STUDENT_NO_SHOW: count,
            SessionStatus.CANCELLED_BY_MENTOR: count,
        },
        "unlogged": count,
    }
    draft.figures["reviews"] = {"total": 2 * count, "approved": count, "changes_requested": count}
    draft.save()
    mentor = as_user("mentor")
    mentor.language = "ru"
    mentor.save()

    page = client.get(detail_url(draft)).content.decode()

    counters = re.findall(r'data-testid="(?:session|review)-counter">([^<]*)<', page)
    assert counters == expected
    # The statuses' labels are names, never counters: no "Завершена 2", "Принят 1".
    assert "Завершена" not in page
    assert ">Принят<" not in page
