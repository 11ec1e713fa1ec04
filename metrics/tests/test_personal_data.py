"""A student's personal data across every app (``mentorship.personal_data`` and each
app's ``personal_data.py``): the export holds each app's part and the uploads; erasing
leaves the student's name, e-mail and files nowhere in the database or the storage,
and keeps the mentors' scorecard figures as they were. Here, in the top layer,
because the test writes every app's records."""

import io
import json
import zipfile
from datetime import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils.translation import gettext_lazy

from knowledge_base.models import Answer, CaseDiscussion, Deflection
from mentorship.audit import AuditAction, AuditEntry
from mentorship.models import Notification, StudentProfile, StudentStatus
from mentorship.notifications import notification_send
from mentorship.personal_data import personal_data_erase, personal_data_export
from mentorship.services import student_status_set
from mentorship.tests.factories import (
    MentorFactory,
    StaffFactory,
    StudentFactory,
    SupervisorFactory,
)
from metrics.models import WeeklyReport
from projects.models import Recommendation, SubmissionFile
from projects.tests.factories import SubmissionFileFactory
from students.models import FlagOutreach, Incident, MentorNote, OutreachKind

from .helpers_scorecards import (
    NOW,
    OCTOBER,
    UTC,
    answer,
    assign,
    computed,
    flag,
    proposal,
    question,
    recommendation,
    review,
    session,
    survey,
)

pytestmark = pytest.mark.django_db

NAME = "Zelda Quixotic"
EMAIL = "zelda.quixotic@example.com"
UPLOAD = b"zelda's secret homework\n"


def at(day: int) -> datetime:
    return datetime(2026, 10, day, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def mentor():
    return MentorFactory(display_name="Mona Mentor")


@pytest.fixture
def zelda(mentor, staff):
    """A student with something in every app, and her name in others' texts."""
    student = StudentFactory(display_name=NAME, email=EMAIL)
    StudentProfile.objects.filter(user=student).update(goals="Become a data engineer")
    assign(student, mentor, since=datetime(2026, 9, 1, tzinfo=UTC))
    student_status_set(
        profile=student.student_profile,
        status=StudentStatus.PAUSED,
        by=staff,
        reason=f"{NAME} asked for a break",
    )
    posted = review(student, reviewer=mentor, reviewed=at(5))
    posted.feedback = f"Well done, {NAME}!"
    posted.save()
    posted.submission.comment = "My first try"
    posted.submission.save()
    SubmissionFileFactory(
        submission=posted.submission, original_name="homework.py", content=UPLOAD
    )
    review(student, reviewer=mentor, reviewed=at(12), verdict="changes_requested")
    met = session(mentor, student, scheduled=at(7), rating=5)
    met.private_notes = f"{NAME} is worried about money"
    met.summary = "Talked about the plan"
    met.save()
    survey(student, mentor, answered=at(9), score=4)
    raised = flag(student, opened=at(3), acknowledged=at(4), first_outreach_at=at(4))
    FlagOutreach.objects.create(
        flag=raised, mentor=mentor, kind=OutreachKind.MESSAGE, note=f"Wrote to {NAME}"
    )
    asked = question(student, asked=at(10))
    replied = answer(mentor, on=asked, written=at(11))
    Answer.objects.filter(pk=replied.pk).update(body=f"{NAME}, use open().")
    proposal(student, filed=at(13))
    made = recommendation(mentor, student, made=at(14))
    Recommendation.objects.filter(pk=made.pk).update(note=f"For you, {NAME}")
    MentorNote.objects.create(student=student, author=mentor, body="Strong in SQL")
    incident = Incident.objects.create(
        title=f"{NAME} copied a solution",
        description="Seen in review",
        reported_by=mentor,
        arbitrator=SupervisorFactory(),
    )
    incident.students.add(student)
    CaseDiscussion.objects.create(
        author=mentor, title="A hard case", body=f"How to help {NAME}?", student=student
    )
    Deflection.objects.create(
        student=student, programme=asked.programme, query="read file", question=asked
    )
    Notification.objects.create(
        user=mentor,
        kind="x",
        written_title=f"{NAME} is now your student",
        written_body=f"Say hello to {NAME.lower()} ({EMAIL.upper()})",  # in any case
    )
    notification_send(
        user=mentor,
        kind="assignment_mentor",
        title=gettext_lazy("%(student)s is now your student"),
        params={"student": NAME},
    )
    Notification.objects.create(user=student, kind="x", written_title="Your review is ready")
    WeeklyReport.objects.create(
        mentor=mentor,
        week_start=at(5).date(),
        comments=f"{NAME} is doing well",
        figures={"students": [{"name": NAME}]},
    )
    LogEntry.objects.log_actions(
        user_id=staff.pk,
        queryset=[student],
        action_flag=CHANGE,
        change_message=f"Changed {EMAIL}",
    )
    return student


def _export(zelda, staff) -> tuple[dict, zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(personal_data_export(student=zelda, by=staff)))
    return json.loads(archive.read("personal-data.json")), archive


def test_the_export_holds_each_apps_part_and_the_files(zelda, staff):
    document, archive = _export(zelda, staff)

    parts = document["parts"]
    assert set(parts) == {"mentorship", "projects", "students", "knowledge_base", "metrics"}
    assert parts["mentorship"]["account"][0]["email"] == EMAIL
    assert parts["mentorship"]["profile"][0]["goals"] == "Become a data engineer"
    assert len(parts["projects"]["submissions"]) == 2
    assert f"Well done, {NAME}!" in [row["feedback"] for row in parts["projects"]["reviews"]]
    assert parts["students"]["sessions"][0]["private_notes"] == f"{NAME} is worried about money"
    assert len(parts["students"]["flags"]) == 1
    assert parts["knowledge_base"]["questions"][0]["title"]
    assert len(parts["metrics"]["surveys"]) == 1
    (row,) = parts["projects"]["submission_files"]
    assert archive.read(row["in_zip"]) == UPLOAD
    assert AuditEntry.objects.filter(
        action=AuditAction.PERSONAL_DATA_EXPORTED, actor=staff, subject=zelda
    ).exists()


def _dump() -> str:
    out = io.StringIO()
    call_command(
        "dumpdata",
        exclude=["contenttypes", "auth.permission", "sessions"],
        stdout=out,
    )
    return out.getvalue()


def test_erasing_leaves_no_name_email_or_file_anywhere(
    zelda, staff, django_capture_on_commit_callbacks
):
    stored = [each.file.name for each in SubmissionFile.objects.all()]
    assert stored
    assert all(default_storage.exists(name) for name in stored)
    assert NAME in _dump()
    assert EMAIL in _dump()

    with django_capture_on_commit_callbacks(execute=True):
        personal_data_erase(student=zelda, by=staff, confirm=NAME)

    dump = _dump().casefold()
    assert NAME.casefold() not in dump
    assert EMAIL.casefold() not in dump
    assert "worried about money" not in dump
    assert "become a data engineer" not in dump
    assert not any(default_storage.exists(name) for name in stored)
    assert not SubmissionFile.objects.exists()


def test_erasing_keeps_the_scorecard_figures(zelda, staff, mentor):
    before = computed(OCTOBER, UTC, now=NOW)

    personal_data_erase(student=zelda, by=staff, confirm=NAME)

    after = computed(OCTOBER, UTC, now=NOW)
    assert after == before
    assert any(figures.get(mentor.pk) is not None for figures in before.values())


def test_erasing_keeps_the_rows_that_count(zelda, staff):
    counts = {
        model: model.objects.count()
        for model in (AuditEntry, Answer, Incident, FlagOutreach, MentorNote)
    }

    personal_data_erase(student=zelda, by=staff, confirm=NAME)

    for model, count in counts.items():
        expected = count + 1 if model is AuditEntry else count
        assert model.objects.count() == expected, model
    assert zelda.submissions.count() == 2


def test_erasing_is_recorded_and_names_nobody(zelda, staff):
    personal_data_erase(student=zelda, by=staff, confirm=NAME)

    entry = AuditEntry.objects.get(action=AuditAction.PERSONAL_DATA_ERASED)
    assert (entry.actor, entry.subject_id) == (staff, zelda.pk)
    assert entry.after["projects"]["files"] == 1
    assert NAME not in json.dumps(entry.after) + entry.object_label
    assert not LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(zelda), object_repr__icontains="zelda"
    ).exists()


def test_an_erased_student_no_longer_signs_in(zelda, staff, client):
    zelda.set_password("secret-pass-1")
    zelda.save()
    personal_data_erase(student=zelda, by=staff, confirm=NAME)

    zelda.refresh_from_db()
    assert not zelda.is_active
    assert not zelda.has_usable_password()
    assert not client.login(email=EMAIL, password="secret-pass-1")
    assert zelda.email.endswith("@erased.invalid")
