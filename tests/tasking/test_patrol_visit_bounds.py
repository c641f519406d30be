"""The bounds of a patrol visit: no longer than a shift, inside the dates the app covers, not in the
future beyond a fast clock, and on a grid that was active at the time. Each refusal names its field
in the service, on the visit form and in the API, and a GPS import whose visit is refused names the
line and imports nothing; a GPS point on a grid outside its active days counts as outside the grid.

The clock stands at 09:00 on Friday 12 June 2026, London time.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from operations.dates import day_out_of_range_message
from operations.models import Resource
from tasking.geo import square_cell
from tasking.models import PatrolVisit
from tasking.services import ImportRejected, patrol_points_import

from .factories import html, signed_in
from .patrol_helpers import (
    grid_make,
    local,
    patrol_api_clock,  # noqa: F401
    patrol_reference,  # noqa: F401
    section,
    visit_log,
    visit_payload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_api_clock")]

ARRIVED = local(2026, 6, 10, 18, 30)
NOW = local(2026, 6, 12, 9, 0)
LON, LAT = -1.89, 52.48


@pytest.fixture
def grid(db):
    return grid_make(code="HG-V", operation="VIBRANT", geometry=square_cell(lon=LON, lat=LAT, size_m=200))


def refusal(grid, arrived_at, left_at):
    """The field errors of a visit the service refuses; nothing is saved."""
    with pytest.raises(ValidationError) as caught:
        visit_log(grid, arrived_at, left_at)
    assert not PatrolVisit.objects.exists()
    return caught.value.message_dict


# ---------------------------------------------------------------- how long a visit lasts


def test_a_visit_22_days_long_is_refused_on_its_departure(grid):
    errors = refusal(grid, ARRIVED - timedelta(days=22), ARRIVED)
    assert list(errors) == ["left_at"]
    assert "at most 12 hours" in errors["left_at"][0]
    assert "22 days" in errors["left_at"][0]


def test_a_visit_just_over_twelve_hours_is_refused(grid):
    errors = refusal(grid, ARRIVED, ARRIVED + timedelta(hours=12, minutes=1))
    assert "at most 12 hours" in errors["left_at"][0]


def test_a_visit_of_a_whole_twelve_hour_shift_is_accepted(grid):
    visit = visit_log(grid, ARRIVED - timedelta(hours=12), ARRIVED)
    assert visit.dwell_minutes == 720


def test_the_length_is_real_time_across_the_autumn_clock_change(grid):
    # 18:00 BST to 05:30 GMT reads 11.5 hours on the wall clock but is 12.5 real hours.
    with time_machine.travel(local(2026, 10, 26, 9, 0), tick=False):
        errors = refusal(grid, local(2026, 10, 24, 18, 0), local(2026, 10, 25, 5, 30))
    assert "at most 12 hours" in errors["left_at"][0]


# ---------------------------------------------------------------- dates the app covers, and now


@pytest.mark.parametrize(
    "arrived_at",
    [
        datetime(1, 1, 1, 10, 0, tzinfo=UTC),
        local(1999, 12, 31, 23, 0),
        datetime(2101, 1, 1, 10, 0, tzinfo=UTC),
    ],
)
def test_a_visit_outside_the_apps_dates_is_refused_on_its_times(grid, arrived_at):
    errors = refusal(grid, arrived_at, arrived_at + timedelta(minutes=20))
    assert errors["arrived_at"] == [day_out_of_range_message(arrived_at.date())]
    assert errors["left_at"] == [day_out_of_range_message(arrived_at.date())]


def test_a_departure_outside_the_apps_dates_is_refused_on_the_departure(grid):
    errors = refusal(grid, ARRIVED, datetime(9999, 12, 31, 23, 0, tzinfo=UTC))
    assert list(errors) == ["left_at"]
    assert "9999-12-31 is outside the dates this app covers" in errors["left_at"][0]


def test_a_visit_still_going_on_an_hour_from_now_is_refused_on_its_departure(grid):
    errors = refusal(grid, NOW - timedelta(minutes=30), NOW + timedelta(hours=1))
    assert list(errors) == ["left_at"]
    assert "future" in errors["left_at"][0]


def test_a_departure_a_few_minutes_ahead_is_a_fast_clock_and_accepted(grid):
    visit = visit_log(grid, NOW - timedelta(minutes=20), NOW + timedelta(minutes=4))
    assert visit.dwell_minutes == 24


# ---------------------------------------------------------------- the grid's active dates


def test_a_visit_to_a_retired_grid_is_refused_naming_the_grid_and_its_dates(grid):
    retired = grid_make(code="HG-OLD", active_from=date(2026, 1, 5), active_to=date(2026, 6, 9))
    errors = refusal(retired, ARRIVED, ARRIVED + timedelta(minutes=20))
    assert list(errors) == ["grid"]
    assert "HG-OLD" in errors["grid"][0]
    assert "5 Jan 2026 to 9 Jun 2026" in errors["grid"][0]
    assert "10 Jun 2026" in errors["grid"][0]


def test_a_visit_before_a_grid_became_active_is_refused(grid):
    future = grid_make(code="HG-NEW", active_from=date(2026, 6, 11))
    errors = refusal(future, ARRIVED, ARRIVED + timedelta(minutes=20))
    assert "HG-NEW" in errors["grid"][0] and "from 11 Jun 2026" in errors["grid"][0]


def test_a_visit_on_the_last_day_a_grid_was_active_is_accepted(grid):
    last_day = grid_make(code="HG-LAST", active_from=date(2026, 1, 5), active_to=date(2026, 6, 10))
    assert visit_log(last_day, ARRIVED).grid == last_day


# ---------------------------------------------------------------- the visit form


def _form(grid, **overrides):
    return {
        "grid": grid.pk, "resource": Resource.objects.get(code="NPU-BE").pk, "officer_reference": "PC 1",
        "arrived_at": "2026-06-10T18:30", "left_at": "2026-06-10T18:50", **overrides,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"arrived_at": "2026-05-19T18:30"}, "left_at", "at most 12 hours"),
        (
            {"arrived_at": "0001-01-01T10:00", "left_at": "0001-01-01T10:20"},
            "arrived_at",
            "0001-01-01 is outside the dates this app covers",
        ),
        ({"left_at": "2026-06-12T11:00"}, "left_at", "future"),
    ],
)
def test_the_visit_form_shows_a_refused_visit_on_its_field(
    client, mission_user, grid, overrides, field, says
):
    response = signed_in(client, mission_user).post("/patrols/visits/new/", _form(grid, **overrides))

    assert response.status_code == 200
    assert says in section(html(response), f'id="id_{field}_error"', "</ul>")
    assert not PatrolVisit.objects.exists()


def test_the_visit_form_shows_a_retired_grid_on_the_grid_field(client, mission_user):
    retired = grid_make(code="HG-OLD", active_from=date(2026, 1, 5), active_to=date(2026, 6, 9))
    response = signed_in(client, mission_user).post("/patrols/visits/new/", _form(retired))

    assert response.status_code == 200
    assert "HG-OLD" in section(html(response), 'id="id_grid_error"', "</ul>")
    assert not PatrolVisit.objects.exists()


# ---------------------------------------------------------------- the API


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"arrived_at": "2026-05-19T18:30:00+01:00"}, "left_at", "at most 12 hours"),
        (
            {"arrived_at": "0001-01-01T10:00:00Z", "left_at": "0001-01-01T10:20:00Z"},
            "arrived_at",
            "outside the dates this app covers",
        ),
        ({"left_at": "2026-06-12T11:00:00+01:00"}, "left_at", "future"),
        ({"grid": "HG-OLD"}, "grid", "HG-OLD"),
    ],
)
def test_the_api_answers_400_naming_the_field_of_a_refused_visit(
    api, mission_user, grid, overrides, field, says
):
    grid_make(code="HG-OLD", active_from=date(2026, 1, 5), active_to=date(2026, 6, 9))
    response = api.as_user(mission_user).post(
        "/api/patrol-visits/", visit_payload(**overrides), format="json"
    )

    assert response.status_code == 400, response.data
    assert says in " ".join(str(message) for message in response.data[field])
    assert not PatrolVisit.objects.exists()


# ---------------------------------------------------------------- the GPS import


def _csv(*rows):
    lines = ["resource,officer,timestamp,lat,lon"]
    lines += [f"NPU-BE,{officer},{timestamp},{LAT},{LON}" for officer, timestamp in rows]
    return ("\n".join(lines) + "\n").encode()


def test_a_gps_visit_longer_than_a_shift_rejects_the_file_naming_its_line_and_imports_nothing(grid):
    data = _csv(
        ("PC 1", "2026-06-10T18:00:00+01:00"),  # line 2: a good visit, logged first
        ("PC 1", "2026-06-10T18:05:00+01:00"),
        ("PC 2", "2026-06-10T18:00:00+01:00"),  # line 4: thirteen hours merged into one visit
        ("PC 2", "2026-06-11T07:00:00+01:00"),
    )

    with pytest.raises(ImportRejected) as caught:
        patrol_points_import(actor=None, data=data, tolerance_minutes=24 * 60)

    assert caught.value.message.startswith("Line 4: the visit to HG-V starting at this point was refused")
    assert "at most 12 hours" in caught.value.message
    assert [line for line, _ in caught.value.report.errors] == [4]
    assert not PatrolVisit.objects.exists()


def test_a_gps_point_on_a_grid_after_its_retirement_counts_outside_it_and_the_rest_imports():
    grid_make(
        code="HG-OLD", active_from=date(2026, 1, 5), active_to=date(2026, 6, 10),
        geometry=square_cell(lon=LON, lat=LAT, size_m=200),
    )  # fmt: skip
    data = _csv(
        ("PC 1", "2026-06-10T18:00:00+01:00"),  # line 2: on its last active day
        ("PC 1", "2026-06-10T18:04:00+01:00"),
        ("PC 2", "2026-06-11T18:00:00+01:00"),  # line 4: the day after it was retired
    )

    report = patrol_points_import(actor=None, data=data)

    assert (report.points_in_grids, report.points_outside, report.visits_created) == (2, 1, 1)
    assert report.errors == []
    visit = PatrolVisit.objects.get()
    assert (visit.grid.code, visit.officer_reference, visit.dwell_minutes) == ("HG-OLD", "PC 1", 4)
