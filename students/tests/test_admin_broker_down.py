"""The admin's buttons that start a task (a flagging run, a calibration, a backtest)
answer with a message, not an error page, when the broker cannot be reached (issue 16);
a backtest that will never run is not left waiting."""

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from students import tasks
from students.models import FlagBacktestReport

# Outside a test transaction, as in a request: the button's task is queued (or not) at
# once, before the page with its message is drawn.
pytestmark = pytest.mark.django_db(transaction=True)

DOWN = "The task queue cannot be reached, so nothing was started."


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for task in (tasks.flag_students, tasks.calibrate_flags, tasks.backtest_flags):
        monkeypatch.setattr(task, "delay", refuse)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("admin:students_flagrun_run_now", {}),
        ("admin:students_flagcalibration_calibrate_now", {}),
        ("admin:students_flagbacktestreport_run", {"weeks": 8, "horizon_days": 28}),
    ],
)
def test_a_button_says_the_queue_is_down(client, as_user, broker_down, url, data):
    as_user("staff")

    response = client.post(reverse(url), data, follow=True)

    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert any(DOWN in message for message in shown), shown
    assert not FlagBacktestReport.objects.exists()


def test_a_button_says_the_task_is_queued_when_the_broker_answers(client, as_user, monkeypatch):
    as_user("staff")
    queued = []
    monkeypatch.setattr(tasks.flag_students, "delay", lambda **kwargs: queued.append(kwargs))

    response = client.post(reverse("admin:students_flagrun_run_now"), follow=True)

    assert len(queued) == 1
    assert [str(message) for message in response.context["messages"]] == [
        "Flagging run queued: it appears here when it starts."
    ]
