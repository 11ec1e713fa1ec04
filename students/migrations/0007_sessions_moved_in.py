"""1:1 mentoring sessions move here from ``mentorship``: working with a student."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models



# Model names by the app they came from.
MOVED = {'mentorship': ['mentoringsession']}


def content_types_follow(apps, schema_editor):
    """The moved models' content types (and so their permissions and admin history)
    follow them to their new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for old_app, names in MOVED.items():
        content_type.objects.using(schema_editor.connection.alias).filter(
            app_label=old_app, model__in=names
        ).update(app_label="students")


def content_types_return(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for old_app, names in MOVED.items():
        content_type.objects.using(schema_editor.connection.alias).filter(
            app_label="students", model__in=names
        ).update(app_label=old_app)


class Migration(migrations.Migration):
    dependencies = [
        ('students', '0006_flag_run_rounds'),
        ('mentorship', '0006_student_status_changed_at'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (each model keeps its db_table): only
            # Django's record of which app owns the model changes.
            state_operations=[
                migrations.CreateModel(
                    name='MentoringSession',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scheduled_at', models.DateTimeField(verbose_name='starts')),
                        ('duration_minutes', models.PositiveSmallIntegerField(default=45, validators=[django.core.validators.MinValueValidator(15), django.core.validators.MaxValueValidator(180)], verbose_name='duration (minutes)')),
                        ('agenda', models.TextField(blank=True, verbose_name='agenda')),
                        ('status', models.CharField(choices=[('scheduled', 'Scheduled'), ('completed', 'Completed'), ('student_no_show', 'Student did not come'), ('cancelled_by_student', 'Cancelled by the student'), ('cancelled_by_mentor', 'Cancelled by the mentor')], default='scheduled', max_length=24, verbose_name='status')),
                        ('cancelled_at', models.DateTimeField(blank=True, help_text='When the cancellation was made (for the student: when they told).', null=True, verbose_name='cancelled')),
                        ('notice_hours', models.PositiveIntegerField(blank=True, help_text="For a student's cancellation: whole hours between it and the start.", null=True, verbose_name='notice given (hours)')),
                        ('private_notes', models.TextField(blank=True, help_text='Seen by the mentor, their supervisor and staff; never by the student.', verbose_name='private notes')),
                        ('summary', models.TextField(blank=True, verbose_name='summary')),
                        ('next_steps', models.TextField(blank=True, verbose_name='next steps')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('logged_at', models.DateTimeField(blank=True, null=True, verbose_name='logged')),
                        ('reminder_sent_at', models.DateTimeField(blank=True, null=True, verbose_name='reminder sent')),
                        ('rating', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='rating')),
                        ('rating_comment', models.TextField(blank=True, verbose_name='rating comment')),
                        ('rated_at', models.DateTimeField(blank=True, null=True, verbose_name='rated')),
                        ('mentor', models.ForeignKey(limit_choices_to={'role': 'mentor'}, on_delete=django.db.models.deletion.PROTECT, related_name='sessions_given', to=settings.AUTH_USER_MODEL, verbose_name='mentor')),
                        ('student', models.ForeignKey(limit_choices_to={'role': 'student'}, on_delete=django.db.models.deletion.CASCADE, related_name='sessions_attended', to=settings.AUTH_USER_MODEL, verbose_name='student')),
                    ],
                    options={
                        'verbose_name': 'mentoring session',
                        'verbose_name_plural': 'mentoring sessions',
                        'db_table': 'mentorship_mentoringsession',
                        'ordering': ['-scheduled_at'],
                    },
                ),
                migrations.AddIndex(
                    model_name='mentoringsession',
                    index=models.Index(fields=['mentor', 'scheduled_at'], name='session_mentor_start_idx'),
                ),
                migrations.AddIndex(
                    model_name='mentoringsession',
                    index=models.Index(fields=['student', 'scheduled_at'], name='session_student_start_idx'),
                ),
                migrations.AddIndex(
                    model_name='mentoringsession',
                    index=models.Index(condition=models.Q(('reminder_sent_at__isnull', True), ('status', 'scheduled')), fields=['scheduled_at'], name='session_reminder_due_idx'),
                ),
                migrations.AddConstraint(
                    model_name='mentoringsession',
                    constraint=models.CheckConstraint(condition=models.Q(('rating__isnull', True), models.Q(('rating__gte', 1), ('rating__lte', 5)), _connector='OR'), name='session_rating_1_to_5'),
                ),
                migrations.AddConstraint(
                    model_name='mentoringsession',
                    constraint=models.CheckConstraint(condition=models.Q(('rating__isnull', True), ('status', 'completed'), _connector='OR'), name='session_rated_only_when_completed'),
                ),
                migrations.AddConstraint(
                    model_name='mentoringsession',
                    constraint=models.CheckConstraint(condition=models.Q(('duration_minutes__gte', 15), ('duration_minutes__lte', 180)), name='session_duration_15_to_180'),
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
