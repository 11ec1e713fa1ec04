"""``manage.py import_activity``: back-fill events from a CSV file, in batches, through
the same rules as the API; a second run counts duplicates and records nothing twice."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mentorship.models import ActivityEvent, DailyActivity
from mentorship.tests.factories import StudentFactory

HEADER = "student_email,student_external_id,kind,occurred_at,external_id,value\n"


@pytest.fixture
def csv_file(tmp_path, student, other_student):
    student.student_profile.external_id = "lp-1"
    student.student_profile.save()
    path = tmp_path / "events.csv"
    path.write_text(
        HEADER
        + f"{student.email},,lesson_viewed,2026-03-02T09:00:00Z,h1,\n"
        + ",lp-1,quiz_taken,2026-03-02T10:00:00+00:00,h2,0.8\n"
        + f"{other_student.email},,nap,2026-03-02T10:00:00Z,h3,\n"
        + f"{other_student.email},,lesson_viewed,2026-03-03T10:00:00Z,h4,\n"
        + "nobody@example.test,,lesson_viewed,2026-03-03T10:00:00Z,h5,\n"
        + f"{other_student.email},,quiz_taken,2026-03-03 10:00,h6,\n"
        + f"{other_student.email},,quiz_taken,2026-03-03T11:00:00Z,h7,lots\n"
        + f"{other_student.email},,exercise_done,2026-03-04T11:00:00Z,,2\n",
        encoding="utf-8",
    )
    return path


def _import(path, *args) -> str:
    out = StringIO()
    call_command("import_activity", str(path), *args, stdout=out)
    return out.getvalue()


def test_it_imports_the_good_rows_and_reports_the_rejected_by_line(csv_file, student):
    output = _import(csv_file, "--source", "lms-2025", "--batch", "3")

    lines = output.splitlines()
    assert lines[0] == "accepted: 4, duplicates: 0, rejected: 4"
    assert [line.split(":")[0] for line in lines[1:]] == ["line 4", "line 6", "line 7", "line 8"]
    assert lines[1].startswith("line 4: kind: Unknown kind 'nap'")
    assert lines[2] == "line 6: student_email: No student is known by this."
    assert lines[3] == "line 7: occurred_at: Give the time zone offset, e.g. +03:00 or Z."
    assert lines[4] == "line 8: value: Must be a number."
    assert set(ActivityEvent.objects.values_list("source", flat=True)) == {"lms-2025"}
    assert set(ActivityEvent.objects.values_list("external_id", flat=True)) == {
        "h1",
        "h2",
        "h4",
        None,
    }
    assert ActivityEvent.objects.get(external_id="h2").value == 0.8
    assert DailyActivity.objects.get(student=student, day=date(2026, 3, 2)).events == 2


def test_it_counts_duplicates_when_the_file_is_imported_again(csv_file, student):
    _import(csv_file, "--source", "lms-2025")
    rollup = dict(DailyActivity.objects.values_list("day", "events").filter(student=student))

    output = _import(csv_file, "--source", "lms-2025")

    # The row without an external id cannot be recognised: it is recorded again.
    assert output.splitlines()[0] == "accepted: 1, duplicates: 3, rejected: 4"
    assert ActivityEvent.objects.count() == 5
    assert ActivityEvent.objects.filter(external_id__isnull=False).count() == 3
    assert dict(DailyActivity.objects.values_list("day", "events").filter(student=student)) == (
        rollup
    )


def test_it_reads_the_file_in_batches(csv_file, monkeypatch):
    from students.management.commands import import_activity

    sizes = []
    ingest = import_activity.activity_ingest

    def counting(*, source, items):
        sizes.append(len(items))
        return ingest(source=source, items=items)

    monkeypatch.setattr(import_activity, "activity_ingest", counting)

    _import(csv_file, "--source", "lms-2025", "--batch", "3")

    assert sizes == [3, 3, 2]


def test_it_shows_only_the_first_rejected_rows(tmp_path, student):
    path = tmp_path / "bad.csv"
    path.write_text(
        "student_email,kind,occurred_at\n"
        + "".join(f"{student.email},nap,2026-03-02T09:00:00Z\n" for _row in range(25)),
        encoding="utf-8",
    )

    lines = _import(path, "--source", "lms").splitlines()

    assert lines[0] == "accepted: 0, duplicates: 0, rejected: 25"
    assert lines[1].startswith("line 2: ")
    assert lines[20].startswith("line 21: ")
    assert lines[21] == "... and 5 more rejected rows"


def test_it_rejects_a_row_with_more_cells_than_columns(tmp_path, student):
    path = tmp_path / "wide.csv"
    path.write_text(
        "student_email,kind,occurred_at\n"
        f"{student.email},login,2026-03-02T09:00:00Z,surprise\n"
        f"{student.email},login,2026-03-02T09:00:00Z\n",
        encoding="utf-8",
    )

    lines = _import(path, "--source", "lms").splitlines()

    assert lines == [
        "accepted: 1, duplicates: 0, rejected: 1",
        "line 2: non_field_errors: more cells than columns",
    ]


def test_it_imports_days_without_times(tmp_path, db):
    student = StudentFactory(time_zone="America/Los_Angeles")
    path = tmp_path / "days.csv"
    path.write_text(
        "student_email,kind,occurred_on,external_id\n"
        + f"{student.email},lesson_viewed,2026-03-01,d1\n"
        + f"{student.email},lesson_viewed,2026-03-02,d2\n"
        + f"{student.email},lesson_viewed,,d3\n",
        encoding="utf-8",
    )

    output = _import(path, "--source", "lms-days")

    assert output.splitlines()[0] == "accepted: 2, duplicates: 0, rejected: 1"
    assert output.splitlines()[1].startswith("line 4: occurred_at: Give an ISO 8601 date and time")
    assert sorted(ActivityEvent.objects.values_list("day", flat=True)) == [
        date(2026, 3, 1),
        date(2026, 3, 2),
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("kind,occurred_at\n", "name the student"),
        ("student_email,kind\n", "date the events in an occurred_at or occurred_on column"),
        ("student_email,occurred_at\n", "missing columns: kind"),
        ("student_email,kind,occurred_at,mood\n", "unknown columns: mood"),
        ("", "name the student"),
    ],
)
def test_it_fails_on_a_wrong_header(tmp_path, db, header, message):
    path = tmp_path / "events.csv"
    path.write_text(header + "a@example.test,login,2026-03-02T09:00:00Z\n", encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        _import(path, "--source", "lms")

    assert not ActivityEvent.objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        ("--source", "portal"),
        ("--source", "lms", "--batch", "0"),
        ("--source", "lms", "--batch", "5001"),
    ],
)
def test_it_refuses_bad_options(csv_file, args):
    with pytest.raises(CommandError):
        _import(csv_file, *args)

    assert not ActivityEvent.objects.exists()


def test_it_fails_on_a_missing_file(tmp_path, db):
    with pytest.raises(CommandError, match="Cannot read"):
        _import(tmp_path / "missing.csv", "--source", "lms")
