"""A dated history of each student's status (``StudentStatusChange``) replaces the one
``status_changed_at`` timestamp, which could only say when the status last changed.

The history is filled from the profiles: every student was active from the day they
joined; a paused, graduated or dropped student then took their status on the day of
``status_changed_at`` (days on the student's own calendar). A status whose change was
never dated is dated the day they joined, the only day known, and says so: such a
student is never judged as active on a past day, as before."""

import zoneinfo
from datetime import UTC, datetime, time

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

BATCH = 2000
FROM_PROFILE = "Taken from the profile when the portal began to keep a dated history."
UNDATED = (
    "Date unknown: the status changed before the portal kept a dated history, so it is "
    "dated the day the student joined."
)


def _zone(name: str):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def history_from_profiles(apps, schema_editor):
    StudentProfile = apps.get_model("mentorship", "StudentProfile")
    StudentStatusChange = apps.get_model("mentorship", "StudentStatusChange")
    recorded_at = django.utils.timezone.now()
    changes = []

    def change(student_id, status, effective_on, reason=FROM_PROFILE):
        # Rows are created in order, so of two on the same day the later one wins.
        changes.append(
            StudentStatusChange(
                student_id=student_id,
                status=status,
                effective_on=effective_on,
                reason=reason,
                recorded_at=recorded_at,
            )
        )

    profiles = (
        StudentProfile.objects.order_by("user_id")
        .values_list(
            "user_id", "status", "status_changed_at", "user__date_joined", "user__time_zone"
        )
        .iterator(chunk_size=BATCH)
    )
    for student_id, status, changed_at, joined, time_zone in profiles:
        zone = _zone(time_zone)
        joined_on = joined.astimezone(zone).date()
        if status == "active":
            change(student_id, "active", joined_on)
        elif changed_at is None:
            change(student_id, status, joined_on, reason=UNDATED)
        else:
            changed_on = changed_at.astimezone(zone).date()
            change(student_id, "active", min(joined_on, changed_on))
            change(student_id, status, changed_on)
        if len(changes) >= BATCH:
            StudentStatusChange.objects.bulk_create(changes)
            changes.clear()
    StudentStatusChange.objects.bulk_create(changes)


def profiles_from_history(apps, schema_editor):
    """Back to one timestamp: the start (on the student's calendar) of the day their
    current status took effect; none for an undated one (nothing else before it)."""
    StudentProfile = apps.get_model("mentorship", "StudentProfile")
    StudentStatusChange = apps.get_model("mentorship", "StudentStatusChange")
    profiles = {
        profile.user_id: profile
        for profile in StudentProfile.objects.exclude(status="active").select_related("user")
    }
    since: dict[int, object] = {}
    dated: set[int] = set()
    previous: dict[int, str] = {}
    for student_id, status, effective_on in (
        StudentStatusChange.objects.filter(student_id__in=list(profiles))
        .order_by("student_id", "effective_on", "id")
        .values_list("student_id", "status", "effective_on")
    ):
        if previous.get(student_id) != status:
            if student_id in previous:
                dated.add(student_id)
            since[student_id] = effective_on
        previous[student_id] = status
    for student_id, profile in profiles.items():
        if student_id in dated:
            profile.status_changed_at = datetime.combine(
                since[student_id], time.min, tzinfo=_zone(profile.user.time_zone)
            )
    StudentProfile.objects.bulk_update(profiles.values(), ["status_changed_at"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("mentorship", "0008_models_moved_out"),
    ]

    operations = [
        migrations.CreateModel(
            name="StudentStatusChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("active", "Active"),
                            ("paused", "Paused"),
                            ("graduated", "Graduated"),
                            ("dropped", "Dropped"),
                        ],
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                (
                    "effective_on",
                    models.DateField(
                        help_text="The student's local day the status took effect.",
                        verbose_name="effective from",
                    ),
                ),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                (
                    "recorded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="recorded"
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty when the portal itself recorded it (a graduation).",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "student",
                    models.ForeignKey(
                        db_column="student_id",
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_changes",
                        to="mentorship.studentprofile",
                        to_field="user",
                        verbose_name="student",
                    ),
                ),
            ],
            options={
                "verbose_name": "status change",
                "verbose_name_plural": "status changes",
                "ordering": ["-effective_on", "-id"],
                "indexes": [
                    models.Index(
                        fields=["student", "-effective_on", "-id"],
                        name="statuschange_student_day_idx",
                    )
                ],
            },
        ),
        migrations.RunPython(history_from_profiles, profiles_from_history),
        migrations.RemoveField(
            model_name="studentprofile",
            name="status_changed_at",
        ),
    ]
