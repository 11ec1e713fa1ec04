"""Activity events (``activity_ingest``, ``activity_record``) and the per-student
per-day rollup they keep current (``DailyActivity``)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Count

from mentorship.activity import (
    ACTIVITY_BATCH_LIMIT,
    PORTAL_SOURCE,
    PortalEvent,
    activity_ingest,
    activity_record,
    activity_record_many,
    daily_activity_refresh,
)
from mentorship.models import NOT_ENGAGEMENT, ActivityEvent, ActivityKind, DailyActivity
from mentorship.tests.factories import StudentFactory

MORNING = "2026-03-02T09:00:00+00:00"
NOBODY = "nobody@example.test"


def _event(student, *, external_id=None, kind="lesson_viewed", occurred_at=MORNING, **extra):
    item = {"student_email": student.email, "kind": kind, "occurred_at": occurred_at, **extra}
    if external_id is not None:
        item["external_id"] = external_id
    return item


def _rollup() -> dict[tuple[int, date], int]:
    return {(row.student_id, row.day): row.events for row in DailyActivity.objects.order_by("pk")}


def _recount() -> dict[tuple[int, date], int]:
    """The rollup as it should be, counted from the raw events."""
    return {
        (row["student_id"], row["day"]): row["events"]
        for row in ActivityEvent.objects.exclude(kind__in=NOT_ENGAGEMENT)
        .values("student_id", "day")
        .annotate(events=Count("pk"))
        .order_by()
    }


# --- Accepted events ------------------------------------------------------------------


def test_it_records_events_with_the_students_local_day(student):
    result = activity_ingest(
        source="platform",
        items=[_event(student, external_id="e1", value=0.75), _event(student)],
    )

    assert (result.accepted, result.duplicates, result.rejected) == (2, 0, [])
    event = ActivityEvent.objects.get(external_id="e1")
    assert (event.student, event.kind, event.source, event.value) == (
        student,
        ActivityKind.LESSON_VIEWED,
        "platform",
        0.75,
    )
    assert event.occurred_at == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert event.day == date(2026, 3, 2)
    assert ActivityEvent.objects.filter(external_id__isnull=True).count() == 1
    assert _rollup() == {(student.pk, date(2026, 3, 2)): 2}


def test_it_names_students_by_external_id_and_by_email_in_any_case(student):
    student.student_profile.external_id = "lp-7"
    student.student_profile.save()

    result = activity_ingest(
        source="platform",
        items=[
            {"student_external_id": "lp-7", "kind": "quiz_taken", "occurred_at": MORNING},
            {"student_email": student.email.upper(), "kind": "quiz_taken", "occurred_at": MORNING},
        ],
    )

    assert (result.accepted, result.rejected) == (2, [])
    assert set(ActivityEvent.objects.values_list("student_id", flat=True)) == {student.pk}


@pytest.mark.parametrize(
    ("time_zone", "expected_day"),
    [("Europe/Moscow", date(2026, 3, 3)), ("America/New_York", date(2026, 3, 2))],
)
def test_it_counts_an_event_on_the_students_local_day(db, time_zone, expected_day):
    student = StudentFactory(time_zone=time_zone)

    activity_ingest(source="platform", items=[_event(student, occurred_at="2026-03-02T23:30:00Z")])

    assert ActivityEvent.objects.get().day == expected_day
    assert _rollup() == {(student.pk, expected_day): 1}


# --- Days without times (occurred_on) -------------------------------------------------


def _day_event(student, occurred_on, **extra):
    return {
        "student_email": student.email,
        "kind": "lesson_viewed",
        "occurred_on": occurred_on,
        **extra,
    }


def test_it_places_a_reported_day_on_that_day_for_a_student_west_of_utc(db):
    student = StudentFactory(time_zone="America/Los_Angeles")

    result = activity_ingest(
        source="platform",
        items=[
            _day_event(student, "2026-03-01", external_id="as-a-day"),
            # The same day sent as midnight UTC is the evening before in Los Angeles.
            _event(student, occurred_at="2026-03-01T00:00:00Z", external_id="as-a-time"),
        ],
    )

    assert (result.accepted, result.rejected) == (2, [])
    days = dict(ActivityEvent.objects.values_list("external_id", "day"))
    assert days == {"as-a-day": date(2026, 3, 1), "as-a-time": date(2026, 2, 28)}
    placed = ActivityEvent.objects.get(external_id="as-a-day").occurred_at
    assert placed == datetime(2026, 3, 1, 12, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert _rollup() == {(student.pk, date(2026, 2, 28)): 1, (student.pk, date(2026, 3, 1)): 1}


def test_it_takes_the_reported_day_over_the_times_local_day(db):
    student = StudentFactory(time_zone="Asia/Tokyo")

    activity_ingest(
        source="platform",
        items=[_day_event(student, "2026-03-02", occurred_at="2026-03-02T20:00:00Z")],
    )

    event = ActivityEvent.objects.get()
    assert event.day == date(2026, 3, 2)  # not the 3rd, Tokyo's date of that time
    assert event.occurred_at == datetime(2026, 3, 2, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    "occurred_on", ["2026-02-30", "March 1st", "2026-03-01T10:00:00Z", 20260301]
)
def test_it_rejects_a_reported_day_that_is_no_date(student, occurred_on):
    result = activity_ingest(source="platform", items=[_day_event(student, occurred_on)])

    assert result.rejected == [
        {"index": 0, "errors": {"occurred_on": "Give an ISO 8601 date, e.g. 2026-03-01."}}
    ]


@time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False)
def test_it_rejects_a_day_still_to_come_on_the_students_calendar(db):
    # Kiritimati (UTC+14) is always a calendar day ahead of Honolulu (UTC-10): its
    # today is tomorrow in Honolulu. At noon UTC, not in the five minutes before
    # Honolulu's midnight, when the clock-skew tolerance already reaches its tomorrow.
    ahead = StudentFactory(time_zone="Pacific/Kiritimati")
    behind = StudentFactory(time_zone="Pacific/Honolulu")
    today_there = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()

    result = activity_ingest(
        source="platform",
        items=[
            _day_event(ahead, today_there.isoformat()),
            _day_event(behind, today_there.isoformat()),
        ],
    )

    assert result.accepted == 1
    assert result.rejected == [{"index": 1, "errors": {"occurred_on": "This is in the future."}}]
    assert ActivityEvent.objects.get().student == ahead
    assert ActivityEvent.objects.get().day == today_there


def test_it_asks_for_a_time_or_a_day(student):
    result = activity_ingest(
        source="platform", items=[{"student_email": student.email, "kind": "lesson_viewed"}]
    )

    assert list(result.rejected[0]["errors"]) == ["occurred_at"]
    assert "occurred_on" in result.rejected[0]["errors"]["occurred_at"]


def test_it_points_a_bare_date_sent_as_a_time_to_occurred_on(student):
    result = activity_ingest(source="platform", items=[_event(student, occurred_at="2026-03-01")])

    assert result.rejected[0]["errors"] == {
        "occurred_at": (
            "This is a date without a time: send it as occurred_on, and it is placed on "
            "that day of the student's calendar."
        )
    }


# --- Duplicates -----------------------------------------------------------------------


def test_it_counts_a_repeated_external_id_inside_a_batch_once(student):
    result = activity_ingest(
        source="platform",
        items=[_event(student, external_id="e1"), _event(student, external_id="e1")],
    )

    assert (result.accepted, result.duplicates) == (1, 1)
    assert ActivityEvent.objects.count() == 1


def test_it_counts_events_recorded_by_an_earlier_batch_as_duplicates(student):
    activity_ingest(source="platform", items=[_event(student, external_id="e1")])

    result = activity_ingest(
        source="platform",
        items=[_event(student, external_id="e1"), _event(student, external_id="e2")],
    )

    assert (result.accepted, result.duplicates, result.rejected) == (1, 1, [])
    assert ActivityEvent.objects.count() == 2
    assert _rollup() == {(student.pk, date(2026, 3, 2)): 2}


def test_it_records_nothing_twice_when_a_batch_is_retried(student, other_student):
    batch = [
        _event(student, external_id="e1"),
        _event(student, external_id="e2", occurred_at="2026-03-03T10:00:00Z"),
        _event(other_student, external_id="e3"),
        _event(student, external_id="bad", kind="nap"),
    ]
    first = activity_ingest(source="platform", items=batch)
    rollup = _rollup()

    retried = activity_ingest(source="platform", items=batch)

    assert (first.accepted, first.duplicates) == (3, 0)
    assert (retried.accepted, retried.duplicates) == (0, 3)
    assert retried.rejected == first.rejected
    assert ActivityEvent.objects.count() == 3
    assert _rollup() == rollup


def test_it_keeps_external_ids_apart_by_source(student):
    activity_ingest(source="platform", items=[_event(student, external_id="e1")])

    result = activity_ingest(source="backfill", items=[_event(student, external_id="e1")])

    assert (result.accepted, result.duplicates) == (1, 0)
    assert ActivityEvent.objects.count() == 2


# --- Rejected items -------------------------------------------------------------------


def test_it_rejects_an_unknown_email_naming_the_field(student):
    result = activity_ingest(
        source="platform",
        items=[
            {"student_email": "nobody@example.test", "kind": "quiz_taken", "occurred_at": MORNING}
        ],
    )

    assert result.accepted == 0
    assert [(item["index"], list(item["errors"])) for item in result.rejected] == [
        (0, ["student_email"])
    ]
    assert not ActivityEvent.objects.exists()


def test_it_rejects_an_unknown_external_id_naming_the_field(student):
    student.student_profile.external_id = "lp-7"
    student.student_profile.save()

    result = activity_ingest(
        source="platform",
        items=[{"student_external_id": "lp-8", "kind": "quiz_taken", "occurred_at": MORNING}],
    )

    assert [list(item["errors"]) for item in result.rejected] == [["student_external_id"]]
    assert not ActivityEvent.objects.exists()


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_rejects_events_of_people_who_are_not_students(request, role):
    person = request.getfixturevalue(role)

    result = activity_ingest(source="platform", items=[_event(person)])

    assert [list(item["errors"]) for item in result.rejected] == [["student_email"]]
    assert not ActivityEvent.objects.exists()


def test_it_rejects_an_item_naming_no_student(db):
    result = activity_ingest(
        source="platform", items=[{"kind": "quiz_taken", "occurred_at": MORNING}]
    )

    assert [list(item["errors"]) for item in result.rejected] == [["student_email"]]


@pytest.mark.parametrize(
    "occurred_at",
    [
        "yesterday",
        "2026-13-45T10:00:00Z",
        "2026-02-30T10:00:00+00:00",
        "2026-03-02T25:00:00Z",
        "",
        None,
        1772442000,
    ],
)
def test_it_rejects_malformed_dates(student, occurred_at):
    result = activity_ingest(source="platform", items=[_event(student, occurred_at=occurred_at)])

    assert [list(item["errors"]) for item in result.rejected] == [["occurred_at"]]
    assert not ActivityEvent.objects.exists()


def test_it_rejects_a_date_without_its_offset(student):
    result = activity_ingest(
        source="platform", items=[_event(student, occurred_at="2026-03-02T09:00:00")]
    )

    assert result.rejected[0]["errors"]["occurred_at"] == (
        "Give the time zone offset, e.g. +03:00 or Z."
    )


def test_it_rejects_a_date_in_the_future_beyond_clock_skew(student):
    now = datetime.now(UTC)
    result = activity_ingest(
        source="platform",
        items=[
            _event(student, occurred_at=(now + timedelta(hours=1)).isoformat()),
            _event(student, occurred_at=(now + timedelta(minutes=1)).isoformat()),
        ],
    )

    assert result.accepted == 1
    assert [(item["index"], list(item["errors"])) for item in result.rejected] == [
        (0, ["occurred_at"])
    ]


@pytest.mark.parametrize("kind", ["nap", "", None, "LOGIN", ["login"]])
def test_it_rejects_unknown_kinds(student, kind):
    result = activity_ingest(source="platform", items=[_event(student, kind=kind)])

    assert [list(item["errors"]) for item in result.rejected] == [["kind"]]


@pytest.mark.parametrize("value", ["3", True, [1], {"n": 1}, float("nan"), float("inf"), 10**400])
def test_it_rejects_values_that_are_not_finite_numbers(student, value):
    result = activity_ingest(source="platform", items=[_event(student, value=value)])

    assert [list(item["errors"]) for item in result.rejected] == [["value"]]


@pytest.mark.parametrize("external_id", ["x" * 129, ["e1"], 1.5])
def test_it_rejects_bad_external_ids(student, external_id):
    result = activity_ingest(source="platform", items=[_event(student, external_id=external_id)])

    assert [list(item["errors"]) for item in result.rejected] == [["external_id"]]


@pytest.mark.parametrize("item", ["lesson_viewed", 7, None, ["a"]])
def test_it_rejects_items_that_are_not_objects(db, item):
    result = activity_ingest(source="platform", items=[item])

    assert [list(rejected["errors"]) for rejected in result.rejected] == [["non_field_errors"]]


def test_it_names_every_bad_field_of_an_item(student):
    result = activity_ingest(
        source="platform",
        items=[_event(student, kind="nap", occurred_at="soon", value="many")],
    )

    assert set(result.rejected[0]["errors"]) == {"kind", "occurred_at", "value"}


def test_it_keeps_the_good_items_of_a_mixed_batch(student, other_student):
    result = activity_ingest(
        source="platform",
        items=[
            _event(student, external_id="e1"),
            {"student_email": NOBODY, "kind": "quiz_taken", "occurred_at": MORNING},
            _event(other_student, external_id="e2", kind="nap"),
            _event(other_student, external_id="e3"),
            _event(student, external_id="e4", occurred_at="2026-03-02"),
        ],
    )

    assert (result.accepted, result.duplicates) == (2, 0)
    assert [(item["index"], list(item["errors"])) for item in result.rejected] == [
        (1, ["student_email"]),
        (2, ["kind"]),
        (4, ["occurred_at"]),
    ]
    assert set(ActivityEvent.objects.values_list("external_id", flat=True)) == {"e1", "e3"}


# --- Batch size -----------------------------------------------------------------------


def _big_batch(students, size: int) -> list[dict]:
    start = datetime(2025, 3, 1, 8, tzinfo=UTC)
    return [
        _event(
            students[index % len(students)],
            external_id=f"e{index}",
            kind=ActivityKind.values[index % len(ActivityKind.values)],
            occurred_at=(start + timedelta(hours=index)).isoformat(),
        )
        for index in range(size)
    ]


# Students looked up by e-mail (1), their profiles locked (1), known external ids by
# chunks of 1,000 (up to 5), inserts and rollup upserts in chunks the database allows
# (SQLite: about 45 at the limit, Postgres: 10), the recount (1), savepoints. A batch
# costs a fixed ceiling of queries, the same for 10 events as for 5,000: never one per event.
INGEST_QUERY_BOUND = 60


@pytest.mark.parametrize("size", [10, ACTIVITY_BATCH_LIMIT])
def test_it_ingests_a_full_batch_in_a_bounded_number_of_queries(
    db, django_assert_max_num_queries, size
):
    students = StudentFactory.create_batch(5, time_zone="Europe/Berlin")
    batch = _big_batch(students, size)

    with django_assert_max_num_queries(INGEST_QUERY_BOUND):
        result = activity_ingest(source="platform", items=batch)

    assert (result.accepted, result.duplicates, result.rejected) == (size, 0, [])
    assert ActivityEvent.objects.count() == size
    assert _rollup() == _recount()


def test_it_refuses_a_batch_over_the_limit(student):
    batch = [_event(student, external_id=f"e{index}") for index in range(ACTIVITY_BATCH_LIMIT + 1)]

    with pytest.raises(ValidationError) as refused:
        activity_ingest(source="platform", items=batch)

    assert list(refused.value.message_dict) == ["events"]
    assert not ActivityEvent.objects.exists()


# --- The rollup -----------------------------------------------------------------------


def test_it_keeps_the_rollup_equal_to_a_recount_of_the_events(student, other_student):
    students = [student, other_student]
    activity_ingest(source="platform", items=_big_batch(students, 300))
    activity_ingest(source="backfill", items=_big_batch(students, 120))
    activity_record(student=student, kind=ActivityKind.LOGIN, key="login:1")

    assert _rollup() == _recount()
    assert (
        sum(_rollup().values()) == ActivityEvent.objects.exclude(kind__in=NOT_ENGAGEMENT).count()
    )


def test_it_does_not_count_a_missed_session_as_engagement(student):
    activity_ingest(
        source="platform",
        items=[
            _event(student, kind="session_missed", occurred_at="2026-03-01T10:00:00Z"),
            _event(student, kind="session_missed"),
            _event(student, kind="session_attended"),
        ],
    )

    assert ActivityEvent.objects.count() == 3
    assert _rollup() == {(student.pk, date(2026, 3, 2)): 1}


def test_it_rebuilds_a_rollup_row_from_the_events(student):
    activity_ingest(source="platform", items=[_event(student), _event(student)])
    DailyActivity.objects.update(events=99)

    daily_activity_refresh(pairs={(student.pk, date(2026, 3, 2)), (student.pk, date(2026, 3, 9))})

    assert _rollup() == {(student.pk, date(2026, 3, 2)): 2}


def _values() -> dict[tuple[int, date], tuple[float, int]]:
    return {
        (row.student_id, row.day): (row.value_total, row.valued_events)
        for row in DailyActivity.objects.order_by("pk")
    }


def test_it_sums_the_events_values_into_the_rollup(student):
    """A platform that sends one event a day with its minutes is measured by them: the
    day's sum and how many events carried a value, a duplicate not added twice, a
    missed session (no engagement) not added at all."""
    first = activity_ingest(
        source="platform",
        items=[
            _event(student, external_id="m1", value=25),
            _event(student, external_id="m2", value=12.5),
            _event(student, external_id="m3"),  # no value
            _event(student, external_id="m1", value=25),  # the same event again
            _event(student, kind="session_missed", value=60),
        ],
    )
    again = activity_ingest(
        source="platform", items=[_event(student, external_id="m2", value=12.5)]
    )

    assert (first.accepted, first.duplicates, again.duplicates) == (4, 1, 1)
    assert _rollup() == {(student.pk, date(2026, 3, 2)): 3}
    assert _values() == {(student.pk, date(2026, 3, 2)): (pytest.approx(37.5), 2)}


def test_it_recounts_the_values_with_the_events(student):
    activity_ingest(
        source="platform",
        items=[_event(student, external_id="m1", value=30), _event(student, external_id="m2")],
    )
    DailyActivity.objects.update(value_total=999, valued_events=9)

    daily_activity_refresh(pairs={(student.pk, date(2026, 3, 2))})

    assert _values() == {(student.pk, date(2026, 3, 2)): (pytest.approx(30), 1)}


# --- Portal actions -------------------------------------------------------------------


def test_it_records_a_portal_action_once_per_key(student):
    moment = datetime(2026, 3, 2, 9, tzinfo=UTC)

    activity_record(student=student, kind=ActivityKind.SUBMISSION, occurred_at=moment, key="s:1")
    activity_record(student=student, kind=ActivityKind.SUBMISSION, occurred_at=moment, key="s:1")
    activity_record(student=student, kind=ActivityKind.SUBMISSION, occurred_at=moment, key="s:2")

    events = ActivityEvent.objects.order_by("external_id")
    assert [(event.source, event.external_id) for event in events] == [
        (PORTAL_SOURCE, "s:1"),
        (PORTAL_SOURCE, "s:2"),
    ]
    assert _rollup() == {(student.pk, date(2026, 3, 2)): 2}


def test_it_records_a_portal_action_now_by_default(db):
    student = StudentFactory(time_zone="Asia/Tokyo")
    before = datetime.now(UTC)

    activity_record(student=student, kind=ActivityKind.LOGIN)

    event = ActivityEvent.objects.get()
    assert event.occurred_at >= before
    assert event.day == event.occurred_at.astimezone(ZoneInfo("Asia/Tokyo")).date()
    assert _rollup() == _recount()


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_ignores_portal_actions_of_people_who_are_not_students(request, role):
    person = request.getfixturevalue(role)

    activity_record(student=person, kind=ActivityKind.LOGIN, key="login:x")

    assert not ActivityEvent.objects.exists()
    assert not DailyActivity.objects.exists()


# --- Batches from the platform, set-based -----------------------------------------------


def test_it_counts_duplicates_within_and_across_batches_and_stores_each_once(
    student, other_student
):
    first = activity_ingest(
        source="platform",
        items=[
            _event(student, external_id="e1"),
            _event(student, external_id="e2"),
            _event(other_student, external_id="e2", kind="quiz_taken"),
            _event(student),
        ],
    )
    second = activity_ingest(
        source="platform",
        items=[
            _event(other_student, external_id="e2"),
            _event(other_student, external_id="e3"),
            _event(other_student, external_id="e3"),
            _event(student),
        ],
    )

    assert (first.accepted, first.duplicates, first.rejected) == (3, 1, [])
    assert (second.accepted, second.duplicates, second.rejected) == (2, 2, [])
    stored = ActivityEvent.objects.values_list("external_id", "student_id", "kind")
    assert sorted(stored, key=str) == sorted(
        [
            ("e1", student.pk, "lesson_viewed"),
            ("e2", student.pk, "lesson_viewed"),
            ("e3", other_student.pk, "lesson_viewed"),
            (None, student.pk, "lesson_viewed"),
            (None, student.pk, "lesson_viewed"),
        ],
        key=str,
    )
    assert _rollup() == {
        (student.pk, date(2026, 3, 2)): 4,
        (other_student.pk, date(2026, 3, 2)): 1,
    }


def test_it_keeps_the_rollup_equal_to_a_recount_after_mixed_batches(db):
    berlin = StudentFactory(time_zone="Europe/Berlin")
    tokyo = StudentFactory(time_zone="Asia/Tokyo")
    new_york = StudentFactory(time_zone="America/New_York")
    students = [berlin, tokyo, new_york]
    start = datetime(2026, 3, 1, 20, tzinfo=UTC)
    batches = []
    for number in range(4):
        batch = []
        for index in range(60):
            batch.append(
                _event(
                    students[index % 3],
                    # Every third id was sent by the batch before; some are repeated here.
                    external_id=f"e{number * 40 + index % 50}" if index % 7 else None,
                    kind=ActivityKind.values[(number + index) % len(ActivityKind.values)],
                    occurred_at=(start + timedelta(hours=5 * index + number)).isoformat(),
                )
            )
        batch[5]["kind"] = "nap"
        batch[9]["occurred_at"] = "2026-03-02T09:00:00"
        batch[13]["student_email"] = NOBODY
        batches.append(batch)

    results = [activity_ingest(source="platform", items=batch) for batch in batches]
    activity_record(student=tokyo, kind=ActivityKind.LOGIN, occurred_at=start, key="login:1")
    activity_ingest(source="backfill", items=batches[0])

    assert [len(result.rejected) for result in results] == [3, 3, 3, 3]
    assert (
        sum(result.accepted for result in results)
        == ActivityEvent.objects.filter(source="platform").count()
    )
    assert ActivityEvent.objects.filter(source="platform", external_id__isnull=False).count() == (
        ActivityEvent.objects.filter(source="platform").values("external_id").distinct().count()
        - 1
    )
    assert sum(result.duplicates for result in results) > 0
    assert _rollup() == _recount()
    assert all(events > 0 for events in _rollup().values())


def test_it_reports_bad_items_by_index_and_field_with_their_messages(student):
    result = activity_ingest(
        source="platform",
        items=[
            _event(student, external_id="e1"),
            _event(student, kind="nap", occurred_at="2026-03-02T09:00:00", value="many"),
            {"student_email": NOBODY, "kind": "quiz_taken", "occurred_at": MORNING},
            _event(student, external_id="e1"),
            "lesson_viewed",
            {"kind": "login", "occurred_at": MORNING, "external_id": ["e9"]},
        ],
    )

    kinds = ", ".join(ActivityKind.values)
    assert (result.accepted, result.duplicates) == (1, 1)
    assert result.rejected == [
        {
            "index": 1,
            "errors": {
                "kind": f"Unknown kind 'nap'; use one of: {kinds}.",
                "occurred_at": "Give the time zone offset, e.g. +03:00 or Z.",
                "value": "Must be a number.",
            },
        },
        {"index": 2, "errors": {"student_email": "No student is known by this."}},
        {"index": 4, "errors": {"non_field_errors": "Each event must be an object."}},
        {
            "index": 5,
            "errors": {
                "student_email": "Name the student by student_email or student_external_id.",
                "external_id": "Use a string of at most 128 characters.",
            },
        },
    ]


def test_it_records_a_repeated_key_of_a_portal_batch_once(student):
    moment = datetime(2026, 3, 2, 9, tzinfo=UTC)

    recorded = activity_record_many(
        events=[
            PortalEvent(student.pk, ActivityKind.SUBMISSION, moment, "s:1"),
            PortalEvent(student.pk, ActivityKind.SUBMISSION, moment, "s:1"),
            PortalEvent(student.pk, ActivityKind.REVIEW_READ, moment, "r:1"),
        ]
    )

    assert recorded == 2
    assert _rollup() == {(student.pk, date(2026, 3, 2)): 2}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite lets one writer in at a time"
)
@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_rollup_exact_under_concurrent_batches_sharing_events():
    """Four batches at once over the same students and days, half their external ids
    shared with another (in opposite orders): each event stored and counted once, no
    deadlock, and a recount from the events running meanwhile changes nothing."""
    students = StudentFactory.create_batch(6, time_zone="Europe/Berlin")
    start = datetime(2026, 3, 1, 8, tzinfo=UTC)

    def batch(number: int) -> list[dict]:
        numbers = list(range(600))
        if number % 2:
            numbers.reverse()
        return [
            _event(
                students[index % 6],
                external_id=f"e{(number // 2) * 1000 + n}" if n % 10 else None,
                kind=ActivityKind.values[index % len(ActivityKind.values)],
                occurred_at=(start + timedelta(hours=index % 48)).isoformat(),
            )
            for index, n in enumerate(numbers)
        ]

    def ingest(number: int):
        try:
            return activity_ingest(source="platform", items=batch(number))
        finally:
            connections.close_all()

    def recount():
        try:
            daily_activity_refresh(
                pairs={
                    (s.pk, start.date() + timedelta(days=d)) for s in students for d in range(3)
                }
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=5) as pool:
        futures = [pool.submit(ingest, number) for number in range(4)]
        pool.submit(recount).result()
        results = [future.result() for future in futures]

    distinct_ids = 2 * 540
    without_ids = 4 * 60
    assert sum(result.accepted for result in results) == distinct_ids + without_ids
    assert sum(result.duplicates for result in results) == 2 * 540
    assert ActivityEvent.objects.count() == distinct_ids + without_ids
    assert _rollup() == _recount()
