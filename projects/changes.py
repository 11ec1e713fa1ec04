"""Programme changes reach the mentors: what staff changed in a programme's content,
grouped by save, told once to the programme's mentors, and read in its change log.

A *change set* is the edits of one save in the admin (a programme with its project
inlines, a project with its rubric criteria, a cohort with its deadlines, or a
deletion) that touched one programme. The admin takes a snapshot of the programmes a
save may touch before it writes (``programme_snapshots``) and hands it to
``programme_changes_record`` after the inlines are saved; the two snapshots are
compared field by field, over the fields ``TRACKED_FIELDS`` names per model, so a
translated field (``title_ru``) is tracked by adding its name there. A save that
changed nothing tracked records nothing and tells no one.

Each mentor of the programme (``MentorProfile.programmes``) gets one notification per
change set, written with it in the same transaction (the notifications' outbox
e-mails them after commit), and a receipt they mark read. Who reads a programme's
change log: its mentors, their supervisors and staff; never a student.

Why not django-simple-history: its history is per model and per save, with nothing
that groups the edits of one admin request across a programme and its inlines, and it
builds its history tables when the models are defined, before django-modeltranslation
adds the translated columns, so those would not be tracked. The programme's own row
is still audited by the admin (``AuditedAdminMixin``, every column); this log is the
readable record of the content mentors teach from.
"""

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_lazy, ngettext_lazy
from modeltranslation.utils import build_localized_fieldname

from mentorship.audit import audit_values
from mentorship.models import MentorProfile, Role, User
from mentorship.notifications import (
    NotificationMessage,
    notifications_mark_read,
    notifications_send,
)
from mentorship.selectors import mentors_visible_to

from .models import (
    ChangedObject,
    ChangeKind,
    Cohort,
    CohortDeadline,
    Programme,
    ProgrammeChange,
    ProgrammeChangeReceipt,
    ProgrammeChangeSet,
    Project,
    RubricCriterion,
)

NOTIFICATION_KIND = "programme_changed"


def _in_each_language(*names: str) -> tuple[str, ...]:
    """A course text's columns, one per language (django-modeltranslation's ``title_en``,
    ``title_ru``; ``projects/translation.py``): staff edit those, so a change in either
    language is told, each with its own before and after."""
    return tuple(
        build_localized_fieldname(name, code) for name in names for code, _ in settings.LANGUAGES
    )


# The fields whose changes the programme's mentors are told of, per kind of object.
# Left out on purpose: the programme's slug and whether it is open for enrolment
# (staff's business, audited), files' technical limits.
TRACKED_FIELDS: dict[str, tuple[str, ...]] = {
    ChangedObject.PROGRAMME: _in_each_language("title", "description"),
    ChangedObject.PROJECT: (
        "position",
        *_in_each_language("title", "brief"),
        "effort_hours",
        "target_days",
        "deliverable",
        "allowed_file_types",
        "max_file_size_mb",
    ),
    ChangedObject.CRITERION: ("position", *_in_each_language("title", "met_means")),
    ChangedObject.COHORT: ("title", "starts_on", "ends_on", "in_order"),
    ChangedObject.DEADLINE: ("due_on",),
}

# Texts at least this long, or on several lines, are shown as a diff.
LONG_TEXT = 120
# Unchanged lines kept around each change in a diff.
DIFF_CONTEXT = 1


@dataclass(frozen=True)
class _Tracked:
    """How to read one kind of object of some programmes: its model, the path from
    it to its programme's id, the columns its label needs and how to write it."""

    object_type: str
    model: type[models.Model]
    programme_path: str
    label_values: tuple[str, ...]
    label: Callable[[dict], str]


def _numbered(position, title) -> str:
    return f"{position}. {title}"


TRACKED: tuple[_Tracked, ...] = (
    _Tracked(ChangedObject.PROGRAMME, Programme, "pk", ("title",), lambda row: row["title"]),
    _Tracked(
        ChangedObject.PROJECT,
        Project,
        "programme_id",
        ("position", "title"),
        lambda row: _numbered(row["position"], row["title"]),
    ),
    _Tracked(
        ChangedObject.CRITERION,
        RubricCriterion,
        "project__programme_id",
        ("project__position", "project__title", "position", "title"),
        lambda row: (
            f"{_numbered(row['project__position'], row['project__title'])}"
            f" › {_numbered(row['position'], row['title'])}"
        ),
    ),
    _Tracked(ChangedObject.COHORT, Cohort, "programme_id", ("title",), lambda row: row["title"]),
    _Tracked(
        ChangedObject.DEADLINE,
        CohortDeadline,
        "cohort__programme_id",
        ("cohort__title", "project__position", "project__title"),
        lambda row: (
            f"{row['cohort__title']}"
            f" › {_numbered(row['project__position'], row['project__title'])}"
        ),
    ),
)
_TRACKED_BY_TYPE = {tracked.object_type: tracked for tracked in TRACKED}
_TYPE_ORDER = {tracked.object_type: order for order, tracked in enumerate(TRACKED)}


# --- Snapshots and what changed between two ------------------------------------------


@dataclass(frozen=True)
class SnapshotRow:
    label: str
    values: dict[str, Any]


# Per programme id: its objects, keyed by (object type, id).
Snapshot = dict[tuple[str, int], SnapshotRow]


def programme_snapshots(programme_ids: Iterable[int]) -> dict[int, Snapshot]:
    """The tracked fields of these programmes and everything in them, as they are in
    the database now: a query per kind of object, whatever the number of programmes."""
    ids = sorted({pk for pk in programme_ids if pk is not None})
    snapshots: dict[int, Snapshot] = {pk: {} for pk in ids}
    if not ids:
        return snapshots
    for tracked in TRACKED:
        names = TRACKED_FIELDS[tracked.object_type]
        rows = (
            tracked.model._default_manager.filter(**{f"{tracked.programme_path}__in": ids})
            .order_by()
            .values("pk", tracked.programme_path, *tracked.label_values, *names)
        )
        for row in rows:
            values = audit_values({name: row[name] for name in names})
            snapshots[row[tracked.programme_path]][(tracked.object_type, row["pk"])] = SnapshotRow(
                label=tracked.label(row)[:255], values=values
            )
    return snapshots


_NUMBERS = re.compile(r"(\d+)")


def _empty(value) -> bool:
    return value is None or value == ""


def snapshot_changes(before: Snapshot, after: Snapshot) -> list[ProgrammeChange]:
    """What changed from one snapshot of a programme to the next, as unsaved change
    rows: for a thing added or removed, each tracked field that has a value; for a
    thing changed, each tracked field whose value differs. Ordered by kind of object
    (the programme, its projects, criteria, cohorts, deadlines), then by label."""

    def order(key):
        row = after.get(key) or before[key]
        # "2. Plot" before "10. Report": the numbers in a label compared as numbers.
        label = [int(part) if part.isdigit() else part for part in _NUMBERS.split(row.label)]
        return (_TYPE_ORDER[key[0]], label, key[1])

    changes = []
    for key in sorted(set(before) | set(after), key=order):
        object_type, object_id = key
        old, new = before.get(key), after.get(key)
        if old is None:
            kind, label = ChangeKind.ADDED, new.label
            pairs = [(name, None, value) for name, value in new.values.items()]
            pairs = [pair for pair in pairs if not _empty(pair[2])]
        elif new is None:
            kind, label = ChangeKind.REMOVED, old.label
            pairs = [(name, value, None) for name, value in old.values.items()]
            pairs = [pair for pair in pairs if not _empty(pair[1])]
        else:
            kind, label = ChangeKind.CHANGED, new.label
            names = list(dict.fromkeys([*old.values, *new.values]))
            pairs = [
                (name, old.values.get(name), new.values.get(name))
                for name in names
                if old.values.get(name) != new.values.get(name)
                # A language's empty text is stored as NULL or "": the same to a reader.
                and not (_empty(old.values.get(name)) and _empty(new.values.get(name)))
            ]
        changes.extend(
            ProgrammeChange(
                kind=kind,
                object_type=object_type,
                object_id=object_id,
                object_label=label,
                field=name,
                before=value_before,
                after=value_after,
            )
            for name, value_before, value_after in pairs
        )
    return changes


# --- Recording a change set and telling the mentors -----------------------------------


def programme_changes_record(
    *, actor: User | None, before: dict[int, Snapshot], at=None
) -> list[ProgrammeChangeSet]:
    """Compare the programmes of ``before`` (``programme_snapshots`` taken before a
    save) with what they are now, and record a change set for each that changed,
    telling each of its active mentors once. Nothing tracked changed: nothing is
    recorded and no one is told. A programme deleted meanwhile is left out (its log
    goes with it). Returns the change sets recorded."""
    if not before:
        return []
    at = at or timezone.now()
    after = programme_snapshots(before)
    change_sets = []
    with transaction.atomic():
        for programme_id in sorted(before):
            now = after.get(programme_id, {})
            if (ChangedObject.PROGRAMME, programme_id) not in now:
                continue
            changes = snapshot_changes(before[programme_id], now)
            if not changes:
                continue
            change_set = ProgrammeChangeSet.objects.create(
                programme_id=programme_id,
                changed_by=actor if getattr(actor, "pk", None) else None,
                changed_at=at,
            )
            for change in changes:
                change.change_set = change_set
            ProgrammeChange.objects.bulk_create(changes)
            change_set.change_count = len(changes)
            change_sets.append(change_set)
        _change_sets_notify(change_sets)
    return change_sets


def programme_change_log_url(change_set: ProgrammeChangeSet) -> str:
    return (
        reverse("projects:programme_changes", kwargs={"slug": change_set.programme.slug})
        + f"#change-set-{change_set.pk}"
    )


def _change_sets_notify(change_sets: list[ProgrammeChangeSet]) -> None:
    """Each active mentor of each programme: one notification and one receipt per
    change set, all in one insert each."""
    if not change_sets:
        return
    by_programme = {change_set.programme_id: change_set for change_set in change_sets}
    teaching = (
        MentorProfile.programmes.through.objects.filter(
            programme_id__in=by_programme,
            mentorprofile__user__role=Role.MENTOR,
            mentorprofile__user__is_active=True,
        )
        .select_related("mentorprofile__user", "programme")
        .order_by("programme_id", "mentorprofile__user_id")
    )
    recipients = []
    messages = []
    for row in teaching:
        change_set = by_programme[row.programme_id]
        change_set.programme = row.programme
        mentor = row.mentorprofile.user
        recipients.append((change_set, mentor))
        messages.append(
            NotificationMessage(
                user=mentor,
                kind=NOTIFICATION_KIND,
                title=gettext_lazy("The programme %(programme)s has changed"),
                body=ngettext_lazy(
                    "%(count)d change. Open the change log to read what was and what is.",
                    "%(count)d changes. Open the change log to read what was and what is.",
                    "count",
                ),
                url=programme_change_log_url(change_set),
                params={"programme": row.programme.title, "count": change_set.change_count},
            )
        )
    notifications = notifications_send(messages=messages)
    ProgrammeChangeReceipt.objects.bulk_create(
        ProgrammeChangeReceipt(change_set=change_set, mentor=mentor, notification=notification)
        for (change_set, mentor), notification in zip(recipients, notifications, strict=True)
    )


# --- Who reads a change log -----------------------------------------------------------


def programmes_with_changes_visible_to(user: User) -> QuerySet[Programme]:
    """The programmes whose change log this person may read: staff every one; a
    mentor those they teach; a supervisor those their team's mentors teach (the
    mentors ``mentors_visible_to`` says they look after); a student none."""
    programmes = Programme.objects.all()
    if not user.is_authenticated or not user.is_active:
        return programmes.none()
    if user.role == Role.STAFF:
        return programmes
    if user.role not in (Role.MENTOR, Role.SUPERVISOR):
        return programmes.none()
    taught = MentorProfile.programmes.through.objects.filter(
        mentorprofile__user__in=mentors_visible_to(user).values("pk")
    ).values("programme_id")
    return programmes.filter(pk__in=taught)


def may_see_programme_changes(user: User, *, programme: Programme) -> bool:
    return programmes_with_changes_visible_to(user).filter(pk=programme.pk).exists()


def programme_for_change_log(user: User, slug: str) -> Programme:
    """The programme whose change log this person asks for; 404 if they may not."""
    programme = programmes_with_changes_visible_to(user).filter(slug=slug).first()
    if programme is None:
        raise Http404
    return programme


def programme_change_sets(*, programme: Programme, reader: User) -> QuerySet[ProgrammeChangeSet]:
    """The programme's change sets, newest first, with who made them, their changes,
    and whether the reader was told of each (``received``) and has not read it yet
    (``unread``): a page of them in three queries."""
    receipts = ProgrammeChangeReceipt.objects.filter(change_set=OuterRef("pk"), mentor=reader)
    return (
        ProgrammeChangeSet.objects.filter(programme=programme)
        .select_related("changed_by", "programme")
        .prefetch_related(Prefetch("changes", ProgrammeChange.objects.order_by("pk")))
        .annotate(received=Exists(receipts), unread=Exists(receipts.filter(read_at__isnull=True)))
        .order_by("-changed_at", "-pk")
    )


def programme_change_set_for_user(
    user: User, *, programme: Programme, pk: int
) -> ProgrammeChangeSet:
    """One change set of a programme whose log this person may read; 404 otherwise."""
    change_set = ProgrammeChangeSet.objects.filter(programme=programme, pk=pk).first()
    if change_set is None or not may_see_programme_changes(user, programme=programme):
        raise Http404
    return change_set


# --- Unread changes (the mentor's home page) and marking them read --------------------


def _unread_receipts(mentor: User) -> QuerySet[ProgrammeChangeReceipt]:
    """The mentor's receipts not read yet, of programmes they still teach."""
    taught = MentorProfile.programmes.through.objects.filter(mentorprofile__user=mentor).values(
        "programme_id"
    )
    return ProgrammeChangeReceipt.objects.filter(
        mentor=mentor, read_at__isnull=True, change_set__programme_id__in=taught
    )


def programme_changes_unread_count(mentor: User, *, programme: Programme | None = None) -> int:
    """How many change sets of the programmes this mentor teaches they were told of
    and have not read (of one programme, if given). One query."""
    unread = _unread_receipts(mentor)
    if programme is not None:
        unread = unread.filter(change_set__programme=programme)
    return unread.count()


def programme_changes_unread(mentor: User, *, limit: int | None = None):
    """The change sets this mentor has not read, oldest first, each with its
    programme, who made it, how many changes it holds and ``url`` (its place in the
    programme's change log): what the home page lists. One query."""
    change_sets = (
        ProgrammeChangeSet.objects.filter(pk__in=_unread_receipts(mentor).values("change_set_id"))
        .select_related("programme", "changed_by")
        .annotate(change_count=Count("changes"))
        .order_by("changed_at", "pk")
    )
    if limit is not None:
        change_sets = change_sets[:limit]
    change_sets = list(change_sets)
    for change_set in change_sets:
        change_set.url = programme_change_log_url(change_set)
    return change_sets


def programme_change_sets_mark_read(
    *, mentor: User, programme: Programme, change_set_ids: list[int] | None = None
) -> int:
    """The mentor has read these change sets of a programme (all of them when
    ``change_set_ids`` is None), and so the notifications that told of them. A
    change set they were not told of, or read before, is left alone. Returns how
    many were marked."""
    with transaction.atomic():
        unread = ProgrammeChangeReceipt.objects.filter(
            mentor=mentor, read_at__isnull=True, change_set__programme=programme
        )
        if change_set_ids is not None:
            unread = unread.filter(change_set_id__in=change_set_ids)
        receipts = list(unread.values_list("pk", "notification_id"))
        if not receipts:
            return 0
        ProgrammeChangeReceipt.objects.filter(pk__in=[pk for pk, _ in receipts]).update(
            read_at=timezone.now()
        )
        notification_ids = [notification for _, notification in receipts if notification]
        if notification_ids:
            notifications_mark_read(user=mentor, notification_ids=notification_ids)
    return len(receipts)


# --- Showing a change -----------------------------------------------------------------


@dataclass
class DiffLine:
    """A line of a diff: ``kind`` is "equal", "changed" or "skipped" (unchanged lines
    left out); ``segments`` are (kind, text) with kind "equal", "removed" or "added"."""

    kind: str
    segments: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ChangeDisplay:
    """One change as the log shows it: the field's name in the reader's language,
    the values before and after as text, and for long texts the diff between them."""

    change: ProgrammeChange
    field_label: str
    before: str
    after: str
    diff: list[DiffLine] | None


_WORDS = re.compile(r"(\s+)")


def _word_segments(old: str, new: str) -> list[tuple[str, str]]:
    old_words, new_words = _WORDS.split(old), _WORDS.split(new)
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(("equal", "".join(old_words[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("removed", "".join(old_words[i1:i2])))
        if j2 > j1:
            segments.append(("added", "".join(new_words[j1:j2])))
    return [segment for segment in segments if segment[1]]


def text_diff(before: str, after: str, *, context: int = DIFF_CONTEXT) -> list[DiffLine]:
    """A readable diff of two texts: the lines that changed, with what was removed
    and added within them word by word, and ``context`` unchanged lines around each
    change (the others stand as one "skipped" line). Plain data: the template
    escapes every piece."""
    old_lines, new_lines = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    lines: list[DiffLine] = []
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            equal = old_lines[i1:i2]
            # No context before the first change or after the last one.
            first, last = index == 0, index == len(opcodes) - 1
            head = [] if first else equal[:context]
            tail = [] if last else equal[-context:] if context else []
            if len(equal) - len(head) - len(tail) < 2:  # "…" for one line saves nothing
                head, tail = equal, []
            for line in head:
                lines.append(DiffLine("equal", [("equal", line)]))
            if len(head) + len(tail) < len(equal):
                lines.append(DiffLine("skipped"))
            for line in tail:
                lines.append(DiffLine("equal", [("equal", line)]))
        elif tag == "replace":
            old_block, new_block = old_lines[i1:i2], new_lines[j1:j2]
            paired = min(len(old_block), len(new_block))
            for old, new in zip(old_block[:paired], new_block[:paired], strict=True):
                lines.append(DiffLine("changed", _word_segments(old, new)))
            for old in old_block[paired:]:
                lines.append(DiffLine("changed", [("removed", old)]))
            for new in new_block[paired:]:
                lines.append(DiffLine("changed", [("added", new)]))
        elif tag == "delete":
            lines.extend(DiffLine("changed", [("removed", line)]) for line in old_lines[i1:i2])
        else:
            lines.extend(DiffLine("changed", [("added", line)]) for line in new_lines[j1:j2])
    return lines


def _model_field(change: ProgrammeChange):
    tracked = _TRACKED_BY_TYPE.get(change.object_type)
    try:
        return tracked.model._meta.get_field(change.field) if tracked else None
    except FieldDoesNotExist:
        return None  # a field renamed since: shown by its old name


def _value_text(model_field, value) -> str:
    if value is None:
        return ""
    if model_field is not None:
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.BooleanField):
            return gettext("Yes") if value else gettext("No")
        if isinstance(model_field, models.DateField):
            return formats.date_format(model_field.to_python(value), "DATE_FORMAT")
    return str(value)


def change_display(change: ProgrammeChange) -> ChangeDisplay:
    model_field = _model_field(change)
    label = str(model_field.verbose_name) if model_field is not None else change.field
    before = _value_text(model_field, change.before)
    after = _value_text(model_field, change.after)
    long_text = isinstance(model_field, models.TextField) or any(
        len(text) >= LONG_TEXT or "\n" in text for text in (before, after)
    )
    diff = text_diff(before, after) if long_text and before and after else None
    return ChangeDisplay(
        change=change,
        field_label=label[:1].upper() + label[1:],
        before=before,
        after=after,
        diff=diff,
    )


@dataclass
class ChangedThing:
    """The changes of one object in a change set, as the log groups them."""

    object_type: str
    object_id: int
    object_type_label: str
    label: str
    kind: str
    kind_label: str
    changes: list[ChangeDisplay]


def change_set_things(change_set: ProgrammeChangeSet) -> list[ChangedThing]:
    """A change set's changes grouped by the object they are about, in their order
    (its ``changes`` prefetched: no query)."""
    things: list[ChangedThing] = []
    for change in change_set.changes.all():
        last = things[-1] if things else None
        if last is None or (last.object_type, last.object_id, last.kind) != (
            change.object_type,
            change.object_id,
            change.kind,
        ):
            last = ChangedThing(
                object_type=change.object_type,
                object_id=change.object_id,
                object_type_label=change.get_object_type_display(),
                label=change.object_label,
                kind=change.kind,
                kind_label=change.get_kind_display(),
                changes=[],
            )
            things.append(last)
        last.changes.append(change_display(change))
    return things
