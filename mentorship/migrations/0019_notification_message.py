"""Notifications keep their untranslated message and params and are rendered in the
reader's language when read. The text of the rows already written stays as it is, in the
language it was written in: renamed ``written_title``/``written_body``, with no message,
they are shown as written."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mentorship", "0018_cache_table"),
    ]

    operations = [
        migrations.RenameField(
            model_name="notification", old_name="title", new_name="written_title"
        ),
        migrations.RenameField(model_name="notification", old_name="body", new_name="written_body"),
        migrations.AlterField(
            model_name="notification",
            name="written_title",
            field=models.CharField(max_length=255, verbose_name="title as written"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="written_body",
            field=models.TextField(blank=True, verbose_name="text as written"),
        ),
        migrations.AddField(
            model_name="notification",
            name="message",
            field=models.JSONField(blank=True, null=True, verbose_name="message"),
        ),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
    ]
