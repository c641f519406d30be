"""The bare comparison endpoint: a plain ``ModelViewSet`` create on a table with the same
columns, types and row size as ``tasking_outcome`` (``bench_bare_outcome``, created by the
benchmark with ``CREATE TABLE … (LIKE tasking_outcome …)``). Same authentication (token) and the
same role permission as the real endpoint; no domain work: no mission lock, no validation of
the mission's kind, no transition, audit entry or outbox event."""

from django.db import models
from rest_framework import serializers, viewsets

from operations.roles import Role

TABLE = "bench_bare_outcome"


class BareOutcome(models.Model):  # noqa: DJ008
    """A row shaped like tasking.Outcome, in a table only the benchmark creates."""

    result = models.CharField(max_length=18)
    arrests = models.PositiveSmallIntegerField(default=0)
    firearms = models.PositiveSmallIntegerField(default=0)
    ammunition_rounds = models.PositiveIntegerField(default=0)
    knives_weapons = models.PositiveSmallIntegerField(default=0)
    drugs_class_a_grams = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    drugs_class_b_grams = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    drugs_class_c_grams = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    cash_gbp = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    vehicles = models.PositiveSmallIntegerField(default=0)
    other_finds = models.TextField(blank=True, default="")
    completed_at = models.DateTimeField()
    logged_at = models.DateTimeField()
    notes = models.TextField(blank=True, default="")
    home_office_outcome_id = models.BigIntegerField(null=True)
    logged_by_id = models.IntegerField()
    mission_id = models.BigIntegerField(null=True)
    area_id = models.BigIntegerField()
    operation_id = models.BigIntegerField(null=True)
    mission_kind = models.CharField(max_length=20)

    class Meta:
        app_label = "performance"
        managed = False
        db_table = TABLE


class BareOutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = BareOutcome
        fields = [
            "id",
            "result",
            "arrests",
            "firearms",
            "ammunition_rounds",
            "knives_weapons",
            "drugs_class_a_grams",
            "drugs_class_b_grams",
            "drugs_class_c_grams",
            "cash_gbp",
            "vehicles",
            "other_finds",
            "completed_at",
            "notes",
            "logged_at",
        ]
        read_only_fields = ["logged_at"]
        extra_kwargs = {"completed_at": {"required": False}}

    def create(self, validated_data):
        from django.utils import timezone

        now = timezone.now()
        validated_data.setdefault("completed_at", now)
        return super().create(
            {
                **validated_data,
                "logged_at": now,
                "logged_by_id": self.context["request"].user.pk,
                # What an outcome copies from its mission (no mission here: fixed values).
                "area_id": 1,
                "mission_kind": "npu_arrest",
            }
        )


class BareOutcomeViewSet(viewsets.ModelViewSet):
    queryset = BareOutcome.objects.all()
    serializer_class = BareOutcomeSerializer
    read_role = Role.VIEWER
    write_role = Role.MISSION_SUPPORT
    filter_backends = []
    pagination_class = None


def create_table_sql():
    """Same columns and defaults as tasking_outcome; its own id sequence; the indexes an outcome
    has apart from the one-to-one on mission (there is no mission here)."""
    return [
        f"DROP TABLE IF EXISTS {TABLE}",
        f"CREATE TABLE {TABLE} (LIKE tasking_outcome INCLUDING DEFAULTS INCLUDING IDENTITY "
        "INCLUDING CONSTRAINTS)",
        f"ALTER TABLE {TABLE} ADD PRIMARY KEY (id)",
        f"ALTER TABLE {TABLE} ALTER mission_id DROP NOT NULL",
        f"CREATE INDEX {TABLE}_result ON {TABLE} (result)",
        f"CREATE INDEX {TABLE}_completed_at ON {TABLE} (completed_at)",
        f"CREATE INDEX {TABLE}_logged_by ON {TABLE} (logged_by_id)",
        f"CREATE INDEX {TABLE}_home_office ON {TABLE} (home_office_outcome_id)",
    ]
