"""``seed_demo``'s activity histories (``students.demo.seed_activity``): every at-risk
signal shows among the flags right after the first run, the first demo mentor has
flagged students, dropped students went quiet first, the review loop and the sessions
are recorded as activity as real use records them (so no page shows a student doing
something after their last activity), and a second run adds nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from mentorship.activity import last_active_on
from mentorship.models import (
    NOT_ENGAGEMENT,
    ActivityEvent,
    ActivityKind,
    Assignment,
    DailyActivity,
    StudentProfile,
    StudentStatus,
    StudentStatusChange,
    User,
)
from mentorship.selectors import student_status_history, student_statuses_on
from projects.models import CriterionVerdict, Enrolment, Review, Submission
from students.models import FlagRun, FlagSettings, MentoringSession, RiskFlag, SessionStatus
from students.risk.backtest import RuleName, flag_backtest
from students.risk.signals import SignalName


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def seeded(demo_seeded, db) -> str:
    return demo_seeded.output  # seeded once for the module (conftest.py)


def test_it_shows_every_signal_among_the_flags(seeded):
    signals = {
        reason["signal"]
        for flag in RiskFlag.objects.filter(status="open")
        for reason in flag.reasons
    }

    assert signals == set(SignalName.ALL)
    assert "at-risk flags opened" in seeded


def test_it_keeps_most_students_unflagged(seeded):
    judged = FlagRun.objects.get().students

    # Open now; the past flags of the mentors' history are resolved.
    assert RiskFlag.objects.filter(status="open").count() < judged / 2


def test_it_gives_the_first_demo_mentor_flagged_students(seeded):
    mentor = User.objects.get(email="mentor@demo.test")
    students = Assignment.objects.current().filter(mentor=mentor).values("student_id")

    assert RiskFlag.objects.filter(status="open", student_id__in=students).count() >= 2


def test_it_keeps_the_rollup_equal_to_the_events(seeded):
    # The learning platform's (the "demo" source) and the portal's own: submissions,
    # reviews read, sessions attended; a missed session is recorded but not counted.
    assert ActivityEvent.objects.filter(source="demo").count() > 40 * 30
    events = ActivityEvent.objects.exclude(kind__in=NOT_ENGAGEMENT).count()

    assert sum(DailyActivity.objects.values_list("events", flat=True)) == events


def test_it_records_the_review_loop_and_the_sessions_as_real_use_does(seeded):
    portal = dict(ActivityEvent.objects.filter(source="portal").values_list("external_id", "kind"))

    for pk in Submission.objects.values_list("pk", flat=True):
        assert portal[f"submission:{pk}"] == ActivityKind.SUBMISSION
    held = MentoringSession.objects.filter(
        status__in=[SessionStatus.COMPLETED, SessionStatus.STUDENT_NO_SHOW]
    )
    for pk, status in held.values_list("pk", "status"):
        assert portal[f"session:{pk}"] == (
            ActivityKind.SESSION_ATTENDED
            if status == SessionStatus.COMPLETED
            else ActivityKind.SESSION_MISSED
        )
    read = {
        int(key.split(":")[1]): at
        for key, at in ActivityEvent.objects.filter(kind=ActivityKind.REVIEW_READ).values_list(
            "external_id", "occurred_at"
        )
    }
    assert len(read) > Review.objects.count() / 2
    for pk, created_at in Review.objects.filter(pk__in=read).values_list("pk", "created_at"):
        assert created_at < read[pk] <= timezone.now()


def test_it_shows_no_student_doing_anything_after_their_last_activity(seeded):
    """What the demo showed before: a red flag "no activity for 23 days" above a
    submission made yesterday."""
    last = dict(
        User.objects.filter(role="student")
        .annotate(last=last_active_on())
        .values_list("pk", "last")
    )
    zones = {user.pk: user.zone for user in User.objects.filter(role="student")}

    for student_id, submitted_at in Submission.objects.values_list("student_id", "submitted_at"):
        assert submitted_at.astimezone(zones[student_id]).date() <= last[student_id]
    run = FlagRun.objects.get()
    for flag in RiskFlag.objects.filter(status="open"):
        for reason in flag.reasons:
            if reason["signal"] == SignalName.INACTIVITY:
                assert (run.as_of - last[flag.student_id]).days == reason["observed"]


def test_it_keeps_the_quiet_students_review_loop_quiet(seeded):
    flagged = [
        flag.student_id
        for flag in RiskFlag.objects.filter(status="open")
        if any(reason["signal"] == SignalName.INACTIVITY for reason in flag.reasons)
    ]
    quiet = [
        *flagged,
        *StudentProfile.objects.filter(status=StudentStatus.DROPPED).values_list(
            "user_id", flat=True
        ),
    ]
    since = timezone.now() - timedelta(days=14)

    assert flagged
    assert not Submission.objects.filter(student_id__in=quiet, submitted_at__gte=since).exists()
    assert not MentoringSession.objects.filter(
        student_id__in=quiet, status=SessionStatus.COMPLETED, scheduled_at__gte=since
    ).exists()


def test_it_raises_past_flags_where_the_students_were_silent(seeded):
    """The demo mentors' history (``metrics.demo_scorecards``): the flags the nightly
    runs would have raised, resolved, and what the mentors did about them."""
    thresholds = FlagSettings.current()
    as_of = FlagRun.objects.get().as_of
    past = RiskFlag.objects.filter(status="resolved").prefetch_related("outreach")

    assert past.count() >= 5
    for flag in past:
        days = set(
            DailyActivity.objects.filter(student_id=flag.student_id).values_list("day", flat=True)
        )
        last = flag.opened_on - timedelta(days=thresholds.inactivity_amber_days)
        assert last in days
        assert flag.clear_since in days
        assert not any(last < day < flag.clear_since for day in days)
        (reason,) = flag.reasons
        assert (reason["signal"], reason["observed"]) == (
            SignalName.INACTIVITY,
            (flag.clear_since - last).days - 1,
        )
        assert flag.resolved_on == flag.clear_since + timedelta(
            days=thresholds.resolve_after_clear_days
        )
        assert flag.resolved_on < as_of
        outreach = list(flag.outreach.all())
        if flag.acknowledged_at is not None:
            assert flag.created_at < flag.acknowledged_at
        if not outreach:
            assert flag.first_outreach_at is None
            continue
        assert flag.acknowledged_at <= outreach[0].at == flag.first_outreach_at
        assert flag.first_outreach_at.date() <= flag.resolved_on
    assert past.filter(acknowledged_at__isnull=True).exists()
    # Whether the students recovered after the outreach, the flagging run judged.
    assert past.filter(recovered__isnull=False).exists()


def test_it_drops_students_who_went_quiet_first(seeded):
    dropped = StudentProfile.objects.filter(status=StudentStatus.DROPPED)
    today = timezone.localdate()

    assert dropped.count() >= 3
    for profile in dropped:
        change = student_status_history(student=profile.user).first()
        assert change.status == StudentStatus.DROPPED
        assert change.effective_on < today - timedelta(days=7)
        # Recorded today by staff, dated the day they dropped.
        assert change.recorded_by.email == "staff@demo.test"
        last = (
            DailyActivity.objects.filter(student_id=profile.user_id)
            .order_by("-day")
            .values_list("day", flat=True)
            .first()
        )
        assert last <= change.effective_on - timedelta(days=10)


def test_it_gives_every_demo_student_a_history_that_ends_in_their_status(seeded):
    statuses = dict(StudentProfile.objects.values_list("user_id", "status"))
    today = max(
        timezone.localdate(), *StudentStatusChange.objects.values_list("effective_on", flat=True)
    )

    assert student_statuses_on(day=today) == statuses
    # Each history begins with the day the student joined, active.
    for student in User.objects.filter(role="student"):
        first = student_status_history(student=student).last()
        joined = timezone.localdate(student.date_joined, student.zone)
        assert (first.status, first.effective_on) == (StudentStatus.ACTIVE, joined)
    assert {"paused", "graduated", "dropped"} <= set(statuses.values())


def test_it_gives_the_backtest_drop_outs_to_catch(seeded):
    today = timezone.localdate()

    result = flag_backtest(start=today - timedelta(days=100), end=today, every=7)

    overall = result.overall
    assert overall.withdrawals >= 3
    assert overall.rules[RuleName.ANY].caught == overall.withdrawals


def test_it_adds_nothing_the_second_time(seeded):
    models = [
        ActivityEvent,
        DailyActivity,
        MentoringSession,
        Enrolment,
        Submission,
        Review,
        CriterionVerdict,
        RiskFlag,
        FlagRun,
    ]
    before = {model.__name__: model.objects.count() for model in models}
    history = list(StudentStatusChange.objects.values_list("pk", "status", "effective_on"))

    output = _seed()

    assert {model.__name__: model.objects.count() for model in models} == before
    assert list(StudentStatusChange.objects.values_list("pk", "status", "effective_on")) == history
    assert "Activity: 0 events, 0 missed sessions, 0 more attempts, 0 students" in output
