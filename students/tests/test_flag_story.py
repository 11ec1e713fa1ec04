"""The flag and the student's file tell one story: a flag raised for inactivity, then
a submission the next day. The reasons say the day they speak of, the file says the
student has been active since, and the flag's opening date is one date everywhere
(the day of the run that raised it, not the night it was written)."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils.formats import date_format

from mentorship.tests.factories import AssignmentFactory
from projects.services import submission_create
from students.flag_runs import flag_chunk_evaluate, flag_run_finish, flag_run_start
from students.models import FlagStatus, RiskFlag

from .helpers_risk import AS_OF, active_on, enrolled_student, programme_of

pytestmark = pytest.mark.usefixtures("no_flag_budget")

IDLE_DAYS = 23


def moment(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def run_flagging(as_of) -> None:
    """The nightly run as of ``as_of``, at 02:00 the night after, as beat starts it."""
    with time_machine.travel(moment(as_of + timedelta(days=1), 2), tick=False):
        run, chunks = flag_run_start(as_of=as_of, chunk_size=2000)
        for index, student_ids in enumerate(chunks):
            flag_chunk_evaluate(run=run, index=index, student_ids=student_ids)
        flag_run_finish(run=run)


def day(value) -> str:
    return date_format(value, "DATE_FORMAT")


@pytest.fixture
def idle_student(mentor):
    """Active every day of their first weeks, then nothing for 23 days up to AS_OF."""
    programme = programme_of(60, 60, 60)
    student = enrolled_student(programme, started_days_ago=40, span_days=400)
    AssignmentFactory(student=student, mentor=mentor)
    active_on(student, range(IDLE_DAYS, 40))
    return student


def file_of(client, student, *, on) -> str:
    with time_machine.travel(moment(on, 10), tick=False):
        response = client.get(reverse("students:file", args=[student.pk]))
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, testid: str) -> str:
    """The element marked ``data-testid`` (its opening tag to the next tag's close)."""
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</", start)]


def test_it_tells_one_story_after_a_flag_and_a_later_submission(client, mentor, idle_student):
    run_flagging(AS_OF)
    flag = RiskFlag.objects.get(student=idle_student)
    assert flag.reasons[0]["observed"] == IDLE_DAYS
    # The run wrote it the night after the day it judged.
    assert flag.created_at.date() == AS_OF + timedelta(days=1) != flag.opened_on == AS_OF

    submitted_on = AS_OF + timedelta(days=1)
    with time_machine.travel(moment(submitted_on, 14), tick=False):
        submission_create(
            student=idle_student,
            project=idle_student.enrolments.get().programme.projects.get(position=1),
            link="https://example.org/work",
        )
    client.force_login(mentor)

    page = file_of(client, idle_student, on=submitted_on + timedelta(days=1))

    # The reasons say the day they speak of...
    assert f"No activity for {IDLE_DAYS} days" in section(page, "flag-reasons")
    assert f"Why, as of {day(AS_OF)}" in section(page, "flag-reasons-on")
    # ...and the file says what happened since, the day its "Last activity" shows.
    assert day(submitted_on) in section(page, "flag-activity-since")
    assert f'datetime="{submitted_on.isoformat()}"' in section(page, "last-activity")
    # The flag opened on one day, in its card and in the timeline alike.
    assert day(AS_OF) in section(page, "flag-opened-on")
    timeline_flag = page.split('data-kind="flag"')[1]
    assert timeline_flag.split("</time>")[0].endswith(day(AS_OF))
    assert f'datetime="{AS_OF.isoformat()}"' in timeline_flag.split("</time>")[0]

    # The next night's run finds the signals clear: the flag stays open for now, its
    # reasons still as of the day they were found.
    run_flagging(submitted_on)
    flag.refresh_from_db()
    assert (flag.status, flag.clear_since, flag.evaluated_on) == (
        FlagStatus.OPEN,
        submitted_on,
        submitted_on,
    )

    page = file_of(client, idle_student, on=submitted_on + timedelta(days=1))

    assert f"Why, as of {day(AS_OF)}" in section(page, "flag-reasons-on")
    assert day(submitted_on) in section(page, "flag-clear-since")
    assert day(submitted_on) in section(page, "flag-activity-since")


def test_it_says_nothing_more_when_the_reasons_and_the_activity_agree(
    client, mentor, idle_student
):
    run_flagging(AS_OF)
    client.force_login(mentor)

    page = file_of(client, idle_student, on=AS_OF + timedelta(days=1))

    assert f"Why, as of {day(AS_OF)}" in section(page, "flag-reasons-on")
    assert 'data-testid="flag-activity-since"' not in page
    assert 'data-testid="flag-clear-since"' not in page


def test_it_reads_the_day_of_a_flag_written_before_reasons_on(idle_student):
    # Flags written before the field: the last day judged with signals showing.
    flag = RiskFlag.objects.create(
        student=idle_student,
        severity="red",
        reasons=[],
        opened_on=AS_OF,
        evaluated_on=AS_OF + timedelta(days=3),
        clear_since=AS_OF + timedelta(days=2),
    )

    assert flag.reasons_as_of == AS_OF + timedelta(days=1)
    flag.clear_since = None
    assert flag.reasons_as_of == AS_OF + timedelta(days=3)
