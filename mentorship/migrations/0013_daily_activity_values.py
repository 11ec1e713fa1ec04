from django.db import migrations, models
from django.db.models import Count, Sum

# The kinds the rollup leaves out, as they stood when this migration was written.
NOT_ENGAGEMENT = ["session_missed"]


def rollup_values_backfill(apps, schema_editor):
    """The values of the events already recorded, added to their days' rows: only the
    (student, day) pairs with a valued engagement event are read and written (none
    where the platform sends no values)."""
    ActivityEvent = apps.get_model("mentorship", "ActivityEvent")
    DailyActivity = apps.get_model("mentorship", "DailyActivity")
    sums = (
        ActivityEvent.objects.filter(value__isnull=False)
        .exclude(kind__in=NOT_ENGAGEMENT)
        .values("student_id", "day")
        .annotate(total=Sum("value"), valued=Count("value"))
        .order_by()
    )
    for row in sums.iterator(chunk_size=2000):
        DailyActivity.objects.filter(student_id=row["student_id"], day=row["day"]).update(
            value_total=row["total"], valued_events=row["valued"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("mentorship", "0012_user_email_lower_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailyactivity",
            name="value_total",
            field=models.FloatField(db_default=0, default=0, verbose_name="sum of values"),
        ),
        migrations.AddField(
            model_name="dailyactivity",
            name="valued_events",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="events with a value"
            ),
        ),
        migrations.RunPython(rollup_values_backfill, migrations.RunPython.noop, elidable=True),
    ]
