"""The students app's part of a student's personal data (``mentorship.personal_data``):
the notes their mentors kept, their 1:1 sessions, their at-risk flags and what was
done about them, and the incidents they were involved in.

Erasing keeps every note, session, flag, outreach and incident row (the scorecards
count sessions and outreach, the backtest and calibration replay flags), with the
texts about the student emptied (notes, session notes and agendas, outreach notes)
or, for incidents that concern other people too, their name replaced."""

from mentorship.models import User
from mentorship.personal_data import (
    ERASED,
    Erasure,
    PersonalDataExport,
    personal_data_register,
)

from .models import FlagOutreach, Incident, MentoringSession, MentorNote, RiskFlag


def students_personal_data(student: User) -> PersonalDataExport:
    return PersonalDataExport(
        rows={
            "mentor_notes": MentorNote.objects.filter(student=student).values(
                "author__display_name", "body", "created_at"
            ),
            "sessions": MentoringSession.objects.filter(student=student),
            "flags": RiskFlag.objects.filter(student=student),
            "flag_outreach": FlagOutreach.objects.filter(flag__student=student).values(
                "flag_id", "mentor__display_name", "kind", "note", "at"
            ),
            "incidents": Incident.objects.filter(students=student).values(
                "id",
                "title",
                "description",
                "occurred_on",
                "status",
                "resolution",
                "created_at",
                "resolved_at",
            ),
        }
    )


def students_personal_data_erase(erasure: Erasure) -> dict[str, int]:
    student = erasure.student
    return {
        "mentor_notes": MentorNote.objects.filter(student=student).update(body=ERASED),
        "sessions": MentoringSession.objects.filter(student=student).update(
            agenda="", private_notes="", summary="", next_steps="", rating_comment=""
        ),
        "flag_outreach": FlagOutreach.objects.filter(flag__student=student).update(note=""),
        "incidents": erasure.scrub(
            Incident.objects.filter(students=student), ["title", "description", "resolution"]
        ),
    }


personal_data_register(
    "students", export=students_personal_data, erase=students_personal_data_erase
)
