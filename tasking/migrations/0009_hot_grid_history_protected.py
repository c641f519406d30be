"""A hot grid with scheduled patrols cannot be deleted (it is retired instead): its patrols are
compliance and gap history."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tasking", "0008_outcome_mission_coordinates"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scheduledpatrol",
            name="grid",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="scheduled_patrols",
                to="tasking.hotgrid",
            ),
        ),
    ]
