# The constraint in a migration of its own: after the backfill's updates, PostgreSQL
# would refuse to alter the table in the same transaction (pending trigger events).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0008_enrolment_ended_on"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='enrolment',
            constraint=models.CheckConstraint(condition=models.Q(('ended_on__isnull', True), models.Q(('ended_on__gte', models.F('started_on')), models.Q(('status', 'active'), _negated=True)), _connector='OR'), name='enrolment_ended_after_start_and_over', violation_error_message='An enrolment ends on or after its start, once it is completed or withdrawn.'),
        ),
    ]
