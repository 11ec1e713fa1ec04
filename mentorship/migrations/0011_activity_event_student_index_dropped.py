# The (student, day) index serves every query by student: the foreign key's own index
# on student alone only slowed the learning platform's inserts. Dropped by name rather
# than by Django's AlterField, which on PostgreSQL would also drop and re-add the
# foreign key (revalidating every event under a lock that stops the inserts).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEX = "students_activityevent_student_id_437944b8"


class Migration(migrations.Migration):
    dependencies = [
        ("mentorship", "0010_activity_answer"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="activityevent",
                    name="student",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="activity_events",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="student",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=(
                        f'CREATE INDEX IF NOT EXISTS "{INDEX}" '
                        'ON "students_activityevent" ("student_id")'
                    ),
                ),
            ],
        ),
    ]
