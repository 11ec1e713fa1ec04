"""One answer each to "where does this student stand against the plan?" and "when was
this student last active?": on the same data, the student list, the student's file,
the students API, the nightly flagging run (``students.flag_runs``, through
``students.risk.judgement.risk_judgement``) and the mentor's home page say the same
thing. The rules: ``projects.models.plan_pace`` and
``mentorship.activity.last_active_on``; and a student who finishes one of two
programmes stays active and is judged on the other (``projects.services.review_submit``
graduates only when no enrolment is left active)."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship.activity import activity_record
from mentorship.models import ActivityKind, DailyActivity, StudentStatus
from projects.models import Verdict
from projects.services import review_submit
from projects.tests.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReviewFactory,
    SubmissionFactory,
)
from projects.tests.helpers_curriculum import attempt_waiting, curriculum_create
from students.flag_runs import flag_chunk_evaluate, flag_run_finish, flag_run_start
from students.models import FlagSettings, FlagStatus, RiskFlag
from students.risk.judgement import risk_judgement
from students.risk.signals import SignalName

pytestmark = pytest.mark.django_db


# --- What each place says ---------------------------------------------------------------


def list_row(client, student) -> tuple[object, object, str]:
    """The student's row of "My students": the annotated student, their progress and
    the row's HTML."""
    response = client.get(reverse("students:list"))
    (row, progress), *_others = [
        (row, progress) for row, progress in response.context["rows"] if row.pk == student.pk
    ]
    html = re.search(
        rf'data-student="{student.pk}">(.*?)</tr>', response.content.decode(), re.S
    ).group(1)
    return row, progress, html


def file_page(client, student) -> str:
    return client.get(reverse("students:file", args=[student.pk])).content.decode()


def api(client, student) -> dict:
    return client.get(reverse("api:student-detail", args=[student.pk])).json()


def flagging_run(*, as_of) -> dict[str, dict]:
    """Every reason of the student's open flag after the nightly run as of the day,
    by signal (the only student judged is the one of the test)."""
    run, chunks = flag_run_start(as_of=as_of)
    for index, student_ids in enumerate(chunks):
        flag_chunk_evaluate(run=run, index=index, student_ids=student_ids)
    flag_run_finish(run=run)
    flag = RiskFlag.objects.filter(status=FlagStatus.OPEN).first()
    return {reason["signal"]: reason for reason in flag.reasons} if flag else {}


def judged(student, *, as_of) -> dict[str, float]:
    found = risk_judgement(
        student_ids=[student.pk], as_of=as_of, thresholds=FlagSettings.current()
    )
    return {signal.name: signal.observed for signal in found.signals.get(student.pk, [])}


def pace_on_file(html: str) -> str:
    return re.search(r'data-testid="pace" data-pace="(\w+)"', html).group(1)


# --- Where a student stands against the plan ---------------------------------------------


@pytest.fixture
def programme():
    """Three projects of 14 days: over a 42-day enrolment they fall due on days 14, 28
    and 42."""
    programme = ProgrammeFactory()
    for position in (1, 2, 3):
        ProjectFactory(programme=programme, position=position, target_days=14, criteria=0)
    return programme


def enrol_and_approve(student, programme, *, started_days_ago: int, positions: list[int]):
    """An enrolment that lets the student skip ahead, these projects approved (a few
    days apart, the last five days ago), and activity every day so that only the plan
    can show."""
    today = timezone.localdate()
    started_on = today - timedelta(days=started_days_ago)
    EnrolmentFactory(
        student=student,
        programme=programme,
        started_on=started_on,
        target_end_on=started_on + timedelta(days=42),
        allow_skipping=True,
    )
    for days_ago, position in zip(range(5 * len(positions), 0, -5), positions, strict=True):
        submission = SubmissionFactory(
            student=student,
            project=programme.projects.get(position=position),
            submitted_at=timezone.now() - timedelta(days=days_ago + 1),
        )
        ReviewFactory(
            submission=submission,
            verdict=Verdict.APPROVED,
            created_at=timezone.now() - timedelta(days=days_ago),
        )
    DailyActivity.objects.bulk_create(
        DailyActivity(student=student, day=today - timedelta(days=days), events=3)
        for days in range(started_days_ago + 1)
    )


def test_a_student_who_skipped_ahead_is_on_track_everywhere(as_user, client, student, programme):
    # Day 35: two projects were due (days 14 and 28); the second and third are
    # approved, the first is not. Judged by the first not approved, they were 21 days
    # behind; by the count, they are where the plan wants them.
    enrol_and_approve(student, programme, started_days_ago=35, positions=[2, 3])
    today = timezone.localdate()
    as_user("mentor")

    _row, progress, row_html = list_row(client, student)
    file_html = file_page(client, student)
    body = api(client, student)
    reasons = flagging_run(as_of=today)

    assert progress.standing == "on_track"
    assert 'data-pace="on_track"' in row_html
    assert pace_on_file(file_html) == "on_track"
    [enrolment] = body["progress"]
    assert (enrolment["standing"], enrolment["days_behind"]) == ("on_track", 0)
    assert SignalName.BEHIND_PLAN not in judged(student, as_of=today)
    assert SignalName.BEHIND_PLAN not in reasons
    # The project left behind is still the current one: the stalled signal watches it.
    assert progress.next_project.project.position == 1
    assert reasons[SignalName.STALLED_PROJECT]["project"] == progress.next_project.project.title


def test_a_student_behind_plan_is_behind_by_the_same_days_everywhere(
    as_user, client, student, programme
):
    # Day 43: all three were due; only the third is approved. The plan wanted a second
    # project approved by day 28, 15 days ago.
    enrol_and_approve(student, programme, started_days_ago=43, positions=[3])
    today = timezone.localdate()
    as_user("mentor")

    _row, progress, row_html = list_row(client, student)
    file_html = file_page(client, student)
    body = api(client, student)
    reasons = flagging_run(as_of=today)

    assert (progress.standing, progress.days_behind) == ("behind", 15)
    assert 'data-pace="behind"' in row_html
    assert "15 days late" in row_html
    assert pace_on_file(file_html) == "behind"
    assert re.search(r'data-testid="days-behind">15 days late<', file_html)
    [enrolment] = body["progress"]
    assert (enrolment["standing"], enrolment["days_behind"]) == ("behind", 15)
    assert judged(student, as_of=today)[SignalName.BEHIND_PLAN] == 15
    assert reasons[SignalName.BEHIND_PLAN]["observed"] == 15
    assert "15 days behind plan" in file_page(client, student)


# --- When a student was last active -------------------------------------------------------


def test_a_student_who_submitted_yesterday_was_active_yesterday_everywhere(
    as_user, client, student, programme
):
    # Enrolled a month ago and nothing since but a submission yesterday, recorded as
    # the portal records it (projects.services.submission_create).
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    EnrolmentFactory(
        student=student,
        programme=programme,
        started_on=today - timedelta(days=30),
        target_end_on=today + timedelta(days=60),
    )
    submitted_at = datetime.combine(yesterday, time(12), tzinfo=UTC)
    submission = SubmissionFactory(
        student=student, project=programme.projects.get(position=1), submitted_at=submitted_at
    )
    activity_record(
        student=student,
        kind=ActivityKind.SUBMISSION,
        occurred_at=submitted_at,
        key=f"submission:{submission.pk}",
    )
    as_user("mentor")

    row, _progress, row_html = list_row(client, student)
    file_html = file_page(client, student)
    body = api(client, student)

    assert row.last_active_on == yesterday
    assert "yesterday" in row_html
    assert f'datetime="{yesterday.isoformat()}"' in file_html
    assert body["last_active_on"] == yesterday.isoformat()
    # The nightly run judges yesterday: no inactivity then, nor today.
    assert SignalName.INACTIVITY not in judged(student, as_of=yesterday)
    assert SignalName.INACTIVITY not in judged(student, as_of=today)
    assert SignalName.INACTIVITY not in flagging_run(as_of=yesterday)


def test_a_student_quiet_for_twenty_days_is_quiet_for_twenty_days_everywhere(
    as_user, client, student, mentor, programme
):
    # Lessons on the learning platform every day until twenty days ago, and nothing
    # since; the mentor's review yesterday is the mentor's doing, not the student's.
    today = timezone.localdate()
    last = today - timedelta(days=20)
    EnrolmentFactory(
        student=student,
        programme=programme,
        started_on=today - timedelta(days=60),
        target_end_on=today + timedelta(days=60),
    )
    DailyActivity.objects.bulk_create(
        DailyActivity(student=student, day=today - timedelta(days=days), events=2)
        for days in range(20, 61)
    )
    ReviewFactory(
        submission=SubmissionFactory(
            student=student,
            project=programme.projects.get(position=1),
            submitted_at=datetime.combine(last, time(9), tzinfo=UTC),
        ),
        reviewer=mentor,
        verdict=Verdict.CHANGES_REQUESTED,
        created_at=timezone.now() - timedelta(days=1),
    )
    reasons = flagging_run(as_of=today)
    as_user("mentor")

    row, _progress, _row_html = list_row(client, student)
    file_html = file_page(client, student)
    body = api(client, student)
    home = client.get(reverse("metrics:home")).content.decode()

    assert row.last_active_on == last
    assert f'datetime="{last.isoformat()}"' in file_html
    assert body["last_active_on"] == last.isoformat()
    assert judged(student, as_of=today)[SignalName.INACTIVITY] == 20
    assert reasons[SignalName.INACTIVITY]["observed"] == 20
    assert "No activity for 20 days" in file_html
    assert "No activity for 20 days" in home


# --- A student with two enrolments who finishes one -----------------------------------


def test_a_student_who_finishes_one_of_two_programmes_studies_the_other_everywhere(
    as_user, client, mentor, student, programme
):
    # Enrolled in two programmes; the mentor approves the only project of the first
    # through the portal's own service. The first is finished, the student is still
    # active and 29 days behind on the second (due on day 14, now day 43, nothing
    # approved), and the nightly run judges them on it.
    today = timezone.localdate()
    started_on = today - timedelta(days=43)
    EnrolmentFactory(
        student=student,
        programme=programme,
        started_on=started_on,
        target_end_on=started_on + timedelta(days=42),
    )
    finished = curriculum_create(projects=1, criteria=0, students=[student])
    DailyActivity.objects.bulk_create(
        DailyActivity(student=student, day=today - timedelta(days=days), events=3)
        for days in range(44)
    )

    review_submit(
        submission=attempt_waiting(student=student, project=finished.first),
        reviewer=mentor,
        verdict=Verdict.APPROVED,
        feedback="Well done.",
        criteria={},
    )
    as_user("mentor")

    _row, progress, row_html = list_row(client, student)
    file_html = file_page(client, student)
    body = api(client, student)
    reasons = flagging_run(as_of=today)

    assert (progress.enrolment.programme, progress.standing) == (programme, "behind")
    assert 'data-pace="behind"' in row_html
    assert 'data-pace="finished"' in file_html
    assert 'data-pace="behind"' in file_html
    assert body["profile"]["status"] == StudentStatus.ACTIVE
    standings = {item["programme"]["id"]: item["standing"] for item in body["progress"]}
    assert standings == {programme.pk: "behind", finished.programme.pk: "finished"}
    assert judged(student, as_of=today)[SignalName.BEHIND_PLAN] == 29
    assert reasons[SignalName.BEHIND_PLAN]["observed"] == 29
