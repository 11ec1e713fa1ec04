# Storage for the nightly flagging run at scale (docs/benchmarks.md).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Open flags are rewritten every night (their reasons, the day judged, whether the
# mentor was told); room left in each page lets PostgreSQL update a flag in place
# without touching its indexes (a HOT update). SQLite has no such setting.
RISKFLAG_FILLFACTOR = 70


def riskflag_fillfactor(apps, schema_editor, *, fillfactor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("students", "RiskFlag")._meta.db_table
    schema_editor.execute(
        f"ALTER TABLE {schema_editor.quote_name(table)} SET (fillfactor = {int(fillfactor)})"
    )


def riskflag_room_to_update(apps, schema_editor):
    riskflag_fillfactor(apps, schema_editor, fillfactor=RISKFLAG_FILLFACTOR)


def riskflag_default_fill(apps, schema_editor):
    riskflag_fillfactor(apps, schema_editor, fillfactor=100)


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0003_activity_and_flags"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="dailyactivity",
            name="student",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="daily_activity",
                to=settings.AUTH_USER_MODEL,
                verbose_name="student",
            ),
        ),
        migrations.AddIndex(
            model_name="dailyactivity",
            index=models.Index(
                fields=["student", "day"], include=("events",), name="dailyactivity_covering"
            ),
        ),
        migrations.RunPython(riskflag_room_to_update, riskflag_default_fill),
    ]
