"""The metrics app's part of a student's personal data (``mentorship.personal_data``):
their survey answers, and their name in the texts mentors and supervisors wrote
(weekly reports, second readings).

Erasing keeps every survey answer's score and plans (the scorecards and the
supervisors' figures count them) and empties the comment; a weekly report or second
reading that names the student has the name replaced."""

from mentorship.models import User
from mentorship.personal_data import Erasure, PersonalDataExport, personal_data_register

from .models import SecondReading, Survey, WeeklyReport


def metrics_personal_data(student: User) -> PersonalDataExport:
    return PersonalDataExport(
        rows={
            "surveys": Survey.objects.filter(student=student).values(
                "round",
                "mentor__display_name",
                "sent_at",
                "answered_at",
                "score",
                "plans_to_continue",
                "comment",
            ),
        }
    )


def metrics_personal_data_erase(erasure: Erasure) -> dict[str, int]:
    return {
        "surveys": Survey.objects.filter(student=erasure.student).update(comment=""),
        # Mentors' and supervisors' texts that may name any of their students: the
        # rows that mention this one (a scan, as erasing is rare).
        "weekly_reports": erasure.scrub(
            WeeklyReport.objects.all(), ["comments", "difficulties", "figures"]
        ),
        "second_readings": erasure.scrub(SecondReading.objects.all(), ["comment"]),
    }


personal_data_register("metrics", export=metrics_personal_data, erase=metrics_personal_data_erase)
