"""Improvement proposals now belong to ``knowledge_base`` (table unchanged)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models



class Migration(migrations.Migration):
    dependencies = [
        ('projects', '0003_improvementproposal_recommendation'),
        ('knowledge_base', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (each model keeps its db_table): only
            # Django's record of which app owns the model changes.
            state_operations=[
                migrations.DeleteModel(
                    name='ImprovementProposal',
                ),
            ],
        ),
    ]
