"""Students for the tests of whole flagging runs (overlapping runs, failing chunks, a
real worker): a handful whose only signal is inactivity, some of them idle long enough
to be flagged; and a ``risk_judgement`` that fails once, as a lost connection would."""

from mentorship.tests.factories import AssignmentFactory, MentorFactory
from students.models import FlagStatus, RiskFlag

from .helpers_risk import active_on, enrolled_student, programme_of

# Days since each student was last active: amber, red, red, amber, none, none.
IDLE_DAYS = [8, 15, 20, 10, 0, 2]
FLAGGED = sum(1 for days in IDLE_DAYS if days >= 7)


def idle_students() -> list:
    """Students enrolled a month before the as-of day (too soon to judge a drop, on a
    plan with nothing due), active daily until ``IDLE_DAYS`` ago: only inactivity shows.
    """
    programme = programme_of(60, 60, 60)
    mentor = MentorFactory()
    students = []
    for days in IDLE_DAYS:
        student = enrolled_student(programme, started_days_ago=30, span_days=400)
        AssignmentFactory(student=student, mentor=mentor)
        active_on(student, range(days, 30))
        students.append(student)
    return students


def one_open_flag_each(students: list) -> dict[int, int]:
    """What ``open_flags_per_student`` must say: one open flag for each idle student."""
    return {student.pk: 1 for student, days in zip(students, IDLE_DAYS, strict=True) if days >= 7}


def open_flags_per_student() -> dict[int, int]:
    counts: dict[int, int] = {}
    for student_id in RiskFlag.objects.filter(status=FlagStatus.OPEN).values_list(
        "student_id", flat=True
    ):
        counts[student_id] = counts.get(student_id, 0) + 1
    return counts


class FailOnce:
    """``risk_judgement`` that fails the first time it is asked about one student, as a
    deadlock or a lost connection would, and records every chunk it is asked about."""

    def __init__(self, real, *, student_id: int, error: type[Exception] = RuntimeError):
        self.real, self.student_id, self.error = real, student_id, error
        self.failed = False
        self.asked: list[list[int]] = []

    def __call__(self, *, student_ids, **kwargs):
        self.asked.append(list(student_ids))
        if self.student_id in student_ids and not self.failed:
            self.failed = True
            raise self.error("connection lost")
        return self.real(student_ids=student_ids, **kwargs)
