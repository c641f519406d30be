"""An index for the TRM agenda's missions by resource (tasking/agenda.py): each resource's first
missions of the period under review, by id, are read from it entry by entry, so listing them costs
the same however many missions the period holds."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0004_initial"),
        ("tasking", "0006_transition_mission_coordinates"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="mission",
            index=models.Index(fields=["period", "resource", "id"], name="mission_period_resource_idx"),
        ),
    ]
