"""Each outcome carries its mission's NPU, operation and kind (see Outcome): added empty, filled
from the missions in one statement, then made required."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

KINDS = [
    ("warrant_firearms", "Warrant – firearms"),
    ("warrant_drugs", "Warrant – drugs"),
    ("warrant_other", "Warrant – other"),
    ("npu_arrest", "NPU arrest"),
    ("vibrant_arrest", "Operation Vibrant arrest"),
    ("forensic_arrest", "Forensic-hit arrest"),
    ("curfew_check", "Curfew check"),
    ("captiva_visit", "Captiva firearms visit"),
    ("weapons_sweep", "Weapons sweep"),
    ("patrol_support", "Patrol support"),
    ("other", "Other"),
]


def fill(apps, schema_editor):
    Mission = apps.get_model("tasking", "Mission")
    Outcome = apps.get_model("tasking", "Outcome")
    mission = Mission.objects.filter(pk=OuterRef("mission_id"))
    Outcome.objects.update(
        area_id=Subquery(mission.values("area_id")[:1]),
        operation_id=Subquery(mission.values("operation_id")[:1]),
        mission_kind=Subquery(mission.values("kind")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0001_initial"),
        ("tasking", "0007_trm_missions_by_resource_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="outcome",
            name="area",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="operations.area",
            ),
        ),
        migrations.AddField(
            model_name="outcome",
            name="operation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="operations.operation",
            ),
        ),
        migrations.AddField(
            model_name="outcome",
            name="mission_kind",
            field=models.CharField(choices=KINDS, default="", max_length=20),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outcome",
            name="area",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="operations.area"
            ),
        ),
        migrations.AddIndex(
            model_name="outcome",
            index=models.Index(fields=["area", "completed_at"], name="outcome_area_completed_idx"),
        ),
    ]
