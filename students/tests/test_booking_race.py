"""Two students booking the same free time at once, on PostgreSQL, each in a thread of
its own (its own connection and transaction): one gets the session, the other is told
the time is no longer free, and the mentor has one session at that time.

Three ways it can go: the second booking waits on the mentor's row lock and then finds
the time taken; with the lock gone, both read the time as free and the database's
unique constraint refuses the second insert; and several students at once."""

import threading
import time as clock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mentorship.tests.factories import AssignmentFactory, StudentFactory
from students import availability
from students.availability import booking_options, session_book
from students.models import MentoringSession, SessionStatus
from students.tests.helpers_availability import MONDAY, weekly_slot

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            "needs PostgreSQL: SQLite has no row locks, and its shared in-memory test "
            "database refuses a second writer instead of making it wait"
        ),
    ),
]

TIMEOUT = 30


@pytest.fixture
def rivals(mentor, student):
    """The mentor's Monday slot and two more students of theirs, and the first free
    time: what they all want."""
    weekly_slot(mentor, MONDAY, 18)
    others = StudentFactory.create_batch(3)
    for other in others:
        AssignmentFactory(student=other, mentor=mentor)
    when = booking_options(student=student, weeks=2).slots[0].starts_at
    return [student, *others], when


def _book(student, when, outcomes: dict, name: str) -> None:
    try:
        outcomes[name] = session_book(student=student, scheduled_at=when)
    except Exception as error:  # reported by the test, in the main thread
        outcomes[name] = error
    finally:
        connection.close()


def _threads(targets: dict) -> dict:
    return {
        name: threading.Thread(target=target, name=name, daemon=True)
        for name, target in targets.items()
    }


def _join(threads) -> None:
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a booking never finished"


def _waiting_on_a_lock() -> bool:
    """Whether another connection to this database waits for a lock now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def _assert_one_winner(outcomes: dict, mentor, when) -> None:
    sessions = [o for o in outcomes.values() if isinstance(o, MentoringSession)]
    refusals = [o for o in outcomes.values() if isinstance(o, ValidationError)]
    assert len(sessions) == 1, outcomes
    assert len(refusals) == len(outcomes) - 1, outcomes
    for refusal in refusals:
        assert refusal.message_dict == {
            "scheduled_at": ["This time is no longer free; choose another."]
        }
    live = MentoringSession.objects.filter(
        mentor=mentor, scheduled_at=when, status=SessionStatus.SCHEDULED
    )
    assert list(live) == sessions


def test_it_makes_the_second_booking_wait_for_the_first_and_refuses_it(
    mentor, rivals, monkeypatch
):
    (first_student, second_student, *_others), when = rivals
    first_has_read = threading.Event()
    release = threading.Event()
    real_free_slots = availability.free_slots

    def free_slots_then_hold(**kwargs):
        # The first booking holds its transaction (and the mentor's lock) open once
        # it has found the time free, until the second booking is seen waiting.
        slots = real_free_slots(**kwargs)
        if threading.current_thread().name == "first":
            first_has_read.set()
            release.wait(timeout=TIMEOUT)
        return slots

    monkeypatch.setattr(availability, "free_slots", free_slots_then_hold)
    outcomes: dict = {}
    threads = _threads(
        {
            "first": lambda: _book(first_student, when, outcomes, "first"),
            "second": lambda: _book(second_student, when, outcomes, "second"),
        }
    )

    threads["first"].start()
    assert first_has_read.wait(timeout=TIMEOUT)
    threads["second"].start()
    deadline = clock.monotonic() + TIMEOUT
    while not _waiting_on_a_lock() and clock.monotonic() < deadline:
        clock.sleep(0.02)
    second_waited = _waiting_on_a_lock() and threads["second"].is_alive()
    release.set()
    _join(threads.values())

    assert second_waited, "the second booking did not wait for the mentor's lock"
    assert isinstance(outcomes["first"], MentoringSession), outcomes
    assert outcomes["first"].student == first_student
    _assert_one_winner(outcomes, mentor, when)


def test_it_refuses_the_second_insert_by_the_constraint_without_the_lock(
    mentor, rivals, monkeypatch
):
    """Both read the time as free before either writes (the lock taken away): the
    unique constraint on the mentor's live sessions refuses the second."""
    (first_student, second_student, *_others), when = rivals
    both_have_read = threading.Barrier(2, timeout=TIMEOUT)
    real_free_slots = availability.free_slots

    def free_slots_together(**kwargs):
        slots = real_free_slots(**kwargs)
        both_have_read.wait()
        return slots

    monkeypatch.setattr(availability, "mentor_sessions_lock", lambda *, mentor: None)
    monkeypatch.setattr(availability, "free_slots", free_slots_together)
    outcomes: dict = {}
    threads = _threads(
        {
            name: (lambda who=who, name=name: _book(who, when, outcomes, name))
            for name, who in (("first", first_student), ("second", second_student))
        }
    )

    for thread in threads.values():
        thread.start()
    _join(threads.values())

    _assert_one_winner(outcomes, mentor, when)


def test_it_gives_the_time_to_one_of_four_students_booking_at_once(mentor, rivals):
    students, when = rivals
    start_together = threading.Barrier(len(students), timeout=TIMEOUT)
    outcomes: dict = {}

    def book(who, name):
        start_together.wait()
        _book(who, when, outcomes, name)

    threads = _threads(
        {
            f"student-{index}": (lambda who=who, index=index: book(who, f"student-{index}"))
            for index, who in enumerate(students)
        }
    )

    for thread in threads.values():
        thread.start()
    _join(threads.values())

    _assert_one_winner(outcomes, mentor, when)
