# Half of each page of the flags left free (docs/benchmarks.md): a flag is about 350
# bytes, so at 70 % only the first third of a page's flags found room for their new
# version when the digest marks them told or the nightly run rewrites their reasons;
# the rest were updated with a new entry in each of the table's five indexes. At 50 %
# every flag of a page is updated in place (a HOT update), and the digest's update of
# 17,000 new flags writes a quarter of the WAL in about half the time. SQLite has no
# such setting. Pages written from now on are filled to half.

from django.db import migrations


def riskflag_fillfactor(apps, schema_editor, *, fillfactor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("students", "RiskFlag")._meta.db_table
    schema_editor.execute(
        f"ALTER TABLE {schema_editor.quote_name(table)} SET (fillfactor = {int(fillfactor)})"
    )


def riskflag_half_full(apps, schema_editor):
    riskflag_fillfactor(apps, schema_editor, fillfactor=50)


def riskflag_seventy_percent_full(apps, schema_editor):
    riskflag_fillfactor(apps, schema_editor, fillfactor=70)


class Migration(migrations.Migration):
    dependencies = [("students", "0004_flagging_storage")]

    operations = [migrations.RunPython(riskflag_half_full, riskflag_seventy_percent_full)]
