"""The table of Django's database cache (``settings.CACHE_TABLE``), the default cache
without Redis: created here so that ``migrate`` is all an install needs, whatever the
cache settings of the moment (``createcachetable`` creates only the tables the current
settings name). The columns are ``createcachetable``'s own: its code writes them."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "mentorship_cache"


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("mentorship", "0017_invitation_token_seed")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
