"""The scorecards benchmark behind ``make bench`` (``manage.py bench_scorecards``).

It builds a synthetic school in a database of its own on the same PostgreSQL server
(never the dev or CI database): 2,000 mentors in 100 supervisors' teams across 10
programmes of 10 projects, 100,000 students with six months of history (2024-01-01 to
2024-07-01): submissions with their attempts, reviews and rubric verdicts, sessions
with ratings and no-shows, questions and answers, the activity rollup of the last 120
days with its events, at-risk flags with acknowledgements, outreach and recoveries,
students reassigned, dropped, paused and graduated, articles and their votes, case
discussions and replies, improvement proposals, self-development records,
recommendations, the four-weekly surveys and supervisors' second readings. For the run,
mentors, supervisors and staff are put on the calendars the demo's people live on
(``mentorship.demo.TIME_ZONES``; ``--zones``), so the nightly job computes each period
on every distinct calendar, as in production.

Then it times, in the same run:

- **the nightly snapshot** (``snapshots_due``, its computations shared by ``--workers``
  processes as the Celery worker's processes share the beat task's) on the worst night,
  2024-07-03, when a week, a month and a quarter that ended together on Monday 2024-07-01
  become final (``FINAL_AFTER_DAYS``), and on a usual night a week before (a week
  becomes final); each period's computation broken down on one calendar: the window's
  shared reads, each metric's ``rows`` function called on its own, and
  ``compute_period`` whole;
- **the supervisor's dashboard** for one team of 20 mentors on a closed month read from
  the snapshots: p50 / p95 over a few hundred requests;
- **floors** measured beside them: a ``SELECT 1`` round trip, and a plain
  ``SELECT count(*)`` over the assignments and over the activity events (the largest
  table), so the figures can be read against the machine.

Data are generated set-based in SQL (``INSERT ... SELECT generate_series``), every draw
from a hash of the row's number (``pg_temp.bench_u``), so two builds are the same.
The pages benchmark (``metrics.bench_pages``) builds its school with the same
generator and its options: a year of history with the activity of all of it, and what
the mentors write besides their reviews (weekly reports, notes on students, incidents).
"""

import gc
import html
import json
import multiprocessing
import os
import re
import resource
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import cached_property
from itertools import accumulate
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from mentorship.bench import BenchDatabase
from mentorship.demo import TIME_ZONES
from mentorship.models import Role, User
from mentorship.selectors import mentors_visible_to, mentors_with_load
from mentorship.startup import freeze_start_up_objects
from projects.models import Review

from .definitions import METRICS, Window
from .models import MetricSnapshot, ScorecardWeights, SnapshotRun
from .periods import Period, PeriodKind
from .scorecards import (
    FINAL_AFTER_DAYS,
    SnapshotWork,
    compute_period,
    periods_to_snapshot,
    scorecard_zones,
    snapshot_period,
    snapshot_work_do,
    snapshots_due,
    team_composites,
)

# The benchmark's own database; bump the version when the generated data change, so an
# old benchmark database is rebuilt.
DATABASE = BenchDatabase(
    marker_table="bench_scorecards_marker", sizes=("mentors", "students"), version=1
)
TARGET_NIGHT_SECONDS = 60.0
TARGET_DASHBOARD_P95_MS = 100.0

# The history: six months up to 2024-07-01, a Monday that is also the first day of a
# quarter (2024 is the last year before today's in which a quarter began on a Monday):
# a week, a month and a quarter end together. Their figures are final, and snapshotted,
# ``FINAL_AFTER_DAYS`` later: the worst night. The usual night is a week before it: a
# week's figures become final.
HISTORY_START = date(2024, 1, 1)
HISTORY_END = date(2024, 7, 1)
HISTORY_DAYS = (HISTORY_END - HISTORY_START).days
WORST_NIGHT = HISTORY_END + timedelta(days=FINAL_AFTER_DAYS)
USUAL_NIGHT = WORST_NIGHT - timedelta(days=7)
# The activity rollup (and its events) covers the last days before the worst night.
ACTIVITY_DAYS = 120
# Students started between two weeks and ten months (300 days more) before the night.
STARTED_WITHIN_DAYS = 300
PROGRAMMES = 10
PROJECTS = 10
MENTORS_PER_SUPERVISOR = 20
# The dashboard's period: the month that closed on the worst night, and its reader, the
# first supervisor (a team of 20 mentors of one programme).
DASHBOARD_PERIOD = Period.parse("2024-06")
DASHBOARD_READER = "bench-sc-supervisor-0@bench.test"
# The supervisor's dashboard page, timed through Django's test client as the signed-in
# supervisor; None times only what its table is made of (``dashboard_calls``).
DASHBOARD_VIEW: str | None = "metrics:dashboard"
PLAIN_STATIC_FILES = "django.contrib.staticfiles.storage.StaticFilesStorage"


@dataclass
class Figures:
    """Milliseconds over many requests: the median, the 95th percentile and the
    slowest."""

    p50: float
    p95: float
    max: float

    @classmethod
    def of(cls, seconds: list[float]) -> "Figures":
        ms = sorted(1000 * each for each in seconds)
        p95 = ms[min(len(ms) - 1, max(0, round(0.95 * len(ms)) - 1))]
        return cls(round(statistics.median(ms), 2), round(p95, 2), round(ms[-1], 2))


@dataclass
class Night:
    """One night's snapshot: its seconds in each round (the median reported), the
    computations it made (calendars sharing bounds share one) and the processes that
    shared them, the
    periods, and each period's seconds on each calendar as ``SnapshotRun`` recorded them
    (computation and writing) in the last round."""

    today: str
    seconds: float = 0.0
    runs: list[float] = field(default_factory=list)
    computations: int = 0
    # The tasks the computations were handed out in (a period's calendars together, in
    # a share per process), the processes, and their peak memory (MB).
    tasks: int = 0
    workers: int = 1
    worker_peak_rss_mb: float = 0.0
    periods: list[str] = field(default_factory=list)
    snapshot_rows: int = 0
    by_calendar: dict = field(default_factory=dict)


@dataclass
class BenchResult:
    mentors: int
    students: int
    rows: dict
    calendars: list[str]
    rounds: int
    usual_night: Night
    worst_night: Night
    # Per period of the worst night, on the dashboard reader's calendar: the window's
    # shared reads and each metric's rows function (seconds, rows), compute_period whole.
    breakdown: dict = field(default_factory=dict)
    # The month before the dashboard's, computed first on the reader's calendar alone
    # (so the dashboard has its trend arrow): one snapshot_period, for reference.
    one_month_one_calendar_seconds: float = 0.0
    dashboard_mode: str = ""
    dashboard_team: int = 0
    dashboard_requests: int = 0
    dashboard_queries: int = 0
    # The page as a web process serves it: after ``freeze_start_up_objects``, as
    # mentorship/wsgi.py does when the process starts.
    dashboard: Figures | None = None
    # The first request, before any cache holds the page's figures.
    dashboard_first_ms: float = 0.0
    # The second-reader sample, which the page loads with a request of its own once its
    # section is in view (one review to read per mentor of the page).
    dashboard_sample_queries: int = 0
    dashboard_sample: Figures | None = None
    # What the page's table is made of alone (``dashboard_calls``), for reference.
    dashboard_table_queries: int = 0
    dashboard_table: Figures | None = None
    # The page in a process that has not frozen its start-up objects, for reference:
    # one request in about eleven pays a full garbage collection over them.
    dashboard_unfrozen: Figures | None = None
    floor_select_1: Figures | None = None
    floor_count_assignments_ms: float = 0.0
    floor_count_events_ms: float = 0.0
    peak_rss_mb: float = 0.0
    build_seconds: float | None = None
    # The machine's one-minute load average when the run started and when it ended.
    load_average: list[float] = field(default_factory=list)
    target_night_seconds: float = TARGET_NIGHT_SECONDS
    target_dashboard_p95_ms: float = TARGET_DASHBOARD_P95_MS

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "night_within_target": self.worst_night.seconds <= self.target_night_seconds,
            "dashboard_within_target": self.dashboard.p95 <= self.target_dashboard_p95_ms,
        }


# --- Data -----------------------------------------------------------------------------

# A number in [0, 1) drawn from a row's number and a salt: the same on every build.
HASH_FUNCTION = """
CREATE OR REPLACE FUNCTION pg_temp.bench_u(key bigint, salt integer)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (hashint8(key * 1000 + salt) & 2147483647)::double precision / 2147483648.0 $$
"""


# "The mentor at a moment": the assignment holding it (``mentor_at``'s rule).
def _mentor_then(alias: str, student: str, moment: str) -> str:
    return (
        f"{alias}.student_id = {student} AND {alias}.started_at <= {moment} "
        f"AND ({alias}.ended_at IS NULL OR {alias}.ended_at > {moment})"
    )


U = "pg_temp.bench_u"
NIGHT = "%(night)s::date"
START = "%(history_start)s::date"

# People and programmes. Mentor m teaches programme m % 10 (one in four also the next)
# and belongs to supervisor m % 100 (so a team is 20 mentors of one programme); student
# n is in programme n % 10 with a mentor of it drawn at random (50 students each on
# average). Students started between two weeks and ten months before the night, with
# 4 to 30 hours a week and a pace of their own; one in twelve dropped, one in thirty of
# the rest paused, one in twelve changed mentor in the history; those who approved
# their tenth project graduated, or (one in two) started the next programme on a
# recommendation.
PEOPLE = [
    "SET LOCAL synchronous_commit = off",
    HASH_FUNCTION,
    f"""
    INSERT INTO mentorship_user
        (password, is_superuser, email, display_name, role, language, time_zone,
         email_notifications, is_active, date_joined)
    SELECT '!', false, 'bench-sc-' || r.role || '-' || n || '@bench.test',
           'Bench ' || r.role || ' ' || lpad(n::text, 6, '0'), r.role, 'ru',
           %(school_zone)s, false, true, {START} - 400
    FROM (VALUES ('supervisor', %(supervisors)s), ('mentor', %(mentors)s),
                 ('student', %(students)s), ('staff', 1)) AS r(role, people)
    CROSS JOIN LATERAL generate_series(0, r.people - 1) AS n
    """,  # noqa: S608 (our own SQL and parameter names)
    """
    CREATE TEMP TABLE bench_person ON COMMIT DROP AS
    SELECT role, (row_number() OVER (PARTITION BY role ORDER BY id) - 1)::integer AS n, id
    FROM mentorship_user WHERE email LIKE 'bench-sc-%%'
    """,
    "CREATE UNIQUE INDEX ON bench_person (role, n)",
    "ANALYZE bench_person",
    """
    INSERT INTO projects_programme
        (title, title_en, slug, description, description_en, is_active)
    SELECT 'Bench programme ' || g, 'Bench programme ' || g, 'bench-sc-' || g, '', '', true
    FROM generate_series(0, %(programmes)s - 1) AS g
    """,
    """
    CREATE TEMP TABLE bench_programme ON COMMIT DROP AS
    SELECT (row_number() OVER (ORDER BY id) - 1)::integer AS n, id
    FROM projects_programme WHERE slug LIKE 'bench-sc-%%'
    """,
    # Ten projects of 10 to 22 days each (160 days in all at ten hours a week), three to
    # five rubric criteria each.
    """
    INSERT INTO projects_project
        (position, title, title_en, brief, brief_en, effort_hours, target_days, programme_id,
         allowed_file_types, deliverable, max_file_size_mb)
    SELECT k, 'Project ' || k, 'Project ' || k, '', '', 20, 10 + mod(7 * k, 13), g.id,
           'pdf,zip', 'link', 10
    FROM bench_programme g CROSS JOIN generate_series(1, %(projects)s) AS k
    """,
    """
    CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
    SELECT p.id AS project_id, g.n AS programme_n, p.position, p.target_days,
           (sum(p.target_days) OVER (
               PARTITION BY p.programme_id ORDER BY p.position))::integer AS cum_days,
           (sum(p.target_days) OVER (PARTITION BY p.programme_id))::integer AS plan_days
    FROM projects_project p JOIN bench_programme g ON g.id = p.programme_id
    """,
    """
    INSERT INTO projects_rubriccriterion
        (position, title, title_en, met_means, met_means_en, project_id)
    SELECT c, 'Criterion ' || c, 'Criterion ' || c, '', '', plan.project_id
    FROM bench_plan plan CROSS JOIN LATERAL generate_series(1, 3 + mod(plan.position, 3)) AS c
    """,
    """
    INSERT INTO mentorship_mentorprofile (user_id, capacity, languages, bio, supervisor_id)
    SELECT m.id, 60, '["ru", "en"]'::jsonb, '', s.id
    FROM bench_person m
    JOIN bench_person s ON s.role = 'supervisor' AND s.n = mod(m.n, %(supervisors)s)
    WHERE m.role = 'mentor'
    """,
    """
    INSERT INTO mentorship_mentorprofile_programmes (mentorprofile_id, programme_id)
    SELECT profile.id, g.id
    FROM bench_person m
    JOIN mentorship_mentorprofile profile ON profile.user_id = m.id
    CROSS JOIN (VALUES (0), (1)) AS extra(k)
    JOIN bench_programme g ON g.n = mod(m.n + extra.k, %(programmes)s)
    WHERE m.role = 'mentor' AND (extra.k = 0 OR mod(m.n, 4) = 1)
    """,
    f"""
    CREATE TEMP TABLE bench_student ON COMMIT DROP AS
    WITH drawn AS (
        SELECT s.n, s.id, mod(s.n, %(programmes)s) AS programme_n,
               {NIGHT} - 14 - floor(%(start_days)s * {U}(s.n, 1))::integer AS started_on,
               (ARRAY[4, 6, 8, 10, 10, 12, 15, 20, 25, 30])[1 + floor(10 * {U}(s.n, 2))::integer]
                   AS hours,
               0.75 + 0.6 * {U}(s.n, 3) AS pace,
               floor(%(per_programme)s * {U}(s.n, 7))::integer AS mentor_k
        FROM bench_person s WHERE s.role = 'student'
    ),
    dated AS (
        SELECT d.*, greatest(d.started_on, {START}) AS active_from,
               sqrt(10.0 / d.hours) * d.pace AS factor,
               least(0.92, 0.15 + d.hours / 40.0 + 0.3 * {U}(d.n, 12)) AS activity
        FROM drawn d
    ),
    stopped AS (
        SELECT t.*,
               CASE WHEN {U}(t.n, 4) < 0.08
                    THEN t.active_from + floor({U}(t.n, 5) * ({NIGHT} - t.active_from))::integer
               END AS drop_day,
               CASE WHEN {U}(t.n, 4) >= 0.08 AND {U}(t.n, 6) < 0.033
                    THEN t.active_from + floor({U}(t.n, 8) * ({NIGHT} - t.active_from))::integer
               END AS pause_day,
               t.started_on + t.factor * %(plan_days)s * interval '1 day' + interval '10 hours'
                   AS done_at
        FROM dated t
    ),
    finished AS (
        SELECT st.*,
               st.done_at < least(coalesce(st.drop_day, {NIGHT}), coalesce(st.pause_day, {NIGHT}))
                   AS completed
        FROM stopped st
    ),
    ended AS (
        -- A student who approved their last project before a drop or pause drawn for
        -- them graduated instead.
        SELECT f.*,
               CASE WHEN NOT f.completed THEN f.drop_day END AS dropped_on,
               CASE WHEN NOT f.completed THEN f.pause_day END AS paused_on,
               CASE WHEN f.completed THEN {NIGHT}
                    ELSE least(coalesce(f.drop_day, {NIGHT}), coalesce(f.pause_day, {NIGHT}))
               END AS stop_on
        FROM finished f
    ),
    graduated AS (
        SELECT e.*,
               e.completed AND mod(e.n, 2) = 0 AND e.done_at::date + 7 < {NIGHT} AS further,
               e.completed AND NOT (mod(e.n, 2) = 0 AND e.done_at::date + 7 < {NIGHT})
                   AS graduated
        FROM ended e
    ),
    active AS (
        SELECT gr.*,
               CASE WHEN gr.graduated THEN gr.done_at::date + 1 ELSE gr.stop_on END
                   AS active_until,
               (gr.active_from + 1
                + floor({U}(gr.n, 10) * ({NIGHT} - gr.active_from - 1))::integer) + time '11:00'
                   AS move_at
        FROM graduated gr
    )
    SELECT a.n, a.id, a.programme_n, g.id AS programme_id, a.started_on, a.active_from,
           a.hours, a.factor, a.activity, a.dropped_on, a.paused_on, a.stop_on, a.done_at,
           a.completed, a.further, a.graduated, a.active_until,
           CASE WHEN {U}(a.n, 9) < 0.08 AND a.move_at < a.active_until THEN a.move_at END
               AS reassigned_at,
           m1.id AS mentor_id, m2.id AS new_mentor_id
    FROM active a
    JOIN bench_programme g ON g.n = a.programme_n
    JOIN bench_person m1 ON m1.role = 'mentor'
     AND m1.n = a.programme_n + %(programmes)s * a.mentor_k
    JOIN bench_person m2 ON m2.role = 'mentor'
     AND m2.n = a.programme_n + %(programmes)s * mod(
         a.mentor_k + 1 + floor({U}(a.n, 11) * (%(per_programme)s - 1))::integer,
         %(per_programme)s)
    """,  # noqa: S608 (our own SQL and parameter names)
    "CREATE UNIQUE INDEX ON bench_student (id)",
    "ANALYZE bench_student",
    """
    UPDATE mentorship_user u SET date_joined = s.started_on - 3
    FROM bench_student s WHERE u.id = s.id
    """,
    """
    INSERT INTO mentorship_studentprofile (user_id, goals, weekly_hours, status, external_id)
    SELECT id, '', hours,
           CASE WHEN dropped_on IS NOT NULL THEN 'dropped' WHEN paused_on IS NOT NULL THEN 'paused'
                WHEN graduated THEN 'graduated' ELSE 'active' END,
           ''
    FROM bench_student
    """,
    # Status histories: active since the start, then dropped, paused or graduated.
    """
    INSERT INTO mentorship_studentstatuschange
        (student_id, status, effective_on, reason, recorded_at)
    SELECT s.id, c.status, c.effective_on, '', c.effective_on + time '12:00'
    FROM bench_student s
    CROSS JOIN LATERAL (
        VALUES (1, 'active', s.started_on),
               (2, CASE WHEN s.dropped_on IS NOT NULL THEN 'dropped'
                        WHEN s.paused_on IS NOT NULL THEN 'paused' ELSE 'graduated' END,
                   coalesce(s.dropped_on, s.paused_on, s.done_at::date))
    ) AS c(position, status, effective_on)
    WHERE c.position = 1 OR s.dropped_on IS NOT NULL OR s.paused_on IS NOT NULL OR s.graduated
    ORDER BY s.id, c.position
    """,
    # The first mentor from the start (to the reassignment), the second from then; a
    # graduate's assignment ends the day after the last approval.
    """
    INSERT INTO mentorship_assignment (student_id, mentor_id, started_at, ended_at, reason)
    SELECT id, mentor_id, started_on + time '09:00',
           coalesce(reassigned_at,
                    CASE WHEN graduated THEN done_at + interval '1 day' END),
           'Benchmark'
    FROM bench_student
    UNION ALL
    SELECT id, new_mentor_id, reassigned_at,
           CASE WHEN graduated THEN done_at + interval '1 day' END, 'Benchmark: reassigned'
    FROM bench_student WHERE reassigned_at IS NOT NULL
    """,
    "ANALYZE mentorship_assignment",
    """
    INSERT INTO projects_enrolment
        (student_id, programme_id, started_on, target_end_on, status, allow_skipping,
         completed_at)
    SELECT id, programme_id, started_on, started_on + %(plan_days)s,
           CASE WHEN completed THEN 'completed' WHEN dropped_on IS NOT NULL THEN 'withdrawn'
                ELSE 'active' END,
           false, CASE WHEN completed THEN done_at END
    FROM bench_student
    UNION ALL
    SELECT s.id, g.id, s.done_at::date + 7, s.done_at::date + 7 + %(plan_days)s, 'active', false,
           NULL
    FROM bench_student s JOIN bench_programme g ON g.n = mod(s.programme_n + 1, %(programmes)s)
    WHERE s.further
    """,
]

# Work: each project approved after a number of attempts (one in three needs a second,
# one in eight a third), spread over the project's share of the student's pace; each
# attempt reviewed by the mentor of the moment 1 to 80 hours after it came in (less
# when attempts follow closely); the attempts waiting at the night are unreviewed.
# Rubric verdicts: every criterion met on an approval, one or more missed otherwise
# (some reviewers harsher than others). Supervisors read one review in thirty.
WORK = [
    f"""
    INSERT INTO projects_submission
        (student_id, project_id, attempt, comment, link, status, submitted_at, reviewed_at)
    SELECT x.id, x.project_id, x.attempt, '', 'https://example.test/bench',
           CASE WHEN x.reviewed_at >= {NIGHT} THEN 'submitted'
                WHEN x.attempt = x.attempts THEN 'approved' ELSE 'changes_requested' END,
           x.reviewed_at - x.review_hours * interval '1 hour',
           CASE WHEN x.reviewed_at < {NIGHT} THEN x.reviewed_at END
    FROM (
        SELECT s.id, s.stop_on, plan.project_id, a.attempt, k.attempts,
               s.started_on
               + s.factor * (plan.cum_days - plan.target_days
                             + plan.target_days * a.attempt::float / k.attempts)
                 * interval '1 day'
               + interval '10 hours' AS reviewed_at,
               least(0.8 * 24 * s.factor * plan.target_days / k.attempts,
                     1 + 80 * power({U}(k.key * 8 + a.attempt, 23), 2)) AS review_hours
        FROM bench_student s
        JOIN bench_plan plan ON plan.programme_n = s.programme_n
        CROSS JOIN LATERAL (
            SELECT s.n * 16 + plan.position AS key,
                   1 + ({U}(s.n * 16 + plan.position, 20) < 0.35)::integer
                     + ({U}(s.n * 16 + plan.position, 21) < 0.12)::integer
                     + ({U}(s.n * 16 + plan.position, 22) < 0.03)::integer AS attempts
        ) AS k
        CROSS JOIN LATERAL generate_series(1, k.attempts) AS a(attempt)
    ) x
    WHERE x.reviewed_at - x.review_hours * interval '1 hour' < x.stop_on
    """,  # noqa: S608 (our own SQL and parameter names)
    "ANALYZE projects_submission",
    f"""
    INSERT INTO projects_review (submission_id, reviewer_id, verdict, feedback, created_at)
    SELECT sub.id, asg.mentor_id,
           CASE WHEN sub.status = 'approved' THEN 'approved' ELSE 'changes_requested' END,
           'Benchmark review.', sub.reviewed_at
    FROM projects_submission sub
    JOIN bench_student s ON s.id = sub.student_id
    JOIN mentorship_assignment asg ON {_mentor_then("asg", "sub.student_id", "sub.reviewed_at")}
    WHERE sub.reviewed_at IS NOT NULL
    """,  # noqa: S608 (our own SQL and parameter names)
    "ANALYZE projects_review",
    f"""
    INSERT INTO projects_criterionverdict (met, comment, review_id, criterion_id)
    SELECT r.verdict = 'approved'
           OR NOT (c.position = 1 + mod(r.id, 3)
                   OR {U}(r.id * 8 + c.position, 30) < 0.1 + 0.3 * {U}(r.reviewer_id, 31)),
           '', r.id, c.id
    FROM projects_review r
    JOIN projects_submission sub ON sub.id = r.submission_id
    JOIN bench_student s ON s.id = sub.student_id
    JOIN projects_rubriccriterion c ON c.project_id = sub.project_id
    """,  # noqa: S608 (our own SQL and parameter names)
    f"""
    INSERT INTO metrics_secondreading (rating, comment, created_at, reader_id, review_id)
    SELECT least(5, greatest(1, round(2.6 + 2.6 * {U}(r.id, 131)
                                      + ({U}(r.reviewer_id, 132) - 0.5))))::smallint,
           '', r.created_at + (1 + 9 * {U}(r.id, 133)) * interval '1 day',
           profile.supervisor_id, r.id
    FROM projects_review r
    JOIN bench_person m ON m.role = 'mentor' AND m.id = r.reviewer_id
    JOIN mentorship_mentorprofile profile ON profile.user_id = r.reviewer_id
    WHERE {U}(r.id, 130) < 0.033 AND r.created_at >= {START}
      AND r.created_at + (1 + 9 * {U}(r.id, 133)) * interval '1 day' < {NIGHT}
    """,  # noqa: S608 (our own SQL and parameter names)
]

# Learning: the students' days of the last 120 (``activity_days``; a student with more
# hours a week is active on more days, on a share of them that ``activity_share``
# scales), one to three events on each (one in six an article read), and the rollup
# summed from them.
ACTIVITY = [
    f"""
    INSERT INTO students_activityevent (student_id, kind, occurred_at, day, source, recorded_at)
    SELECT s.id,
           CASE WHEN {U}(ek.key, 44) < 0.17 THEN 'article_read'
                WHEN {U}(ek.key, 44) < 0.55 THEN 'lesson_viewed'
                WHEN {U}(ek.key, 44) < 0.8 THEN 'exercise_done' ELSE 'video_watched' END,
           dd.day + (8 + 14 * {U}(ek.key, 45)) * interval '1 hour', dd.day, 'bench',
           dd.day + time '23:30'
    FROM bench_student s
    CROSS JOIN LATERAL (
        SELECT greatest(s.active_from, {NIGHT} - %(activity_days)s) AS first_day
    ) AS f
    CROSS JOIN LATERAL generate_series(0, s.active_until - f.first_day - 1) AS d(i)
    CROSS JOIN LATERAL (
        SELECT f.first_day + d.i AS day,
               s.n::bigint * 1000 + (f.first_day + d.i - {START}) AS day_key
    ) AS dd
    CROSS JOIN LATERAL generate_series(1, 1 + floor(3 * {U}(dd.day_key, 41))::integer) AS e(k)
    CROSS JOIN LATERAL (SELECT dd.day_key * 4 + e.k AS key) AS ek
    WHERE {U}(dd.day_key, 40) < s.activity * %(activity_share)s
    """,  # noqa: S608 (our own SQL and parameter names)
    """
    INSERT INTO students_dailyactivity (student_id, day, events)
    SELECT student_id, day, count(*) FROM students_activityevent
    WHERE source = 'bench' GROUP BY student_id, day
    """,
]

# Sessions every two weeks with the mentor of the moment: 84 in 100 held (two in three
# rated, mentors' ratings differing), 8 missed by the student, the rest cancelled.
SESSIONS = [
    f"""
    INSERT INTO mentorship_mentoringsession
        (mentor_id, student_id, scheduled_at, duration_minutes, agenda, status, private_notes,
         summary, next_steps, created_at, logged_at, rating, rating_comment, rated_at,
         cancelled_at)
    SELECT asg.mentor_id, x.id, x.at, 45, '', x.status, '', '', '', x.at - interval '5 days',
           CASE WHEN x.status IN ('completed', 'student_no_show')
                THEN x.at + interval '1 hour' END,
           r.rating, '', CASE WHEN r.rating IS NOT NULL THEN x.at + interval '20 hours' END,
           CASE WHEN x.status LIKE 'cancelled%%' THEN x.at - interval '1 day' END
    FROM (
        SELECT s.id, s.active_until, s.n::bigint * 64 + i AS key,
               (s.active_from + 14 * i + mod(s.n, 14)) + (9 + mod(s.n, 9)) * interval '1 hour'
                   AS at,
               CASE WHEN {U}(s.n::bigint * 64 + i, 50) < 0.84 THEN 'completed'
                    WHEN {U}(s.n::bigint * 64 + i, 50) < 0.92 THEN 'student_no_show'
                    WHEN {U}(s.n::bigint * 64 + i, 50) < 0.96 THEN 'cancelled_by_student'
                    ELSE 'cancelled_by_mentor' END AS status
        FROM bench_student s
        CROSS JOIN LATERAL generate_series(0, (s.active_until - s.active_from) / 14) AS i
    ) x
    JOIN mentorship_assignment asg ON {_mentor_then("asg", "x.id", "x.at")}
    CROSS JOIN LATERAL (
        SELECT CASE WHEN x.status = 'completed' AND {U}(x.key, 51) < 0.65
                    THEN least(5, greatest(1, round(3.4 + 1.8 * {U}(x.key, 52)
                                                    + 1.2 * ({U}(asg.mentor_id, 53) - 0.5))))
               END::smallint AS rating
    ) AS r
    WHERE x.at < x.active_until AND x.at < {NIGHT}
    """,  # noqa: S608 (our own SQL and parameter names)
]

# Questions about once a month a student (three in five public), nine in ten answered
# after half an hour to two and a half days, by the mentor of the moment (seven in
# ten) or a fellow student, three in ten with a second answer by a fellow student.
QUESTIONS = [
    f"""
    INSERT INTO knowledge_base_question
        (title, body, language, visibility, hide_name, status, created_at, waiting_since,
         first_answered_at, author_id, programme_id)
    SELECT 'How do I get past this error in step ' || x.i || '?',
           'Benchmark question ' || x.key || '.', 'en',
           CASE WHEN {U}(x.key, 60) < 0.6 THEN 'programme' ELSE 'private' END, false,
           CASE WHEN x.answered_at IS NULL THEN 'open' ELSE 'answered' END,
           x.at, x.at, x.answered_at, x.id, x.programme_id
    FROM (
        SELECT s.id, s.programme_id, s.active_until, q.i, q.key, q.at,
               CASE WHEN {U}(q.key, 61) < 0.9 AND q.at + q.wait < {NIGHT} THEN q.at + q.wait END
                   AS answered_at
        FROM bench_student s
        CROSS JOIN LATERAL generate_series(0, (s.active_until - s.active_from) / 30) AS g(i)
        CROSS JOIN LATERAL (
            SELECT g.i, s.n::bigint * 64 + g.i AS key,
                   (s.active_from + 30 * g.i + mod(s.n * 7, 30))
                   + (9 + 12 * {U}(s.n::bigint * 64 + g.i, 62)) * interval '1 hour' AS at,
                   (0.5 + 60 * power({U}(s.n::bigint * 64 + g.i, 63), 2)) * interval '1 hour'
                       AS wait
        ) AS q
    ) x
    WHERE x.at < x.active_until AND x.at < {NIGHT}
    """,  # noqa: S608 (our own SQL and parameter names)
    "ANALYZE knowledge_base_question",
    f"""
    INSERT INTO knowledge_base_answer (body, is_follow_up, created_at, author_id, question_id)
    SELECT 'Benchmark answer.', false, q.first_answered_at + (a.k - 1) * interval '1 day',
           CASE WHEN a.k = 1 AND {U}(q.id, 64) < 0.7 THEN coalesce(asg.mentor_id, peer.id)
                ELSE peer.id END,
           q.id
    FROM knowledge_base_question q
    JOIN bench_student s ON s.id = q.author_id
    CROSS JOIN generate_series(1, 2) AS a(k)
    LEFT JOIN mentorship_assignment asg
      ON {_mentor_then("asg", "q.author_id", "q.first_answered_at")}
    JOIN bench_person peer ON peer.role = 'student'
     AND peer.n = mod(s.n + %(programmes)s * (a.k + floor(5 * {U}(q.id, 65))::integer),
                      %(students)s)
    WHERE q.first_answered_at IS NOT NULL AND (a.k = 1 OR {U}(q.id, 66) < 0.3)
      AND q.first_answered_at + (a.k - 1) * interval '1 day' < {NIGHT}
    """,  # noqa: S608 (our own SQL and parameter names)
]

# At-risk flags: one in seven students flagged in the second half of their history
# (open when not yet resolved), one in thirty also earlier (resolved); seven in ten
# acknowledged within 48 hours, some later, some never; three in four reached out to
# (one in three of those twice), recovery judged 14 days after the first outreach.
FLAGS = [
    f"""
    INSERT INTO students_riskflag
        (student_id, status, severity, reasons, opened_on, evaluated_on, clear_since,
         created_at, worsened_at, resolved_on, acknowledged_at, acknowledged_by_id, verdict,
         verdict_at, first_outreach_at, recovered, recovery_checked_on, notified_at)
    SELECT f.id, CASE WHEN f.resolved_on IS NULL THEN 'open' ELSE 'resolved' END,
           CASE WHEN {U}(f.key, 71) < 0.7 THEN 'amber' ELSE 'red' END, '[]'::jsonb,
           f.opened_on, coalesce(f.resolved_on, {NIGHT} - 1), NULL, f.created_at, NULL,
           f.resolved_on,
           f.acknowledged_at, CASE WHEN f.acknowledged_at IS NOT NULL THEN asg.mentor_id END,
           '', NULL, f.outreach_at,
           CASE WHEN f.outreach_at::date + 14 < {NIGHT} THEN {U}(f.key, 79) < 0.55 END,
           CASE WHEN f.outreach_at::date + 14 < {NIGHT} THEN f.outreach_at::date + 14 END,
           f.created_at + interval '15 minutes'
    FROM (
        SELECT o.*,
               CASE WHEN o.candidate_resolved < {NIGHT} THEN o.candidate_resolved END
                   AS resolved_on,
               CASE WHEN o.ack < {NIGHT} THEN o.ack END AS acknowledged_at,
               CASE WHEN o.outreach < {NIGHT} THEN o.outreach END AS outreach_at
        FROM (
            SELECT s.id, s.n::bigint * 4 + k.k AS key, opened.day AS opened_on,
                   opened.day + time '02:40' AS created_at,
                   opened.day + 7 + floor(20 * {U}(s.n::bigint * 4 + k.k, 72))::integer
                       AS candidate_resolved,
                   CASE WHEN {U}(s.n::bigint * 4 + k.k, 75) < 0.7
                        THEN opened.day + time '02:40'
                             + (1 + 40 * {U}(s.n::bigint * 4 + k.k, 76)) * interval '1 hour'
                        WHEN {U}(s.n::bigint * 4 + k.k, 75) < 0.85
                        THEN opened.day + time '02:40'
                             + (50 + 150 * {U}(s.n::bigint * 4 + k.k, 76)) * interval '1 hour'
                   END AS ack,
                   CASE WHEN {U}(s.n::bigint * 4 + k.k, 77) < 0.75
                        THEN opened.day + time '02:40'
                             + (4 + 68 * {U}(s.n::bigint * 4 + k.k, 78)) * interval '1 hour'
                   END AS outreach
            FROM bench_student s
            CROSS JOIN (VALUES (0), (1)) AS k(k)
            CROSS JOIN LATERAL (
                SELECT (s.active_until - s.active_from) / 2 AS half
            ) AS span
            CROSS JOIN LATERAL (
                SELECT s.active_from + span.half * k.k
                       + floor({U}(s.n::bigint * 4 + k.k, 70)
                               * (span.half - 25 * (1 - k.k)))::integer AS day
            ) AS opened
            WHERE span.half >= 30
              AND ((k.k = 0 AND {U}(s.n, 73) < 0.033) OR (k.k = 1 AND {U}(s.n, 74) < 0.14))
        ) o
    ) f
    LEFT JOIN mentorship_assignment asg ON {_mentor_then("asg", "f.id", "f.created_at")}
    """,  # noqa: S608 (our own SQL and parameter names)
    f"""
    INSERT INTO students_flagoutreach (kind, note, at, mentor_id, flag_id)
    SELECT CASE WHEN o.k = 1 THEN 'message' ELSE 'call' END, '',
           f.first_outreach_at + (o.k - 1) * interval '3 days', asg.mentor_id, f.id
    FROM students_riskflag f
    JOIN bench_student s ON s.id = f.student_id
    CROSS JOIN generate_series(1, 2) AS o(k)
    JOIN mentorship_assignment asg
      ON {_mentor_then("asg", "f.student_id", "f.first_outreach_at")}
    WHERE f.first_outreach_at IS NOT NULL AND (o.k = 1 OR {U}(f.id, 80) < 0.33)
      AND f.first_outreach_at + (o.k - 1) * interval '3 days' < {NIGHT}
    """,  # noqa: S608 (our own SQL and parameter names)
]

# The mentors' own work: 1.5 articles a mentor (85 in 100 published, one in five
# co-written, one in eight made from a question, voted "this helped" by up to 60
# students), two case discussions a mentor every six months of history with replies
# from colleagues of the same programme, one improvement proposal a mentor every six
# months, self-development records for one in three (a programme) and one in two (a
# course or an area of expertise).
METHODOLOGY = [
    f"""
    INSERT INTO knowledge_base_article
        (title, body, language, status, created_at, updated_at, published_at, view_count)
    SELECT 'Bench article ' || a, 'How to approach a project: benchmark article ' || a || '.',
           'en', CASE WHEN {U}(a, 90) < 0.85 THEN 'published' ELSE 'draft' END, t.at, t.at,
           CASE WHEN {U}(a, 90) < 0.85 THEN t.at + interval '2 days' END,
           floor(600 * power({U}(a, 91), 2))::integer
    FROM generate_series(0, %(articles)s - 1) AS a
    CROSS JOIN LATERAL (
        SELECT {START} + {U}(a, 92) * ({NIGHT} - {START} - 3) * interval '1 day' AS at
    ) AS t
    """,  # noqa: S608 (our own SQL and parameter names)
    """
    CREATE TEMP TABLE bench_article ON COMMIT DROP AS
    SELECT (row_number() OVER (ORDER BY id) - 1)::integer AS n, id, status, published_at
    FROM knowledge_base_article WHERE title LIKE 'Bench article %%'
    """,
    """
    INSERT INTO knowledge_base_article_authors (article_id, user_id)
    SELECT a.id, m.id
    FROM bench_article a
    CROSS JOIN (VALUES (0), (7)) AS shift(k)
    JOIN bench_person m ON m.role = 'mentor' AND m.n = mod(a.n + shift.k, %(mentors)s)
    WHERE shift.k = 0 OR mod(a.n, 5) = 0
    """,
    """
    INSERT INTO knowledge_base_article_programmes (article_id, programme_id)
    SELECT a.id, g.id FROM bench_article a
    JOIN bench_programme g ON g.n = mod(mod(a.n, %(mentors)s), %(programmes)s)
    """,
    """
    INSERT INTO knowledge_base_article_questions (article_id, question_id)
    SELECT a.id, q.id
    FROM bench_article a
    CROSS JOIN LATERAL (
        SELECT id FROM knowledge_base_question
        WHERE id >= (SELECT min(id) FROM knowledge_base_question)
                    + mod(a.n * 97, (SELECT count(*) FROM knowledge_base_question))
        ORDER BY id LIMIT 1
    ) AS q
    WHERE mod(a.n, 8) = 3
    """,
    f"""
    INSERT INTO knowledge_base_articlevote (created_at, article_id, user_id)
    SELECT a.published_at + {U}(a.n * 64 + v, 94) * ({NIGHT}::timestamptz - a.published_at),
           a.id, st.id
    FROM bench_article a
    CROSS JOIN LATERAL generate_series(1, floor(60 * {U}(a.n, 93))::integer) AS v
    JOIN bench_person st ON st.role = 'student'
     AND st.n = mod(a.n * 37 + v * 1009, %(students)s)
    WHERE a.status = 'published'
    ON CONFLICT DO NOTHING
    """,  # noqa: S608 (our own SQL and parameter names)
    f"""
    INSERT INTO mentorship_casediscussion
        (audience, title, body, created_at, resolved_at, author_id, resolved_by_id, student_id)
    SELECT CASE WHEN {U}(c, 100) < 0.7 THEN 'mentors' ELSE 'supervisor' END,
           'Bench case ' || c, '',
           {START} + {U}(c, 101) * ({NIGHT} - {START} - 2) * interval '1 day', NULL, m.id,
           NULL, NULL
    FROM generate_series(0, %(cases)s - 1) AS c
    JOIN bench_person m ON m.role = 'mentor' AND m.n = mod(c, %(mentors)s)
    """,  # noqa: S608 (our own SQL and parameter names)
    f"""
    INSERT INTO mentorship_casereply (body, created_at, author_id, case_id)
    SELECT 'Benchmark reply.', c.created_at + (1 + r.k) * interval '6 hours', m.id, c.id
    FROM (
        SELECT (row_number() OVER (ORDER BY d.id) - 1)::integer AS n, d.id, d.created_at,
               author.n AS author_n
        FROM mentorship_casediscussion d
        JOIN bench_person author ON author.role = 'mentor' AND author.id = d.author_id
    ) c
    CROSS JOIN LATERAL generate_series(0, floor(5 * {U}(c.n, 102))::integer) AS r(k)
    JOIN bench_person m ON m.role = 'mentor'
     AND m.n = mod(c.author_n + %(programmes)s * r.k, %(mentors)s)
    WHERE c.created_at + (1 + r.k) * interval '6 hours' < {NIGHT}
    """,  # noqa: S608 (our own SQL and parameter names)
    f"""
    INSERT INTO projects_improvementproposal
        (subject, title, body, status, reply, created_at, decided_at, author_id, programme_id,
         project_id)
    SELECT CASE WHEN {U}(i, 110) < 0.5 THEN 'project' WHEN {U}(i, 110) < 0.8 THEN 'programme'
                ELSE 'platform' END,
           'Bench proposal ' || i, '',
           CASE WHEN {U}(i, 111) < 0.3 OR (p.decided >= {NIGHT} AND {U}(i, 111) >= 0.5)
                THEN 'new'
                WHEN {U}(i, 111) < 0.5 OR p.decided >= {NIGHT} THEN 'under_review'
                WHEN {U}(i, 111) < 0.7 THEN 'accepted'
                WHEN {U}(i, 111) < 0.9 THEN 'declined' ELSE 'done' END,
           '', p.created,
           CASE WHEN {U}(i, 111) >= 0.5 AND p.decided < {NIGHT} THEN p.decided END,
           m.id, CASE WHEN {U}(i, 110) < 0.8 THEN g.id END,
           CASE WHEN {U}(i, 110) < 0.5 THEN plan.project_id END
    FROM generate_series(0, %(proposals)s - 1) AS i
    JOIN bench_person m ON m.role = 'mentor' AND m.n = mod(i, %(mentors)s)
    JOIN bench_programme g ON g.n = mod(i, %(programmes)s)
    JOIN bench_plan plan ON plan.programme_n = g.n AND plan.position = 1 + mod(i, %(projects)s)
    CROSS JOIN LATERAL (
        SELECT {START} + {U}(i, 112) * ({NIGHT} - {START}) * interval '1 day' AS created,
               {START} + {U}(i, 112) * ({NIGHT} - {START}) * interval '1 day'
               + (3 + 17 * {U}(i, 113)) * interval '1 day' AS decided
    ) AS p
    """,  # noqa: S608 (our own SQL and parameter names)
    f"""
    INSERT INTO mentorship_developmentrecord
        (kind, title, completed_on, evidence_url, note, created_at, verified_at, mentor_id,
         programme_id, verified_by_id)
    SELECT r.kind, r.title, r.completed_on, '', '', r.day + time '12:00',
           CASE WHEN r.verified THEN r.day + 10 + time '09:00' END, r.mentor_id, r.programme_id,
           CASE WHEN r.verified THEN staff.id END
    FROM (
        SELECT 'programme' AS kind, '' AS title, d.day AS completed_on, d.day, m.id AS mentor_id,
               g.id AS programme_id, {U}(m.n, 121) < 0.7 AND d.day + 10 < {NIGHT} AS verified
        FROM bench_person m
        CROSS JOIN LATERAL (
            SELECT {START} + floor({U}(m.n, 120) * ({NIGHT} - {START} - 1))::integer AS day
        ) AS d
        JOIN bench_programme g ON g.n = mod(m.n + 3, %(programmes)s)
        WHERE m.role = 'mentor' AND mod(m.n, 3) = 0
        UNION ALL
        SELECT CASE WHEN {U}(m.n, 122) < 0.5 THEN 'course' ELSE 'expertise' END,
               CASE WHEN {U}(m.n, 122) < 0.5 THEN 'Bench course' ELSE 'Bench expertise' END,
               CASE WHEN {U}(m.n, 122) < 0.5 THEN d.day END, d.day, m.id, NULL,
               {U}(m.n, 124) < 0.6 AND d.day + 10 < {NIGHT}
        FROM bench_person m
        CROSS JOIN LATERAL (
            SELECT {START} + floor({U}(m.n, 123) * ({NIGHT} - {START} - 1))::integer AS day
        ) AS d
        WHERE m.role = 'mentor' AND mod(m.n, 2) = 0
    ) r
    CROSS JOIN bench_person staff
    WHERE staff.role = 'staff' AND staff.n = 0
    """,  # noqa: S608 (our own SQL and parameter names)
]

# Statistics of every table of the school, for the statements after it. Not a plain
# ``ANALYZE``: that also reads the server's shared catalogs (``pg_database``...) and,
# in a transaction, keeps their locks until the commit, so two builds on the server
# (another benchmark's database) wait for each other's commit, minutes.
ANALYZE_SCHOOL = """
DO $$
DECLARE name text;
BEGIN
    FOR name IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
        EXECUTE format('ANALYZE %%I', name);
    END LOOP;
END $$
"""

# Recommendations, each by the mentor of the moment: the next programme for the
# students who went on to it (enrolled), another programme for one student in twelve
# and a course for one in ten (pending, accepted, declined, some courses taken up).
# Surveys every four weeks while the student studies (45 in 100 answered).
STUDENTS_VOICE = [
    f"""
    INSERT INTO projects_recommendation
        (course_title, course_url, note, status, created_at, answered_at, enrolled_at,
         mentor_id, programme_id, student_id)
    SELECT r.course_title, r.course_url, '', r.status, r.at,
           CASE WHEN r.status <> 'pending' THEN r.at + interval '2 days' END, r.enrolled_at,
           asg.mentor_id, r.programme_id, r.id
    FROM (
        SELECT s.id, '' AS course_title, '' AS course_url, 'enrolled' AS status,
               s.done_at - interval '20 days' AS at, (s.done_at::date + 7) + time '10:00'
                   AS enrolled_at, g.id AS programme_id
        FROM bench_student s
        JOIN bench_programme g ON g.n = mod(s.programme_n + 1, %(programmes)s)
        WHERE s.further
        UNION ALL
        SELECT s.id, '', '',
               CASE WHEN {U}(s.n, 141) < 0.5 THEN 'pending' WHEN {U}(s.n, 141) < 0.8
                    THEN 'accepted' ELSE 'declined' END,
               s.active_from + {U}(s.n, 142) * (s.active_until - s.active_from - 3)
                   * interval '1 day', NULL, g.id
        FROM bench_student s
        JOIN bench_programme g ON g.n = mod(s.programme_n + 2, %(programmes)s)
        WHERE NOT s.further AND {U}(s.n, 140) < 0.083 AND s.active_until - s.active_from > 3
        UNION ALL
        SELECT s.id, 'Bench course', 'https://example.test/course',
               CASE WHEN {U}(s.n, 144) < 0.4 THEN 'pending' WHEN {U}(s.n, 144) < 0.6
                    THEN 'accepted' WHEN {U}(s.n, 144) < 0.8 THEN 'declined' ELSE 'enrolled' END,
               t.at, CASE WHEN {U}(s.n, 144) >= 0.8 THEN t.at + interval '5 days' END, NULL
        FROM bench_student s
        CROSS JOIN LATERAL (
            SELECT s.active_from + {U}(s.n, 145) * (s.active_until - s.active_from - 6)
                   * interval '1 day' AS at
        ) AS t
        WHERE {U}(s.n, 143) < 0.1 AND s.active_until - s.active_from > 6
    ) r
    JOIN mentorship_assignment asg ON {_mentor_then("asg", "r.id", "r.at")}
    """,  # noqa: S608 (our own SQL and parameter names)
    f"""
    INSERT INTO metrics_survey
        (round, sent_at, answered_at, score, plans_to_continue, comment, mentor_id, student_id)
    SELECT x.round, x.sent_at,
           CASE WHEN x.answered THEN x.answered_at END,
           CASE WHEN x.answered AND {U}(x.key, 151) < 0.95
                THEN greatest(0, least(10, round(10.4 - 9 * power({U}(x.key, 152), 2)
                                                 - 2 * {U}(asg.mentor_id, 153))))::smallint
           END,
           CASE WHEN NOT x.answered THEN ''
                WHEN {U}(x.key, 154) < 0.7 THEN 'yes' WHEN {U}(x.key, 154) < 0.88 THEN 'unsure'
                WHEN {U}(x.key, 154) < 0.96 THEN 'no' ELSE '' END,
           '', asg.mentor_id, x.id
    FROM (
        SELECT s.id, r AS round, s.n::bigint * 16 + r AS key,
               ({START} + 28 * r + mod(s.n, 28)) + time '10:00' AS sent_at,
               ({START} + 28 * r + mod(s.n, 28)) + time '10:00'
               + (1 + 70 * {U}(s.n::bigint * 16 + r, 155)) * interval '1 hour' AS answered_at,
               {U}(s.n::bigint * 16 + r, 150) < 0.45
               AND ({START} + 28 * r + mod(s.n, 28)) + time '10:00'
                   + (1 + 70 * {U}(s.n::bigint * 16 + r, 155)) * interval '1 hour' < {NIGHT}
                   AS answered,
               s.started_on, s.active_until
        FROM bench_student s
        CROSS JOIN generate_series(0, ({NIGHT} - {START}) / 28) AS r
    ) x
    LEFT JOIN mentorship_assignment asg ON {_mentor_then("asg", "x.id", "x.sent_at")}
    WHERE x.sent_at >= x.started_on + 7 AND x.sent_at < x.active_until AND x.sent_at < {NIGHT}
    """,  # noqa: S608 (our own SQL and parameter names)
    ANALYZE_SCHOOL,
]


def _texts(sentences: list[str]) -> str:
    """A SQL array of the sentences, quoted for the generator's statements (which go
    with parameters: a percent sign is doubled)."""
    quoted = (sentence.replace("'", "''").replace("%", "%%") for sentence in sentences)
    return "ARRAY[" + ", ".join(f"'{sentence}'" for sentence in quoted) + "]"


def _sentences(pool: list[str], key: str, count: str, salt: int) -> str:
    """``count`` sentences of ``pool`` in a row from one drawn from ``key`` (each once
    while ``count`` is at most the pool's size), joined by a space."""
    first = f"floor({len(pool)} * {U}({key}, {salt}))::integer"
    picked = f"({_texts(pool)})[1 + mod({first} + pick.k, {len(pool)})]"
    chosen = f"SELECT {picked} FROM generate_series(1, {count}) AS pick(k)"  # noqa: S608
    return f"array_to_string(ARRAY({chosen}), ' ')"


REPORT_COMMENTS = [
    "A steady week: most students submitted on time.",
    "Two sessions went very well, the students came prepared.",
    "Reviews kept under a day all week.",
    "Several students started the new project, questions mostly about its brief.",
    "Spent extra time with two students who fell behind the plan.",
    "Quiet week, a few students on holiday.",
    "Wrote an article for the knowledge base on the questions that keep coming back.",
    "Helped a colleague with a difficult case.",
    "Most of the week went on second attempts after last week's reviews.",
    "A new student joined; the first session is booked.",
]
REPORT_DIFFICULTIES = [
    "One student stopped answering messages; I may need your advice on next steps.",
    "Too many reviews arrived on the same day, two waited longer than I would like.",
    "A student disputes my review of their project; could you take a look?",
    "Two students asked to move their sessions to weekends.",
    "The brief of the fourth project confuses students; worth rewording.",
    "Less time than usual this week because of my day job.",
]
NOTE_SENTENCES = [
    "Talked through the project brief: they understand the task but underestimate the "
    "testing part.",
    "Prefers written feedback to calls and answers within a day.",
    "Works in the evenings and at weekends, so later sessions suit them better.",
    "Struggled with the data model in the last review; suggested re-reading the chapter on "
    "relations.",
    "Very motivated, already reading ahead of the programme.",
    "Missed the last session without notice; sent a message, no answer yet.",
    "Changed jobs this month and expects less time for study until it settles.",
    "Asked for more material on testing: sent two articles from the knowledge base.",
    "Good progress since the last call: the second attempt fixed everything from the "
    "first review.",
    "Tends to submit without running the checks; reminded them of the checklist.",
    "Agreed on a plan to catch up: one project every two weeks until the deadline.",
    "Mentioned exams at university this month; check in again next week.",
]
NOTE_PLAN = (
    "\n\nPlan agreed on the call:\n\n- finish the current project by Friday\n"
    "- read the article on code review before the next attempt\n"
    "- book the next session for the week after"
)
INCIDENT_TITLES = [
    "Dispute over credit for a shared project",
    "Rude comments in the programme chat",
    "A solution copied and shared in the group",
    "Argument during a peer review",
    "Unwanted private messages to another student",
]
INCIDENT_SENTENCES = [
    "One student says the other took their code without asking.",
    "The discussion in the chat became personal and others complained.",
    "Both students asked me to step in.",
    "Screenshots of the messages are attached to the ticket.",
    "It started after a disagreement about the review checklist.",
    "The students are in the same study group and meet every week.",
]
# How each kind of incident ended, in the order of the titles.
INCIDENT_RESOLUTIONS = [
    "Talked to both students; they agreed on who did what and split the credit.",
    "Talked to both students; they agreed to keep discussions respectful.",
    "The copied work was withdrawn and both students resubmitted their own.",
    "Moved one student to another review group; no further complaints since.",
    "A formal warning was sent; the messages stopped.",
]

# A sent report has one to three sentences of comments, a draft one at most.
REPORT_COMMENT_COUNT = f"CASE WHEN r.sent THEN 1 + floor(3 * {U}(r.key, 168))::integer ELSE 1 END"
# A note is one or two sentences mostly, up to six; an incident's account two to four.
NOTE_SENTENCE_COUNT = f"1 + floor(6 * power({U}(x.key, 173), 3))::integer"
INCIDENT_SENTENCE_COUNT = f"2 + floor(3 * {U}(i, 186))::integer"

# What the mentors write besides their reviews (``writing``: the pages show it, the
# scorecards do not read it). Each mentor's weekly report of every week of the
# history, drafted on the Monday after it at noon as the weekly job does, its figures
# drawn set-based in the shape ``weekly_report_figures`` gives them: students at the
# end of the week and those behind plan (the plan's due dates against the generator's
# own pace), sessions by outcome, reviews, flags, contributions. Most are sent within
# two and a half days with comments (one in three with a difficulty), some late (a
# share that differs from mentor to mentor), one in fifty never: the last week's is a
# draft until its mentor sends it; the current week has none (it is not over).
# Private notes on students: none to five each (two on average) from the mentor of
# the moment (one in twenty from the supervisor), one or two sentences mostly, up to
# six, one in eight with a plan as a list. Incidents between students: about one a
# year per 400 students, two or three students of a programme, recorded by the
# first one's mentor a day or two later and arbitrated by the mentor's supervisor,
# who resolves four in five after one to twenty days.
STUDENTS_PER_INCIDENT = 400
WRITING = [
    """
    CREATE TEMP TABLE bench_week ON COMMIT DROP AS
    SELECT w.n, w.week_start,
           w.week_start::timestamp AT TIME ZONE %(school_zone)s AS starts_at,
           (w.week_start + 7)::timestamp AT TIME ZONE %(school_zone)s AS ends_at,
           (w.week_start + 7) + time '12:00' AS drafted_at
    FROM (
        SELECT k AS n,
               %(history_start)s::date + mod(8 - extract(isodow FROM %(history_start)s::date)
                                                   ::integer, 7) + 7 * k AS week_start
        FROM generate_series(0, %(history_days)s / 7) AS k
    ) w
    WHERE (w.week_start + 7) + time '12:00' < %(night)s::date
    """,
    f"""
    CREATE TEMP TABLE bench_report_students ON COMMIT DROP AS
    SELECT a.mentor_id, w.week_start,
           count(DISTINCT a.student_id) FILTER (WHERE e.current) AS current,
           count(*) FILTER (WHERE a.started_at >= w.starts_at AND a.started_at < w.ends_at)
               AS assigned,
           count(*) FILTER (WHERE a.ended_at >= w.starts_at AND a.ended_at < w.ends_at)
               AS left_them,
           coalesce(jsonb_agg(jsonb_build_object(
               'id', s.id, 'name', 'Bench student ' || lpad(s.n::text, 6, '0'),
               'programme', 'Bench programme ' || e.programme_n,
               'projects_behind', p.due - p.approved,
               'days_behind', p.elapsed - (%(cum_days)s)[p.approved + 1]
           ) ORDER BY s.n) FILTER (WHERE e.current AND p.due > p.approved), '[]'::jsonb)
               AS behind_plan
    FROM mentorship_assignment a
    JOIN bench_student s ON s.id = a.student_id
    JOIN bench_week w ON w.ends_at > a.started_at
     AND (a.ended_at IS NULL OR a.ended_at >= w.starts_at)
    CROSS JOIN LATERAL (
        -- The enrolment the report speaks of when the week ended: the next programme
        -- for a student who went on to it (where the generator has no work yet), else
        -- the first.
        SELECT a.ended_at IS NULL OR a.ended_at >= w.ends_at AS current,
               s.further AND w.week_start + 7 > s.done_at::date + 7 AS next_programme,
               CASE WHEN s.further AND w.week_start + 7 > s.done_at::date + 7
                    THEN mod(s.programme_n + 1, %(programmes)s) ELSE s.programme_n
               END AS programme_n,
               w.week_start + 7 - CASE WHEN s.further AND w.week_start + 7 > s.done_at::date + 7
                                       THEN s.done_at::date + 7 ELSE s.started_on END
                   AS elapsed
    ) AS e
    CROSS JOIN LATERAL (
        -- Projects due (the plan's due dates) and approved (the generator's own pace)
        -- when the week ended, for a student studying then: not stopped, paused or
        -- finished.
        SELECT CASE WHEN e.next_programme
                      OR (coalesce(s.dropped_on, s.paused_on, {NIGHT}) > w.week_start + 7
                          AND s.done_at > w.ends_at)
                    THEN width_bucket(e.elapsed - 1, %(cum_days)s) ELSE 0 END AS due,
               CASE WHEN e.next_programme THEN 0
                    ELSE width_bucket((e.elapsed - 10 / 24.0) / s.factor, %(cum_days)s)
               END AS approved,
               e.elapsed
    ) AS p
    GROUP BY a.mentor_id, w.week_start
    """,  # noqa: S608 (our own SQL and parameter names)
    """
    CREATE TEMP TABLE bench_report_sessions ON COMMIT DROP AS
    SELECT x.mentor_id, x.week_start, count(*) AS total,
           count(*) FILTER (WHERE x.status = 'completed') AS completed,
           count(*) FILTER (WHERE x.status = 'student_no_show') AS student_no_show,
           count(*) FILTER (WHERE x.status = 'cancelled_by_student') AS cancelled_by_student,
           count(*) FILTER (WHERE x.status = 'cancelled_by_mentor') AS cancelled_by_mentor,
           round(avg(x.rating), 2) AS average_rating, count(x.rating) AS ratings
    FROM (
        SELECT mentor_id, status, rating,
               date_trunc('week', scheduled_at AT TIME ZONE %(school_zone)s)::date AS week_start
        FROM mentorship_mentoringsession WHERE scheduled_at >= %(history_start)s::date - 7
    ) x
    GROUP BY x.mentor_id, x.week_start
    """,
    f"""
    CREATE TEMP TABLE bench_report_reviews ON COMMIT DROP AS
    SELECT x.mentor_id, x.week_start, sum(x.reviews)::integer AS total,
           sum(x.approved)::integer AS approved,
           sum(x.reviews - x.approved)::integer AS changes_requested,
           round((sum(x.hours) / nullif(sum(x.reviews), 0))::numeric, 1) AS turnaround_hours,
           sum(x.waiting)::integer AS waiting_at_end
    FROM (
        SELECT r.reviewer_id AS mentor_id,
               date_trunc('week', r.created_at AT TIME ZONE %(school_zone)s)::date AS week_start,
               1 AS reviews, (r.verdict = 'approved')::integer AS approved,
               extract(epoch FROM r.created_at - sub.submitted_at) / 3600 AS hours, 0 AS waiting
        FROM projects_review r JOIN projects_submission sub ON sub.id = r.submission_id
        WHERE r.created_at >= {START} - 7
        UNION ALL
        -- Submitted during a week and not reviewed when it ended: waiting at its end.
        SELECT asg.mentor_id, w.week_start, 0, 0, 0, 1
        FROM projects_submission sub
        CROSS JOIN LATERAL (
            SELECT date_trunc('week', sub.submitted_at AT TIME ZONE %(school_zone)s)::date
                       AS week_start
        ) AS w
        JOIN mentorship_assignment asg
          ON {_mentor_then("asg", "sub.student_id", "sub.submitted_at")}
        WHERE sub.submitted_at >= {START} - 7
          AND coalesce(sub.reviewed_at, 'infinity')
              >= (w.week_start + 7)::timestamp AT TIME ZONE %(school_zone)s
    ) x
    GROUP BY x.mentor_id, x.week_start
    """,  # noqa: S608 (our own SQL and parameter names)
    f"""
    CREATE TEMP TABLE bench_report_flags ON COMMIT DROP AS
    WITH flag AS (
        SELECT f.id, f.student_id, f.severity, f.opened_on, f.resolved_on, f.acknowledged_at,
               asg.mentor_id, s.n
        FROM students_riskflag f
        JOIN bench_student s ON s.id = f.student_id
        JOIN mentorship_assignment asg ON {_mentor_then("asg", "f.student_id", "f.created_at")}
    )
    SELECT w.mentor_id, w.week_start, sum(w.opened)::integer AS opened,
           sum(w.resolved)::integer AS resolved, sum(w.outreach)::integer AS outreach,
           coalesce(jsonb_agg(w.still_open ORDER BY w.opened_on, w.id)
                    FILTER (WHERE w.still_open IS NOT NULL), '[]'::jsonb) AS open_at_end
    FROM (
        SELECT flag.mentor_id, date_trunc('week', flag.opened_on)::date AS week_start,
               1 AS opened, 0 AS resolved, 0 AS outreach, NULL::jsonb AS still_open,
               flag.opened_on, flag.id
        FROM flag
        UNION ALL
        SELECT flag.mentor_id, date_trunc('week', flag.resolved_on)::date, 0, 1, 0, NULL,
               flag.opened_on, flag.id
        FROM flag WHERE flag.resolved_on IS NOT NULL
        UNION ALL
        SELECT o.mentor_id, date_trunc('week', o.at AT TIME ZONE %(school_zone)s)::date,
               0, 0, 1, NULL, NULL, NULL
        FROM students_flagoutreach o
        UNION ALL
        SELECT flag.mentor_id, week.week_start, 0, 0, 0,
               jsonb_build_object(
                   'id', flag.id, 'student_id', flag.student_id,
                   'name', 'Bench student ' || lpad(flag.n::text, 6, '0'),
                   'severity', flag.severity, 'opened_on', flag.opened_on,
                   'acknowledged', coalesce(flag.acknowledged_at < week.ends_at, false)),
               flag.opened_on, flag.id
        FROM flag
        JOIN bench_week week ON flag.opened_on < week.week_start + 7
         AND (flag.resolved_on IS NULL OR flag.resolved_on >= week.week_start + 7)
    ) w
    GROUP BY w.mentor_id, w.week_start
    """,  # noqa: S608 (our own SQL and parameter names)
    """
    CREATE TEMP TABLE bench_report_community ON COMMIT DROP AS
    SELECT x.mentor_id, w.week_start,
           coalesce(jsonb_agg(x.item ORDER BY x.at, x.id) FILTER (WHERE x.kind = 'filed'),
                    '[]'::jsonb) AS proposals_filed,
           coalesce(jsonb_agg(x.item ORDER BY x.at, x.id) FILTER (WHERE x.kind = 'decided'),
                    '[]'::jsonb) AS proposal_decisions,
           coalesce(jsonb_agg(x.item ORDER BY x.at, x.id) FILTER (WHERE x.kind = 'case'),
                    '[]'::jsonb) AS cases_raised,
           count(*) FILTER (WHERE x.kind = 'reply') AS peer_help_replies,
           count(*) FILTER (WHERE x.kind = 'recommendation') AS recommendations
    FROM (
        SELECT p.author_id AS mentor_id, p.created_at AS at, p.id, 'filed' AS kind,
               jsonb_build_object('id', p.id, 'title', p.title, 'status', p.status) AS item
        FROM projects_improvementproposal p
        UNION ALL
        SELECT p.author_id, p.decided_at, p.id, 'decided',
               jsonb_build_object('id', p.id, 'title', p.title, 'status', p.status)
        FROM projects_improvementproposal p WHERE p.decided_at IS NOT NULL
        UNION ALL
        SELECT c.author_id, c.created_at, c.id, 'case',
               jsonb_build_object('id', c.id, 'title', c.title)
        FROM mentorship_casediscussion c
        UNION ALL
        SELECT r.author_id, r.created_at, r.id, 'reply', NULL
        FROM mentorship_casereply r
        JOIN mentorship_casediscussion c ON c.id = r.case_id AND c.author_id <> r.author_id
        UNION ALL
        SELECT r.mentor_id, r.created_at, r.id, 'recommendation', NULL
        FROM projects_recommendation r
    ) x
    CROSS JOIN LATERAL (
        SELECT date_trunc('week', x.at AT TIME ZONE %(school_zone)s)::date AS week_start
    ) AS w
    GROUP BY x.mentor_id, w.week_start
    """,
    f"""
    INSERT INTO mentorship_weeklyreport
        (mentor_id, week_start, status, figures, drafted_at, comments, difficulties, sent_at)
    SELECT r.mentor_id, r.week_start, CASE WHEN r.sent THEN 'sent' ELSE 'draft' END,
           jsonb_build_object(
               'week', jsonb_build_object(
                   'start', r.week_start, 'end', r.week_start + 6,
                   'time_zone', %(school_zone)s),
               'students', jsonb_build_object(
                   'current', coalesce(st.current, 0), 'assigned', coalesce(st.assigned, 0),
                   'left', coalesce(st.left_them, 0),
                   'behind_plan', coalesce(st.behind_plan, '[]'::jsonb)),
               'sessions', jsonb_build_object(
                   'total', coalesce(se.total, 0),
                   'by_outcome', jsonb_build_object(
                       'completed', coalesce(se.completed, 0),
                       'student_no_show', coalesce(se.student_no_show, 0),
                       'cancelled_by_student', coalesce(se.cancelled_by_student, 0),
                       'cancelled_by_mentor', coalesce(se.cancelled_by_mentor, 0)),
                   'unlogged', 0, 'average_rating', se.average_rating,
                   'ratings', coalesce(se.ratings, 0), 'next_week', 0),
               'reviews', jsonb_build_object(
                   'total', coalesce(rv.total, 0), 'approved', coalesce(rv.approved, 0),
                   'changes_requested', coalesce(rv.changes_requested, 0),
                   'average_turnaround_hours', rv.turnaround_hours,
                   'waiting_at_end', coalesce(rv.waiting_at_end, 0)),
               'flags', jsonb_build_object(
                   'behind_plan', coalesce(st.behind_plan, '[]'::jsonb),
                   'opened', coalesce(fl.opened, 0), 'resolved', coalesce(fl.resolved, 0),
                   'outreach', coalesce(fl.outreach, 0),
                   'open_at_end', coalesce(fl.open_at_end, '[]'::jsonb)),
               'community', jsonb_build_object(
                   'proposals_filed', coalesce(co.proposals_filed, '[]'::jsonb),
                   'proposal_decisions', coalesce(co.proposal_decisions, '[]'::jsonb),
                   'cases_raised', coalesce(co.cases_raised, '[]'::jsonb),
                   'peer_help_replies', coalesce(co.peer_help_replies, 0),
                   'recommendations', coalesce(co.recommendations, 0))
           ),
           CASE WHEN r.sent THEN r.sent_at ELSE r.drafted_at END,
           CASE WHEN r.sent OR {U}(r.key, 163) < 0.3
                THEN {_sentences(REPORT_COMMENTS, "r.key", REPORT_COMMENT_COUNT, 164)}
                ELSE '' END,
           CASE WHEN {U}(r.key, 165) < 0.35
                THEN ({_texts(REPORT_DIFFICULTIES)})[
                    1 + floor({len(REPORT_DIFFICULTIES)} * {U}(r.key, 166))::integer]
                ELSE '' END,
           CASE WHEN r.sent THEN r.sent_at END
    FROM (
        SELECT g.*, g.sent_at < {NIGHT} AS sent
        FROM (
            SELECT m.id AS mentor_id, w.week_start, w.drafted_at, m.n::bigint * 128 + w.n AS key,
                   CASE WHEN {U}(m.n::bigint * 128 + w.n, 160) < 0.02 THEN NULL
                        WHEN {U}(m.n::bigint * 128 + w.n, 161)
                             < 0.04 + 0.3 * power({U}(m.n, 162), 2)
                        THEN w.drafted_at
                             + (3 + 9 * {U}(m.n::bigint * 128 + w.n, 167)) * interval '1 day'
                        ELSE w.drafted_at
                             + (2 + 58 * {U}(m.n::bigint * 128 + w.n, 167)) * interval '1 hour'
                   END AS sent_at
            FROM bench_person m CROSS JOIN bench_week w
            WHERE m.role = 'mentor'
        ) g
    ) r
    LEFT JOIN bench_report_students st
      ON st.mentor_id = r.mentor_id AND st.week_start = r.week_start
    LEFT JOIN bench_report_sessions se
      ON se.mentor_id = r.mentor_id AND se.week_start = r.week_start
    LEFT JOIN bench_report_reviews rv
      ON rv.mentor_id = r.mentor_id AND rv.week_start = r.week_start
    LEFT JOIN bench_report_flags fl
      ON fl.mentor_id = r.mentor_id AND fl.week_start = r.week_start
    LEFT JOIN bench_report_community co
      ON co.mentor_id = r.mentor_id AND co.week_start = r.week_start
    """,  # noqa: S608 (our own SQL and parameter names)
    f"""
    INSERT INTO students_mentornote (student_id, author_id, body, created_at)
    SELECT x.id,
           CASE WHEN {U}(x.key, 172) < 0.05 THEN profile.supervisor_id ELSE asg.mentor_id END,
           {_sentences(NOTE_SENTENCES, "x.key", NOTE_SENTENCE_COUNT, 174)}
           || CASE WHEN {U}(x.key, 175) < 0.12 THEN %(note_plan)s ELSE '' END,
           x.at
    FROM (
        SELECT s.id, s.n::bigint * 8 + k AS key,
               s.active_from + time '09:00'
               + {U}(s.n::bigint * 8 + k, 171)
                 * (least(s.active_until, {NIGHT}) - s.active_from - 1) * interval '1 day'
                   AS at
        FROM bench_student s
        CROSS JOIN LATERAL generate_series(
            1, floor(6 * power({U}(s.n, 170), 1.5))::integer) AS k
        WHERE least(s.active_until, {NIGHT}) - s.active_from > 1
    ) x
    JOIN mentorship_assignment asg ON {_mentor_then("asg", "x.id", "x.at")}
    JOIN mentorship_mentorprofile profile ON profile.user_id = asg.mentor_id
    WHERE x.at < {NIGHT}
    ORDER BY x.at
    """,  # noqa: S608 (our own SQL and parameter names)
    f"""
    CREATE TEMP TABLE bench_incident ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY x.created_at, x.i) AS n, x.*, asg.mentor_id,
           profile.supervisor_id,
           CASE WHEN {U}(x.i, 183) < 0.8
                 AND x.created_at + (1 + 19 * {U}(x.i, 184)) * interval '1 day' < {NIGHT}
                THEN x.created_at + (1 + 19 * {U}(x.i, 184)) * interval '1 day'
           END AS resolved_at
    FROM (
        SELECT i, s.id AS student_id, s.n AS student_n, o.day,
               o.day + (8 + 50 * {U}(i, 182)) * interval '1 hour' AS created_at
        FROM generate_series(0, %(incidents)s - 1) AS i
        JOIN bench_student s ON s.n = mod(i * 7919, %(students)s)
        CROSS JOIN LATERAL (
            SELECT s.active_from + floor({U}(i, 181) * (least(s.active_until, {NIGHT})
                                                          - s.active_from))::integer AS day
        ) AS o
        WHERE least(s.active_until, {NIGHT}) > s.active_from
    ) x
    JOIN mentorship_assignment asg ON {_mentor_then("asg", "x.student_id", "x.day + time '12:00'")}
    JOIN mentorship_mentorprofile profile ON profile.user_id = asg.mentor_id
    WHERE x.created_at < {NIGHT}
    """,  # noqa: S608 (our own SQL and parameter names)
    f"""
    INSERT INTO students_incident
        (title, description, occurred_on, reported_by_id, arbitrator_id, status, resolution,
         created_at, resolved_at, resolved_by_id)
    SELECT ({_texts(INCIDENT_TITLES)})[1 + floor({len(INCIDENT_TITLES)} * {U}(i, 185))::integer],
           {_sentences(INCIDENT_SENTENCES, "i", INCIDENT_SENTENCE_COUNT, 187)},
           day, mentor_id, supervisor_id,
           CASE WHEN resolved_at IS NULL THEN 'open' ELSE 'resolved' END,
           CASE WHEN resolved_at IS NULL THEN '' ELSE ({_texts(INCIDENT_RESOLUTIONS)})[
               1 + floor({len(INCIDENT_TITLES)} * {U}(i, 185))::integer] END,
           created_at, resolved_at, CASE WHEN resolved_at IS NOT NULL THEN supervisor_id END
    FROM bench_incident ORDER BY n
    """,  # noqa: S608 (our own SQL and parameter names)
    f"""
    INSERT INTO students_incident_students (incident_id, user_id)
    SELECT made.id, involved.student_id
    FROM (
        SELECT row_number() OVER (ORDER BY id) AS n, id FROM students_incident
    ) made
    JOIN bench_incident b ON b.n = made.n
    CROSS JOIN LATERAL (
        SELECT b.student_id
        UNION ALL
        SELECT other.id
        FROM generate_series(1, 1 + ({U}(b.i, 189) < 0.2)::integer) AS k
        JOIN bench_person other ON other.role = 'student'
         AND other.n = mod(b.student_n + %(programmes)s * (1 + floor(
             least(40, %(students)s / %(programmes)s - 1) * {U}(b.i * 4 + k, 190))::integer),
             %(students)s)
    ) AS involved
    ON CONFLICT DO NOTHING
    """,  # noqa: S608 (our own SQL and parameter names)
]

GENERATE = [
    *PEOPLE,
    *WORK,
    *ACTIVITY,
    *SESSIONS,
    *QUESTIONS,
    *FLAGS,
    *METHODOLOGY,
    *STUDENTS_VOICE,
]


def bench_data_generate(
    *,
    mentors: int,
    students: int,
    progress: Callable[[str], None] = lambda step: None,
    vacuum: bool = True,
    programmes: int = PROGRAMMES,
    articles: int | None = None,
    history_end: date = HISTORY_END,
    history_days: int = HISTORY_DAYS,
    started_within_days: int = STARTED_WITHIN_DAYS,
    activity_days: int = ACTIVITY_DAYS,
    activity_share: float = 1.0,
    writing: bool = False,
) -> None:
    """The school, in one transaction of set-based statements, then ``VACUUM ANALYZE``
    (which cannot run inside a transaction, hence ``vacuum=False`` in tests). Everyone
    is on the school's calendar; ``bench_calendars_set`` spreads the readers out.

    The defaults are the scorecards benchmark's school. The pages' benchmark
    (``metrics.bench_pages``) asks for more programmes and articles, a history of a
    year that ends today (students who started up to ``started_within_days`` before
    it, case discussions and proposals in proportion to its length), the activity of
    all of it (``activity_days``) at a share of the days (``activity_share``, so the
    events stay the size of a school's), and what the mentors write besides
    (``writing``: weekly reports, notes on students, incidents)."""
    programmes = min(programmes, max(2, mentors // 2))
    target_days = [10 + 7 * k % 13 for k in range(1, PROJECTS + 1)]
    params = {
        "mentors": mentors,
        "students": students,
        "supervisors": max(1, mentors // MENTORS_PER_SUPERVISOR),
        "programmes": programmes,
        "per_programme": mentors // programmes,
        "projects": PROJECTS,
        "plan_days": sum(target_days),
        "cum_days": list(accumulate(target_days)),
        "articles": articles or max(10, mentors * 3 // 2),
        "history_start": history_end - timedelta(days=history_days),
        "history_days": history_days,
        "night": history_end,
        "start_days": started_within_days,
        "activity_days": activity_days,
        "activity_share": activity_share,
        # Two case discussions and one proposal a mentor every six months of history.
        "cases": round(2 * mentors * history_days / HISTORY_DAYS),
        "proposals": round(mentors * history_days / HISTORY_DAYS),
        "incidents": max(2, round(students * history_days / (365 * STUDENTS_PER_INCIDENT))),
        "note_plan": NOTE_PLAN,
        "school_zone": settings.TIME_ZONE,
    }
    statements = [*GENERATE, *(WRITING if writing else [])]
    with transaction.atomic():
        ScorecardWeights.current()
        with connection.cursor() as cursor:
            for statement in statements:
                progress(" ".join(statement.split())[:70])
                cursor.execute(statement, params)
            progress("COMMIT (the deferred foreign-key checks of every row)")
    if vacuum:
        progress("VACUUM ANALYZE")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def bench_calendars_set(count: int) -> list[str]:
    """Puts the mentors, supervisors and staff on the first ``count`` of the demo's
    time zones (``mentorship.demo.TIME_ZONES``): half of each role on the first, the
    others spread over all of them in turn; 0 leaves everyone on the school's
    (``settings.TIME_ZONE``). The scorecards are computed on each calendar, so this is
    a setting of the run, not of the data. Returns the calendars computed."""
    zones = TIME_ZONES[:count]
    for role in (Role.MENTOR, Role.SUPERVISOR, Role.STAFF):
        ids = list(User.objects.filter(role=role).order_by("pk").values_list("pk", flat=True))
        by_zone = defaultdict(list)
        for number, pk in enumerate(ids):
            if not zones:
                by_zone[settings.TIME_ZONE].append(pk)
            elif number % 2 == 0 or role == Role.STAFF:
                by_zone[zones[0]].append(pk)
            else:
                by_zone[zones[(number // 2) % len(zones)]].append(pk)
        for zone_name, pks in by_zone.items():
            User.objects.filter(pk__in=pks).update(time_zone=zone_name)
    return scorecard_zones()


# The tables the benchmark fills, counted for the record.
COUNTED = {
    "assignments": "mentorship_assignment",
    "status_changes": "mentorship_studentstatuschange",
    "enrolments": "projects_enrolment",
    "submissions": "projects_submission",
    "reviews": "projects_review",
    "criterion_verdicts": "projects_criterionverdict",
    "activity_events": "students_activityevent",
    "daily_activity": "students_dailyactivity",
    "sessions": "mentorship_mentoringsession",
    "questions": "knowledge_base_question",
    "answers": "knowledge_base_answer",
    "flags": "students_riskflag",
    "outreach": "students_flagoutreach",
    "articles": "knowledge_base_article",
    "votes": "knowledge_base_articlevote",
    "cases": "mentorship_casediscussion",
    "case_replies": "mentorship_casereply",
    "proposals": "projects_improvementproposal",
    "development_records": "mentorship_developmentrecord",
    "recommendations": "projects_recommendation",
    "surveys": "metrics_survey",
    "second_readings": "metrics_secondreading",
    "weekly_reports": "mentorship_weeklyreport",
    "mentor_notes": "students_mentornote",
    "incidents": "students_incident",
}


def table_rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for name, table in COUNTED.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our own names)
            counts[name] = cursor.fetchone()[0]
    return counts


# --- The nights -----------------------------------------------------------------------


def periods_closing(night: date) -> list[Period]:
    """The periods whose figures become final on ``night`` (``is_final``): those that
    ended ``FINAL_AFTER_DAYS`` before it."""
    ended = night - timedelta(days=FINAL_AFTER_DAYS)
    closing = []
    for kind in PeriodKind:
        current = Period.containing(ended, kind)
        if current.start == ended:
            closing.append(current.previous())
    return closing


def _reader() -> User:
    return User.objects.get(email=DASHBOARD_READER)


def snapshots_prepare() -> float:
    """A clean slate for the nights: no snapshots; the month before the dashboard's
    computed on the reader's calendar (its seconds returned: one period, one
    calendar); every other period the two nights would want, but not the ones that
    close on them, marked done (a ``SnapshotRun`` without rows), so each night computes
    exactly what closes on it, as in production."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE metrics_metricsnapshot, metrics_snapshotrun")
    reader_zone = _reader().zone.key
    started = time.perf_counter()
    snapshot_period(DASHBOARD_PERIOD.previous(), reader_zone)
    month_seconds = time.perf_counter() - started
    nights = (USUAL_NIGHT, WORST_NIGHT)
    closing = {period.key for night in nights for period in periods_closing(night)}
    done = []
    for night in nights:
        for zone_name in scorecard_zones():
            for period in periods_to_snapshot(zone_name, today=night):
                if period.key not in closing and (zone_name, period.key) not in done:
                    done.append((zone_name, period.key))
    SnapshotRun.objects.bulk_create(
        [SnapshotRun(zone=zone_name, period=key) for zone_name, key in done],
        ignore_conflicts=True,
    )
    return month_seconds


def _night_undo(night: date) -> None:
    """Forget what a night computed, so the next round computes it again."""
    keys = [period.key for period in periods_closing(night)]
    SnapshotRun.objects.filter(period__in=keys).delete()
    MetricSnapshot.objects.filter(period__in=keys).delete()


def _pool_process_start() -> None:
    """A pool process starts as a Celery pool process does (``worker_process_init``)."""
    freeze_start_up_objects(collect=False)


def _computation_in_worker(work: SnapshotWork) -> float:
    """One computation of a night in a pool process, as a Celery worker runs the
    ``snapshot_scorecard_period`` task; returns the process's peak memory (MB)."""
    snapshot_work_do(work)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def night_time(night: date, result: Night, *, workers: int = 1, parts: int | None = None) -> None:
    """One round of a night as the beat task runs it: its computations
    (``snapshots_due``) handed to ``workers`` processes, each taking the next when it
    is free, as the Celery worker's processes take the night's tasks (one at a time:
    ``CELERY_WORKER_PREFETCH_MULTIPLIER`` is 1); in this process when ``workers`` is 1.
    A period's calendars are computed in ``parts`` shares (by default one a process, as
    ``SNAPSHOT_PARTS`` is by default one a worker process)."""
    started = time.perf_counter()
    work = snapshots_due(today=night, parts=parts or workers)
    if workers > 1:
        connections.close_all()
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_pool_process_start) as pool:
            peaks = list(pool.imap_unordered(_computation_in_worker, work))
        result.worker_peak_rss_mb = max([result.worker_peak_rss_mb, *peaks])
    else:
        for item in work:
            snapshot_work_do(item)
    result.runs.append(round(time.perf_counter() - started, 3))
    result.computations = sum(len(item.calendars) for item in work)
    result.tasks = len(work)
    result.workers = workers
    keys = [period.key for period in periods_closing(night)]
    result.periods = keys
    runs = SnapshotRun.objects.filter(period__in=keys).order_by("period", "zone")
    result.by_calendar = {f"{run.period} {run.zone}": run.seconds for run in runs}
    result.snapshot_rows = sum(run.rows for run in runs)


# --- What a period's computation spends its time on ----------------------------------


def window_shared() -> list[str]:
    """The reads several metrics share: the window's cached properties, in the order
    they are defined (a later one may use an earlier one)."""
    return [name for name, value in vars(Window).items() if isinstance(value, cached_property)]


def period_breakdown(period: Period, zone: ZoneInfo) -> dict:
    """One period on one calendar, piece by piece: the window's shared reads, then each
    metric's ``rows`` function called on its own (a function several metrics share,
    once), then ``compute_period`` whole (its own window: reads, rows, folding,
    expectations and percentiles), whose difference from the pieces is the folding."""
    window = Window(period=period, zone=zone)
    shared = {}
    for name in window_shared():
        started = time.perf_counter()
        getattr(window, name)
        shared[name] = round(time.perf_counter() - started, 3)
    rows = {}
    for metric in METRICS:
        name = metric.rows.__name__
        if name in rows:
            rows[name]["metrics"].append(metric.key)
            continue
        started = time.perf_counter()
        count = len(list(metric.rows(window)))
        # Let the records go, as compute_periods does after a function's last metric.
        window.shared.forget(name.removesuffix("_rows"))
        rows[name] = {
            "seconds": round(time.perf_counter() - started, 3),
            "rows": count,
            "metrics": [metric.key],
        }
    started = time.perf_counter()
    compute_period(period, zone)
    whole = time.perf_counter() - started
    pieces = sum(shared.values()) + sum(each["seconds"] for each in rows.values())
    return {
        "shared": shared,
        "rows": rows,
        "compute_period": round(whole, 3),
        "folding": round(whole - pieces, 3),
    }


# --- The dashboard --------------------------------------------------------------------


def dashboard_calls(supervisor: User, period: Period) -> int:
    """What the dashboard's table needs for one team: the mentors with their load
    (``mentors_with_load``) and each one's composite, its trend and session rating
    (``team_composites``), for a closed period, read from the snapshots. Returns the
    table's rows."""
    mentors = list(mentors_with_load(mentors_visible_to(supervisor)))
    return len(team_composites(mentors=mentors, period=period, reader=supervisor))


@contextmanager
def _recent_reviews(supervisor: User):
    """The history ends in 2024, and the second-reader sample reads the reviews of the
    last days of the real clock: for the dashboard's measurement, the three latest
    reviews of each of the team's mentors are moved into the last three days, so the
    sample has a review to read per mentor, as a team's would. Undone afterwards (a
    transaction rolled back)."""
    now = timezone.now()
    with transaction.atomic():
        mentor_ids = mentors_visible_to(supervisor).values_list("pk", flat=True)
        for index, mentor_id in enumerate(mentor_ids):
            latest = Review.objects.filter(reviewer_id=mentor_id).order_by("-created_at")
            for number, pk in enumerate(latest.values_list("pk", flat=True)[:3]):
                moment = now - timedelta(hours=6 + 20 * number + index)
                Review.objects.filter(pk=pk).update(created_at=moment)
        yield
        transaction.set_rollback(True)


def dashboard_time(*, requests: int, warm: int = 10, part: str = "page") -> dict:
    """``requests`` timed requests of the dashboard as the first supervisor, after
    ``warm`` untimed ones: the page through Django's test client (``part`` "page"),
    the second-reader sample it loads (``part`` "sample"), or ``dashboard_calls``
    (``part`` "table")."""
    supervisor = _reader()
    if part != "table":
        with (
            tempfile.TemporaryDirectory() as static_root,
            override_settings(
                # The benchmark does not collect static files: their names from the plain
                # storage (a lookup, as in the manifest), as the test settings do.
                STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC_FILES}},
                STATIC_ROOT=static_root,
            ),
        ):
            return _dashboard_page_time(
                supervisor, requests=requests, warm=warm, sample=part == "sample"
            )

    def once() -> None:
        dashboard_calls(supervisor, DASHBOARD_PERIOD)

    return _requests_time(
        once,
        mode="mentors_with_load + team_composites (the table's part of the page)",
        supervisor=supervisor,
        requests=requests,
        warm=warm,
    )


# The address of the sample the page loads once its section is in view.
_SAMPLE_URL = re.compile(r'hx-get="([^"]+)" hx-trigger="revealed"')


def _dashboard_page_time(supervisor: User, *, requests: int, warm: int, sample: bool) -> dict:
    """The page itself through Django's test client, as the signed-in supervisor, or
    the sample it loads (``sample``)."""
    client = Client()
    client.force_login(supervisor)
    url = f"{reverse(DASHBOARD_VIEW)}?period={DASHBOARD_PERIOD.key}"
    # Over HTTPS to a host the settings allow, as a browser would come.
    host = next((name for name in settings.ALLOWED_HOSTS if "*" not in name), "localhost")
    headers = {"host": host}
    mode = f"the page {DASHBOARD_VIEW} through the test client"
    if sample:
        page = client.get(url, secure=True, headers=headers)
        url = html.unescape(_SAMPLE_URL.search(page.content.decode())[1])
        headers["hx-request"] = "true"
        mode = "the second-reader sample the page loads (htmx)"

    def once() -> None:
        response = client.get(url, secure=True, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"The dashboard answered {response.status_code}.")

    return _requests_time(once, mode=mode, supervisor=supervisor, requests=requests, warm=warm)


def _requests_time(once, *, mode: str, supervisor: User, requests: int, warm: int) -> dict:
    """``once`` run ``warm`` times (the first timed on its own: cold caches), once
    counting its queries, then ``requests`` times timed."""
    started = time.perf_counter()
    once()
    first = time.perf_counter() - started
    for _attempt in range(warm - 1):
        once()
    with CaptureQueriesContext(connection) as captured:
        once()
    # Counted now: the captured queries are read from the connection's log, which the
    # next request clears.
    queries = len(captured)
    seconds = []
    for _attempt in range(requests):
        started = time.perf_counter()
        once()
        seconds.append(time.perf_counter() - started)
    return {
        "mode": mode,
        "team": mentors_visible_to(supervisor).count(),
        "queries": queries,
        "first_ms": round(1000 * first, 2),
        "figures": Figures.of(seconds),
    }


# --- Floors ---------------------------------------------------------------------------


def floors(*, round_trips: int = 200, scans: int = 5) -> dict:
    """What this machine and server do at the least: a ``SELECT 1`` round trip through
    Django's connection (p50 / p95), and the median of plain ``count(*)``s over the
    assignments and over the activity events (the largest table)."""
    with connection.cursor() as cursor:
        seconds = []
        for _attempt in range(round_trips):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            seconds.append(time.perf_counter() - started)
        counts = {}
        for table in ("mentorship_assignment", "students_activityevent"):
            runs = []
            for _attempt in range(scans):
                started = time.perf_counter()
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our names)
                cursor.fetchone()
                runs.append(time.perf_counter() - started)
            counts[table] = round(1000 * statistics.median(runs), 2)
    return {"select_1": Figures.of(seconds), "counts_ms": counts}


# --- The run --------------------------------------------------------------------------


def bench_run(
    *, zones: int, rounds: int = 1, requests: int = 200, workers: int = 2, parts: int | None = None
) -> BenchResult:
    """The readers put on ``zones`` calendars (``bench_calendars_set``); the floors,
    then ``rounds`` rounds of the usual night and the worst night (each round undoes
    what the previous one computed), the worst night's periods broken down on the
    reader's calendar, the dashboard, and the floors again (the better of the two is
    reported). The machine's load average is kept beside the figures."""
    bench_calendars_set(zones)
    load_before = os.getloadavg()[0]
    before = floors()
    result = BenchResult(
        mentors=User.objects.filter(role=Role.MENTOR).count(),
        students=User.objects.filter(role=Role.STUDENT).count(),
        rows=table_rows(),
        calendars=scorecard_zones(),
        rounds=rounds,
        usual_night=Night(today=USUAL_NIGHT.isoformat()),
        worst_night=Night(today=WORST_NIGHT.isoformat()),
    )
    result.one_month_one_calendar_seconds = round(snapshots_prepare(), 3)
    for number in range(rounds):
        if number:
            _night_undo(WORST_NIGHT)
            _night_undo(USUAL_NIGHT)
        night_time(USUAL_NIGHT, result.usual_night, workers=workers, parts=parts)
        night_time(WORST_NIGHT, result.worst_night, workers=workers, parts=parts)
    for night in (result.usual_night, result.worst_night):
        night.seconds = round(statistics.median(night.runs), 3)
    zone = _reader().zone
    result.breakdown = {
        period.key: period_breakdown(period, zone) for period in periods_closing(WORST_NIGHT)
    }
    with _recent_reviews(_reader()):
        result.dashboard_unfrozen = dashboard_time(requests=requests)["figures"]
        freeze_start_up_objects()  # as mentorship/wsgi.py does in each web process
        try:
            dashboard = dashboard_time(requests=requests)
            sample = dashboard_time(requests=requests, part="sample")
            table = dashboard_time(requests=requests, part="table")
        finally:
            gc.unfreeze()
    result.dashboard_mode = dashboard["mode"]
    result.dashboard_team = dashboard["team"]
    result.dashboard_requests = requests
    result.dashboard_queries = dashboard["queries"]
    result.dashboard = dashboard["figures"]
    result.dashboard_first_ms = dashboard["first_ms"]
    result.dashboard_sample_queries = sample["queries"]
    result.dashboard_sample = sample["figures"]
    result.dashboard_table_queries = table["queries"]
    result.dashboard_table = table["figures"]
    after = floors()
    result.floor_select_1 = min(before["select_1"], after["select_1"], key=lambda f: f.p95)
    result.floor_count_assignments_ms = min(
        before["counts_ms"]["mentorship_assignment"], after["counts_ms"]["mentorship_assignment"]
    )
    result.floor_count_events_ms = min(
        before["counts_ms"]["students_activityevent"],
        after["counts_ms"]["students_activityevent"],
    )
    result.peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result.load_average = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return result


def bench_results_write(result: BenchResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.as_dict(), indent=2) + "\n")
