"""A student's personal data: staff export everything the portal holds on one student
(JSON and their files, as a zip) and erase a student.

Every app holds part of a student's data, and the bottom layer may not import the
apps above it, so each app registers its part here (``personal_data_register``, from
the app's own ``personal_data.py``, imported by its ``AppConfig.ready``): what to
export (rows as dicts, files as stored), and how to erase. This module runs them all
in one go, and records each export and erasure in the audit trail.

Erasing keeps the counts and aggregates: a student's submissions, reviews, sessions,
events and flags stay, attached to an anonymised account, so mentors' scorecards and
the programme analytics keep their figures. What identifies the student goes: their
name, e-mail, profile texts, what they wrote, what others wrote about them in free
text (their name and e-mail replaced where others' texts mention them), their uploads
(deleted from storage), their sign-in (no password, no e-mail address, inactive).
"""

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import NotAllowed
from .audit import AuditAction, AuditEntry, audit_entries_anonymise, audit_record
from .models import (
    ActivityEvent,
    ApiToken,
    DailyActivity,
    Invitation,
    Notification,
    PendingUpload,
    Role,
    StudentProfile,
    User,
)
from .selectors import assignment_history, student_status_history
from .uploads import pending_uploads_discard

ERASED = "[erased]"


@dataclass
class PersonalDataExport:
    """An app's part of an export: named lists of rows (dicts or a queryset, read
    with ``.values()``), and files as (path in the zip, stored file)."""

    rows: dict[str, Any] = field(default_factory=dict)
    files: list[tuple[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Erasure:
    """What is being erased, handed to each app's eraser: the student, and the texts
    that identify them (their name and e-mail as they were), to be replaced where
    others' free text mentions them."""

    student: User
    texts: tuple[str, ...]
    label: str

    def scrub(self, queryset: models.QuerySet, fields: Iterable[str]) -> int:
        """Replace the student's name and e-mail, in any case, in these text or JSON
        fields of the rows that mention them. The rows are found by the database
        (a scan of the texts, as erasing is rare) and rewritten in one batch; they
        are few. Returns the rows changed."""
        fields = list(fields)
        if not self.texts or not fields:
            return 0
        mentions = Q()
        for name in fields:
            for text in self.texts:
                mentions |= Q(**{f"{name}__icontains": text})
        rows = list(queryset.filter(mentions).only("pk", *fields))
        for row in rows:
            for name in fields:
                setattr(row, name, self._replaced(getattr(row, name)))
        queryset.model.objects.bulk_update(rows, fields, batch_size=500)
        return len(rows)

    def _replaced(self, value):
        if isinstance(value, str):
            return self._pattern.sub(self.label, value)
        if isinstance(value, list):
            return [self._replaced(each) for each in value]
        if isinstance(value, dict):
            return {self._replaced(key): self._replaced(each) for key, each in value.items()}
        return value

    @property
    def _pattern(self) -> re.Pattern:
        return re.compile("|".join(re.escape(text) for text in self.texts), re.IGNORECASE)


@dataclass(frozen=True)
class PersonalDataPart:
    name: str
    export: Callable[[User], PersonalDataExport]
    erase: Callable[[Erasure], dict[str, int]]


_parts: dict[str, PersonalDataPart] = {}


def personal_data_register(
    name: str,
    *,
    export: Callable[[User], PersonalDataExport],
    erase: Callable[[Erasure], dict[str, int]],
) -> None:
    """An app says how to export and erase its part of a student's data (called once,
    from its ``AppConfig.ready``; registering the same name again replaces it)."""
    _parts[name] = PersonalDataPart(name=name, export=export, erase=erase)


def personal_data_parts() -> list[PersonalDataPart]:
    """The registered parts, bottom layer first (the order the apps are installed)."""
    return list(_parts.values())


def may_handle_personal_data(user: User | None) -> bool:
    """Who may export or erase a student's personal data: active staff only."""
    return user is not None and user.is_active and user.role == Role.STAFF


def _check(*, student: User, by: User) -> None:
    if not may_handle_personal_data(by):
        raise NotAllowed(_("Only staff export or erase a student's personal data."))
    if student.role != Role.STUDENT:
        raise ValidationError(_("Only a student's personal data is exported or erased here."))


def _rows(value) -> list:
    if isinstance(value, models.QuerySet):
        return list(value.values())
    return list(value)


def personal_data_export(*, student: User, by: User) -> bytes:
    """Everything the portal holds on one student, as a zip: ``personal-data.json``
    (each app's rows under its name) and ``files/`` (their uploads, under the path
    each app gives). Staff only, of a student only; recorded in the audit trail."""
    _check(student=student, by=by)
    document: dict[str, Any] = {
        "student": student.pk,
        "exported_at": timezone.now(),
        "parts": {},
    }
    files: list[tuple[str, Any]] = []
    for part in personal_data_parts():
        exported = part.export(student)
        document["parts"][part.name] = {name: _rows(rows) for name, rows in exported.rows.items()}
        files += exported.files
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "personal-data.json",
            json.dumps(document, cls=_Encoder, ensure_ascii=False, indent=2, sort_keys=True),
        )
        missing = []
        for path, stored in files:
            try:
                with stored.open("rb") as handle:
                    archive.writestr(f"files/{path}", handle.read())
            except (FileNotFoundError, OSError, ValueError):
                missing.append(path)
        if missing:
            archive.writestr("files/MISSING.txt", "\n".join(missing) + "\n")
    audit_record(
        actor=by,
        action=AuditAction.PERSONAL_DATA_EXPORTED,
        target=student,
        before=None,
        after={"files": len(files) - len(missing), "missing_files": len(missing)},
        subject_id=student.pk,
    )
    return buffer.getvalue()


class _Encoder(DjangoJSONEncoder):
    """Dates, decimals and UUIDs as JSON does them; anything else (a search vector,
    a stored file) as its text."""

    def default(self, value):
        try:
            return super().default(value)
        except TypeError:
            return str(value)


def erased_label(student: User) -> str:
    """What an erased student is called from then on."""
    return f"Erased student {student.pk}"


def personal_data_erase(*, student: User, by: User, confirm: str) -> dict[str, dict[str, int]]:
    """Erase a student: each app removes or anonymises its part (``Erasure``), in one
    transaction; the rows that count stay. ``confirm`` is the student's name (or
    e-mail) typed by the person erasing, so a slip of the mouse erases nothing.
    Staff only, of a student only; recorded in the audit trail with what each part
    changed (never the name). Returns those counts."""
    _check(student=student, by=by)
    if confirm.strip().casefold() not in {str(student).casefold(), student.email.casefold()}:
        raise ValidationError(
            {"confirm": _("Type the student's name exactly as shown to confirm.")}
        )
    texts = tuple(
        sorted(
            {text for text in (student.display_name.strip(), student.email) if len(text) >= 3},
            key=len,
            reverse=True,  # the longer first, so a name inside the e-mail goes with it
        )
    )
    erasure = Erasure(student=student, texts=texts, label=erased_label(student))
    counts = {}
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=student.pk).first()
        for part in personal_data_parts():
            counts[part.name] = part.erase(erasure)
        audit_record(
            actor=by,
            action=AuditAction.PERSONAL_DATA_ERASED,
            target=student,
            label=erasure.label,
            before=None,
            after=counts,
            subject_id=student.pk,
        )
    return counts


# --- The bottom layer's part: the account, profile, history, notifications, activity --


def _mentorship_export(student: User) -> PersonalDataExport:
    account = User.objects.filter(pk=student.pk).values(
        "id",
        "email",
        "display_name",
        "role",
        "language",
        "time_zone",
        "email_notifications",
        "is_active",
        "date_joined",
        "last_login",
    )
    return PersonalDataExport(
        rows={
            "account": account,
            "email_addresses": EmailAddress.objects.filter(user=student).values(
                "email", "verified", "primary"
            ),
            "profile": StudentProfile.objects.filter(user=student),
            "status_history": student_status_history(student=student),
            "mentors": assignment_history(student=student).values(
                "started_at",
                "ended_at",
                "reason",
                "mentor__display_name",
                "mentor__email",
            ),
            "notifications": Notification.objects.filter(user=student),
            "activity_events": ActivityEvent.objects.filter(student=student),
            "daily_activity": DailyActivity.objects.filter(student=student),
            "api_tokens": ApiToken.objects.filter(user=student).values(
                "name", "prefix", "created_at", "last_used_at", "revoked_at"
            ),
            "kept_uploads": PendingUpload.objects.filter(user=student).values(
                "purpose", "original_name", "size", "created_at"
            ),
            "audit_trail": AuditEntry.objects.filter(subject=student).values(
                "at", "action", "object_label", "before", "after", "reason"
            ),
            "admin_log": LogEntry.objects.filter(
                object_id=str(student.pk), content_type__model="user"
            ).values("action_time", "object_repr", "change_message"),
        }
    )


def _mentorship_erase(erasure: Erasure) -> dict[str, int]:
    student = erasure.student
    email = f"erased-{student.pk}@erased.invalid"
    counts = {
        "email_addresses": EmailAddress.objects.filter(user=student).delete()[0],
        "authenticators": Authenticator.objects.filter(user=student).delete()[0],
        "notifications": Notification.objects.filter(user=student).delete()[0],
        "invitations": Invitation.objects.filter(
            Q(accepted_user=student) | Q(email__iexact=student.email)
        ).update(email=email, display_name=erasure.label),
        "api_tokens": ApiToken.objects.filter(user=student).update(
            name=ERASED, revoked_at=timezone.now()
        ),
        "profile": StudentProfile.objects.filter(user=student).update(goals="", external_id=""),
        "kept_uploads": pending_uploads_discard(PendingUpload.objects.filter(user=student)),
        "status_history": student_status_history(student=student).update(reason=""),
        "mentors": assignment_history(student=student).update(reason=""),
        "others_notifications": erasure.scrub(
            Notification.objects.all(), ["written_title", "written_body", "params"]
        ),
        "admin_log": erasure.scrub(LogEntry.objects.all(), ["object_repr", "change_message"]),
        "audit_trail": audit_entries_anonymise(subject_id=student.pk, label=erasure.label)
        + erasure.scrub(AuditEntry.objects.all(), ["object_label", "reason"]),
    }
    student.email = email
    student.display_name = erasure.label
    student.email_notifications = False
    student.is_active = False
    student.last_login = None
    student.set_unusable_password()
    student.save(
        update_fields=[
            "email",
            "display_name",
            "email_notifications",
            "is_active",
            "last_login",
            "password",
        ]
    )
    counts["account"] = 1
    return counts


personal_data_register("mentorship", export=_mentorship_export, erase=_mentorship_erase)
