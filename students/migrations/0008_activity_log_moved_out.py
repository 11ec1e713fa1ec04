"""The activity event log and its rollup now belong to ``mentorship`` (tables unchanged)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models



class Migration(migrations.Migration):
    dependencies = [
        ('students', '0007_sessions_moved_in'),
        ('mentorship', '0007_activity_log_moved_in'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (each model keeps its db_table): only
            # Django's record of which app owns the model changes.
            state_operations=[
                migrations.DeleteModel(
                    name='ActivityEvent',
                ),
                migrations.DeleteModel(
                    name='DailyActivity',
                ),
            ],
        ),
    ]
