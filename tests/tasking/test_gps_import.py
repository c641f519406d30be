"""GPS import: points merge into visits by officer, resource, grid and day, a gap as long as the
tolerance or a step out of the grid ending one; the visits make scheduled patrols compliant, and
re-importing a file adds only the visits it did not have."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tasking.models import PatrolVisit, ScheduledPatrol
from tasking.services import patrol_points_import

from .gps_helpers import OUTSIDE, A, B, at, csv, load, row, two_grids, visits
from .patrol_helpers import events_of, local, patrol_reference, schedule  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference")]


@pytest.fixture
def grids(db):
    return two_grids()


# ---------------------------------------------------------------- merging points into visits


def test_consecutive_points_of_one_officer_in_one_grid_merge_into_one_visit(grids):
    report = load(csv(row("18:00"), row("18:03"), row("18:07"), row("18:10")))
    assert visits() == [("HG-A", "PC 1", "NPU-BE", "18:00", "18:10")]
    visit = PatrolVisit.objects.get()
    assert visit.arrived_at == local(2026, 6, 10, 18, 0)
    assert visit.left_at == local(2026, 6, 10, 18, 10)
    assert visit.dwell_minutes == Decimal("10.00")
    assert visit.source == PatrolVisit.Source.GPS
    assert (report.rows, report.points_in_grids, report.points_outside) == (4, 4, 0)
    assert (report.visits_created, report.visits_existing, report.errors) == (1, 0, [])


def test_a_gap_longer_than_the_tolerance_splits_the_visit_in_two(grids):
    report = load(csv(row("18:00"), row("18:03"), row("18:10"), row("18:12")))
    assert visits() == [
        ("HG-A", "PC 1", "NPU-BE", "18:00", "18:03"),
        ("HG-A", "PC 1", "NPU-BE", "18:10", "18:12"),
    ]
    assert report.visits_created == 2


def test_a_gap_just_under_the_default_five_minutes_still_merges(grids):
    load(csv(row("18:00"), f"NPU-BE,PC 1,2026-06-10T18:04:59+01:00,{A[1]},{A[0]}"))
    assert len(visits()) == 1


def test_a_gap_of_exactly_the_tolerance_is_not_under_it_and_splits(grids):
    load(csv(row("18:00"), row("18:05")))
    assert len(visits()) == 2


def test_the_tolerance_can_be_widened_for_one_import(grids):
    load(csv(row("18:00"), row("18:03"), row("18:10"), row("18:12")), tolerance_minutes=10)
    assert visits() == [("HG-A", "PC 1", "NPU-BE", "18:00", "18:12")]


def test_a_point_outside_every_grid_splits_the_visit(grids):
    report = load(csv(row("18:00"), row("18:01"), row("18:02", OUTSIDE), row("18:03"), row("18:04")))
    assert visits() == [
        ("HG-A", "PC 1", "NPU-BE", "18:00", "18:01"),
        ("HG-A", "PC 1", "NPU-BE", "18:03", "18:04"),
    ]
    assert (report.points_in_grids, report.points_outside) == (4, 1)


def test_moving_from_one_grid_to_another_ends_one_visit_and_starts_the_next(grids):
    load(csv(row("18:00"), row("18:02"), row("18:04", B), row("18:06", B)))
    assert visits() == [
        ("HG-A", "PC 1", "NPU-BE", "18:00", "18:02"),
        ("HG-B", "PC 1", "NPU-BE", "18:04", "18:06"),
    ]


def test_two_officers_interleaved_in_the_same_grid_stay_separate(grids):
    load(csv(row("18:00", officer="PC 1"), row("18:01", officer="PC 2"), row("18:02", officer="PC 1"),
             row("18:03", officer="PC 2")))  # fmt: skip
    assert visits() == [
        ("HG-A", "PC 1", "NPU-BE", "18:00", "18:02"),
        ("HG-A", "PC 2", "NPU-BE", "18:01", "18:03"),
    ]


def test_the_same_officer_on_two_resources_makes_two_visits(grids):
    load(csv(row("18:00"), row("18:01", resource="GTF"), row("18:02"), row("18:03", resource="GTF")))
    assert sorted(visits()) == [
        ("HG-A", "PC 1", "GTF", "18:01", "18:03"),
        ("HG-A", "PC 1", "NPU-BE", "18:00", "18:02"),
    ]


def test_points_out_of_order_in_the_file_are_put_in_time_order(grids):
    load(csv(row("18:04"), row("18:00"), row("18:02")))
    assert visits() == [("HG-A", "PC 1", "NPU-BE", "18:00", "18:04")]


def test_a_single_point_in_a_grid_is_a_visit_of_no_minutes(grids):
    load(csv(row("18:00")))
    assert PatrolVisit.objects.get().dwell_minutes == Decimal("0.00")


def test_times_without_an_offset_are_london_local_time_and_z_is_utc(grids):
    load(
        csv(
            f"NPU-BE,PC 1,2026-06-10T18:00:00,{A[1]},{A[0]}",
            f"NPU-BE,PC 2,2026-06-10T17:00:00Z,{A[1]},{A[0]}",
        )
    )
    assert {v.arrived_at for v in PatrolVisit.objects.all()} == {local(2026, 6, 10, 18, 0)}


def test_a_byte_order_mark_and_capitalised_headers_are_accepted(grids):
    text = csv(row("18:00"), header="Resource, Officer ,TIMESTAMP,Lat,Lon")
    report = patrol_points_import(actor=None, data=b"\xef\xbb\xbf" + text.encode())
    assert report.visits_created == 1


def test_imported_visits_make_scheduled_patrols_compliant_and_are_announced(grids):
    a, b = grids
    schedule(date(2026, 6, 10))
    load(csv(row("18:30"), row("18:33")))
    assert ScheduledPatrol.objects.get(grid=a).is_compliant
    assert not ScheduledPatrol.objects.get(grid=b).is_compliant
    (event,) = events_of("patrol.visit_logged")
    assert event.payload["patrols"] == [ScheduledPatrol.objects.get(grid=a).pk]


def test_progress_is_reported_row_by_row(grids):
    seen = []
    load(csv(row("18:00"), row("18:01"), row("18:02")), progress=seen.append)
    assert sum(seen) == 3


def test_visits_two_days_apart_are_separate(grids):
    load(csv(row("18:00"), f"NPU-BE,PC 1,{at('18:00', day=11)},{A[1]},{A[0]}"))
    assert [(v.arrived_at.date(), v.dwell_minutes) for v in PatrolVisit.objects.order_by("arrived_at")] == [
        (date(2026, 6, 10), 0),
        (date(2026, 6, 10) + timedelta(days=1), 0),
    ]


# ---------------------------------------------------------------- re-importing


def test_re_importing_the_same_file_creates_nothing_new(grids):
    text = csv(row("18:00"), row("18:03"), row("18:20"), row("18:22", B))
    first = load(text)
    assert first.visits_created == 3
    events = len(events_of("patrol.visit_logged"))
    again = load(text)
    assert (again.visits_created, again.visits_existing) == (0, 3)
    assert PatrolVisit.objects.count() == 3
    assert len(events_of("patrol.visit_logged")) == events


def test_re_importing_a_file_with_one_new_visit_adds_only_that_visit(grids):
    load(csv(row("18:00"), row("18:03")))
    report = load(csv(row("18:00"), row("18:03"), row("19:00", B)))
    assert (report.visits_created, report.visits_existing) == (1, 1)
    assert PatrolVisit.objects.count() == 2
