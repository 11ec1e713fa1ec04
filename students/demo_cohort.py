"""``seed_demo``'s calibrated programme: a past cohort of the Data Analyst programme,
enough history for the flags to be calibrated on (``students.risk.calibration``), and
the calibration itself, applied and kept with its report, which the admin shows under
*Flag calibrations*, and a backtest of the flags in force (*Flag backtests*).

The cohort ran over most of the last year with fixed deadlines (the last two projects
due the same day). Its students, now alumni (their accounts closed), learned on the
platform, which sent one event a day with the day's minutes. About one in three
withdrew: they handed in less and less, slowed down, then went silent for three to
five weeks before staff recorded the withdrawal, dated the day they stopped. Others
took a break of two to three weeks and came back, as students do: the flags' false
alarms. The rest finished and graduated at the cohort's end."""

import random
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from mentorship.activity import PortalEvent, activity_record_many, daily_activity_refresh
from mentorship.demo import DEMO_DOMAIN, FIRST_NAMES, LAST_NAMES, _demo_user
from mentorship.models import (
    ActivityEvent,
    ActivityKind,
    DailyActivity,
    Role,
    StudentProfile,
    StudentStatus,
    StudentStatusChange,
    User,
)
from projects.models import (
    Cohort,
    CohortDeadline,
    CriterionVerdict,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Review,
    RubricCriterion,
    Submission,
    SubmissionStatus,
    Verdict,
)

from .risk.backtest import flag_backtest_report_run, flag_backtest_report_start
from .risk.calibration import calibration_apply, calibration_record, flag_calibrate

PROGRAMME = "data-analyst"
COHORT_TITLE = "Spring intake (alumni)"
STUDENTS = 240
LEAVER_SHARE = 0.3
# Days before today: the cohort's start and end, and each project's due date (the
# last two due the same day).
STARTS_AGO, ENDS_AGO = 320, 40
DUE_AGO = (270, 215, 160, 90, 90)
# Weeks of history the demo calibrates on, and withdrawals a programme needs.
CALIBRATION_WEEKS = 52
SOURCE = "demo-platform"
LEARNING_KINDS = [ActivityKind.LESSON_VIEWED, ActivityKind.EXERCISE_DONE, ActivityKind.QUIZ_TAKEN]


def _alumnus_email(number: int) -> str:
    return f"alumnus{number}@{DEMO_DOMAIN}"


def _story(rng: random.Random, start: date, end: date, last_due: date) -> dict:
    """One student's course: the days they studied (with minutes), and how it ended
    (a withdrawal comes before the last deadline: after it the work is over)."""
    span = (end - start).days
    leaves = rng.random() < LEAVER_SHARE
    minutes = rng.choice([30, 45, 60, 90])
    story = {"days": {}, "dropped_on": None, "handed_in_until": end}
    if leaves:
        fade_from = start + timedelta(days=rng.randint(20, (last_due - start).days - 61))
        silent_from = fade_from + timedelta(days=rng.randint(7, 16))
        story["dropped_on"] = silent_from + timedelta(days=rng.randint(10, 38))
        story["handed_in_until"] = fade_from
    else:
        break_from = (
            start + timedelta(days=rng.randint(20, span - 30)) if rng.random() < 0.35 else None
        )
        break_days = rng.randint(12, 25)
        silent_from = end + timedelta(days=1)
    day = start
    while day <= min(end, story["dropped_on"] or end):
        if (
            story["dropped_on"] is None
            and break_from
            and 0 <= (day - break_from).days < break_days
        ):
            day += timedelta(days=1)
            continue
        if day >= silent_from:
            break
        fading = leaves and day >= fade_from
        if rng.random() < (0.35 if fading else 0.8 if day.weekday() < 5 else 0.45):
            story["days"][day] = max(
                5, round(minutes * rng.uniform(0.5, 1.4) * (0.3 if fading else 1))
            )
        day += timedelta(days=1)
    return story


def seed_calibrated_cohort(*, seed: int = 42) -> dict[str, int]:
    """The past cohort and its calibration (see the module). Safe to run again: a
    demo that has the cohort is left alone."""
    counts = {"alumni": 0, "withdrawn": 0, "events": 0, "calibrated": 0}
    programme = Programme.objects.filter(slug=PROGRAMME).first()
    if (
        programme is None
        or Cohort.objects.filter(programme=programme, title=COHORT_TITLE).exists()
    ):
        return counts
    rng = random.Random(f"{seed}:cohort")
    today = timezone.localdate()
    starts_on, ends_on = today - timedelta(days=STARTS_AGO), today - timedelta(days=ENDS_AGO)
    projects = list(programme.projects.order_by("position"))
    staff = _demo_user("staff", 1)
    now = timezone.now()
    with transaction.atomic():
        cohort = Cohort.objects.create(
            programme=programme, title=COHORT_TITLE, starts_on=starts_on, ends_on=ends_on
        )
        due = [today - timedelta(days=ago) for ago in DUE_AGO]
        CohortDeadline.objects.bulk_create(
            CohortDeadline(cohort=cohort, project=project, due_on=due_on)
            for project, due_on in zip(projects, due, strict=False)
        )
        users = User.objects.bulk_create(
            User(
                email=_alumnus_email(number),
                display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                role=Role.STUDENT,
                language="ru" if number % 2 == 0 else "en",
                time_zone="UTC",
                date_joined=datetime.combine(starts_on, time(9), tzinfo=UTC),
                is_active=False,
                password=make_password(None),
            )
            for number in range(1, STUDENTS + 1)
        )
        users = list(User.objects.filter(email__in=[user.email for user in users]).order_by("pk"))
        stories = {user.pk: _story(rng, starts_on, ends_on, max(due)) for user in users}
        StudentProfile.objects.bulk_create(
            StudentProfile(
                user=user,
                status=StudentStatus.DROPPED
                if stories[user.pk]["dropped_on"]
                else StudentStatus.GRADUATED,
                weekly_hours=10,
            )
            for user in users
        )
        changes, enrolments, events = [], [], []
        submissions: list[tuple[Submission, datetime]] = []
        for user in users:
            story = stories[user.pk]
            changes.append(
                StudentStatusChange(
                    student_id=user.pk, status=StudentStatus.ACTIVE, effective_on=starts_on
                )
            )
            ended = story["dropped_on"] or ends_on
            changes.append(
                StudentStatusChange(
                    student_id=user.pk,
                    status=StudentStatus.DROPPED
                    if story["dropped_on"]
                    else StudentStatus.GRADUATED,
                    effective_on=ended,
                    recorded_by=staff,
                    reason="Stopped studying; the platform reports no activity."
                    if story["dropped_on"]
                    else "Finished the cohort.",
                )
            )
            enrolments.append(
                Enrolment(
                    student=user,
                    programme=programme,
                    cohort=cohort,
                    started_on=starts_on,
                    target_end_on=ends_on,
                    status=EnrolmentStatus.WITHDRAWN
                    if story["dropped_on"]
                    else EnrolmentStatus.COMPLETED,
                    completed_at=None
                    if story["dropped_on"]
                    else datetime.combine(ends_on, time(12), tzinfo=UTC),
                    ended_on=ended,
                )
            )
            for day, minutes in story["days"].items():
                events.append(
                    ActivityEvent(
                        student_id=user.pk,
                        kind=rng.choice(LEARNING_KINDS),
                        occurred_at=datetime.combine(day, time(18), tzinfo=UTC),
                        day=day,
                        source=SOURCE,
                        external_id=f"{user.email}:{day.isoformat()}",
                        value=minutes,
                        recorded_at=now,
                    )
                )
            for project, due_on in zip(projects, due, strict=False):
                handed_on = due_on - timedelta(days=rng.randint(0, 6))
                if handed_on > story["handed_in_until"]:
                    continue  # not handed in: the student was fading or gone
                submitted_at = datetime.combine(handed_on, time(20), tzinfo=UTC)
                submissions.append(
                    (
                        Submission(
                            student=user,
                            project=project,
                            attempt=1,
                            submitted_at=submitted_at,
                            link=f"https://github.com/alumnus{user.pk}/project-{project.position}",
                            status=SubmissionStatus.APPROVED,
                            first_claimed_at=submitted_at + timedelta(days=1),
                            reviewed_at=submitted_at + timedelta(days=2),
                        ),
                        submitted_at + timedelta(days=2),
                    )
                )
        StudentStatusChange.objects.bulk_create(changes)
        Enrolment.objects.bulk_create(enrolments)
        Submission.objects.bulk_create([submission for submission, _at in submissions])
        reviews = Review.objects.bulk_create(
            Review(
                submission=submission,
                reviewer=staff,
                verdict=Verdict.APPROVED,
                feedback="Meets the brief.",
                created_at=reviewed_at,
            )
            for submission, reviewed_at in submissions
        )
        criteria = {}
        for criterion in RubricCriterion.objects.filter(project__in=projects):
            criteria.setdefault(criterion.project_id, []).append(criterion)
        CriterionVerdict.objects.bulk_create(
            CriterionVerdict(review=review, criterion=criterion, met=True)
            for review in reviews
            for criterion in criteria.get(review.submission.project_id, [])
        )
        ActivityEvent.objects.bulk_create(events, batch_size=2000)
        daily_activity_refresh(pairs={(event.student_id, event.day) for event in events})
        # What the portal records of the review loop: each submission, each review
        # read by its student the next evening.
        activity_record_many(
            events=[
                PortalEvent(
                    submission.student_id,
                    ActivityKind.SUBMISSION,
                    submission.submitted_at,
                    f"submission:{submission.pk}",
                )
                for submission, _at in submissions
            ]
            + [
                PortalEvent(
                    review.submission.student_id,
                    ActivityKind.REVIEW_READ,
                    review.created_at + timedelta(hours=22),
                    f"review_read:{review.pk}",
                )
                for review in reviews
            ]
        )
    counts["alumni"] = len(users)
    counts["withdrawn"] = sum(1 for story in stories.values() if story["dropped_on"])
    counts["events"] = len(events)
    if connection.vendor == "postgresql":
        # Thousands of rows just written in bulk: without fresh statistics the
        # planner takes these tables for near empty and replays the year in nested
        # loops (20 times slower), as it would after any bulk load.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE {}".format(
                    ", ".join(
                        model._meta.db_table
                        for model in (
                            User,
                            StudentStatusChange,
                            Enrolment,
                            Submission,
                            ActivityEvent,
                            DailyActivity,
                        )
                    )
                )
            )
    calibration = flag_calibrate(weeks=CALIBRATION_WEEKS)
    calibration_apply(calibration)
    calibration_record(calibration, weeks=CALIBRATION_WEEKS, applied=True, by=staff)
    counts["calibrated"] = 1
    # And the backtest of the flags now in force over the same year (the admin's
    # "Flag backtests").
    flag_backtest_report_run(report=flag_backtest_report_start(by=staff, weeks=CALIBRATION_WEEKS))
    return counts
