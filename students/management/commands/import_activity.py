"""Back-fill activity history from a CSV file:
``manage.py import_activity events.csv --source lms-2025 [--batch 5000]``.

The file has a header row naming its columns: ``student_email`` or
``student_external_id`` (or both, one filled per row), ``kind``, ``occurred_at`` (ISO
8601 with its offset) or ``occurred_on`` (the student's own day, for a platform that
reports days) or both, and optionally ``external_id`` and ``value``. It is read in
batches through ``activity_ingest``, the same rules as the API, never whole: rows with
an ``external_id`` already imported from this source count as duplicates, so running
the import again records nothing twice. Rejected rows are reported with their line
numbers; they do not stop the others, nor make the command fail.
"""

import contextlib
import csv
from itertools import islice

from django.core.management.base import BaseCommand, CommandError

from mentorship.activity import ACTIVITY_BATCH_LIMIT, PORTAL_SOURCE, activity_ingest

STUDENT_COLUMNS = {"student_email", "student_external_id"}
DATE_COLUMNS = {"occurred_at", "occurred_on"}
REQUIRED_COLUMNS = {"kind"}
OPTIONAL_COLUMNS = {"external_id", "value"}
SHOWN_REJECTIONS = 20


def _item(row: dict) -> dict:
    """A CSV row as the service's item: empty cells left out, the value a number
    when it reads as one (otherwise the service rejects it, naming the field)."""
    item = {column: cell.strip() for column, cell in row.items() if cell and cell.strip()}
    if "value" in item:
        # Text that is no number stays text, and activity_ingest rejects it as "value".
        with contextlib.suppress(ValueError):
            item["value"] = float(item["value"])
    return item


class Command(BaseCommand):
    help = "Import activity events from a CSV file (safe to run again on the same file)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file with a header row.")
        parser.add_argument(
            "--source",
            required=True,
            help="Where the events come from; external ids are unique per source.",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=ACTIVITY_BATCH_LIMIT,
            help=f"Rows per batch (at most {ACTIVITY_BATCH_LIMIT}).",
        )

    def handle(self, *args, path, source, batch, **options):
        if source == PORTAL_SOURCE or not source.strip() or len(source) > 64:
            raise CommandError(f"Choose another source than {source!r}.")
        if not 1 <= batch <= ACTIVITY_BATCH_LIMIT:
            raise CommandError(f"--batch must be between 1 and {ACTIVITY_BATCH_LIMIT}.")
        try:
            with open(path, newline="", encoding="utf-8-sig") as file:
                self._import(csv.DictReader(file), source=source, batch=batch)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text: {error.reason}.") from error

    def _import(self, reader: csv.DictReader, *, source: str, batch: int) -> None:
        self._check_header(reader.fieldnames)
        numbered = ((reader.line_num, row) for row in reader)  # a row's last line
        accepted = duplicates = rejected_count = 0
        shown: list[tuple[int, dict]] = []
        while rows := list(islice(numbered, batch)):
            items, lines, rejected = [], [], []
            for line, row in rows:
                if None in row:  # more cells than the header has columns
                    rejected.append((line, {"non_field_errors": "more cells than columns"}))
                else:
                    items.append(_item(row))
                    lines.append(line)
            result = activity_ingest(source=source, items=items)
            accepted += result.accepted
            duplicates += result.duplicates
            rejected += [(lines[item["index"]], item["errors"]) for item in result.rejected]
            rejected_count += len(rejected)
            shown += sorted(rejected, key=lambda rejection: rejection[0])
            del shown[SHOWN_REJECTIONS:]
        self.stdout.write(
            f"accepted: {accepted}, duplicates: {duplicates}, rejected: {rejected_count}"
        )
        for line, errors in shown:
            reasons = "; ".join(f"{field}: {message}" for field, message in errors.items())
            self.stdout.write(f"line {line}: {reasons}")
        if rejected_count > len(shown):
            self.stdout.write(f"... and {rejected_count - len(shown)} more rejected rows")

    def _check_header(self, columns: list[str] | None) -> None:
        columns = set(columns or [])
        missing = REQUIRED_COLUMNS - columns
        unknown = columns - STUDENT_COLUMNS - DATE_COLUMNS - REQUIRED_COLUMNS - OPTIONAL_COLUMNS
        problems = []
        if not columns & STUDENT_COLUMNS:
            problems.append("name the student in a student_email or student_external_id column")
        if not columns & DATE_COLUMNS:
            problems.append("date the events in an occurred_at or occurred_on column")
        if missing:
            problems.append("missing columns: " + ", ".join(sorted(missing)))
        if unknown:
            problems.append("unknown columns: " + ", ".join(sorted(unknown)))
        if problems:
            raise CommandError("Wrong header: " + "; ".join(problems) + ".")
