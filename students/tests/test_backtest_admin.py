"""The backtest's admin view: staff queue a backtest of the flags on the school's
history and read its report (red, amber, any flag and each signal, for all programmes
and each) as tables and as JSON."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from mentorship.models import StudentStatus
from mentorship.services import student_status_set
from students.models import FlagBacktestReport
from students.tasks import backtest_flags

from .helpers_risk import AS_OF, active_on, enrolled_student, programme_of

pytestmark = pytest.mark.django_db

TODAY = AS_OF + timedelta(days=29)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(timezone.make_aware(datetime.combine(TODAY, time(12))), tick=False):
        yield


@pytest.fixture
def history():
    """Ten students at work every day, and one who went silent three weeks before
    withdrawing, a week before the last as-of day."""
    programme = programme_of(200)
    for _ in range(10):
        active_on(enrolled_student(programme, started_days_ago=120), range(-29, 120))
    leaver = enrolled_student(programme, started_days_ago=120)
    active_on(leaver, range(28, 120))
    student_status_set(
        profile=leaver.student_profile,
        status=StudentStatus.DROPPED,
        effective_on=AS_OF - timedelta(days=7),
    )
    return programme


def run(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("admin:students_flagbacktestreport_run"), data, follow=True)


def test_staff_run_a_backtest_and_read_its_tables_and_json(
    client, as_user, django_capture_on_commit_callbacks, history
):
    staff = as_user("staff")
    listing = client.get(reverse("admin:students_flagbacktestreport_changelist"))
    assertContains(listing, "Run a backtest")

    response = run(client, django_capture_on_commit_callbacks, weeks=8, horizon_days=28)

    backtest = FlagBacktestReport.objects.get()
    assert (backtest.triggered_by, backtest.weeks, backtest.horizon_days) == (staff, 8, 28)
    assert backtest.finished_at is not None
    assert response.redirect_chain[-1][0] == reverse(
        "admin:students_flagbacktestreport_changelist"
    )
    overall = backtest.report["groups"][0]
    assert overall["withdrawals"] == 1
    assert overall["rules"]["red"]["caught"] == 1
    page = client.get(reverse("admin:students_flagbacktestreport_change", args=[backtest.pk]))
    assertContains(page, "All programmes")
    assertContains(page, history.title)
    assertContains(page, '<tr data-rule="red">', html=False)
    assertContains(page, "amber flags (not red)")
    assertContains(page, "inactive")
    assertContains(page, "1 / 1 (100 %)")
    download = client.get(reverse("admin:students_flagbacktestreport_json", args=[backtest.pk]))
    assert download["Content-Type"] == "application/json"
    assert "attachment" in download["Content-Disposition"]
    assert download.json() == backtest.report


def test_a_backtest_is_kept_once_however_often_its_task_runs(
    client, as_user, django_capture_on_commit_callbacks, history
):
    as_user("staff")
    run(client, django_capture_on_commit_callbacks, weeks=4, horizon_days=28)
    backtest = FlagBacktestReport.objects.get()
    finished_at = backtest.finished_at

    assert backtest_flags(report_id=backtest.pk) == backtest.pk
    backtest.refresh_from_db()
    assert backtest.finished_at == finished_at
    assert backtest_flags(report_id=backtest.pk + 1) is None  # deleted: nothing to do


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"weeks": 0, "horizon_days": 28}, "weeks of history"),
        ({"weeks": 8, "horizon_days": "soon"}, "horizon (days)"),
        ({"weeks": 500, "horizon_days": 28}, "weeks of history"),
    ],
)
def test_bad_input_is_named_and_nothing_runs(
    client, as_user, django_capture_on_commit_callbacks, data, field
):
    as_user("staff")

    response = run(client, django_capture_on_commit_callbacks, **data)

    assert response.status_code == 200
    assert not FlagBacktestReport.objects.exists()
    (message,) = [str(each) for each in get_messages(response.wsgi_request)]
    assert message.startswith(f"{field}:")


def test_an_unfinished_backtest_says_so_and_has_no_json(client, as_user):
    as_user("staff")
    backtest = FlagBacktestReport.objects.create(weeks=4, horizon_days=28)

    page = client.get(reverse("admin:students_flagbacktestreport_change", args=[backtest.pk]))
    download = client.get(reverse("admin:students_flagbacktestreport_json", args=[backtest.pk]))

    assertContains(page, "Not done yet")
    assertNotContains(page, "Download")
    assert download.status_code == 404


def test_a_backtest_is_queued_only_on_post(client, as_user, django_capture_on_commit_callbacks):
    as_user("staff")

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(reverse("admin:students_flagbacktestreport_run"))

    assert response.status_code == 405
    assert callbacks == []


@pytest.mark.parametrize("role", ["mentor", "supervisor", "student"])
def test_other_roles_cannot_run_or_read_a_backtest(
    client, as_user, django_capture_on_commit_callbacks, role
):
    backtest = FlagBacktestReport.objects.create(
        weeks=4, horizon_days=28, report={"groups": []}, finished_at=timezone.now()
    )
    as_user(role)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("admin:students_flagbacktestreport_run"), {"weeks": 4, "horizon_days": 28}
        )
    download = client.get(reverse("admin:students_flagbacktestreport_json", args=[backtest.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert download.status_code == 302
    assert callbacks == []
    assert FlagBacktestReport.objects.count() == 1
