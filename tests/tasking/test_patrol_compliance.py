"""Patrol dosage and compliance figures (the effective dose, sums by grid, area, operation and
period), and gaps: flagged once when a deadline passes, announced as events, and covered by one
patrol-support request."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from operations.exceptions import Conflict
from operations.models import Area, Operation
from tasking import patrol_stats, services, tasks
from tasking.models import Request, RequestKind, ScheduledPatrol

from .patrol_helpers import (
    DAY,
    END,
    SECOND,
    START,
    events_of,
    grid_make,
    local,
    only_patrol,
    patrol_reference,  # noqa: F401
    schedule,
    visit_log,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference")]


# ---------------------------------------------------------------- dosage and compliance figures


def test_a_visit_of_exactly_the_effective_dose_counts_and_a_hundredth_of_a_minute_less_does_not():
    grid = grid_make(operation="VIBRANT")  # Vibrant's effective dose: the default 15 minutes
    visit_log(grid, START, START + timedelta(minutes=15))
    visit_log(grid, START + timedelta(hours=1), START + timedelta(hours=1, seconds=899.4))  # 14.99 min
    (row,) = patrol_stats.dosage_rows(by="grid")
    assert row == {
        "key": grid.code,
        "visits": 2,
        "minutes": Decimal("29.99"),
        "effective_visits": 1,
    }


def test_the_effective_dose_is_the_operations_own():
    Operation.objects.filter(code="SCEPTRE").update(effective_dose_minutes=10)
    grid = grid_make(operation="SCEPTRE")
    visit_log(grid, START, START + timedelta(minutes=10))
    visit_log(grid, START + timedelta(hours=1), START + timedelta(hours=1, minutes=9))
    (row,) = patrol_stats.dosage_rows(by="grid")
    assert row["effective_visits"] == 1


def test_a_grid_without_an_operation_uses_the_default_effective_dose_of_15_minutes():
    grid = grid_make(operation=None)
    visit_log(grid, START, START + timedelta(minutes=15))
    visit_log(grid, START + timedelta(hours=1), START + timedelta(hours=1, minutes=14))
    (row,) = patrol_stats.dosage_rows(by="grid")
    assert (row["visits"], row["effective_visits"]) == (2, 1)


def test_dosage_is_summed_by_area_and_operation():
    be = grid_make(area="BE", operation="VIBRANT")
    bw = grid_make(area="BW", operation="GUARDIAN")
    visit_log(be, START, START + timedelta(minutes=20))
    visit_log(be, START + timedelta(hours=1), START + timedelta(hours=1, minutes=5))
    visit_log(bw, START, START + timedelta(minutes=30))
    by_area = {row["key"]: row for row in patrol_stats.dosage_rows(by="area")}
    assert (by_area["BE"]["visits"], by_area["BE"]["minutes"], by_area["BE"]["effective_visits"]) == (
        2,
        Decimal("25.00"),
        1,
    )
    assert (by_area["BW"]["visits"], by_area["BW"]["minutes"]) == (1, Decimal("30.00"))
    by_operation = {row["key"]: row["minutes"] for row in patrol_stats.dosage_rows(by="operation")}
    assert by_operation == {"VIBRANT": Decimal("25.00"), "GUARDIAN": Decimal("30.00")}


@pytest.fixture
def two_days_of_patrols(db):
    """Three grids, two days. G (BE, Guardian) patrolled both days; V1 (BE, Vibrant) on the first
    day only; V2 (BW, Vibrant) never."""
    g = grid_make(code="HG-G", area="BE", operation="GUARDIAN")
    v1 = grid_make(code="HG-V1", area="BE", operation="VIBRANT")
    v2 = grid_make(code="HG-V2", area="BW", operation="VIBRANT")
    schedule(DAY)
    schedule(DAY + timedelta(days=1))
    visit_log(g, local(2026, 6, 10, 18, 30))
    visit_log(g, local(2026, 6, 11, 18, 30))
    visit_log(v1, local(2026, 6, 10, 19, 0))
    return g, v1, v2


def rows(by):
    return {
        row["key"]: (row["scheduled"], row["compliant"], row["gaps"], row["compliance_pct"])
        for row in patrol_stats.compliance_rows(by=by)
    }


def test_compliance_by_grid(two_days_of_patrols):
    assert rows("grid") == {
        "HG-G": (2, 2, 0, Decimal("100.0")),
        "HG-V1": (2, 1, 1, Decimal("50.0")),
        "HG-V2": (2, 0, 2, Decimal("0.0")),
    }


def test_compliance_by_area(two_days_of_patrols):
    assert rows("area") == {"BE": (4, 3, 1, Decimal("75.0")), "BW": (2, 0, 2, Decimal("0.0"))}


def test_compliance_by_operation(two_days_of_patrols):
    assert rows("operation") == {
        "GUARDIAN": (2, 2, 0, Decimal("100.0")),
        "VIBRANT": (4, 1, 3, Decimal("25.0")),
    }


def test_compliance_by_period(two_days_of_patrols):
    assert rows("period") == {
        DAY: (3, 2, 1, Decimal("66.7")),
        DAY + timedelta(days=1): (3, 1, 2, Decimal("33.3")),
    }


def test_compliance_total_of_no_patrols_has_no_percentage():
    assert patrol_stats.compliance_total(ScheduledPatrol.objects.none()) == {
        "scheduled": 0,
        "compliant": 0,
        "compliance_pct": None,
    }


# ---------------------------------------------------------------- gaps and events


def test_each_logged_visit_writes_one_visit_logged_event_naming_the_patrols_it_satisfied():
    grid = grid_make(operation="VIBRANT")
    schedule(DAY)
    before = len(events_of("patrol.visit_logged"))
    visit = visit_log(grid, START + timedelta(minutes=5))
    visit_log(grid, START + timedelta(hours=5))
    events = events_of("patrol.visit_logged")[before:]
    assert len(events) == 2
    assert events[0].payload["visit"] == visit.pk
    assert events[0].payload["patrols"] == [only_patrol(grid).pk]
    assert events[0].payload["dwell_minutes"] == "20.00"
    assert events[1].payload["patrols"] == []


def test_a_patrol_whose_deadline_passed_without_a_visit_is_flagged_as_a_gap_exactly_once():
    missed = grid_make(operation="VIBRANT")
    patrolled = grid_make(operation="VIBRANT")
    still_in_time = grid_make(operation="GUARDIAN")  # Guardian: until 18:00 tomorrow
    schedule(DAY)
    visit_log(patrolled, START + timedelta(minutes=5))
    now = END + timedelta(minutes=1)
    flagged = services.patrol_gaps_detect(now=now)
    assert flagged == [only_patrol(missed).pk]
    assert services.patrol_gaps_detect(now=now + timedelta(hours=1)) == []
    (gap,) = events_of("patrol.gap")
    assert gap.payload["patrol"] == only_patrol(missed).pk
    assert gap.payload["grid"] == missed.pk
    assert gap.payload["area"] == missed.area_id
    assert only_patrol(missed).gap_flagged_at == now
    assert only_patrol(patrolled).gap_flagged_at is None
    assert only_patrol(still_in_time).gap_flagged_at is None


def test_a_patrol_is_not_a_gap_at_the_very_moment_of_its_deadline():
    grid = grid_make(operation="VIBRANT")
    schedule(DAY)
    assert services.patrol_gaps_detect(now=END) == []
    assert services.patrol_gaps_detect(now=END + SECOND) == [only_patrol(grid).pk]


def test_a_guardian_patrol_becomes_a_gap_only_after_its_24_hours():
    grid = grid_make(operation="GUARDIAN")
    schedule(DAY)
    assert services.patrol_gaps_detect(now=START + timedelta(hours=23)) == []
    assert services.patrol_gaps_detect(now=START + timedelta(hours=24) + SECOND) == [only_patrol(grid).pk]


def test_the_periodic_gap_job_uses_the_current_time():
    grid = grid_make(operation="VIBRANT")
    schedule(DAY)
    with time_machine.travel(END - timedelta(minutes=1), tick=False):
        assert tasks.detect_patrol_gaps() == 0
    with time_machine.travel(END + timedelta(minutes=1), tick=False):
        assert tasks.detect_patrol_gaps() == 1
        assert tasks.detect_patrol_gaps() == 0
    assert only_patrol(grid).gap_flagged_at is not None
    assert len(events_of("patrol.gap")) == 1


@time_machine.travel(local(2026, 6, 11, 8, 0), tick=False)
def test_covering_a_gap_raises_one_patrol_support_request_for_the_grids_npu(mission_user):
    grid = grid_make(area="SW", operation="VIBRANT")
    schedule(DAY)
    patrol = only_patrol(grid)
    request = services.patrol_gap_cover(actor=mission_user, patrol=patrol)
    assert request.kind == RequestKind.PATROL_SUPPORT
    assert request.area.code == "SW"
    assert request.operation.code == "VIBRANT"
    assert grid.code in request.location
    assert request.due_by > local(2026, 6, 11, 8, 0)
    assert only_patrol(grid).cover_request == request
    with pytest.raises(Conflict, match="already requested"):
        services.patrol_gap_cover(actor=mission_user, patrol=patrol)
    assert Request.objects.filter(kind=RequestKind.PATROL_SUPPORT).count() == 1


@time_machine.travel(local(2026, 6, 11, 8, 0), tick=False)
def test_a_gap_cover_request_stays_in_its_grids_npu(mission_user, supervisor):
    grid = grid_make(area="SW", operation="VIBRANT")  # a gap by 20:00 on the 10th
    schedule(DAY)
    request = services.patrol_gap_cover(actor=mission_user, patrol=only_patrol(grid))

    with pytest.raises(ValidationError, match="covers a hot-grid patrol gap"):
        services.request_area_correct(
            actor=supervisor, request=request, area=Area.objects.get(code="BW"), reason="wrong NPU"
        )
    assert Request.objects.get(pk=request.pk).area.code == "SW"


def test_covering_a_patrol_that_was_patrolled_is_a_conflict(mission_user):
    grid = grid_make(operation="VIBRANT")
    schedule(DAY)
    visit_log(grid, START + timedelta(minutes=5))
    with pytest.raises(Conflict, match="no gap"):
        services.patrol_gap_cover(actor=mission_user, patrol=only_patrol(grid))
    assert not Request.objects.filter(kind=RequestKind.PATROL_SUPPORT).exists()
