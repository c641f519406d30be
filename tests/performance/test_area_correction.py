"""A request moved to the right NPU takes its mission's figures with it: every day its history
and its outcome touch is recomputed for the old NPU and the new one, by the same drain as any
other change, and a full recompute then finds nothing to correct."""

from datetime import date
from decimal import Decimal

import pytest

from operations.models import Area, Operation
from performance.reconcile import indicators_reconcile
from tasking import services

from .conftest import day_value, local

pytestmark = pytest.mark.django_db

ALLOCATED_ON = date(2026, 3, 10)
COMPLETED_ON = date(2026, 3, 11)


def test_correcting_the_npu_moves_the_missions_figures_to_the_right_npu_on_every_day(
    desk, supervisor, time_machine, django_capture_on_commit_callbacks
):
    vibrant = Operation.objects.get(code="VIBRANT")
    with django_capture_on_commit_callbacks(execute=True):
        time_machine.move_to(local(2026, 3, 10, 10, 0), tick=False)
        desk.complete(area="BW", arrests=1)  # BW's own figures, which must stay
        mission = desk.mission(area="BE", operation="VIBRANT")
        desk.allocate(mission)
        time_machine.move_to(local(2026, 3, 11, 10, 0), tick=False)
        desk.start(mission)
        desk.outcome(mission, arrests=3)
    assert day_value("mission_arrests", "BE", day=COMPLETED_ON) == Decimal(3)
    assert day_value("mission_arrests", "BE", operation_key=vibrant.pk, day=COMPLETED_ON) == Decimal(3)
    assert day_value("missions_allocated", "BE", day=ALLOCATED_ON) == Decimal(1)
    assert day_value("missions_allocated", "BW", day=ALLOCATED_ON) == Decimal(1)

    with django_capture_on_commit_callbacks(execute=True):
        time_machine.move_to(local(2026, 3, 13, 9, 0), tick=False)  # noticed two days later
        services.request_area_correct(
            actor=supervisor, request=mission.request, area=Area.objects.get(code="BW"), reason="wrong NPU"
        )

    assert day_value("mission_arrests", "BE", day=COMPLETED_ON) == Decimal(0)
    assert day_value("mission_arrests", "BE", operation_key=vibrant.pk, day=COMPLETED_ON) == Decimal(0)
    assert day_value("mission_arrests", "BW", day=COMPLETED_ON) == Decimal(3)
    assert day_value("mission_arrests", "BW", operation_key=vibrant.pk, day=COMPLETED_ON) == Decimal(3)
    assert day_value("missions_allocated", "BE", day=ALLOCATED_ON) == Decimal(0)
    assert day_value("missions_allocated", "BW", day=ALLOCATED_ON) == Decimal(2)
    assert day_value("mission_arrests", "WMP", day=COMPLETED_ON) == Decimal(3)  # the force is unchanged
    assert indicators_reconcile(repair=False)["differences"] == []
