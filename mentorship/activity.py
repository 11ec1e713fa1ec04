"""The activity event log: every meaningful thing a student does, recorded by the
portal (``activity_record``) or pushed by the learning platform (``activity_ingest``),
and its daily rollup, kept exact in the same transaction (on PostgreSQL each batch adds
what it inserted, in one statement; elsewhere the days concerned are recounted). Every
app records events here; the signals and flags that read them are in ``students``.

A student's last activity has one answer, read from the rollup: ``last_active_on``
(for lists, as an annotation) and ``last_active_days`` (for a judgement as of a day)."""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, DateField, Max, OuterRef, Subquery, Sum
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .models import (
    NOT_ENGAGEMENT,
    ActivityEvent,
    ActivityKind,
    DailyActivity,
    Role,
    StudentProfile,
    User,
)

ACTIVITY_BATCH_LIMIT = 5000
PORTAL_SOURCE = "portal"
# How far ahead of our clock an event may claim to have happened (clock skew).
FUTURE_TOLERANCE = timedelta(minutes=5)
# Read once: ``ActivityKind.values`` builds a new list on every access.
KINDS = frozenset(ActivityKind.values)
# PostgreSQL's advisory lock between the writes that add to the rollup (shared: they
# never wait for each other) and its recount from the events (exclusive: it waits for
# those in flight, so it counts what they inserted). Any fixed number of our own.
ROLLUP_LOCK = 7_010_421_113


class _NewEvent(NamedTuple):
    """An event about to be stored, its student and local day known."""

    student_id: int
    kind: str
    occurred_at: datetime
    day: date
    external_id: str | None
    value: float | None = None


@dataclass
class IngestResult:
    """What became of a batch: how many events were recorded, how many had been
    recorded before (same source and external id), and each rejected item's index
    with the reason by field."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)


def _clean_activity_item(item, *, now: datetime) -> tuple[dict, dict[str, str]]:
    """One item of a batch, checked for shape: (cleaned values, errors by field)."""
    if not isinstance(item, dict):
        return {}, {"non_field_errors": _("Each event must be an object.")}
    cleaned, errors = {}, {}
    email = item.get("student_email")
    external = item.get("student_external_id")
    if email in (None, "") and external in (None, ""):
        errors["student_email"] = _("Name the student by student_email or student_external_id.")
    elif email not in (None, ""):
        if not isinstance(email, str):
            errors["student_email"] = _("Must be a string.")
        else:
            cleaned["student_email"] = email.strip().lower()
    else:
        cleaned["student_external_id"] = str(external).strip()
    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        errors["kind"] = _("Unknown kind %(kind)r; use one of: %(kinds)s.") % {
            "kind": kind,
            "kinds": ", ".join(ActivityKind.values),
        }
    else:
        cleaned["kind"] = kind
    occurred_on = item.get("occurred_on")
    if occurred_on not in (None, ""):
        day = _date_or_none(occurred_on)
        if day is None:
            errors["occurred_on"] = _("Give an ISO 8601 date, e.g. 2026-03-01.")
        elif day > (now + timedelta(days=1)).date():  # the student's own today: below
            errors["occurred_on"] = _("This is in the future.")
        else:
            cleaned["occurred_on"] = day
    occurred_at = item.get("occurred_at")
    if occurred_at in (None, "") and ("occurred_on" in cleaned or "occurred_on" in errors):
        pass  # a day without a time: placed at noon of that day (activity_ingest)
    else:
        try:
            parsed = parse_datetime(occurred_at) if isinstance(occurred_at, str) else None
        except ValueError:  # well formed but no such date, e.g. 2026-02-30
            parsed = None
        if parsed is None:
            errors["occurred_at"] = _(
                "Give an ISO 8601 date and time, e.g. 2026-03-01T14:30:00Z, or the day "
                "alone as occurred_on."
            )
        elif timezone.is_naive(parsed) and _date_or_none(occurred_at) is not None:
            errors["occurred_at"] = _(
                "This is a date without a time: send it as occurred_on, and it is placed "
                "on that day of the student's calendar."
            )
        elif timezone.is_naive(parsed):
            errors["occurred_at"] = _("Give the time zone offset, e.g. +03:00 or Z.")
        elif parsed > now + FUTURE_TOLERANCE:
            errors["occurred_at"] = _("This is in the future.")
        else:
            cleaned["occurred_at"] = parsed
    external_id = item.get("external_id")
    if external_id not in (None, ""):
        if not isinstance(external_id, (str, int)) or len(str(external_id)) > 128:
            errors["external_id"] = _("Use a string of at most 128 characters.")
        else:
            cleaned["external_id"] = str(external_id)
    value = item.get("value")
    if value is not None:
        number = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                number = float(value)
            except OverflowError:  # an integer beyond any float
                number = None
        if number is None or not math.isfinite(number):
            errors["value"] = _("Must be a number.")
        else:
            cleaned["value"] = number
    return cleaned, errors


def _date_or_none(text) -> date | None:
    """An ISO 8601 date alone ("2026-03-01"), or None."""
    if not isinstance(text, str):
        return None
    try:
        return parse_date(text.strip())
    except ValueError:  # well formed but no such date, e.g. 2026-02-30
        return None


def _event_moment(cleaned: dict, zone: ZoneInfo) -> tuple[datetime, date]:
    """When an event happened and on which of the student's days. A platform that
    reports days (``occurred_on``) has them placed on that day of the student's own
    calendar, at noon when no time came with it; a time alone is placed on the
    student's local day (midnight UTC is the evening before for a student west of
    UTC)."""
    occurred_at = cleaned.get("occurred_at")
    day = cleaned.get("occurred_on")
    if day is None:
        return occurred_at, occurred_at.astimezone(zone).date()
    if occurred_at is None:
        occurred_at = datetime.combine(day, time(12), tzinfo=zone)
    return occurred_at, day


def activity_ingest(*, source: str, items: list) -> IngestResult:
    """Record a batch of events from one source (the learning platform's pushes, a
    CSV back-fill, the portal itself). A bad item is rejected with its reason and
    never drops the good ones; an item whose (source, external id) was recorded
    before is counted as a duplicate, so a retried batch records nothing twice. The
    daily rollup of the students concerned is brought up to date in the same
    transaction."""
    if len(items) > ACTIVITY_BATCH_LIMIT:
        raise ValidationError(
            {
                "events": _("Send at most %(limit)d events at once.")
                % {"limit": ACTIVITY_BATCH_LIMIT}
            }
        )
    now = timezone.now()
    result = IngestResult()
    cleaned_items: list[tuple[int, dict]] = []
    for index, item in enumerate(items):
        cleaned, errors = _clean_activity_item(item, now=now)
        if errors:
            result.rejected.append({"index": index, "errors": errors})
        else:
            cleaned_items.append((index, cleaned))

    students = _students_named_in([cleaned for _index, cleaned in cleaned_items])
    events: list[_NewEvent] = []
    seen_ids: set[str] = set()
    for index, cleaned in cleaned_items:
        if "student_email" in cleaned:
            student = students["email"].get(cleaned["student_email"])
            field_name = "student_email"
        else:
            student = students["external_id"].get(cleaned["student_external_id"])
            field_name = "student_external_id"
        if student is None:
            result.rejected.append(
                {"index": index, "errors": {field_name: _("No student is known by this.")}}
            )
            continue
        student_id, zone = student
        occurred_at, day = _event_moment(cleaned, zone)
        if day > timezone.localtime(now + FUTURE_TOLERANCE, zone).date():
            result.rejected.append(
                {"index": index, "errors": {"occurred_on": _("This is in the future.")}}
            )
            continue
        external_id = cleaned.get("external_id")
        if external_id is not None:
            if external_id in seen_ids:
                result.duplicates += 1
                continue
            seen_ids.add(external_id)
        events.append(
            _NewEvent(
                student_id, cleaned["kind"], occurred_at, day, external_id, cleaned.get("value")
            )
        )
    if events:
        accepted, duplicates = _activity_store(source=source, events=events, recorded_at=now)
        result.accepted += accepted
        result.duplicates += duplicates
    result.rejected.sort(key=lambda rejected: rejected["index"])
    return result


def _students_named_in(items: list[dict]) -> dict[str, dict[str, tuple[int, ZoneInfo]]]:
    """The students a batch names, by e-mail and by learning-platform id, each as its
    id and time zone, in at most two queries."""
    emails = {item["student_email"] for item in items if "student_email" in item}
    external_ids = {item["student_external_id"] for item in items if "student_external_id" in item}
    found = {"email": {}, "external_id": {}}
    students = User.objects.filter(role=Role.STUDENT)
    zones: dict[str, ZoneInfo] = {}

    def zone(name: str) -> ZoneInfo:
        # A batch names thousands of students on a handful of time zones; the rule
        # for a zone stays ``User.zone``'s.
        if name not in zones:
            zones[name] = User(time_zone=name).zone
        return zones[name]

    if emails:
        for pk, email, time_zone in (
            students.annotate(email_lower=Lower("email"))
            .values_list("pk", "email_lower", "time_zone")
            .filter(email_lower__in=emails)
        ):
            found["email"][email] = (pk, zone(time_zone))
    if external_ids:
        # Excluding the empty id as the unique index does lets PostgreSQL probe it.
        for pk, platform_id, time_zone in (
            StudentProfile.objects.filter(external_id__in=external_ids, user__role=Role.STUDENT)
            .exclude(external_id="")
            .values_list("user_id", "external_id", "user__time_zone")
        ):
            found["external_id"][platform_id] = (pk, zone(time_zone))
    return found


def _activity_store(
    *, source: str, events: list[_NewEvent], recorded_at: datetime | None = None
) -> tuple[int, int]:
    """Store the events not recorded before (same source and external id) and add them
    to their students' days in the rollup, in one transaction: (recorded, duplicates).
    Events without an external id are always new. Safe under concurrent batches: an
    event sent by two at once is recorded, and counted, by one of them only."""
    recorded_at = recorded_at or timezone.now()
    if connection.vendor == "postgresql":
        recorded = _activity_store_postgresql(
            source=source, events=events, recorded_at=recorded_at
        )
    else:
        recorded = _activity_store_recounting(
            source=source, events=events, recorded_at=recorded_at
        )
    return recorded, len(events) - recorded


# The whole write of a batch in one statement: its events as arrays, inserted unless
# their (source, external id) is stored (or being stored by another batch, which the
# insert waits for), and what was inserted added to the rollup. The rows go in key
# order (external ids, then (student, day)), so two batches sharing keys wait for
# each other instead of deadlocking. (The tables: the models' ``db_table``.)
_STORE_SQL = """
WITH inserted AS (
    INSERT INTO students_activityevent
        (student_id, kind, occurred_at, day, source, external_id, value, recorded_at)
    SELECT student_id, kind, occurred_at, day, %(source)s, external_id, value, %(recorded_at)s
    FROM unnest(%(student_ids)s::bigint[], %(kinds)s::varchar[], %(moments)s::timestamptz[],
                %(days)s::date[], %(external_ids)s::varchar[], %(values)s::float8[])
        AS batch (student_id, kind, occurred_at, day, external_id, value)
    ORDER BY external_id
    ON CONFLICT DO NOTHING
    RETURNING student_id, day, kind, value
),
added AS (
    INSERT INTO students_dailyactivity AS rollup
        (student_id, day, events, value_total, valued_events)
    SELECT student_id, day, count(*), coalesce(sum(value), 0), count(value) FROM inserted
    WHERE kind <> ALL(%(not_engagement)s::varchar[])
    GROUP BY student_id, day
    ORDER BY student_id, day
    ON CONFLICT (student_id, day) DO UPDATE SET
        events = rollup.events + EXCLUDED.events,
        value_total = rollup.value_total + EXCLUDED.value_total,
        valued_events = rollup.valued_events + EXCLUDED.valued_events
)
SELECT count(*) FROM inserted
"""


@transaction.atomic
def _activity_store_postgresql(
    *, source: str, events: list[_NewEvent], recorded_at: datetime
) -> int:
    """The rollup is added to, never recounted: each event is counted by the one
    transaction that inserted it, so concurrent batches need no lock on the students."""
    student_ids, kinds, moments, days, external_ids, values = zip(*events, strict=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [ROLLUP_LOCK])
        cursor.execute(
            _STORE_SQL,
            {
                "source": source,
                "recorded_at": recorded_at,
                "student_ids": list(student_ids),
                "kinds": list(kinds),
                "moments": list(moments),
                "days": list(days),
                "external_ids": list(external_ids),
                "values": list(values),
                "not_engagement": sorted(NOT_ENGAGEMENT),
            },
        )
        return cursor.fetchone()[0]


@transaction.atomic
def _activity_store_recounting(
    *, source: str, events: list[_NewEvent], recorded_at: datetime
) -> int:
    """Other databases (SQLite): insert the new events, then recount the rollup for
    their (student, day) pairs. Batches for the same students are serialised by
    locking the students' profiles first (in id order, so two batches never
    deadlock): the recount then sees every event committed before it."""
    student_ids = sorted({event.student_id for event in events})
    list(
        StudentProfile.objects.select_for_update()
        .filter(user_id__in=student_ids)
        .order_by("user_id")
        .values_list("pk", flat=True)
    )
    external_ids = [event.external_id for event in events if event.external_id is not None]
    known: set[str] = set()
    for start in range(0, len(external_ids), 1000):
        known.update(
            ActivityEvent.objects.filter(
                source=source, external_id__in=external_ids[start : start + 1000]
            ).values_list("external_id", flat=True)
        )
    new = [
        ActivityEvent(
            student_id=event.student_id,
            kind=event.kind,
            occurred_at=event.occurred_at,
            day=event.day,
            source=source,
            external_id=event.external_id,
            value=event.value,
            recorded_at=recorded_at,
        )
        for event in events
        if event.external_id is None or event.external_id not in known
    ]
    ActivityEvent.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    daily_activity_refresh(pairs={(row.student_id, row.day) for row in new})
    return len(new)


@transaction.atomic
def daily_activity_refresh(*, pairs: set[tuple[int, date]]) -> None:
    """Recount the engagement events of these (student, day) pairs, and the sum of
    their values, from the events themselves and write them to the rollup (an upsert:
    safe to run again). On PostgreSQL it first waits for the batches being stored, and
    holds new ones until it commits, so it counts what they added (``ROLLUP_LOCK``)."""
    if not pairs:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])
    student_ids = {student_id for student_id, _day in pairs}
    days = {day for _student_id, day in pairs}
    rows = {}
    for row in (
        ActivityEvent.objects.filter(student_id__in=student_ids, day__in=days)
        .exclude(kind__in=NOT_ENGAGEMENT)
        .values("student_id", "day")
        .annotate(events=Count("pk"), value_total=Sum("value"), valued_events=Count("value"))
        .order_by()
    ):
        pair = (row["student_id"], row["day"])
        if pair in pairs and row["events"]:
            rows[pair] = DailyActivity(
                student_id=pair[0],
                day=pair[1],
                events=row["events"],
                value_total=row["value_total"] or 0,
                valued_events=row["valued_events"],
            )
    DailyActivity.objects.bulk_create(
        list(rows.values()),
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["student", "day"],
        update_fields=["events", "value_total", "valued_events"],
    )


def activity_record(
    *,
    student: User,
    kind: str,
    occurred_at: datetime | None = None,
    key: str | None = None,
    value: float | None = None,
) -> None:
    """Record something a student did in the portal. ``key`` makes it idempotent
    (``submission:42``): recording the same key again does nothing. Non-students are
    ignored, so callers need not check."""
    if student.role != Role.STUDENT:
        return
    if (
        key is not None
        and ActivityEvent.objects.filter(source=PORTAL_SOURCE, external_id=key).exists()
    ):
        # Recorded before (a review read again, a second sign-in the same day): one
        # read of the unique index instead of the locking write. Two first recordings
        # at once still record one event (``_activity_store``).
        return
    occurred_at = occurred_at or timezone.now()
    _activity_store(
        source=PORTAL_SOURCE,
        events=[
            _NewEvent(
                student.pk,
                kind,
                occurred_at,
                occurred_at.astimezone(student.zone).date(),
                key,
                value,
            )
        ],
    )


class PortalEvent(NamedTuple):
    """Something a student did in the portal, for ``activity_record_many``; ``key`` as
    ``activity_record``'s."""

    student_id: int
    kind: str
    occurred_at: datetime
    key: str


def activity_record_many(*, events: list[PortalEvent]) -> int:
    """``activity_record`` for many events at once, for histories written in bulk (the
    demo generator's submissions, reviews read and sessions, recorded as real use
    records them): each on the student's local day, each key once, the rollup
    recounted. A few queries per thousand events. Returns the events recorded."""
    if not events:
        return 0
    zones = {
        student.pk: student.zone
        for student in User.objects.filter(
            pk__in={event.student_id for event in events}, role=Role.STUDENT
        ).only("pk", "time_zone")
    }
    # Each key once, as ``activity_record`` records it: the first of a repeated key.
    seen: set[str] = set()
    rows = []
    for event in events:
        if event.student_id not in zones or (event.key is not None and event.key in seen):
            continue
        if event.key is not None:
            seen.add(event.key)
        rows.append(
            _NewEvent(
                event.student_id,
                event.kind,
                event.occurred_at,
                event.occurred_at.astimezone(zones[event.student_id]).date(),
                event.key,
            )
        )
    if not rows:
        return 0
    recorded, _duplicates = _activity_store(source=PORTAL_SOURCE, events=rows)
    return recorded


# --- Last activity ----------------------------------------------------------------------


def last_active_on(student: str = "pk") -> Subquery:
    """A student's last activity: the last of their own days with an engagement event
    in the rollup (``DailyActivity``), whatever the event (a submission, a review read,
    a session attended, a sign-in, the learning platform's lessons...); a missed session
    is not activity. None for a student with none. The one answer the student list,
    its sort, the student's file and the students API show, and the at-risk signals
    judge (they read the same rollup, as of their day: ``last_active_days``).

    An expression for a queryset of students (``student`` names their id there), so a
    list annotates and sorts by it in its own query: one probe of the rollup's
    (student, day) index per student, never a query per row."""
    return Subquery(
        DailyActivity.objects.filter(student=OuterRef(student)).order_by("-day").values("day")[:1],
        output_field=DateField(),
    )


def last_active_days(*, student_ids, before: date) -> dict[int, date]:
    """``last_active_on`` as it stood on the day before ``before``, for some students:
    each one's last active day before it, those never active then left out. One
    query (none for no students)."""
    if not student_ids:
        return {}
    return dict(
        DailyActivity.objects.filter(student_id__in=student_ids, day__lt=before)
        .values("student_id")
        .annotate(last=Max("day"))
        .order_by()
        .values_list("student_id", "last")
    )
