"""Case discussions (from ``mentorship``) and improvement proposals (from ``projects``)
move here: the school's shared knowledge."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models



# Model names by the app they came from.
MOVED = {'mentorship': ['casediscussion', 'casereply'], 'projects': ['improvementproposal']}


def content_types_follow(apps, schema_editor):
    """The moved models' content types (and so their permissions and admin history)
    follow them to their new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for old_app, names in MOVED.items():
        content_type.objects.using(schema_editor.connection.alias).filter(
            app_label=old_app, model__in=names
        ).update(app_label="knowledge_base")


def content_types_return(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for old_app, names in MOVED.items():
        content_type.objects.using(schema_editor.connection.alias).filter(
            app_label="knowledge_base", model__in=names
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
                    name='CaseDiscussion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('audience', models.CharField(choices=[('supervisor', 'My supervisor only'), ('mentors', 'All mentors')], default='supervisor', max_length=16, verbose_name='audience')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('body', models.TextField(help_text='Markdown.', verbose_name='body')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='resolved')),
                        ('author', models.ForeignKey(limit_choices_to={'role': 'mentor'}, on_delete=django.db.models.deletion.PROTECT, related_name='cases_raised', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                        ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='resolved by')),
                        ('student', models.ForeignKey(blank=True, limit_choices_to={'role': 'student'}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='cases_about', to=settings.AUTH_USER_MODEL, verbose_name='student')),
                    ],
                    options={
                        'verbose_name': 'case discussion',
                        'verbose_name_plural': 'case discussions',
                        'db_table': 'mentorship_casediscussion',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='CaseReply',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('body', models.TextField(help_text='Markdown.', verbose_name='body')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='case_replies', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='replies', to='knowledge_base.casediscussion', verbose_name='case')),
                    ],
                    options={
                        'verbose_name': 'case reply',
                        'verbose_name_plural': 'case replies',
                        'db_table': 'mentorship_casereply',
                        'ordering': ['created_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ImprovementProposal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('subject', models.CharField(choices=[('programme', 'A programme'), ('project', 'A project'), ('platform', 'The platform')], max_length=10, verbose_name='about')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('body', models.TextField(verbose_name='proposal')),
                        ('status', models.CharField(choices=[('new', 'New'), ('under_review', 'Under review'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('done', 'Done')], default='new', max_length=12, verbose_name='status')),
                        ('reply', models.TextField(blank=True, verbose_name='reply from the school')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided')),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='proposals', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                        ('programme', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='proposals', to='projects.programme', verbose_name='programme')),
                        ('project', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='proposals', to='projects.project', verbose_name='project')),
                    ],
                    options={
                        'verbose_name': 'improvement proposal',
                        'verbose_name_plural': 'improvement proposals',
                        'db_table': 'projects_improvementproposal',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='casediscussion',
                    index=models.Index(fields=['author', 'created_at'], name='case_author_created_idx'),
                ),
                migrations.AddConstraint(
                    model_name='casediscussion',
                    constraint=models.CheckConstraint(condition=models.Q(('resolved_at__isnull', True), ('resolved_by__isnull', False), _connector='OR'), name='case_resolved_by_someone'),
                ),
                migrations.AddIndex(
                    model_name='casereply',
                    index=models.Index(fields=['case', 'created_at'], name='casereply_case_created_idx'),
                ),
                migrations.AddIndex(
                    model_name='casereply',
                    index=models.Index(fields=['author', 'created_at'], name='casereply_author_created_idx'),
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
