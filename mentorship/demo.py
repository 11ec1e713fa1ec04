"""Demo and benchmark data for people: staff, supervisors, mentors, students and who
mentors whom. Used by ``manage.py seed_demo``; other apps add their own ``demo.py``.

Everything is written with bulk inserts keyed on natural keys (e-mail, slug), so a
second run adds nothing and 10,000 students take seconds, not minutes.
"""

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from .models import (
    Assignment,
    MentorProfile,
    Role,
    StudentProfile,
    StudentStatus,
    StudentStatusChange,
    User,
)

DEMO_PASSWORD = "mentorship"  # noqa: S105 (published demo logins)
DEMO_DOMAIN = "demo.test"
BATCH = 2000
# How far back the demo's history goes (students join over it), and the span over
# which a demo mentor who improves or slips changes (``then_and_now``).
HISTORY_DAYS = 180
# The hours a week demo students have, when nothing says otherwise.
WEEKLY_HOURS = (5, 8, 10, 15, 20)

FIRST_NAMES = [
    "Alice", "Boris", "Chloé", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Irina",
    "Jonas", "Katya", "Léa", "Maxim", "Nadia", "Oscar", "Polina", "Quentin", "Rosa",
    "Sergei", "Tanya", "Umar", "Vera", "William", "Xenia", "Yusuf", "Zoé",
]  # fmt: skip
LAST_NAMES = [
    "Ivanova", "Martin", "Petrov", "Bernard", "Smirnova", "Dubois", "Kuznetsov",
    "Moreau", "Popova", "Laurent", "Sokolov", "Garcia", "Volkova", "Müller", "Novak",
    "Fischer", "Orlova", "Rossi", "Lebedev", "Silva",
]  # fmt: skip
TIME_ZONES = ["Europe/Moscow", "Europe/Paris", "Europe/Berlin", "Asia/Yekaterinburg",
              "Europe/London", "America/Montreal", "Asia/Almaty"]  # fmt: skip


def demo_email(kind: str, number: int) -> str:
    """``mentor@demo.test`` for the first of a kind, then ``mentor2@demo.test``..."""
    return f"{kind}{'' if number == 1 else number}@{DEMO_DOMAIN}"


def then_and_now(
    values: tuple[float, float], *, at: date | datetime, now: date | datetime
) -> float:
    """A quality of a demo mentor that changes over the history (how fast they review,
    how often their students miss sessions...): ``values`` is what it was
    ``HISTORY_DAYS`` before ``now`` and what it is now; in between, in proportion to
    the time ``at``. ``at`` and ``now`` are both days or both moments."""
    then, current = values
    share = min(1.0, max(0.0, (now - at) / timedelta(days=HISTORY_DAYS)))
    return current + (then - current) * share


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _batched(items: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ensure_users(
    specs: list[dict], password_hash: str, progress: Callable[[int], None]
) -> dict[str, User]:
    """Create the users in ``specs`` that do not exist yet; return all by e-mail."""
    emails = [spec["email"] for spec in specs]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    now = timezone.now()
    new = [
        User(password=password_hash, date_joined=spec.pop("date_joined", now), **spec)
        for spec in specs
        if spec["email"] not in existing
    ]
    for batch in _batched(new):
        User.objects.bulk_create(batch, ignore_conflicts=True)
        progress(len(batch))
    users: dict[str, User] = {}
    for batch in _batched(emails):
        users.update({user.email: user for user in User.objects.filter(email__in=batch)})
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in users.values()
        ],
        ignore_conflicts=True,
        batch_size=BATCH,
    )
    return users


def seed_people(
    *,
    students: int = 40,
    mentors: int = 6,
    supervisors: int = 2,
    days: int = HISTORY_DAYS,
    seed: int = 42,
    weekly_hours: Mapping[int, Sequence[int]] | None = None,
    graduated_after: Mapping[int, int] | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> dict[str, int]:
    """Staff, supervisors, mentors and students, each student with a current mentor.

    Mentors are split evenly between supervisors' teams; students go round-robin to
    mentors, so every mentor has a similar load (``projects.demo.seed_programmes``
    says which programmes each mentor teaches), and joined over the ``days`` before
    now, each mentor's spread over all of them. ``weekly_hours`` gives the hours a
    week the students of a mentor (by number) choose from, so that mentors have
    different mixes of students (``WEEKLY_HOURS`` otherwise). A few
    students are paused or graduated, as in any real cohort, and most of those of a
    mentor in ``graduated_after`` (by number) who joined more than that many days
    ago (longer than a programme lasts) have graduated; each student's status
    history begins here (``_status_histories_start``).
    """
    weekly_hours = weekly_hours or {}
    graduated_after = graduated_after or {}
    rng = random.Random(seed)
    password_hash = make_password(DEMO_PASSWORD)
    now = timezone.now()

    with transaction.atomic():
        staff = _ensure_users(
            [{"email": demo_email("staff", 1), "display_name": "Stella Staff",
              "role": Role.STAFF, "is_superuser": True}],
            password_hash,
            progress,
        )  # fmt: skip
        supervisor_users = _ensure_users(
            [
                {
                    "email": demo_email("supervisor", n),
                    "display_name": "Sofia Supervisor" if n == 1 else _name(rng),
                    "role": Role.SUPERVISOR,
                    "time_zone": rng.choice(TIME_ZONES),
                }
                for n in range(1, supervisors + 1)
            ],
            password_hash,
            progress,
        )
        mentor_users = _ensure_users(
            [
                {
                    "email": demo_email("mentor", n),
                    "display_name": "Maria Mentor" if n == 1 else _name(rng),
                    "role": Role.MENTOR,
                    "language": "ru" if n % 3 == 0 else "en",
                    "time_zone": rng.choice(TIME_ZONES),
                }
                for n in range(1, mentors + 1)
            ],
            password_hash,
            progress,
        )
        student_specs = []
        # Students go round-robin to mentors (below); each mentor's joined over the
        # whole history, one in each of as many stretches as the mentor has students
        # (the first of each a third of the way back), so every mentor has months of it.
        per_mentor = -(-students // max(mentors, 1))
        for n in range(1, students + 1):
            stretch = ((n - 1) // max(mentors, 1) + per_mentor // 3) % per_mentor
            joined_ago = round(days * (stretch + rng.random()) / per_mentor)
            student_specs.append(
                {
                    "email": demo_email("student", n),
                    "display_name": "Stas Student" if n == 1 else _name(rng),
                    "role": Role.STUDENT,
                    "language": "ru" if n % 2 == 0 else "en",
                    "time_zone": rng.choice(TIME_ZONES),
                    "date_joined": now - timedelta(days=min(max(joined_ago, 1), max(days, 1))),
                }
            )
        student_users = _ensure_users(student_specs, password_hash, progress)

        supervisors_list = [supervisor_users[demo_email("supervisor", n)]
                            for n in range(1, supervisors + 1)]  # fmt: skip
        mentors_list = [mentor_users[demo_email("mentor", n)] for n in range(1, mentors + 1)]
        capacity = max(10, -(-students // max(mentors, 1)) + 2)
        MentorProfile.objects.bulk_create(
            [
                MentorProfile(
                    user=mentor,
                    capacity=capacity,
                    supervisor=supervisors_list[index % len(supervisors_list)]
                    if supervisors_list
                    else None,
                    languages=["en", "ru"] if index % 2 == 0 else ["en", "fr"],
                )
                for index, mentor in enumerate(mentors_list)
            ],
            ignore_conflicts=True,
            batch_size=BATCH,
        )
        students_list = [student_users[demo_email("student", n)] for n in range(1, students + 1)]
        statuses = [StudentStatus.ACTIVE] * 16 + [StudentStatus.PAUSED, StudentStatus.GRADUATED]

        def status(index: int, student: User) -> str:
            if index == 0:
                return StudentStatus.ACTIVE
            chosen = rng.choice(statuses)
            # Students go round-robin to mentors (below): this one's mentor's rule.
            after = graduated_after.get(index % max(mentors, 1) + 1)
            if (
                after is not None
                and chosen == StudentStatus.ACTIVE
                and now - student.date_joined > timedelta(days=after)
                and rng.random() < 0.75
            ):
                return StudentStatus.GRADUATED
            return chosen

        StudentProfile.objects.bulk_create(
            [
                StudentProfile(
                    user=student,
                    status=status(index, student),
                    # Students go round-robin to mentors (below): this one's mentor's mix.
                    weekly_hours=rng.choice(
                        weekly_hours.get(index % max(mentors, 1) + 1, WEEKLY_HOURS)
                    ),
                    goals=rng.choice(
                        [
                            "Change careers into web development within a year.",
                            "Get promoted to a data role at my company.",
                            "Build my own product.",
                            "Сменить профессию и найти работу аналитиком.",
                        ]
                    ),
                    external_id=f"lp-{index + 1:06d}",
                )
                for index, student in enumerate(students_list)
            ],
            ignore_conflicts=True,
            batch_size=BATCH,
        )
        _status_histories_start(students_list, seed=seed, by=staff[demo_email("staff", 1)])

        assigned = set(
            Assignment.objects.current()
            .filter(student__email__endswith=f"@{DEMO_DOMAIN}")
            .values_list("student_id", flat=True)
        )
        new_assignments = [
            Assignment(
                student=student,
                mentor=mentors_list[index % len(mentors_list)],
                started_at=student.date_joined,
                reason="Demo data",
                assigned_by=staff[demo_email("staff", 1)],
            )
            for index, student in enumerate(students_list)
            if student.pk not in assigned and mentors_list
        ]
        for batch in _batched(new_assignments):
            Assignment.objects.bulk_create(batch, ignore_conflicts=True)
            progress(len(batch))

    return {
        "staff": len(staff),
        "supervisors": len(supervisors_list),
        "mentors": len(mentors_list),
        "students": len(students_list),
        "assignments_created": len(new_assignments),
    }


def _status_histories_start(students: list[User], *, seed: int, by: User) -> None:
    """The status history of each demo student who has none yet: active from the day
    they joined and, for a paused one, paused since a day of the last three weeks
    (staff recorded it). Graduations are dated at the last approval
    (``projects.demo``), drop-outs after the student went quiet (``students.demo``)."""
    rng = random.Random(f"{seed}:status")
    changes = []
    for batch in _batched(students):
        ids = [student.pk for student in batch]
        started = set(
            StudentStatusChange.objects.filter(student_id__in=ids).values_list(
                "student_id", flat=True
            )
        )
        statuses = dict(
            StudentProfile.objects.filter(user_id__in=ids).values_list("user_id", "status")
        )
        for student in batch:
            if student.pk in started or student.pk not in statuses:
                continue
            joined_on = timezone.localdate(student.date_joined, student.zone)
            changes.append(
                StudentStatusChange(
                    student_id=student.pk, status=StudentStatus.ACTIVE, effective_on=joined_on
                )
            )
            if statuses[student.pk] == StudentStatus.PAUSED:
                today = timezone.localdate(timezone=student.zone)
                changes.append(
                    StudentStatusChange(
                        student_id=student.pk,
                        status=StudentStatus.PAUSED,
                        effective_on=max(joined_on, today - timedelta(days=rng.randint(3, 20))),
                        recorded_by=by,
                        reason="A busy month at work; back when it calms down.",
                    )
                )
    StudentStatusChange.objects.bulk_create(changes, batch_size=BATCH)


def _demo_user(kind: str, number: int):

    return User.objects.filter(email=demo_email(kind, number)).first()


def _students_of(mentor) -> list:
    return [
        assignment.student
        for assignment in Assignment.objects.current()
        .filter(mentor=mentor)
        .select_related("student")
        .order_by("student__email")
    ]
