"""Matching a student with a mentor: mentors ranked by fit (programmes they teach,
language, time-zone gap, free places)."""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    QuerySet,
)

from mentorship.models import User
from mentorship.selectors import mentors_with_load
from projects.models import (
    Enrolment,
    EnrolmentStatus,
)


@dataclass(frozen=True)
class MentorSuggestion:
    """One mentor for one student, and why: the programmes the mentor teaches among
    the student's active enrolments, whether they speak the student's language, how
    many hours apart their clocks are now, and how many free places they have."""

    mentor: User
    programmes: list[str]
    speaks_language: bool
    hours_apart: float
    free_places: int
    score: float

    @property
    def at_capacity(self) -> bool:
        return self.free_places <= 0


def _utc_offset_hours(zone_name: str, now: datetime) -> float:
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    offset = now.astimezone(zone).utcoffset() or timedelta(0)
    return offset.total_seconds() / 3600


def _hours_apart(first: str, second: str, now: datetime) -> float:
    difference = abs(_utc_offset_hours(first, now) - _utc_offset_hours(second, now))
    # Clocks wrap around: UTC+12 and UTC−11 are one hour apart, not twenty-three.
    return min(difference, 24 - difference)


def mentor_suggestions(*, student: User, candidates: QuerySet[User]) -> list[MentorSuggestion]:
    """Mentors ranked by fit for ``student``, best first, in three queries (the
    student's programmes, the mentors with their load, their programmes).

    Fit is, in this order of weight: programme expertise (each programme the mentor
    teaches among the student's active enrolments), speaking the student's language,
    then fewer hours between their time zones; free places break ties. Mentors at
    capacity come last whatever their fit, marked as such."""

    programme_ids = set(
        Enrolment.objects.filter(student=student, status=EnrolmentStatus.ACTIVE).values_list(
            "programme_id", flat=True
        )
    )
    mentors = (
        mentors_with_load(candidates)
        .filter(mentor_profile__isnull=False)
        .prefetch_related("mentor_profile__programmes")
    )
    now = datetime.now(tz=zoneinfo.ZoneInfo("UTC"))
    suggestions = []
    for mentor in mentors:
        profile = mentor.mentor_profile
        shared = sorted(
            programme.title
            for programme in profile.programmes.all()
            if programme.pk in programme_ids
        )
        speaks = student.language in (profile.languages or [])
        hours = _hours_apart(student.time_zone, mentor.time_zone, now)
        # Weights keep the order of importance strict: one shared programme outweighs
        # the language, which outweighs any time-zone gap (at most 12 h, 8 points).
        score = 100 * len(shared) + 10 * speaks + (12 - hours) * 2 / 3
        suggestions.append(
            MentorSuggestion(
                mentor=mentor,
                programmes=shared,
                speaks_language=speaks,
                hours_apart=hours,
                free_places=profile.capacity - mentor.current_students,
                score=round(score, 1),
            )
        )
    suggestions.sort(
        key=lambda s: (s.at_capacity, -s.score, -s.free_places, str(s.mentor).lower())
    )
    return suggestions
