"""The flagging benchmark behind ``make bench`` (``manage.py bench_flags``).

It builds a synthetic cohort in a database of its own on the same PostgreSQL server
(never the dev or CI database), then times two things as of the same day:

- the *floor*: one hand-written SQL query computing the inactivity and activity-drop
  signals of every student, the least any implementation must do;
- the *flagging run* the nightly job does (``flag_run_start``, every chunk's
  ``flag_chunk_evaluate``, then ``flag_run_cohort`` and the shares of ``flag_chunks_settle``,
  ``flag_run_tell_parts`` and each part's ``flag_run_digest_send``, ``flag_run_finish``),
  with the peak memory of the process.

Data are generated set-based in SQL (``INSERT ... SELECT generate_series``), so ten
million events take a few minutes, not hours.
"""

import json
import multiprocessing
import resource
import statistics
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.db import connection, connections

from mentorship.bench import BenchDatabase
from mentorship.celery import worker_objects_freeze
from mentorship.models import DailyActivity
from projects.models import Programme, Project

from .flag_runs import (
    flag_chunk_evaluate,
    flag_chunks_settle,
    flag_run_cohort,
    flag_run_digest_send,
    flag_run_finish,
    flag_run_shares,
    flag_run_start,
    flag_run_tell_parts,
)
from .models import FlagRun, FlagSettings
from .risk.judgement import end_of_day
from .risk.signals import COHORT_MIN_STUDENTS

# The day every benchmark judges; data are placed relative to it.
BENCH_AS_OF = date(2026, 6, 30)
HISTORY_DAYS = 120
# The benchmark's own database; bump the version when the generated data change, so an
# old benchmark database is rebuilt.
DATABASE = BenchDatabase(marker_table="bench_marker", sizes=("students", "events"), version=3)
TARGET_RATIO = 3.0


@dataclass
class BenchResult:
    """Medians of interleaved rounds (floor, first run, next night), with every round's
    figure: timings on a shared machine vary by a third from one minute to the next,
    and the floor and the run are measured side by side so both see the same."""

    students: int
    events: int
    daily_rows: int
    as_of: str
    rounds: int
    floor_seconds: float
    floor_runs: list[float]
    floor_flagged: int
    # The floor without the peer comparison (the drop against the student's own
    # baseline alone), for reference.
    floor_without_peers_seconds: float
    run_seconds: float
    run_runs: list[float]
    run_mode: str
    chunks: int
    judged: int
    flags_opened: int
    peak_rss_mb: float
    # The next night's run (as of the day after, the first run's flags open): what
    # production pays every night once flags exist.
    next_night_seconds: float = 0.0
    next_night_runs: list[float] = field(default_factory=list)
    next_night_changed: int = 0
    target_ratio: float = TARGET_RATIO

    @property
    def ratio(self) -> float:
        return self.run_seconds / self.floor_seconds if self.floor_seconds else float("inf")

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "ratio": round(self.ratio, 2),
            "within_target": self.ratio <= self.target_ratio,
        }


# --- Data -----------------------------------------------------------------------------

# Students by number n (0-based): most are steady; n % 20 == 1 went quiet three weeks
# ago, n % 20 == 2 is slowing down, n % 20 == 3 is paused and n % 50 == 4 dropped
# (each with the day in their status history), so every signal the floor computes has
# students to find.
GENERATE = [
    "SET LOCAL synchronous_commit = off",
    """
    INSERT INTO mentorship_user
        (password, is_superuser, email, display_name, role, language, time_zone,
         email_notifications, is_active, date_joined)
    SELECT '!', false, 'bench-mentor-' || n || '@bench.test', 'Bench mentor ' || n,
           'mentor', 'en', 'UTC', false, true, %(as_of)s::date - 400
    FROM generate_series(0, %(mentors)s - 1) AS n
    """,
    """
    INSERT INTO mentorship_mentorprofile (user_id, capacity, languages, bio)
    SELECT id, 100, '["en"]'::jsonb, '' FROM mentorship_user WHERE role = 'mentor'
    """,
    """
    INSERT INTO mentorship_user
        (password, is_superuser, email, display_name, role, language, time_zone,
         email_notifications, is_active, date_joined)
    SELECT '!', false, 'bench-student-' || n || '@bench.test', 'Bench student ' || n,
           'student', 'en', 'UTC', false, true, %(as_of)s::date - 30 - n %% 90
    FROM generate_series(0, %(students)s - 1) AS n
    """,
    """
    CREATE TEMP TABLE bench_student ON COMMIT DROP AS
    SELECT (row_number() OVER (ORDER BY id) - 1)::integer AS n, id
    FROM mentorship_user WHERE role = 'student'
    """,
    "CREATE UNIQUE INDEX ON bench_student (n)",
    """
    CREATE TEMP TABLE bench_mentor ON COMMIT DROP AS
    SELECT (row_number() OVER (ORDER BY id) - 1)::integer AS n, id
    FROM mentorship_user WHERE role = 'mentor'
    """,
    """
    INSERT INTO mentorship_studentprofile (user_id, goals, weekly_hours, status, external_id)
    SELECT id, '', 10,
           CASE WHEN n %% 50 = 4 THEN 'dropped' WHEN n %% 20 = 3 THEN 'paused'
                ELSE 'active' END,
           ''
    FROM bench_student
    """,
    # Their status histories: active since they joined, then dropped or paused (in
    # that order, so the later row wins should the days meet).
    """
    INSERT INTO mentorship_studentstatuschange
        (student_id, status, effective_on, reason, recorded_at)
    SELECT s.id, c.status, c.effective_on, '', now()
    FROM bench_student s
    CROSS JOIN LATERAL (
        VALUES (1, 'active', %(as_of)s::date - 30 - s.n %% 90),
               (2, CASE WHEN s.n %% 50 = 4 THEN 'dropped' ELSE 'paused' END,
                   CASE WHEN s.n %% 50 = 4 THEN %(as_of)s::date - s.n %% 60
                        ELSE %(as_of)s::date - 10 END)
    ) AS c(position, status, effective_on)
    WHERE c.position = 1 OR s.n %% 50 = 4 OR s.n %% 20 = 3
    ORDER BY s.id, c.position
    """,
    """
    INSERT INTO mentorship_assignment (student_id, mentor_id, started_at, reason)
    SELECT s.id, m.id, %(as_of)s::date - 30 - s.n %% 90, 'Benchmark'
    FROM bench_student s JOIN bench_mentor m ON m.n = s.n %% %(mentors)s
    """,
    """
    INSERT INTO projects_enrolment
        (student_id, programme_id, started_on, target_end_on, status, allow_skipping)
    SELECT s.id, p.id, %(as_of)s::date - 30 - s.n %% 90,
           %(as_of)s::date - 30 - s.n %% 90 + p.span, 'active', false
    FROM bench_student s
    JOIN (SELECT programme.id, row_number() OVER (ORDER BY programme.id) - 1 AS k,
                 (SELECT sum(target_days) FROM projects_project
                  WHERE programme_id = programme.id)::integer AS span
          FROM projects_programme programme WHERE slug LIKE 'bench-%%') p
      ON p.k = s.n %% 2
    """,
    # Events: about the same number per student, spread over the history; quiet
    # students have none in the last three weeks, slowing ones fewer and fewer.
    """
    INSERT INTO students_activityevent
        (student_id, kind, occurred_at, day, source, recorded_at)
    SELECT s.id, 'lesson_viewed', e.day + time '12:00', e.day, 'bench', now()
    FROM (
        SELECT g %% %(students)s AS n,
               CASE WHEN g %% %(students)s %% 20 = 1
                        THEN %(as_of)s::date - 21 - floor(random() * %(history)s)::integer
                    WHEN g %% %(students)s %% 20 = 2
                        THEN %(as_of)s::date
                             - floor(sqrt(random()) * %(history)s)::integer
                    ELSE %(as_of)s::date - floor(random() * %(history)s)::integer
               END AS day
        FROM generate_series(0, %(events)s - 1) AS g
    ) e
    JOIN bench_student s ON s.n = e.n
    """,
    "ANALYZE students_activityevent",
    # The rollup, from the events themselves.
    """
    INSERT INTO students_dailyactivity (student_id, day, events)
    SELECT student_id, day, count(*) FROM students_activityevent
    GROUP BY student_id, day
    """,
    # Two no-shows in the last month for one student in fifty.
    """
    INSERT INTO mentorship_mentoringsession
        (mentor_id, student_id, scheduled_at, duration_minutes, agenda, status,
         private_notes, summary, next_steps, created_at, rating_comment)
    SELECT m.id, s.id, %(as_of)s::date - d + time '10:00', 45, '', 'student_no_show',
           '', '', '', %(as_of)s::date - d - 3, ''
    FROM bench_student s
    JOIN bench_mentor m ON m.n = s.n %% %(mentors)s
    CROSS JOIN (VALUES (5), (19)) AS days(d)
    WHERE s.n %% 50 = 7
    """,
    "ANALYZE",
    # Reviews: each project approved on its due day while the plan says it should be
    # done, except for one student in twenty-five, who stopped after the first; and
    # changes requested three times on the current project for one in a hundred
    # (struggling).
    """
    CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
    SELECT p.id AS project_id, p.programme_id, p.position,
           (sum(p.target_days) OVER (
               PARTITION BY p.programme_id ORDER BY p.position))::integer AS due_after
    FROM projects_project p JOIN projects_programme g ON g.id = p.programme_id
    WHERE g.slug LIKE 'bench-%%'
    """,
    """
    INSERT INTO projects_submission
        (student_id, project_id, attempt, comment, link, status, submitted_at, reviewed_at)
    SELECT s.id, plan.project_id, 1, '', '', 'approved',
           e.started_on + plan.due_after - 2, e.started_on + plan.due_after - 1
    FROM bench_student s
    JOIN projects_enrolment e ON e.student_id = s.id
    JOIN bench_plan plan ON plan.programme_id = e.programme_id
    WHERE e.started_on + plan.due_after < %(as_of)s::date
      AND (s.n %% 25 <> 5 OR plan.position = 1)
    """,
    """
    INSERT INTO projects_submission
        (student_id, project_id, attempt, comment, link, status, submitted_at, reviewed_at)
    SELECT s.id, plan.project_id, a.attempt, '', '', 'changes_requested',
           %(as_of)s::date - 10 * a.attempt, %(as_of)s::date - 10 * a.attempt + 1
    FROM bench_student s
    JOIN projects_enrolment e ON e.student_id = s.id
    JOIN bench_plan plan ON plan.programme_id = e.programme_id
    CROSS JOIN generate_series(1, 3) AS a(attempt)
    WHERE s.n %% 100 = 9 AND plan.position = (
        SELECT count(*) + 1 FROM bench_plan done
        WHERE done.programme_id = e.programme_id
          AND e.started_on + done.due_after < %(as_of)s::date)
    """,
    """
    INSERT INTO projects_review (submission_id, reviewer_id, verdict, feedback, created_at)
    SELECT sub.id, asg.mentor_id,
           CASE WHEN sub.status = 'approved' THEN 'approved' ELSE 'changes_requested' END,
           'Benchmark review.', sub.reviewed_at
    FROM projects_submission sub
    JOIN mentorship_assignment asg ON asg.student_id = sub.student_id
    """,
]


def bench_data_generate(
    *, students: int, events: int, progress=lambda step: None, vacuum: bool = True
) -> None:
    """The cohort, in one transaction of set-based statements, then ``VACUUM ANALYZE``
    (which cannot run inside a transaction, hence ``vacuum=False`` in tests)."""
    from django.db import transaction

    mentors = max(10, students // 30)
    params = {
        "students": students,
        "events": events,
        "mentors": mentors,
        "as_of": BENCH_AS_OF,
        "history": HISTORY_DAYS,
    }
    with transaction.atomic():
        for number, (title, targets) in enumerate(
            [("Web", [15, 20, 30, 25, 40]), ("Data", [10, 20, 30, 25, 20])]
        ):
            programme = Programme.objects.create(
                slug=f"bench-{number}", title=f"Bench {title}", description=""
            )
            Project.objects.bulk_create(
                Project(
                    programme=programme,
                    position=position,
                    title=f"{title} project {position}",
                    effort_hours=10,
                    target_days=days,
                    brief="",
                )
                for position, days in enumerate(targets, start=1)
            )
        FlagSettings.current()
        with connection.cursor() as cursor:
            for statement in GENERATE:
                progress(" ".join(statement.split())[:70])
                cursor.execute(statement, params)
            progress("COMMIT (the deferred foreign-key checks of every row)")
    if vacuum:
        progress("VACUUM ANALYZE")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# --- The floor ------------------------------------------------------------------------

# An enrolment judged open on the day with work left in it (``_Plan.work_over``): a
# project not handed in (``projects.selectors.projects_handed_in``), and no cohort
# whose last deadline has passed. Shared by both floors below.
FLOOR_WORK_LEFT_SQL = """\
      AND EXISTS (
          SELECT 1 FROM projects_project p
          WHERE p.programme_id = e.programme_id
            AND NOT EXISTS (
                SELECT 1 FROM projects_submission s
                WHERE s.student_id = e.student_id AND s.project_id = p.id
                  AND s.submitted_at < %(cutoff)s
                  AND (s.status = 'approved' OR s.reviewed_at IS NULL
                       OR s.reviewed_at >= %(cutoff)s)))
      AND NOT EXISTS (
          SELECT 1 FROM projects_cohortdeadline d
          WHERE d.cohort_id = e.cohort_id
          HAVING max(d.due_on) < %(as_of)s)
"""

# Inactivity and activity drop for every student judged as of a day, in one statement:
# the same students (``flaggable_student_ids``), the same rules and thresholds as the
# nightly job's (``risk_judgement``: only enrolments with work left, the drop measured
# against the student's peers when they were quieter than usual, ``cohort_ratios``),
# only the students showing either signal returned. Left out: a quiet cohort's excuse
# for its students' inactivity (the benchmark's school has no cohorts), and a cohort
# whose deadlines leave a project to the plan's spread.
FLOOR_SQL = """
WITH judged AS (
    SELECT u.id
    FROM mentorship_user u
    JOIN mentorship_studentprofile p ON p.user_id = u.id
    WHERE u.role = 'student' AND u.is_active
      AND coalesce((
          SELECT c.status FROM mentorship_studentstatuschange c
          WHERE c.student_id = u.id AND c.effective_on <= %(as_of)s
          ORDER BY c.effective_on DESC, c.id DESC LIMIT 1), 'active') = 'active'
),
enrolments AS (
    SELECT e.student_id, coalesce('c' || e.cohort_id, 'p' || e.programme_id) AS peers,
           e.started_on
    FROM projects_enrolment e
    WHERE e.started_on <= %(as_of)s
      AND (e.status = 'active' OR e.ended_on > %(as_of)s OR e.completed_at >= %(cutoff)s)
{work_left}),
activity AS (
    SELECT d.student_id,
           max(d.day) AS last_day,
           max(d.day) >= %(base_from)s AS in_windows,
           coalesce(sum(d.events) FILTER (WHERE d.day >= %(recent_from)s), 0) AS recent,
           coalesce(sum(d.events) FILTER (
               WHERE d.day >= %(base_from)s AND d.day < %(recent_from)s), 0) AS baseline,
           count(*) FILTER (
               WHERE d.day >= %(base_from)s AND d.day < %(recent_from)s) AS baseline_days,
           coalesce(sum(d.value_total) FILTER (WHERE d.day >= %(recent_from)s), 0)
               AS recent_value,
           coalesce(sum(d.value_total) FILTER (
               WHERE d.day >= %(base_from)s AND d.day < %(recent_from)s), 0) AS baseline_value,
           coalesce(sum(d.valued_events) FILTER (
               WHERE d.day >= %(base_from)s AND d.day < %(recent_from)s), 0) AS baseline_valued
    FROM students_dailyactivity d
    WHERE d.day <= %(as_of)s
    GROUP BY d.student_id
),
measured AS (
    SELECT j.id, e.peers, e.started_on, a.last_day, a.in_windows, a.recent, a.baseline,
           a.baseline_days,
           -- The intensity where most of the baseline's events carried a value
           -- (``activity_measure``), else the events.
           CASE WHEN a.baseline_valued * 2 > a.baseline THEN a.recent_value
                ELSE a.recent END AS measured_recent,
           CASE WHEN a.baseline_valued * 2 > a.baseline THEN a.baseline_value
                ELSE a.baseline END AS measured_baseline
    FROM judged j
    JOIN enrolments e ON e.student_id = j.id
    LEFT JOIN activity a ON a.student_id = j.id
),
peers AS (
    SELECT peers,
           (sum(recent)::float / %(window)s) / (sum(baseline)::float / %(base)s) AS ratio
    FROM measured
    WHERE in_windows AND started_on <= %(base_from)s
    GROUP BY peers
    HAVING count(*) >= %(min_students)s AND sum(baseline) > 0
),
students AS (
    SELECT m.id,
           %(as_of)s::date - greatest(max(m.last_day), max(m.started_on)) AS idle,
           CASE WHEN max(m.baseline_days) >= %(min_days)s AND min(m.started_on) <= %(base_from)s
                     AND max(m.measured_baseline) > 0
                THEN 100.0 * (max(m.measured_recent) * 7.0 / %(window)s)
                     / (max(m.measured_baseline) * 7.0 / %(base)s)
           END AS percent,
           least(1.0, max(p.ratio)) AS quiet
    FROM measured m
    LEFT JOIN peers p ON p.peers = m.peers
    GROUP BY m.id
),
judged_drop AS (
    SELECT id, idle,
           CASE WHEN quiet < 1.0 THEN CASE WHEN quiet > 0 THEN percent / quiet ELSE 100.0 END
                ELSE percent END AS percent
    FROM students
)
SELECT id,
       CASE WHEN idle >= %(inactivity_red)s THEN 'red'
            WHEN idle >= %(inactivity_amber)s THEN 'amber' END AS inactivity,
       idle,
       CASE WHEN percent < %(drop_red)s THEN 'red'
            WHEN percent < %(drop_amber)s THEN 'amber' END AS activity_drop,
       percent
FROM judged_drop
WHERE idle >= %(inactivity_amber)s OR percent < %(drop_amber)s
""".replace("{work_left}", FLOOR_WORK_LEFT_SQL)

# The floor as it was before the drop was judged against the programmes: the drop
# against the student's own baseline alone. Timed for reference, next to the floor.
FLOOR_WITHOUT_PEERS_SQL = """
WITH judged AS (
    SELECT u.id
    FROM mentorship_user u
    JOIN mentorship_studentprofile p ON p.user_id = u.id
    WHERE u.role = 'student' AND u.is_active
      AND coalesce((
          SELECT c.status FROM mentorship_studentstatuschange c
          WHERE c.student_id = u.id AND c.effective_on <= %(as_of)s
          ORDER BY c.effective_on DESC, c.id DESC LIMIT 1), 'active') = 'active'
),
enrolled AS (
    SELECT e.student_id, min(e.started_on) AS first_start, max(e.started_on) AS last_start
    FROM projects_enrolment e
    WHERE e.started_on <= %(as_of)s
      AND (e.status = 'active' OR e.ended_on > %(as_of)s OR e.completed_at >= %(cutoff)s)
{work_left}    GROUP BY e.student_id
),
activity AS (
    SELECT d.student_id,
           max(d.day) AS last_day,
           coalesce(sum(d.events) FILTER (WHERE d.day >= %(recent_from)s), 0) AS recent,
           coalesce(sum(d.events) FILTER (
               WHERE d.day >= %(base_from)s AND d.day < %(recent_from)s), 0) AS baseline,
           count(*) FILTER (
               WHERE d.day >= %(base_from)s AND d.day < %(recent_from)s) AS baseline_days
    FROM students_dailyactivity d
    WHERE d.day <= %(as_of)s
    GROUP BY d.student_id
),
measured AS (
    SELECT j.id,
           %(as_of)s::date - greatest(a.last_day, e.last_start) AS idle,
           CASE WHEN a.baseline_days >= %(min_days)s AND e.first_start <= %(base_from)s
                THEN 100.0 * (a.recent * 7.0 / %(window)s) / (a.baseline * 7.0 / %(base)s)
           END AS percent
    FROM judged j
    JOIN enrolled e ON e.student_id = j.id
    LEFT JOIN activity a ON a.student_id = j.id
)
SELECT id,
       CASE WHEN idle >= %(inactivity_red)s THEN 'red'
            WHEN idle >= %(inactivity_amber)s THEN 'amber' END AS inactivity,
       idle,
       CASE WHEN percent < %(drop_red)s THEN 'red'
            WHEN percent < %(drop_amber)s THEN 'amber' END AS activity_drop,
       percent
FROM measured
WHERE idle >= %(inactivity_amber)s OR percent < %(drop_amber)s
""".replace("{work_left}", FLOOR_WORK_LEFT_SQL)


def floor_params(as_of: date, thresholds) -> dict:

    recent_from = as_of - timedelta(days=thresholds.drop_window_days - 1)
    return {
        "as_of": as_of,
        "cutoff": end_of_day(as_of),
        "recent_from": recent_from,
        "base_from": recent_from - timedelta(days=thresholds.drop_baseline_days),
        "window": thresholds.drop_window_days,
        "base": thresholds.drop_baseline_days,
        "min_days": thresholds.drop_baseline_min_active_days,
        "inactivity_amber": thresholds.inactivity_amber_days,
        "inactivity_red": thresholds.inactivity_red_days,
        "drop_amber": thresholds.drop_amber_percent,
        "drop_red": thresholds.drop_red_percent,
        "min_students": COHORT_MIN_STUDENTS,
    }


def floor_time(*, as_of: date, repeat: int = 3, sql: str = FLOOR_SQL) -> tuple[list[float], int]:
    """Run the floor query (or another of the same parameters) ``repeat`` times; the
    seconds of each and the rows found."""

    params = floor_params(as_of, FlagSettings.current())
    runs, found = [], 0
    with connection.cursor() as cursor:
        for _attempt in range(repeat):
            started = time.perf_counter()
            cursor.execute(sql, params)
            found = len(cursor.fetchall())
            runs.append(time.perf_counter() - started)
    return runs, found


# --- The flagging run -----------------------------------------------------------------


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _task_in_worker(arguments) -> tuple[int, float]:
    """A task of any round in a pool process, as a Celery worker runs it: a chunk's
    judging (with its students), a share of the chunks' drops (``settle``) or a part
    of the digests (``tell``)."""

    run_id, index, work = arguments
    run = FlagRun.objects.get(pk=run_id)
    if work == "settle":
        flag_chunks_settle(run=run, indexes=index)
    elif work == "tell":
        flag_run_digest_send(run=run, part=index)
    else:
        flag_chunk_evaluate(run=run, index=index, student_ids=work)
    return index, _peak_rss_mb()


def _one_run(as_of: date, workers: int) -> tuple[float, object, list[float]]:
    """A whole run as of a day, every round: its seconds, the run and the pool's peak
    memory."""

    started = time.perf_counter()
    run, chunks = flag_run_start(as_of=as_of)
    peaks = []
    if workers > 1:
        connections.close_all()
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=worker_objects_freeze) as pool:

            def each_in_pool(tasks):
                for _index, peak in pool.imap_unordered(_task_in_worker, tasks):
                    peaks.append(peak)

            each_in_pool([(run.pk, index, ids) for index, ids in enumerate(chunks)])
            each_in_pool(
                [
                    (run.pk, share, "settle")
                    for share in flag_run_shares(flag_run_cohort(run=run) or [])
                ]
            )
            each_in_pool([(run.pk, part, "tell") for part in flag_run_tell_parts(run=run) or []])
    else:
        for index, ids in enumerate(chunks):
            flag_chunk_evaluate(run=run, index=index, student_ids=ids)
    # In one process, the rest in turn; after the pool, only the run's end is left.
    flag_run_finish(run=run)
    seconds = time.perf_counter() - started
    run.refresh_from_db()
    return seconds, run, peaks


def _flagging_run(as_of: date, workers: int, queue) -> None:
    """In a child process (so its peak memory is its own): the first run, from no
    flags (the one measured against the floor), then the next night's, which finds
    the first one's flags open and brings them up to date. It starts as a Celery
    worker process does (``worker_process_init``), as do the pool's processes."""
    from django.urls import get_resolver, reverse

    worker_objects_freeze()
    # A worker imports the URL configuration and builds its table of names once, the
    # first time it needs a link (the digests do): half a second that is not the run's.
    get_resolver().url_patterns  # noqa: B018
    reverse("students:flag_list")
    connections.close_all()
    seconds, run, peaks = _one_run(as_of, workers)
    next_seconds, next_run, next_peaks = _one_run(as_of + timedelta(days=1), workers)
    queue.put(
        {
            "seconds": seconds,
            "chunks": run.chunks,
            "judged": run.students,
            "opened": run.opened,
            "next_night_seconds": next_seconds,
            "next_night_changed": next_run.opened + next_run.worsened + next_run.resolved,
            "peak_rss_mb": max([_peak_rss_mb(), *peaks, *next_peaks]),
        }
    )
    connections.close_all()


def flagging_time(*, as_of: date, workers: int = 1) -> dict:
    """A flagging run from a clean slate (earlier benchmark flags and runs removed),
    and the next night's, in a child process."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE students_flagoutreach, students_riskflag, students_flagrunchunk, "
            "students_flagrundigest, "
            "students_flagrun, mentorship_notification"
        )
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_flagging_run, args=(as_of, workers, queue))
    child.start()
    result = queue.get()
    child.join()
    if child.exitcode:
        raise RuntimeError(f"The flagging run failed (exit code {child.exitcode}).")
    return result


def bench_run(*, students: int, events: int, workers: int = 1, rounds: int = 3) -> BenchResult:
    """``rounds`` rounds of the floor query (and, for reference, the floor without the
    peer comparison), then a first run and the next night's; medians of each."""

    floor_runs, floor_found, without_peers, flagging = [], 0, [], []
    for _round in range(rounds):
        seconds, floor_found = floor_time(as_of=BENCH_AS_OF, repeat=1)
        floor_runs += seconds
        seconds, _found = floor_time(as_of=BENCH_AS_OF, repeat=1, sql=FLOOR_WITHOUT_PEERS_SQL)
        without_peers += seconds
        flagging.append(flagging_time(as_of=BENCH_AS_OF, workers=workers))
    last = flagging[-1]
    return BenchResult(
        students=students,
        events=events,
        daily_rows=DailyActivity.objects.count(),
        as_of=BENCH_AS_OF.isoformat(),
        rounds=rounds,
        floor_seconds=round(statistics.median(floor_runs), 3),
        floor_runs=[round(seconds, 3) for seconds in floor_runs],
        floor_flagged=floor_found,
        floor_without_peers_seconds=round(statistics.median(without_peers), 3),
        run_seconds=round(statistics.median(each["seconds"] for each in flagging), 3),
        run_runs=[round(each["seconds"], 3) for each in flagging],
        run_mode="sequential, in one process"
        if workers == 1
        else f"process pool of {workers} workers",
        chunks=last["chunks"],
        judged=last["judged"],
        flags_opened=last["opened"],
        peak_rss_mb=round(max(each["peak_rss_mb"] for each in flagging), 1),
        next_night_seconds=round(
            statistics.median(each["next_night_seconds"] for each in flagging), 3
        ),
        next_night_runs=[round(each["next_night_seconds"], 3) for each in flagging],
        next_night_changed=last["next_night_changed"],
    )


def bench_results_write(result: BenchResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.as_dict(), indent=2) + "\n")
