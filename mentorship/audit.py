"""The audit trail: who changed what that matters (a review verdict, a mentor
assignment, a student's status, a flag, a programme's thresholds or weights, a
student's personal data exported or erased), when, why, and the values before and
after.

One table written by the services, not a history table per model: the changes that
matter are made by services, several of them set-based (the nightly flagging run
writes flags with bulk updates that model signals never see), and the service knows
who acted and why. A per-model history would also record every nightly save of
100,000 students. Staff read it in the admin ("Audit trail").

Rows are only ever added here; erasing a student rewrites the labels and reasons of
the rows about them (``audit_entries_anonymise``) and keeps the rows.
"""

import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

LABEL_LENGTH = 255


class AuditAction(models.TextChoices):
    """What was done. The key is stored; the label is what staff read."""

    REVIEW_SUBMITTED = "review.submitted", _("Review verdict posted")
    REVIEW_CHANGED = "review.changed", _("Review changed")
    SUBMISSION_CHANGED = "submission.changed", _("Submission repaired")
    ASSIGNMENT_CREATED = "assignment.created", _("Mentor assigned")
    ASSIGNMENT_ENDED = "assignment.ended", _("Mentor assignment ended")
    ASSIGNMENT_CHANGED = "assignment.changed", _("Mentor assignment changed")
    STUDENT_STATUS_SET = "student.status_set", _("Student status changed")
    FLAG_OPENED = "flag.opened", _("Flag opened")
    FLAG_RAISED = "flag.raised", _("Flag raised")
    FLAG_RESOLVED = "flag.resolved", _("Flag resolved")
    FLAG_ACKNOWLEDGED = "flag.acknowledged", _("Flag acknowledged")
    FLAG_VERDICT_SET = "flag.verdict_set", _("Flag verdict given")
    FLAG_DELETED = "flag.deleted", _("Flag deleted")
    FLAG_SETTINGS_CHANGED = "flag_settings.changed", _("Flag thresholds changed")
    FLAG_BUDGET_CHANGED = "flag_budget.changed", _("Programme flag budget changed")
    SCORECARD_WEIGHTS_CHANGED = "scorecard_weights.changed", _("Scorecard weights changed")
    PROGRAMME_CHANGED = "programme.changed", _("Programme changed")
    PERSONAL_DATA_EXPORTED = "personal_data.exported", _("Personal data exported")
    PERSONAL_DATA_ERASED = "personal_data.erased", _("Personal data erased")


class AuditEntry(models.Model):
    """One change that matters. ``actor`` is who made it (nobody: the portal itself,
    a nightly task); the object is named by type and id, and by a label kept as text
    so the entry still reads after the object is deleted. ``subject`` is the student
    the change concerns, if any: the student's file links to their history, and
    erasing the student finds the entries whose labels name them."""

    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=64, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("object type"),
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=LABEL_LENGTH, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("student concerned"),
    )
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        app_label = "mentorship"
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-pk"]
        indexes = [
            # The admin's list, newest first, narrowed by action.
            models.Index(fields=["action", "-at"], name="auditentry_action_at"),
            # A student's history (the file's link) and their erasure.
            models.Index(fields=["subject", "-at"], name="auditentry_subject_at"),
            # An object's history.
            models.Index(fields=["content_type", "object_id"], name="auditentry_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.object_label}"


def audit_values(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """Values as JSON keeps them (dates and decimals as text), so what is stored is
    what is read back."""
    if values is None:
        return None
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def audit_entry(
    *,
    actor,
    action: str,
    target: models.Model | None,
    before: dict | None,
    after: dict | None,
    reason: str = "",
    subject_id: int | None = None,
    label: str | None = None,
    at=None,
) -> AuditEntry:
    """An unsaved entry, for ``audit_record_many``. ``target`` may be a model
    instance, or None with ``label`` alone."""
    content_type, object_id = None, ""
    if target is not None:
        content_type = ContentType.objects.get_for_model(type(target), for_concrete_model=False)
        object_id = str(target.pk) if target.pk is not None else ""
        if label is None:
            label = str(target)
    return AuditEntry(
        at=at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        content_type=content_type,
        object_id=object_id,
        object_label=(label or "")[:LABEL_LENGTH],
        subject_id=subject_id,
        before=audit_values(before),
        after=audit_values(after),
        reason=reason.strip(),
    )


def audit_record(**fields) -> AuditEntry:
    """Record one change, in the caller's transaction: a change rolled back leaves
    no entry. Takes ``audit_entry``'s keywords; ``before``/``after`` hold the fields
    that changed (None for a thing created or removed)."""
    entry = audit_entry(**fields)
    entry.save()
    return entry


def audit_record_many(entries: Iterable[AuditEntry]) -> int:
    """Record many changes in one insert (a chunk of the nightly run)."""
    entries = list(entries)
    if entries:
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def audit_object_values(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a row as the audit keeps them: a relation by its id."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            if instance.pk is None:
                values[name] = []
            else:
                values[name] = sorted(getattr(instance, name).values_list("pk", flat=True))
        else:
            values[name] = getattr(instance, field.attname)
    return audit_values(values)


def audit_diff(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    """The fields an entry changed, with their values before and after, in name
    order: what the admin shows."""
    before, after = entry.before or {}, entry.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [("", before, after)]
    names = sorted(set(before) | set(after))
    return [
        (name, before.get(name), after.get(name))
        for name in names
        if before.get(name) != after.get(name) or name not in before or name not in after
    ]


def audit_entries_anonymise(*, subject_id: int, label: str) -> int:
    """Erasing a student: the entries about them keep what changed and when, but
    their labels no longer name them (``mentorship.personal_data`` replaces the name
    in the reasons). Returns how many entries were relabelled."""
    return AuditEntry.objects.filter(subject_id=subject_id).update(object_label=label)


# --- Admin saves ----------------------------------------------------------------------


def _audited_fields(obj, names) -> list[str]:
    """The form's changed fields that are the row's own columns: a many-to-many is
    saved after ``save_model`` and a form-only field (a reason, a day) is not data."""
    fields = []
    for name in names:
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.concrete and not field.many_to_many:
            fields.append(name)
    return fields


class AuditedAdminMixin:
    """For a ModelAdmin whose saves matter (thresholds, weights, a programme, a repair
    of a review): each save records the fields it changed, before and after, in the
    audit trail, as the services do for theirs. ``audit_action`` names the change;
    ``audit_delete_action`` a deletion, if the page allows one."""

    audit_action: str = ""
    audit_delete_action: str = ""

    def audit_subject_id(self, obj) -> int | None:
        """The student the row concerns, if any (the student's history lists it)."""
        return None

    def save_model(self, request, obj, form, change):
        fields = _audited_fields(obj, form.changed_data)
        before = None
        if change and fields:
            old = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = audit_object_values(old, fields) if old is not None else None
        super().save_model(request, obj, form, change)
        if fields:
            audit_record(
                actor=request.user,
                action=self.audit_action,
                target=obj,
                before=before,
                after=audit_object_values(obj, fields),
                reason=gettext("changed in the admin"),
                subject_id=self.audit_subject_id(obj),
            )

    def _audit_deletions(self, request, objs) -> None:
        """One entry per row deleted, written in one insert (a deletion of many rows
        from the list page)."""
        if self.audit_delete_action:
            audit_record_many(
                audit_entry(
                    actor=request.user,
                    action=self.audit_delete_action,
                    target=obj,
                    before=audit_object_values(
                        obj, [field.name for field in obj._meta.concrete_fields]
                    ),
                    after=None,
                    reason=gettext("deleted in the admin"),
                    subject_id=self.audit_subject_id(obj),
                )
                for obj in objs
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            self._audit_deletions(request, [obj])
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            self._audit_deletions(request, queryset)
            super().delete_queryset(request, queryset)
