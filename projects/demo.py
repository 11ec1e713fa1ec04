"""Demo and benchmark data for the review loop, run by ``manage.py seed_demo`` after
``mentorship.demo.seed_people``: rubrics and briefs for the demo projects, an enrolment
for every demo student, and each student's history of submissions and reviews.

Every state of the loop is present: approved history, changes requested then
resubmitted, submissions waiting for review (some held by their mentor, one whose claim
has expired, a few older than the reminder threshold), review notes with use counts
and difficulty ratings. ``student@demo.test`` has two approved projects and attempt 2
of the third waiting, so ``mentor@demo.test`` has a queue on first login.

Each history's submissions and the reviews its student read are recorded as activity
events, as the portal records them in real use (``mentorship.activity``), so that a
student's last activity and the at-risk signals agree with the history shown.

How each mentor reviews (how fast, how strictly, and whether they improve or slip
over the months) is a ``ReviewStyle`` the caller may give per mentor; students with
fewer hours a week take longer over each project.

Idempotent: curriculum details are written once per project, histories only for
enrolments created by this run. Rows go in with bulk inserts, per batch of students;
at ``--scale`` no files are written.
"""

import functools
import mimetypes
import random
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone, translation

from mentorship.activity import (
    PORTAL_SOURCE,
    PortalEvent,
    activity_record_many,
    daily_activity_refresh,
)
from mentorship.demo import (
    DEMO_DOMAIN,
    _demo_user,
    _students_of,
    demo_email,
    then_and_now,
)
from mentorship.models import (
    ActivityEvent,
    ActivityKind,
    Assignment,
    DailyActivity,
    MentorProfile,
    StudentStatus,
    StudentStatusChange,
    User,
)

from .changes import programme_changes_record, programme_snapshots
from .demo_curriculum import (
    APPROVED_FEEDBACK,
    CHANGES_INTRO,
    CHANGES_OUTRO,
    CURRICULUM,
    DIFFICULTY_COMMENTS,
    REVIEW_NOTES,
    STUDENT_COMMENTS,
    ProjectSpec,
)
from .demo_curriculum_ru import BRIEFS_RU, CRITERIA_RU, PROGRAMMES_RU, REVIEW_NOTES_RU
from .models import (
    CriterionVerdict,
    Deliverable,
    DifficultyRating,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Project,
    Recommendation,
    Review,
    ReviewNote,
    RubricCriterion,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    Verdict,
    submission_upload_to,
)

BATCH = 2000
# The demo student's waiting attempt went in this long ago (fresh, not yet overdue).
FIRST_STUDENT_WAITING_FOR = timedelta(hours=5)


@dataclass
class _Attempt:
    """One attempt of the simulated history. Offsets count from the student's join."""

    project: Project
    attempt: int
    submitted: timedelta
    review_delay: timedelta
    # True approved, False changes requested, None still waiting for review.
    approved: bool | None
    not_met: list[int] = field(default_factory=list)

    @property
    def reviewed(self) -> timedelta:
        return self.submitted + self.review_delay


@dataclass(frozen=True)
class ReviewStyle:
    """How a demo mentor reviews in the simulated histories, and how their students
    get on: the hours from a submission to its review (drawn between the fastest and
    the slowest), the chances of approving a first attempt and a later one (a third
    is always approved), how many rubric criteria a request for changes marks not
    met, and how long their students take over a project (1 is the usual time for
    their hours a week). Each pair is (``HISTORY_DAYS`` ago, now), so a mentor can
    improve or slip month by month (``mentorship.demo.then_and_now``). The defaults
    are the demo's usual mentor, the same all along."""

    fastest_hours: tuple[float, float] = (2, 2)
    slowest_hours: tuple[float, float] = (40, 40)
    first_approval: tuple[float, float] = (0.6, 0.6)
    later_approval: tuple[float, float] = (0.8, 0.8)
    criteria_not_met: tuple[int, ...] = (1, 2)
    students_pace: tuple[float, float] = (1.0, 1.0)

    def review_delay(self, rng: random.Random, *, at: datetime, now: datetime) -> timedelta:
        low = then_and_now(self.fastest_hours, at=at, now=now)
        high = then_and_now(self.slowest_hours, at=at, now=now)
        return timedelta(hours=rng.uniform(low, high))

    def approves(self, rng: random.Random, *, attempt: int, at: datetime, now: datetime) -> bool:
        chance = self.first_approval if attempt == 1 else self.later_approval
        return attempt >= 3 or rng.random() < then_and_now(chance, at=at, now=now)


USUAL_REVIEWS = ReviewStyle()


def hours_pace(weekly_hours: int) -> float:
    """How long a student with these hours a week takes over a project, against one
    with 10: a student with 5 hours takes about 1.3 times as long, a full-time one
    (40 hours) a little over half as long."""
    return (10 / max(weekly_hours, 1)) ** 0.4


@dataclass
class _Student:
    user_id: int
    number: int
    email: str
    name: str
    joined: datetime
    status: str
    mentor_id: int
    programme: Programme
    time_zone: str = "UTC"
    weekly_hours: int = 10


# --- Curriculum -----------------------------------------------------------------------


def _demo_projects() -> dict[int, list[Project]]:
    """The demo programmes' projects, in order, by programme id."""
    by_programme: dict[int, list[Project]] = {}
    slugs = {slug for slug, _position in CURRICULUM}
    for project in (
        Project.objects.filter(programme__slug__in=slugs)
        .select_related("programme")
        .order_by("programme_id", "position")
    ):
        by_programme.setdefault(project.programme_id, []).append(project)
    return by_programme


def seed_curriculum() -> int:
    """Briefs, deliverables and rubrics for demo projects that have no rubric yet (so
    a staff member's later edits survive another run). Returns the criteria created."""
    projects = [p for ps in _demo_projects().values() for p in ps]
    with_rubric = set(
        RubricCriterion.objects.filter(project__in=projects).values_list("project_id", flat=True)
    )
    to_update, criteria = [], []
    for project in projects:
        spec = CURRICULUM.get((project.programme.slug, project.position))
        if spec is None or project.pk in with_rubric:
            continue
        with translation.override("en"):  # the field and its English column
            project.brief = spec.brief
        project.brief_ru = BRIEFS_RU.get((project.programme.slug, project.position), "")
        project.deliverable = spec.deliverable
        project.allowed_file_types = spec.allowed_file_types
        project.max_file_size_mb = spec.max_file_size_mb
        to_update.append(project)
        criteria += [
            RubricCriterion(
                project=project,
                position=position,
                title=criterion.title,
                met_means=criterion.met_means,
            )
            for position, criterion in enumerate(spec.criteria, start=1)
        ]
    Project.objects.bulk_update(
        to_update,
        ["brief", "brief_en", "brief_ru", "deliverable", "allowed_file_types", "max_file_size_mb"],
    )
    RubricCriterion.objects.bulk_create(criteria, ignore_conflicts=True)
    seed_russian_text()
    return len(criteria)


def seed_russian_text() -> int:
    """The Russian of the demo's course content (``demo_curriculum_ru``) wherever its
    column is still empty: a fresh demo, and one seeded before the content had two
    languages. What staff wrote stays. Returns the rows given Russian text."""
    changed = 0
    for programme in Programme.objects.filter(slug__in=PROGRAMMES_RU):
        title, description, project_titles = PROGRAMMES_RU[programme.slug]
        fields = _fill_empty(programme, title_ru=title, description_ru=description)
        if fields:
            programme.save(update_fields=fields)
            changed += 1
        projects = list(
            programme.projects.filter(position__lte=len(project_titles)).prefetch_related(
                "criteria"
            )
        )
        for project in projects:
            key = (programme.slug, project.position)
            spec = CURRICULUM.get(key)
            title = project_titles[project.position - 1]
            brief = ""  # a brief staff rewrote is theirs to translate
            if spec is not None and project.brief_en == spec.brief:
                brief = BRIEFS_RU.get(key, "")
            elif project.brief_en == _placeholder_brief(project.title_en):
                brief = f"Что сдать в проекте «{title}»."
            fields = _fill_empty(project, title_ru=title, brief_ru=brief)
            if fields:
                project.save(update_fields=fields)
                changed += 1
            translations = CRITERIA_RU.get(key, [])
            english = [criterion.title for criterion in spec.criteria] if spec else []
            for criterion in project.criteria.all():
                if criterion.title_en not in english:
                    continue  # a criterion staff added: theirs to translate
                title, met_means = translations[english.index(criterion.title_en)]
                fields = _fill_empty(criterion, title_ru=title, met_means_ru=met_means)
                if fields:
                    criterion.save(update_fields=fields)
                    changed += 1
    notes = ReviewNote.objects.filter(project__programme__slug__in=REVIEW_NOTES_RU)
    for note in notes.select_related("project__programme"):
        english = [title for title, _body in REVIEW_NOTES[note.project.programme.slug]]
        if note.title_en in english:
            title, body = REVIEW_NOTES_RU[note.project.programme.slug][
                english.index(note.title_en)
            ]
            fields = _fill_empty(note, title_ru=title, body_ru=body)
            if fields:
                note.save(update_fields=fields)
                changed += 1
    return changed


def _placeholder_brief(title: str) -> str:
    """A demo project's brief until ``seed_curriculum`` writes its own."""
    return f"Deliverables for “{title}”."


def _fill_empty(row, **values: str) -> list[str]:
    """Set each column of ``values`` that is empty on ``row``; the columns set."""
    fields = [column for column, value in values.items() if value and not getattr(row, column)]
    for column in fields:
        setattr(row, column, values[column])
    return fields


# --- Simulated histories --------------------------------------------------------------


def _attempts(
    rng: random.Random,
    projects: list[Project],
    script: list[list[bool | None]] | None = None,
    *,
    student: _Student,
    now: datetime,
    style: ReviewStyle = USUAL_REVIEWS,
) -> Iterator[_Attempt]:
    """Attempts at each project in turn, as offsets from the student's join, for as
    long as the programme lasts, at the student's pace and reviewed in their mentor's
    ``style``. ``script`` fixes the outcomes (per project, per attempt)."""
    pace = hours_pace(student.weekly_hours)
    elapsed = timedelta(days=rng.uniform(0.5, 3))
    for index, project in enumerate(projects):
        if script is not None and index >= len(script):
            return
        mentor_pace = then_and_now(style.students_pace, at=student.joined + elapsed, now=now)
        elapsed += timedelta(days=project.target_days * rng.uniform(0.5, 1.1) * pace * mentor_pace)
        attempt = 1
        while True:
            at = student.joined + elapsed
            delay = style.review_delay(rng, at=at, now=now)
            if script is not None:
                approved = script[index][attempt - 1]
            else:
                approved = style.approves(rng, attempt=attempt, at=at, now=now)
            spec = _spec(project)
            criteria_count = len(spec.criteria) if spec else 0
            not_met = (
                sorted(
                    rng.sample(
                        range(criteria_count),
                        k=min(criteria_count, rng.choice(style.criteria_not_met)),
                    )
                )
                if approved is False and criteria_count
                else []
            )
            yield _Attempt(project, attempt, elapsed, delay, approved, not_met)
            if approved is None:
                return
            elapsed += delay
            if approved:
                break
            elapsed += timedelta(days=rng.uniform(1, 4))
            attempt += 1


def _spec(project: Project) -> ProjectSpec | None:
    return CURRICULUM.get((project.programme.slug, project.position))


def _fit(
    attempts: list[_Attempt], end: timedelta, *, last_event: str, stretch: bool = False
) -> None:
    """Squeeze a history (or, with ``stretch``, spread it) so its last event lands at
    ``end``; a short one not stretched starts later instead. The student's own time
    before each attempt is what changes: the reviews take as long as their mentor
    took (``ReviewStyle``), unless the reviews alone would not fit, when everything
    is squeezed."""
    last = attempts[-1]
    span = last.reviewed if last_event == "reviewed" else last.submitted
    if span <= timedelta(0):
        return
    counted = attempts if last_event == "reviewed" else attempts[:-1]
    reviews = sum((item.review_delay for item in counted), timedelta(0))
    own = span - reviews
    if span <= end and not stretch:
        for item in attempts:
            item.submitted += end - span
        return
    if own <= timedelta(0) or end <= reviews:
        factor = end / span
        for item in attempts:
            item.submitted, item.review_delay = item.submitted * factor, item.review_delay * factor
        return
    factor = (end - reviews) / own
    previous, moved = timedelta(0), timedelta(0)
    for item in attempts:
        gap = item.submitted - previous
        previous = item.reviewed
        item.submitted = moved + gap * factor
        moved = item.reviewed


def _history(
    rng: random.Random,
    student: _Student,
    projects: list[Project],
    now: datetime,
    style: ReviewStyle = USUAL_REVIEWS,
):
    """A plausible history for one student, ending in the student's current state."""
    elapsed = now - student.joined
    simulate = functools.partial(_attempts, rng, projects, student=student, now=now, style=style)
    if student.number == 1:
        # Two approved projects, then changes requested and attempt 2 waiting.
        attempts = list(simulate(script=[[True], [False, True], [False, None]]))
        _fit(attempts, elapsed - FIRST_STUDENT_WAITING_FOR, last_event="submitted")
        return attempts
    if student.status == StudentStatus.GRADUATED:
        attempts = list(simulate())
        end = max(elapsed - timedelta(days=rng.uniform(1, 10)), elapsed * 0.5)
        if attempts[-1].reviewed > end:
            _fit(attempts, end, last_event="reviewed")
        return attempts
    attempts = []
    # A slow reviewer's queue holds older submissions than a quick one's.
    longest_wait = max(60, style.slowest_hours[1])
    planned = list(simulate())
    if student.status == StudentStatus.ACTIVE and planned[-1].submitted < elapsed:
        # At this pace they would have finished long ago, but only graduates finish:
        # they were slower, and send the final project in about now.
        _fit(
            planned,
            elapsed + timedelta(hours=rng.uniform(-longest_wait, 20 * 24)),
            last_event="submitted",
            stretch=True,
        )
    for item in planned:
        if item.submitted >= elapsed:
            break
        if item.reviewed >= elapsed or (item.approved and item.project == projects[-1]):
            # Still waiting; or the final project, which only graduates finish.
            item.approved, item.not_met = None, []
            if item.submitted < elapsed - timedelta(hours=1):
                item.submitted = max(
                    item.submitted, elapsed - timedelta(hours=rng.uniform(1, longest_wait))
                )
                attempts.append(item)
            return attempts
        attempts.append(item)
    if student.status != StudentStatus.ACTIVE or rng.random() > 0.45:
        return attempts  # working on the next attempt, or paused
    # The student sent their next attempt a while ago: it waits for review.
    if attempts and attempts[-1].approved is False:
        project, attempt = attempts[-1].project, attempts[-1].attempt + 1
    else:
        done = {item.project.pk for item in attempts}
        remaining = [project for project in projects if project.pk not in done]
        if not remaining:
            return attempts
        project, attempt = remaining[0], 1
    previous = attempts[-1].reviewed if attempts else timedelta(hours=1)
    submitted = elapsed - timedelta(hours=rng.uniform(1, 80))
    if submitted > previous + timedelta(hours=1):
        attempts.append(_Attempt(project, attempt, submitted, timedelta(0), None))
    return attempts


# --- Rows -----------------------------------------------------------------------------


def _feedback(rng: random.Random, attempt: _Attempt) -> str:
    if attempt.approved:
        return rng.choice(APPROVED_FEEDBACK)
    spec = _spec(attempt.project)
    points = [
        f"- **{spec.criteria[index].title}**: {spec.criteria[index].not_met_comment}"
        for index in attempt.not_met
        if spec is not None
    ] or ["- Have another look at the brief's checklist."]
    return "\n\n".join([rng.choice(CHANGES_INTRO), "\n".join(points), rng.choice(CHANGES_OUTRO)])


def _readme(student: _Student, attempt: _Attempt) -> str:
    return (
        f"# {attempt.project.title}\n\n"
        f"Attempt {attempt.attempt} by {student.name}.\n\n"
        "## What I did\n\n"
        "I followed the brief step by step and kept notes of what I learnt.\n\n"
        "## How to check it\n\n"
        "Open the main file; everything runs without extra set-up.\n\n"
        "## What I would improve next\n\n"
        "More tests, and a second pass on naming.\n"
    )


def _link(student: _Student, project: Project) -> str:
    handle = re.sub(r"[^a-z0-9]+", "-", student.name.lower()).strip("-") or "student"
    slug = re.sub(r"[^a-z0-9]+", "-", project.title.lower()).strip("-")
    return f"https://github.com/{handle}-{student.number}/{slug}"


def _files(student: _Student, attempt: _Attempt) -> list[tuple[str, bytes]]:
    spec = _spec(attempt.project)
    files = [("README.md", _readme(student, attempt).encode())]
    if spec is not None and spec.main_file is not None:
        name, text = spec.main_file
        files.append((name, text.encode()))
    return files


def _store(name: str, content: bytes) -> str:
    return default_storage.save(submission_upload_to(None, name), ContentFile(content))


def _write_enrolments(
    plans: list[tuple[_Student, list[_Attempt]]], projects_by_programme: dict[int, list[Project]]
) -> int:
    """Each student's enrolment from their join date; the target end date is what the
    projects' targets add up to. Graduates' enrolments are completed at their last
    approval, and their graduation is dated that day in their status history (recorded
    by the portal, as ``projects.services`` does)."""
    enrolments, graduations = [], []
    for student, attempts in plans:
        started_on = timezone.localdate(student.joined)
        projects = projects_by_programme[student.programme.pk]
        enrolment = Enrolment(
            student_id=student.user_id,
            programme=student.programme,
            started_on=started_on,
            target_end_on=started_on + timedelta(days=sum(p.target_days for p in projects)),
        )
        approved = {item.project.pk for item in attempts if item.approved}
        if approved >= {project.pk for project in projects}:
            enrolment.status = EnrolmentStatus.COMPLETED
            enrolment.completed_at = student.joined + attempts[-1].reviewed
            enrolment.ended_on = timezone.localdate(
                enrolment.completed_at, ZoneInfo(student.time_zone)
            )
            if student.status == StudentStatus.GRADUATED:
                graduations.append(
                    StudentStatusChange(
                        student_id=student.user_id,
                        status=StudentStatus.GRADUATED,
                        effective_on=timezone.localdate(
                            enrolment.completed_at, ZoneInfo(student.time_zone)
                        ),
                        recorded_at=enrolment.completed_at,
                    )
                )
        enrolments.append(enrolment)
    Enrolment.objects.bulk_create(enrolments, ignore_conflicts=True)
    StudentStatusChange.objects.bulk_create(graduations)
    return len(enrolments)


def _write_histories(
    rng: random.Random,
    plans: list[tuple[_Student, list[_Attempt]]],
    now: datetime,
    *,
    with_files: bool,
) -> dict[str, int]:
    submissions: list[Submission] = []
    reviewed: list[tuple[Submission, _Attempt, _Student]] = []
    waiting: list[tuple[Submission, _Student, timedelta]] = []
    for student, attempts in plans:
        previous_event = timedelta(0)
        for item in attempts:
            submitted_at = student.joined + item.submitted
            project = item.project
            link = ""
            if project.deliverable in (Deliverable.LINK, Deliverable.FILES_AND_LINK) or (
                project.deliverable == Deliverable.FILES_OR_LINK and rng.random() < 0.5
            ):
                link = _link(student, project)
            submission = Submission(
                student_id=student.user_id,
                project=project,
                attempt=item.attempt,
                comment=rng.choice(STUDENT_COMMENTS)
                if item.attempt == 1
                else "I fixed everything from the review — see the README for what changed.",
                link=link,
                submitted_at=submitted_at,
                status=SubmissionStatus.SUBMITTED,
            )
            if item.approved is None:
                waiting.append((submission, student, previous_event))
            else:
                claimed = submitted_at + item.review_delay * rng.uniform(0.2, 0.9)
                submission.status = (
                    SubmissionStatus.APPROVED
                    if item.approved
                    else SubmissionStatus.CHANGES_REQUESTED
                )
                submission.claimed_at = claimed
                submission.first_claimed_at = claimed
                submission.reviewed_at = student.joined + item.reviewed
                reviewed.append((submission, item, student))
                previous_event = item.reviewed
            submissions.append(submission)
    _claim_some(rng, waiting, now)
    Submission.objects.bulk_create(submissions, batch_size=BATCH)

    reviews = [
        Review(
            submission=submission,
            reviewer_id=student.mentor_id,
            verdict=Verdict.APPROVED if item.approved else Verdict.CHANGES_REQUESTED,
            feedback=_feedback(rng, item),
            created_at=submission.reviewed_at,
        )
        for submission, item, student in reviewed
    ]
    Review.objects.bulk_create(reviews, batch_size=BATCH)
    events = _activity_record(submissions, reviews, now)
    criteria = _criteria_by_project([item.project for _s, item, _st in reviewed])
    verdicts = []
    for review, (_submission, item, _student) in zip(reviews, reviewed, strict=True):
        spec = _spec(item.project)
        for index, criterion in enumerate(criteria.get(item.project.pk, [])):
            met = index not in item.not_met
            comment = ""
            if not met and spec is not None and index < len(spec.criteria):
                comment = spec.criteria[index].not_met_comment
            elif met and item.approved and rng.random() < 0.15:
                comment = "Nicely done."
            verdicts.append((review.pk, criterion.pk, met, comment))
    _insert_verdicts(verdicts)

    ratings = [
        DifficultyRating(
            submission=submission,
            rating=min(5, max(1, round(item.project.position * 0.6 + rng.gauss(1.5, 0.8)))),
            comment=rng.choice(DIFFICULTY_COMMENTS),
            created_at=submission.reviewed_at + timedelta(hours=rng.uniform(1, 30)),
        )
        for submission, item, student in reviewed
        if item.approved
        # The demo student has rated the first project, not the second (the page asks).
        and (student.number != 1 or item.project.position == 1)
        and (student.number == 1 or rng.random() < 0.6)
    ]
    for rating in ratings:
        rating.created_at = min(rating.created_at, now)
    DifficultyRating.objects.bulk_create(ratings, batch_size=BATCH)

    files = []
    if with_files:
        plan_by_key = {
            (student.user_id, item.project.pk, item.attempt): (student, item)
            for student, attempts in plans
            for item in attempts
        }
        for submission in submissions:
            if not submission.project.accepts_files:
                continue
            student, item = plan_by_key[
                (submission.student_id, submission.project_id, submission.attempt)
            ]
            for name, content in _files(student, item):
                files.append(
                    SubmissionFile(
                        submission=submission,
                        file=_store(name, content),
                        original_name=name,
                        size=len(content),
                        content_type=mimetypes.guess_type(name)[0] or "text/plain",
                    )
                )
        SubmissionFile.objects.bulk_create(files, batch_size=BATCH)

    return {
        "submissions": len(submissions),
        "waiting": len(waiting),
        "reviews": len(reviews),
        "files": len(files),
        "ratings": len(ratings),
        "events": events,
    }


def _activity_record(submissions: list[Submission], reviews: list[Review], now) -> int:
    """The activity the portal would have recorded for these attempts: each
    submission as it was sent, each review as its student read it, a few hours after
    it came (``projects.services.review_read``; reviews too fresh are not read yet).
    Read times come from a generator of their own, so the rest of the demo stays as
    the seed makes it. Returns the events recorded."""
    reading = random.Random(len(reviews))
    events = [
        PortalEvent(
            submission.student_id,
            ActivityKind.SUBMISSION,
            submission.submitted_at,
            f"submission:{submission.pk}",
        )
        for submission in submissions
    ]
    for review in reviews:
        read_at = review.created_at + timedelta(hours=reading.uniform(0.5, 30))
        if read_at <= now:
            events.append(
                PortalEvent(
                    review.submission.student_id,
                    ActivityKind.REVIEW_READ,
                    read_at,
                    f"review_read:{review.pk}",
                )
            )
    return activity_record_many(events=events)


def _insert_verdicts(rows: list[tuple[int, int, bool, str]]) -> None:
    """Criterion verdicts are most of the rows at ``--scale`` (one per criterion per
    review); a plain ``executemany`` writes them several times faster than building
    a model instance each for ``bulk_create``."""
    table = connection.ops.quote_name(CriterionVerdict._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(CriterionVerdict._meta.get_field(name).column)
        for name in ("review", "criterion", "met", "comment")
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)",  # noqa: S608
                rows[start : start + BATCH],
            )


def _claim_some(
    rng: random.Random, waiting: list[tuple[Submission, _Student, timedelta]], now: datetime
) -> None:
    """Among waiting submissions (the demo student's excepted, so it sits unclaimed at
    the top of the mentor's queue): about a third held by their mentor, one whose claim
    has expired, and at least two past the reminder threshold."""
    hold = timedelta(minutes=settings.REVIEW_CLAIM_MINUTES)
    overdue_age = timedelta(hours=settings.REVIEW_REMINDER_HOURS)
    others = [entry for entry in waiting if entry[1].number != 1]
    overdue = [s for s, _student, _prev in others if now - s.submitted_at > overdue_age]
    for submission, student, previous in others:
        if len(overdue) >= 2:
            break
        old = now - overdue_age - timedelta(hours=rng.uniform(2, 30))
        if submission not in overdue and student.joined + previous + timedelta(hours=1) < old:
            submission.submitted_at = old
            overdue.append(submission)
    expired_done = False
    for index, (submission, student, _previous) in enumerate(others):
        if not expired_done:
            claimed_at = now - hold - timedelta(minutes=rng.uniform(20, 180))
        elif index % 3 == 1:
            claimed_at = now - timedelta(minutes=rng.uniform(5, 60))
        else:
            continue
        if claimed_at <= submission.submitted_at:
            continue
        submission.claimed_by_id = student.mentor_id
        submission.claimed_at = claimed_at
        submission.first_claimed_at = claimed_at
        submission.claim_expires_at = claimed_at + hold
        expired_done = True


def _criteria_by_project(projects: list[Project]) -> dict[int, list[RubricCriterion]]:
    by_project: dict[int, list[RubricCriterion]] = {}
    for criterion in RubricCriterion.objects.filter(
        project__in={project.pk for project in projects}
    ).order_by("project_id", "position"):
        by_project.setdefault(criterion.project_id, []).append(criterion)
    return by_project


# --- Quiet students -------------------------------------------------------------------


def histories_end_by(*, ends: dict[int, datetime]) -> int:
    """Squeeze the review-loop history of each of these students (id: moment) toward
    the day they joined, so that it is over by that moment: their attempts, claims,
    reviews, difficulty ratings and the activity they recorded (submissions, reviews
    read) keep their order and move earlier, the rollup recounted. The demo's at-risk
    stories (``students.demo``) need students who went quiet, chosen once the
    histories are written; a history over in time, or with no room before the moment,
    stays as it is. Returns the students whose history moved."""
    joined = dict(User.objects.filter(pk__in=ends).values_list("pk", "date_joined"))
    submissions = list(Submission.objects.filter(student_id__in=ends).select_related("review"))
    ratings = list(
        DifficultyRating.objects.filter(submission__in=submissions).select_related("submission")
    )
    events = list(
        ActivityEvent.objects.filter(
            student_id__in=ends,
            source=PORTAL_SOURCE,
            kind__in=[ActivityKind.SUBMISSION, ActivityKind.REVIEW_READ],
        )
    )
    last: dict[int, datetime] = {}
    for student_id, moment in [
        *((s.student_id, s.reviewed_at or s.submitted_at) for s in submissions),
        *((r.submission.student_id, r.created_at) for r in ratings),
        *((e.student_id, e.occurred_at) for e in events),
    ]:
        last[student_id] = max(moment, last.get(student_id, moment))
    moves = {}
    for student_id, end in ends.items():
        start = joined.get(student_id)
        if student_id in last and start is not None and start < end < last[student_id]:
            moves[student_id] = (start, (end - start) / (last[student_id] - start))
    if not moves:
        return 0

    def moved(student_id: int, moment: datetime | None) -> datetime | None:
        if moment is None:
            return moment
        start, factor = moves[student_id]
        return start + (moment - start) * factor

    submissions = [s for s in submissions if s.student_id in moves]
    ratings = [r for r in ratings if r.submission.student_id in moves]
    events = [e for e in events if e.student_id in moves]
    fields = ["submitted_at", "claimed_at", "first_claimed_at", "claim_expires_at", "reviewed_at"]
    reviews = []
    for submission in submissions:
        for name in fields:
            setattr(submission, name, moved(submission.student_id, getattr(submission, name)))
        if hasattr(submission, "review"):
            submission.review.created_at = submission.reviewed_at
            reviews.append(submission.review)
    for rating in ratings:
        rating.created_at = moved(rating.submission.student_id, rating.created_at)
    zones = {pk: user.zone for pk, user in User.objects.in_bulk(list(moves)).items()}
    pairs = set()
    for event in events:
        pairs.add((event.student_id, event.day))
        event.occurred_at = moved(event.student_id, event.occurred_at)
        event.day = event.occurred_at.astimezone(zones[event.student_id]).date()
        pairs.add((event.student_id, event.day))
    with transaction.atomic():
        Submission.objects.bulk_update(submissions, fields, batch_size=BATCH)
        Review.objects.bulk_update(reviews, ["created_at"], batch_size=BATCH)
        DifficultyRating.objects.bulk_update(ratings, ["created_at"], batch_size=BATCH)
        ActivityEvent.objects.bulk_update(events, ["occurred_at", "day"], batch_size=BATCH)
        # The days the events left may have nothing left: the recount writes only days
        # with events, so theirs go first.
        days: dict[int, set] = {}
        for student_id, day in pairs:
            days.setdefault(student_id, set()).add(day)
        for student_id, left in days.items():
            DailyActivity.objects.filter(student_id=student_id, day__in=left).delete()
        daily_activity_refresh(pairs=pairs)
    return len(moves)


# --- Review notes ---------------------------------------------------------------------


def seed_review_notes(rng: random.Random) -> int:
    mentors = list(
        User.objects.filter(email__in=[demo_email("mentor", n) for n in (1, 2, 3)]).order_by(
            "email"
        )
    )
    existing = set(ReviewNote.objects.values_list("project_id", "title_en"))
    notes = [
        ReviewNote(
            project=project,
            author=rng.choice(mentors) if mentors else None,
            title=title,
            body=body,
            use_count=rng.randint(0, 30),
        )
        for projects in _demo_projects().values()
        for project in projects
        for title, body in REVIEW_NOTES.get(project.programme.slug, [])
        if (project.pk, title) not in existing
    ]
    ReviewNote.objects.bulk_create(notes)
    seed_russian_text()
    return len(notes)


# --- Entry point ----------------------------------------------------------------------


def _demo_students(programmes: dict[int, Programme]) -> list[_Student]:
    """Every demo student with a current mentor, and the programme they follow: one
    their mentor mentors (by student number when the mentor mentors several)."""
    through = MentorProfile.programmes.through
    mentor_programmes: dict[int, list[int]] = {}
    for user_id, programme_id in (
        through.objects.filter(programme_id__in=programmes)
        .order_by("programme__slug")
        .values_list("mentorprofile__user_id", "programme_id")
    ):
        mentor_programmes.setdefault(user_id, []).append(programme_id)
    fallback = sorted(programmes.values(), key=lambda programme: programme.slug)
    students = []
    for user_id, mentor_id, email, name, joined, status, time_zone, hours in (
        Assignment.objects.current()
        .filter(student__email__endswith=f"@{DEMO_DOMAIN}")
        .values_list(
            "student_id",
            "mentor_id",
            "student__email",
            "student__display_name",
            "student__date_joined",
            "student__student_profile__status",
            "student__time_zone",
            "student__student_profile__weekly_hours",
        )
    ):
        match = re.fullmatch(r"student(\d*)@.*", email)
        if match is None:
            continue
        number = int(match.group(1) or 1)
        choices = [programmes[pk] for pk in mentor_programmes.get(mentor_id, [])] or fallback
        # Odd numbers (the demo student among them) follow the first, web development.
        programme = sorted(choices, key=lambda p: p.slug != "web-developer")[
            (number + 1) % len(choices)
        ]
        students.append(
            _Student(
                user_id,
                number,
                email,
                name,
                joined,
                status or "active",
                mentor_id,
                programme,
                time_zone,
                hours or 10,
            )
        )
    return sorted(students, key=lambda student: student.number)


def seed_projects(
    *,
    seed: int = 42,
    with_files: bool = True,
    styles: Mapping[int, ReviewStyle] | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> dict[str, int]:
    """Curriculum details, enrolments and review histories for the demo people, each
    reviewed in their mentor's style (``styles``, by mentor id; the usual one for a
    mentor not in it)."""
    styles = styles or {}
    rng = random.Random(seed)
    now = timezone.now()
    counts = {
        "criteria": 0,
        "enrolments": 0,
        "submissions": 0,
        "waiting": 0,
        "reviews": 0,
        "files": 0,
        "ratings": 0,
        "notes": 0,
        "events": 0,
    }
    with transaction.atomic():
        counts["criteria"] = seed_curriculum()
        projects_by_programme = _demo_projects()
        programmes = {
            programme.pk: programme
            for programme in Programme.objects.filter(pk__in=projects_by_programme)
        }
        students = _demo_students(programmes)
        enrolled = set(
            Enrolment.objects.filter(student_id__in=[s.user_id for s in students]).values_list(
                "student_id", flat=True
            )
        )
        new_students = [student for student in students if student.user_id not in enrolled]
        for batch_start in range(0, len(new_students), BATCH):
            plans = [
                (
                    student,
                    _history(
                        rng,
                        student,
                        projects_by_programme[student.programme.pk],
                        now,
                        styles.get(student.mentor_id, USUAL_REVIEWS),
                    ),
                )
                for student in new_students[batch_start : batch_start + BATCH]
            ]
            counts["enrolments"] += _write_enrolments(plans, projects_by_programme)
            written = _write_histories(rng, plans, now, with_files=with_files)
            for key, value in written.items():
                counts[key] += value
            progress(len(plans))
        counts["notes"] = seed_review_notes(rng)
    return counts


PROGRAMMES = [
    (
        "web-developer",
        "Web Developer",
        "From HTML to a deployed Django application.",
        [
            ("Build a personal page with HTML and CSS", 15, 10),
            ("Make it responsive", 20, 14),
            ("Add interactivity with JavaScript", 30, 21),
            ("Model data with SQL", 25, 14),
            ("Build a Django application", 40, 28),
            ("Deploy and monitor it", 20, 14),
        ],
    ),
    (
        "data-analyst",
        "Data Analyst",
        "Clean, explore and explain data with Python and SQL.",
        [
            ("Explore a dataset in a spreadsheet", 10, 7),
            ("Query a database with SQL", 20, 14),
            ("Clean data with pandas", 30, 21),
            ("Visualise findings", 25, 14),
            ("Present an analysis to stakeholders", 20, 14),
        ],
    ),
]


def seed_programmes(*, mentors: int) -> list[Programme]:
    """The demo programmes with their projects, and which of them the first
    ``mentors`` demo mentors teach (every third mentor all of them)."""
    for slug, title, description, projects in PROGRAMMES:
        programme, _created = Programme.objects.get_or_create(
            slug=slug, defaults={"title": title, "description": description}
        )
        Project.objects.bulk_create(
            [
                Project(
                    programme=programme,
                    position=position,
                    title=project_title,
                    effort_hours=hours,
                    target_days=days,
                    brief=_placeholder_brief(project_title),
                )
                for position, (project_title, hours, days) in enumerate(projects, start=1)
            ],
            ignore_conflicts=True,
        )
    programmes = list(Programme.objects.filter(slug__in=[p[0] for p in PROGRAMMES]))
    emails = [demo_email("mentor", n) for n in range(1, mentors + 1)]
    profiles = {
        profile.user.email: profile
        for profile in MentorProfile.objects.filter(user__email__in=emails).select_related("user")
    }
    through = MentorProfile.programmes.through
    through.objects.bulk_create(
        [
            through(mentorprofile_id=profiles[email].pk, programme_id=programme.pk)
            for index, email in enumerate(emails)
            if email in profiles
            for programme in (programmes if index % 3 == 0 else programmes[index % 2 :][:1])
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    seed_russian_text()
    return programmes


RECOMMENDATIONS = [
    # (mentor number, index among the mentor's students, programme slug or course, status)
    (1, 0, ("course", "SQL for data analysis", "https://example.org/courses/sql"), "pending"),
    (1, 1, ("programme", None), "accepted"),
    (2, 0, ("course", "Git in depth", "https://example.org/courses/git"), "declined"),
    (2, 1, ("programme", None), "pending"),
    (3, 0, ("course", "Design systems basics", "https://example.org/courses/design"), "accepted"),
]


def seed_recommendations() -> int:
    """The first demo mentors' recommendations to their students, unless they have made
    some already. Returns recommendations created."""
    now = timezone.now()
    mentors = {n: _demo_user("mentor", n) for n in (1, 2, 3)}
    if not all(mentors.values()):
        return 0
    students = {n: _students_of(mentor) for n, mentor in mentors.items()}
    programmes = list(Programme.objects.order_by("slug"))
    created = 0
    with transaction.atomic():
        if not Recommendation.objects.filter(mentor__in=mentors.values()).exists():
            for age, (number, index, target, status) in enumerate(RECOMMENDATIONS):
                if len(students[number]) <= index:
                    continue
                student = students[number][index]
                recommended = now - timedelta(days=9 - age)
                fields = {}
                if target[0] == "programme":
                    enrolled = set(student.enrolments.values_list("programme_id", flat=True))
                    programme = next((p for p in programmes if p.pk not in enrolled), None)
                    if programme is None:
                        continue
                    fields["programme"] = programme
                else:
                    fields["course_title"], fields["course_url"] = target[1], target[2]
                Recommendation.objects.create(
                    mentor=mentors[number],
                    student=student,
                    note="I think this would help with your goals.",
                    status=status,
                    created_at=recommended,
                    answered_at=recommended + timedelta(days=1) if status != "pending" else None,
                    **fields,
                )
                created += 1
    return created


DEMO_BRIEF_UPDATE = (
    "\n\nUpdate: explain in the README which edge cases your tests cover, and why "
    "the others do not matter here."
)


DEMO_CRITERION_UPDATE = " The README names the edge cases the tests cover."


def seed_programme_changes() -> int:
    """Staff's edit of a brief and its rubric in the first demo mentor's first
    programme, two days ago, recorded and told to its mentors as the admin does
    (``projects.changes``), unless the programme has a change log already. Returns
    change sets recorded."""
    staff, mentor = _demo_user("staff", 1), _demo_user("mentor", 1)
    if staff is None or mentor is None:
        return 0
    programme = mentor.mentor_profile.programmes.order_by("slug").first()
    project = programme and programme.projects.order_by("position").first()
    if project is None or programme.change_sets.exists():
        return 0
    with transaction.atomic():
        before = programme_snapshots([programme.pk])
        # Not its target: the demo enrolments' plans were drawn from the targets.
        # The English text, whatever language the command runs in (modeltranslation
        # would write the active language's column).
        project.brief_en = (project.brief_en or "") + DEMO_BRIEF_UPDATE
        project.save(update_fields=["brief_en"])
        criterion = project.criteria.order_by("position").first()
        if criterion is not None:
            criterion.met_means_en = (criterion.met_means_en or "") + DEMO_CRITERION_UPDATE
            criterion.save(update_fields=["met_means_en"])
        recorded = programme_changes_record(
            actor=staff, before=before, at=timezone.now() - timedelta(days=2)
        )
    return len(recorded)
