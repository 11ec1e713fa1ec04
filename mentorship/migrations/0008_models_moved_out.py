"""Sessions, case discussions, weekly reports and self-development records now belong to
``students``, ``knowledge_base`` and ``metrics`` (their tables are unchanged)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models



class Migration(migrations.Migration):
    dependencies = [
        ('mentorship', '0007_activity_log_moved_in'),
        ('students', '0007_sessions_moved_in'),
        ('knowledge_base', '0001_initial'),
        ('metrics', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (each model keeps its db_table): only
            # Django's record of which app owns the model changes.
            state_operations=[
                migrations.DeleteModel(
                    name='CaseDiscussion',
                ),
                migrations.DeleteModel(
                    name='CaseReply',
                ),
                migrations.DeleteModel(
                    name='DevelopmentRecord',
                ),
                migrations.DeleteModel(
                    name='MentoringSession',
                ),
                migrations.DeleteModel(
                    name='WeeklyReport',
                ),
            ],
        ),
    ]
