"""The activity event log and its daily rollup move here from ``students`` (every app
records events; the rollup is kept in the same transaction)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models



# Model names by the app they came from.
MOVED = {'students': ['activityevent', 'dailyactivity']}


def content_types_follow(apps, schema_editor):
    """The moved models' content types (and so their permissions and admin history)
    follow them to their new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for old_app, names in MOVED.items():
        content_type.objects.using(schema_editor.connection.alias).filter(
            app_label=old_app, model__in=names
        ).update(app_label="mentorship")


def content_types_return(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for old_app, names in MOVED.items():
        content_type.objects.using(schema_editor.connection.alias).filter(
            app_label="mentorship", model__in=names
        ).update(app_label=old_app)


class Migration(migrations.Migration):
    dependencies = [
        ('mentorship', '0006_student_status_changed_at'),
        ('students', '0006_flag_run_rounds'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (each model keeps its db_table): only
            # Django's record of which app owns the model changes.
            state_operations=[
                migrations.CreateModel(
                    name='ActivityEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('login', 'Signed in'), ('submission', 'Submitted a project'), ('review_read', 'Read a review'), ('question', 'Asked a question'), ('answer_accepted', 'Accepted an answer'), ('article_read', 'Read an article'), ('session_attended', 'Attended a session'), ('session_missed', 'Missed a session'), ('lesson_viewed', 'Viewed a lesson'), ('quiz_taken', 'Took a quiz'), ('exercise_done', 'Did an exercise'), ('video_watched', 'Watched a video'), ('forum_post', 'Posted in the forum')], max_length=32, verbose_name='kind')),
                        ('occurred_at', models.DateTimeField(verbose_name='happened')),
                        ('day', models.DateField(verbose_name="student's local day")),
                        ('source', models.CharField(default='portal', max_length=64, verbose_name='source')),
                        ('external_id', models.CharField(blank=True, max_length=128, null=True, verbose_name='external id')),
                        ('value', models.FloatField(blank=True, null=True, verbose_name='value')),
                        ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded')),
                        ('student', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='activity_events', to=settings.AUTH_USER_MODEL, verbose_name='student')),
                    ],
                    options={
                        'verbose_name': 'activity event',
                        'verbose_name_plural': 'activity events',
                        'db_table': 'students_activityevent',
                        'ordering': ['-occurred_at'],
                    },
                ),
                migrations.CreateModel(
                    name='DailyActivity',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField(verbose_name='day')),
                        ('events', models.PositiveIntegerField(default=0, verbose_name='events')),
                        ('student', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='daily_activity', to=settings.AUTH_USER_MODEL, verbose_name='student')),
                    ],
                    options={
                        'verbose_name': 'daily activity',
                        'verbose_name_plural': 'daily activity',
                        'db_table': 'students_dailyactivity',
                        'ordering': ['student_id', 'day'],
                    },
                ),
                migrations.AddIndex(
                    model_name='activityevent',
                    index=models.Index(fields=['student', 'day'], name='activityevent_student_day_idx'),
                ),
                migrations.AddConstraint(
                    model_name='activityevent',
                    constraint=models.UniqueConstraint(condition=models.Q(('external_id__isnull', False)), fields=('source', 'external_id'), name='activityevent_source_external_unique'),
                ),
                migrations.AddIndex(
                    model_name='dailyactivity',
                    index=models.Index(fields=['student', 'day'], include=('events',), name='dailyactivity_covering'),
                ),
                migrations.AddConstraint(
                    model_name='dailyactivity',
                    constraint=models.UniqueConstraint(fields=('student', 'day'), name='dailyactivity_student_day'),
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
