"""``make bench`` (``manage.py bench_flags``, ``students.bench``). The benchmark itself
is not a test; these check that it refuses SQLite, that its floor query computes the
same inactivity and drop signals as ``risk_signals``, and that its data generator
runs (the last two on PostgreSQL only)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from mentorship.models import (
    ActivityEvent,
    DailyActivity,
    Role,
    StudentProfile,
    StudentStatus,
    StudentStatusChange,
    User,
)
from mentorship.selectors import student_statuses_on
from mentorship.services import student_status_set
from projects.models import Enrolment
from projects.tests.factories import SubmissionFactory
from students import bench
from students.models import FlagSettings
from students.risk.judgement import flaggable_student_ids, risk_judgement
from students.risk.signals import COHORT_MIN_STUDENTS, SignalName, cohort_ratios

from .helpers_risk import AS_OF, active_on, at, enrolled_student, programme_of

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL only"
)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="checks the refusal on SQLite")
def test_it_refuses_to_run_on_sqlite(db):
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("bench_flags", "--students", "10", "--events", "100", stdout=StringIO())


@postgresql_only
def test_it_refuses_to_use_the_configured_database_for_the_benchmark(db):
    with pytest.raises(CommandError, match="must not be the configured database"):
        call_command(
            "bench_flags", "--database", connection.settings_dict["NAME"], stdout=StringIO()
        )


@postgresql_only
def test_its_floor_finds_the_same_inactivity_and_drop_signals(db):
    """The same as the nightly job, peers included: one programme as usual, one quiet
    for a fortnight (its ten students at a third of their usual: no drop, except for
    the one who fell further still)."""
    programme = programme_of(200)
    students = [enrolled_student(programme, started_days_ago=100) for _ in range(6)]
    active_on(students[0], range(100))  # steady
    active_on(students[1], range(9, 100))  # idle 9 days: amber, and a drop
    active_on(students[2], range(20, 100))  # idle 20 days: red
    active_on(students[3], range(0, 100, 3))  # thin but steady
    active_on(students[4], [*range(0, 14, 4), *range(14, 100)])  # a drop, still active
    # students[5] never did anything since enrolling 100 days ago.
    # One event a day with its minutes: an hour a day, then ten minutes. A red drop by
    # the minutes, none by the count of events.
    minutes = enrolled_student(programme, started_days_ago=100)
    DailyActivity.objects.bulk_create(
        DailyActivity(
            student=minutes,
            day=AS_OF - timedelta(days=day),
            events=1,
            value_total=60 if day >= 14 else 10,
            valued_events=1,
        )
        for day in range(100)
    )
    # Idle 30 days, but their one project waits for review: neither judges them.
    waiting = enrolled_student(programme, started_days_ago=100)
    active_on(waiting, range(30, 100))
    SubmissionFactory(student=waiting, project=programme.projects.get(), submitted_at=at(31))
    # Idle too, but dropped before the day: judged by neither. Idle and paused only
    # after the day: judged, and flagged, by both.
    dropped, paused_later = (enrolled_student(programme, started_days_ago=100) for _ in range(2))
    for student, status, days_before in (
        (dropped, StudentStatus.DROPPED, 5),
        (paused_later, StudentStatus.PAUSED, -3),
    ):
        student_status_set(
            profile=student.student_profile,
            status=status,
            effective_on=AS_OF - timedelta(days=days_before),
        )
    quiet = programme_of(200)
    peers = [enrolled_student(quiet, started_days_ago=100) for _ in range(COHORT_MIN_STUDENTS)]
    for peer in peers[1:]:
        active_on(peer, range(14, 100), events=3)
        active_on(peer, range(14), events=1)
    active_on(peers[0], range(14, 100), events=3)
    active_on(peers[0], range(0, 14, 7), events=1)  # far below the programme's third
    thresholds = FlagSettings.current()
    ids = list(flaggable_student_ids(as_of=AS_OF))
    assert dropped.pk not in ids
    assert waiting.pk in ids
    judgement = risk_judgement(student_ids=ids, as_of=AS_OF, thresholds=thresholds)
    cohort = cohort_ratios(judgement.activity, thresholds)
    expected = {}
    for student_id, signals in judgement.resolve(cohort=cohort, thresholds=thresholds).items():
        found = {
            signal.name: signal.severity
            for signal in signals
            if signal.name in (SignalName.INACTIVITY, SignalName.ACTIVITY_DROP)
        }
        if found:
            expected[student_id] = found

    with connection.cursor() as cursor:
        cursor.execute(bench.FLOOR_SQL, bench.floor_params(AS_OF, thresholds))
        rows = cursor.fetchall()

    floor = {
        student_id: {
            name: severity
            for name, severity in (
                (SignalName.INACTIVITY, inactivity),
                (SignalName.ACTIVITY_DROP, drop),
            )
            if severity
        }
        for student_id, inactivity, _idle, drop, _percent in rows
    }
    assert floor == expected
    assert set(expected) == {
        students[1].pk,
        students[2].pk,
        students[4].pk,
        students[5].pk,
        minutes.pk,
        peers[0].pk,
        paused_later.pk,
    }
    assert list(cohort) == [f"p{quiet.pk}"]


@postgresql_only
def test_its_generator_builds_a_cohort(db):
    bench.bench_data_generate(students=40, events=2000, vacuum=False)

    students = User.objects.filter(role=Role.STUDENT, email__startswith="bench-student-")
    assert students.count() == 40
    assert StudentProfile.objects.filter(user__in=students).count() == 40
    assert Enrolment.objects.filter(student__in=students).count() == 40
    assert ActivityEvent.objects.filter(source="bench").count() == 2000
    assert sum(DailyActivity.objects.values_list("events", flat=True)) == 2000
    # Each student's history: active since they joined, then paused or dropped for some;
    # the profiles' statuses are the history's.
    assert StudentStatusChange.objects.filter(status=StudentStatus.ACTIVE).count() == 40
    today = bench.BENCH_AS_OF
    assert student_statuses_on(day=today, student_ids=students.values("pk")) == dict(
        StudentProfile.objects.filter(user__in=students).values_list("user_id", "status")
    )
    assert set(student_statuses_on(day=today).values()) == {"active", "paused", "dropped"}
