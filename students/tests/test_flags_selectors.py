"""Reading at-risk flags (``students.selectors``): who sees them, the queue's order,
the reasons as sentences in the reader's language, the weekly chart."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from mentorship.models import DailyActivity
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from students.charts import flag_activity_chart
from students.flags import (
    Reason,
    flag_reason_sentences,
    flags_needing_attention,
    flags_open_counts,
    flags_open_queue,
    flags_visible_to,
    student_flag,
)
from students.models import FlagOutreach, OutreachKind

from .helpers_flags import DROP_AMBER, INACTIVE_RED, make_flag

pytestmark = pytest.mark.django_db


def reason(signal, observed, threshold, *, severity="amber", baseline=None, project=""):
    return {
        "signal": signal,
        "severity": severity,
        "observed": observed,
        "baseline": baseline,
        "threshold": threshold,
        "project": project,
    }


def sentence(stored: dict) -> str:
    return Reason.from_stored(stored).sentence


# --- Who sees flags -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("student", []),
        ("other_student", []),
        ("mentor", ["student"]),
        ("other_mentor", ["other_student"]),
        ("supervisor", ["student"]),
        ("other_supervisor", ["other_student"]),
        ("staff", ["student", "other_student"]),
    ],
)
def test_it_shows_flags_to_those_who_look_after_the_student(
    request, student, other_student, role, sees
):
    flags = {
        "student": make_flag(student),
        "other_student": make_flag(other_student),
    }

    visible = flags_visible_to(request.getfixturevalue(role))

    assert set(visible) == {flags[name] for name in sees}


def test_it_hides_a_flag_from_a_former_mentor(student, mentor, other_mentor):
    flag = make_flag(student)
    student.mentor_assignments.update(ended_at=timezone.now())
    AssignmentFactory(student=student, mentor=other_mentor)

    assert not flags_visible_to(mentor).exists()
    assert list(flags_visible_to(other_mentor)) == [flag]


def test_it_puts_the_oldest_unacknowledged_first(mentor, student, staff):
    others = StudentFactory.create_batch(3)
    for other in others:
        AssignmentFactory(student=other, mentor=mentor)
    acknowledged_old = make_flag(
        others[0], opened_days_ago=30, acknowledged_at=timezone.now(), acknowledged_by=mentor
    )
    new = make_flag(others[1], opened_days_ago=1)
    old = make_flag(others[2], opened_days_ago=10)
    make_flag(student, opened_days_ago=40, resolved_on=timezone.localdate())
    FlagOutreach.objects.create(flag=acknowledged_old, mentor=mentor, kind=OutreachKind.CALL)

    queue = list(flags_open_queue(flags_visible_to(staff)))

    assert queue == [old, new, acknowledged_old]
    assert [flag.outreach_count for flag in queue] == [0, 0, 1]
    assert [flag.open_for.days for flag in queue] == [10, 1, 30]
    assert {flag.mentor_name for flag in queue} == {"Maria Mentor"}


def test_it_counts_open_and_unacknowledged_flags(supervisor, mentor, student, other_student):
    make_flag(student)
    second = StudentFactory()
    AssignmentFactory(student=second, mentor=mentor)
    make_flag(second, acknowledged_at=timezone.now())
    make_flag(other_student)

    assert flags_open_counts(supervisor) == {"open": 2, "unacknowledged": 1}


def test_it_shows_the_open_flag_on_the_file_before_resolved_ones(mentor, student):
    make_flag(student, opened_days_ago=60, resolved_on=timezone.localdate() - timedelta(days=30))
    latest_resolved = make_flag(
        student, opened_days_ago=20, resolved_on=timezone.localdate() - timedelta(days=5)
    )

    assert student_flag(mentor, student=student) == latest_resolved

    current = make_flag(student, opened_days_ago=1)

    assert student_flag(mentor, student=student) == current
    assert student_flag(student, student=student) is None


# --- Reasons in words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (INACTIVE_RED, "No activity for 16 days (red from 14)."),
        (reason("inactivity", 1, 1), "No activity for 1 day (amber from 1)."),
        (
            DROP_AMBER,
            "Activity has fallen to 3.5 events a week, 20 % of their usual 17.5 "
            "(amber below 50 %).",
        ),
        (
            {**DROP_AMBER, "cohort": 40},
            "Activity has fallen to 3.5 events a week, 20 % of their usual 17.5 "
            "(amber below 50 %). Judged against their peers, who were at 40 % of their "
            "usual activity.",
        ),
        (
            {**INACTIVE_RED, "cohort": 0},
            "No activity for 16 days (red from 14). Their cohort was quiet too (0 % of its "
            "usual activity), so those quiet days are not counted.",
        ),
        (
            reason("stalled_project", 40, 31.5, baseline=21, project="Blog"),
            "Project “Blog” open for 40 days with nothing submitted "
            "(more than 1.5 × its 21 target days).",
        ),
        (
            reason("stalled_project", 40, 31.5, baseline=0, project="Blog"),
            "Project “Blog” open for 40 days with nothing submitted (more than 31.5 days).",
        ),
        (reason("behind_plan", 15, 14), "15 days behind plan (more than 14)."),
        (reason("missed_sessions", 2, 2), "Missed 2 sessions recently (a flag from 2)."),
        (
            reason("struggling", 3, 3, project="Shop"),
            "3 requests for changes on “Shop” (a flag from 3).",
        ),
        (
            reason("struggling", 1, 1, project="Shop"),
            "1 request for changes on “Shop” (a flag from 1).",
        ),
        (reason("mood", 2, 5), "mood: 2 (threshold 5)."),
    ],
)
def test_it_says_each_reason_in_a_sentence(stored, expected):
    with translation.override("en"):
        assert sentence(stored) == expected


def test_it_says_the_worst_reasons_first():
    flag = make_flag(StudentFactory(), reasons=[DROP_AMBER, INACTIVE_RED])

    with translation.override("en"):
        sentences = flag_reason_sentences(flag)

    assert sentences[0].startswith("No activity for 16 days")
    assert len(sentences) == 2


def test_it_reads_the_reasons_in_the_language_active_at_display_time():
    drop = Reason.from_stored(DROP_AMBER)

    with translation.override("ru"):
        russian = drop.sentence
    with translation.override("en"):
        english = drop.sentence

    # Numbers are written the reader's way: a decimal comma in Russian.
    assert "3,5" in russian
    assert "17,5" in russian
    assert "3.5" in english
    assert "17.5" in english


@pytest.mark.parametrize("days", [1, 2, 5, 21, 22, 25, 111])
def test_it_picks_the_plural_form_for_the_number_of_days_in_russian(days):
    stored = reason("inactivity", days, 7)

    with translation.override("ru"):
        text = sentence(stored)
        expected = translation.ngettext(
            "No activity for %(days)d day (%(level)s from %(threshold)s).",
            "No activity for %(days)d days (%(level)s from %(threshold)s).",
            days,
        ) % {
            "days": days,
            "level": translation.pgettext("at-risk flag level in a sentence", "amber"),
            "threshold": "7",
        }

    assert text == expected
    assert str(days) in text


# --- The weekly chart -----------------------------------------------------------------


def test_it_draws_sixteen_weeks_and_marks_the_flagged_ones(student):
    today = date(2026, 6, 17)  # a Wednesday
    flag = make_flag(student, opened_days_ago=0)
    flag.opened_on = date(2026, 6, 1)
    DailyActivity.objects.bulk_create(
        [
            DailyActivity(student=student, day=date(2026, 3, 2), events=4),  # week 1 Monday
            DailyActivity(student=student, day=date(2026, 3, 8), events=4),  # week 1 Sunday
            DailyActivity(student=student, day=date(2026, 6, 16), events=2),  # this week
            DailyActivity(student=student, day=date(2026, 2, 28), events=99),  # before
        ]
    )

    chart = flag_activity_chart(flag=flag, today=today)

    assert len(chart.bars) == 16
    assert chart.bars[0].week == date(2026, 3, 2)
    assert chart.bars[-1].week == date(2026, 6, 15)
    assert [bar.events for bar in chart.bars] == [8] + [0] * 14 + [2]
    assert chart.peak == 8
    assert chart.total == 10
    assert [bar.week for bar in chart.bars if bar.flagged] == [
        date(2026, 6, 1),
        date(2026, 6, 8),
        date(2026, 6, 15),
    ]
    # The tallest bar fills the drawing area; the others stand on the same axis.
    tallest, latest = chart.bars[0], chart.bars[-1]
    assert tallest.y + tallest.height == latest.y + latest.height == chart.baseline_y
    assert latest.height == pytest.approx(tallest.height / 4, abs=0.1)
    assert [bool(bar.label) for bar in chart.bars].count(True) == 4


def test_it_marks_only_the_weeks_a_resolved_flag_was_open(student):
    today = date(2026, 6, 17)
    flag = make_flag(student, resolved_on=date(2026, 5, 20))
    flag.opened_on = date(2026, 5, 6)

    chart = flag_activity_chart(flag=flag, today=today)

    assert [bar.week for bar in chart.bars if bar.flagged] == [
        date(2026, 5, 4),
        date(2026, 5, 11),
        date(2026, 5, 18),
    ]
    assert chart.peak == 0
    assert all(bar.height == 0 for bar in chart.bars)


def test_it_asks_the_mentor_again_about_a_flag_that_worsened_since_acknowledged(mentor, student):
    now = timezone.now()
    seen, worsened, resolved = (StudentFactory() for _ in range(3))
    for person in (seen, worsened, resolved):
        AssignmentFactory(student=person, mentor=mentor)
    new = make_flag(student)
    make_flag(seen, acknowledged_at=now - timedelta(days=1), worsened_at=now - timedelta(days=2))
    raised = make_flag(
        worsened, acknowledged_at=now - timedelta(days=1), worsened_at=now - timedelta(hours=1)
    )
    make_flag(resolved, resolved_on=timezone.localdate())

    attention = flags_needing_attention(flags_visible_to(mentor))

    assert set(attention) == {new, raised}
