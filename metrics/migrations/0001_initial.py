"""Weekly reports and self-development records move here from ``mentorship``: how
mentors' work is reported and measured."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models



# Model names by the app they came from.
MOVED = {'mentorship': ['weeklyreport', 'developmentrecord']}


def content_types_follow(apps, schema_editor):
    """The moved models' content types (and so their permissions and admin history)
    follow them to their new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for old_app, names in MOVED.items():
        content_type.objects.using(schema_editor.connection.alias).filter(
            app_label=old_app, model__in=names
        ).update(app_label="metrics")


def content_types_return(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for old_app, names in MOVED.items():
        content_type.objects.using(schema_editor.connection.alias).filter(
            app_label="metrics", model__in=names
        ).update(app_label=old_app)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ('mentorship', '0006_student_status_changed_at'),
        ('projects', '0003_improvementproposal_recommendation'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (each model keeps its db_table): only
            # Django's record of which app owns the model changes.
            state_operations=[
                migrations.CreateModel(
                    name='DevelopmentRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('programme', 'Programme completed as a student'), ('course', 'Other course completed'), ('expertise', 'Area of expertise')], max_length=16, verbose_name='kind')),
                        ('title', models.CharField(blank=True, help_text='The course or the area.', max_length=200, verbose_name='title')),
                        ('completed_on', models.DateField(blank=True, null=True, verbose_name='completed on')),
                        ('evidence_url', models.URLField(blank=True, max_length=500, verbose_name='certificate or evidence link')),
                        ('note', models.TextField(blank=True, max_length=2000, verbose_name='note')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded')),
                        ('verified_at', models.DateTimeField(blank=True, null=True, verbose_name='verified')),
                        ('mentor', models.ForeignKey(limit_choices_to={'role': 'mentor'}, on_delete=django.db.models.deletion.CASCADE, related_name='development_records', to=settings.AUTH_USER_MODEL, verbose_name='mentor')),
                        ('programme', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='projects.programme', verbose_name='programme')),
                        ('verified_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='verified by')),
                    ],
                    options={
                        'verbose_name': 'self-development record',
                        'verbose_name_plural': 'self-development records',
                        'db_table': 'mentorship_developmentrecord',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(condition=models.Q(('verified_at__isnull', True)), fields=['created_at'], name='development_unverified_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('kind', 'programme'), ('programme__isnull', False), ('title', '')), models.Q(models.Q(('kind', 'programme'), _negated=True), ('programme__isnull', True), models.Q(('title', ''), _negated=True)), _connector='OR'), name='development_programme_or_title'), models.UniqueConstraint(condition=models.Q(('programme__isnull', False)), fields=('mentor', 'programme'), name='development_programme_once')],
                    },
                ),
                migrations.CreateModel(
                    name='WeeklyReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('week_start', models.DateField(help_text="The Monday the week starts on, in the mentor's time zone.", verbose_name='week of')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('sent', 'Sent')], default='draft', max_length=16, verbose_name='status')),
                        ('figures', models.JSONField(blank=True, default=dict, verbose_name='figures')),
                        ('drafted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='figures as of')),
                        ('comments', models.TextField(blank=True, max_length=10000, verbose_name='comments')),
                        ('difficulties', models.TextField(blank=True, max_length=10000, verbose_name='difficulties')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                        ('mentor', models.ForeignKey(limit_choices_to={'role': 'mentor'}, on_delete=django.db.models.deletion.CASCADE, related_name='weekly_reports', to=settings.AUTH_USER_MODEL, verbose_name='mentor')),
                    ],
                    options={
                        'verbose_name': 'weekly report',
                        'verbose_name_plural': 'weekly reports',
                        'db_table': 'mentorship_weeklyreport',
                        'ordering': ['-week_start', 'mentor_id'],
                        'indexes': [models.Index(fields=['status', '-week_start'], name='weeklyreport_status_week_idx')],
                        'constraints': [models.UniqueConstraint(fields=('mentor', 'week_start'), name='weeklyreport_mentor_week_unique'), models.CheckConstraint(condition=models.Q(models.Q(('sent_at__isnull', True), ('status', 'draft')), models.Q(('sent_at__isnull', False), ('status', 'sent')), _connector='OR'), name='weeklyreport_sent_consistently')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
