"""GPS points against the bounds of the app and of the grids.

A point dated outside the years the app covers (2000-2100), as far off as 0001-01-01, is a bad row
with its line number, like any other: it rejects the file (nothing imported) or, with "skip bad
rows", is skipped and listed while the rest imports; the upload screen and the API show it, never
a 500.

A point counts in a grid only on the days that grid is active (London days): a file spanning the
day a grid was retired, or the day one became active, imports the visits of the active days and
counts the other points as outside any grid, instead of refusing the whole file. After a grid's
last active day, a point still counts while a patrol of its active days can be made (its arrival
allowance), by the rule a visit logged by hand meets.

The clock stands at 09:00 on Friday 12 June 2026 (London)."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from operations.dates import day_out_of_range_message
from tasking import services
from tasking.geo import square_cell
from tasking.models import PatrolVisit, ScheduledPatrol
from tasking.models.periods import LONDON
from tasking.services import ImportRejected, patrol_points_import

from .factories import html, signed_in
from .patrol_helpers import grid_make, patrol_api_clock, patrol_reference  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_api_clock")]

LON, LAT = -1.89, 52.48
HEADER = "resource,officer,timestamp,lat,lon"
CELL = square_cell(lon=LON, lat=LAT, size_m=200)


def point(timestamp, officer="PC 1"):
    return f"NPU-BE,{officer},{timestamp},{LAT},{LON}"


def csv(*rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def found():
    """[(grid, officer, arrived "DD HH:MM", left "DD HH:MM")] of every visit, in arrival order."""
    return [
        (v.grid.code, v.officer_reference, f"{v.arrived_at.astimezone(LONDON):%d %H:%M}",
         f"{v.left_at.astimezone(LONDON):%d %H:%M}")
        for v in PatrolVisit.objects.select_related("grid").order_by("arrived_at", "officer_reference")
    ]  # fmt: skip


# ---------------------------------------------------------------- points outside the app's dates


@pytest.fixture
def grid(db):
    return grid_make(code="HG-DATE", operation="VIBRANT", geometry=CELL)


def with_a_point_at(timestamp):
    """Lines 2-3 are a visit from 08:00 to 08:04 this morning; line 4 is at ``timestamp``."""
    return csv(point("2026-06-12T08:00:00+01:00"), point("2026-06-12T08:04:00+01:00"), point(timestamp))


OUT_OF_RANGE = [
    ("0001-01-01T00:00:00Z", date(1, 1, 1)),
    ("0001-01-01T00:00:00", date(1, 1, 1)),
    ("1999-12-31T23:59:00+00:00", date(1999, 12, 31)),
    ("2101-01-01T10:00:00Z", date(2101, 1, 1)),
    ("9999-12-31T23:59:59Z", date(9999, 12, 31)),
]


@pytest.mark.parametrize(("timestamp", "day"), OUT_OF_RANGE)
def test_a_point_outside_the_apps_dates_rejects_the_file_naming_its_line(grid, timestamp, day):
    with pytest.raises(ImportRejected) as caught:
        patrol_points_import(actor=None, data=with_a_point_at(timestamp))

    rejected = caught.value
    assert "1 bad row(s): nothing was imported." in rejected.message
    assert f"Line 4: {day_out_of_range_message(day)}" in rejected.message
    assert rejected.report.errors == [(4, day_out_of_range_message(day))]
    assert not PatrolVisit.objects.exists()


@pytest.mark.parametrize(("timestamp", "day"), OUT_OF_RANGE)
def test_skipping_bad_rows_skips_a_point_outside_the_apps_dates_and_imports_the_rest(grid, timestamp, day):
    report = patrol_points_import(actor=None, data=with_a_point_at(timestamp), skip_bad_rows=True)

    assert report.errors == [(4, day_out_of_range_message(day))]
    assert (report.rows, report.points_in_grids, report.points_outside) == (3, 2, 0)
    assert found() == [("HG-DATE", "PC 1", "12 08:00", "12 08:04")]


def test_the_first_and_last_days_the_app_covers_are_not_bad_rows(grid):
    data = csv(point("2000-01-01T00:00:00+00:00"), point("2000-01-01T00:00:00+01:00"))
    report = patrol_points_import(actor=None, data=data)
    assert report.errors == [] and report.rows == 2


def test_the_upload_screen_shows_a_year_one_point_on_its_line_instead_of_failing(client, mission_user, grid):
    data = with_a_point_at("0001-01-01T00:00:00Z")
    signed_in(client, mission_user)

    rejected = client.post("/patrols/visits/import/", {"file": SimpleUploadedFile("points.csv", data)})
    page = html(rejected)
    assert rejected.status_code == 200
    assert "File rejected: nothing was imported" in page
    assert re.search(r'<td class="num">4</td><td>0001-01-01 is outside the dates this app covers', page)
    assert not PatrolVisit.objects.exists()

    skipped = client.post(
        "/patrols/visits/import/", {"file": SimpleUploadedFile("points.csv", data), "skip_bad_rows": "on"}
    )
    assert skipped.status_code == 200
    assert "Bad rows (skipped)" in html(skipped)
    assert found() == [("HG-DATE", "PC 1", "12 08:00", "12 08:04")]


def test_the_api_answers_400_naming_a_year_one_points_line(api, mission_user, grid):
    upload = SimpleUploadedFile(
        "points.csv", with_a_point_at("0001-01-01T00:00:00Z"), content_type="text/csv"
    )
    response = api.as_user(mission_user).post(
        "/api/patrol-visits/import/", {"file": upload}, format="multipart"
    )

    assert response.status_code == 400
    assert response.data["code"] == "import_rejected"
    assert response.data["errors"] == [{"line": 4, "reason": day_out_of_range_message(date(1, 1, 1))}]
    assert not PatrolVisit.objects.exists()


# ---------------------------------------------------------------- grids active for part of the file


def test_points_after_midnight_on_a_grid_retired_that_day_end_the_visit_and_count_outside():
    grid_make(code="HG-OLD", active_from=date(2026, 1, 5), active_to=date(2026, 6, 10), geometry=CELL)
    data = csv(
        point("2026-06-10T23:50:00+01:00"),  # its last active day
        point("2026-06-10T23:58:00+01:00"),
        point("2026-06-11T00:02:00+01:00"),  # the day after: outside any grid
        point("2026-06-11T00:06:00+01:00"),
    )

    report = patrol_points_import(actor=None, data=data, tolerance_minutes=15)

    assert (report.points_in_grids, report.points_outside, report.visits_created) == (2, 2, 1)
    assert found() == [("HG-OLD", "PC 1", "10 23:50", "10 23:58")]


def test_a_grid_replaced_by_another_on_the_same_ground_gets_the_visits_of_its_own_days():
    grid_make(code="HG-OLD", active_from=date(2026, 1, 5), active_to=date(2026, 6, 10), geometry=CELL)
    grid_make(code="HG-NEW", active_from=date(2026, 6, 11), geometry=CELL)
    data = csv(
        point("2026-06-10T18:00:00+01:00"),
        point("2026-06-10T18:04:00+01:00"),
        point("2026-06-11T18:00:00+01:00", officer="PC 2"),
        point("2026-06-11T18:04:00+01:00", officer="PC 2"),
    )

    report = patrol_points_import(actor=None, data=data)

    assert (report.points_in_grids, report.points_outside, report.visits_created) == (4, 0, 2)
    assert found() == [("HG-OLD", "PC 1", "10 18:00", "10 18:04"), ("HG-NEW", "PC 2", "11 18:00", "11 18:04")]


def test_points_before_a_grid_became_active_count_outside_it():
    grid_make(code="HG-NEW", active_from=date(2026, 6, 11), geometry=CELL)
    data = csv(
        point("2026-06-10T23:55:00+01:00"),  # the day before it became active
        point("2026-06-11T00:01:00+01:00"),
        point("2026-06-11T00:05:00+01:00"),
    )

    report = patrol_points_import(actor=None, data=data, tolerance_minutes=15)

    assert (report.points_in_grids, report.points_outside, report.visits_created) == (2, 1, 1)
    assert found() == [("HG-NEW", "PC 1", "11 00:01", "11 00:05")]


def test_the_active_day_of_a_point_is_its_london_day_not_its_utc_day():
    # 23:30 UTC on 10 June is 00:30 on 11 June in London, the day after HG-OLD was retired.
    grid_make(code="HG-OLD", active_from=date(2026, 1, 5), active_to=date(2026, 6, 10), geometry=CELL)
    data = csv(point("2026-06-10T22:50:00Z"), point("2026-06-10T22:54:00Z"), point("2026-06-10T23:30:00Z"))

    report = patrol_points_import(actor=None, data=data)

    assert (report.points_in_grids, report.points_outside, report.visits_created) == (2, 1, 1)
    assert found() == [("HG-OLD", "PC 1", "10 23:50", "10 23:54")]


# ---------------------------------------------------------------- a retired grid's arrival allowance


def test_points_within_a_retired_grids_arrival_allowance_import_as_a_visit_logged_by_hand_would():
    # A Guardian patrol at 18:00 on 10 June may be made until 18:00 on the 11th; the grid was
    # retired after the 10th. The file holds only the 11th: a visit then is taken, as by hand.
    grid = grid_make(code="HG-G", operation="GUARDIAN", active_from=date(2026, 1, 5), geometry=CELL)
    services.patrol_schedule_generate(period=services.period_for_day(date(2026, 6, 10)))
    services.hot_grid_save(actor=None, grid=grid, active_to=date(2026, 6, 10))
    data = csv(
        point("2026-06-11T09:00:00+01:00"),
        point("2026-06-11T09:04:00+01:00"),
        point("2026-06-11T18:30:00+01:00", officer="PC 2"),  # after the allowance: outside
        point("2026-06-11T18:34:00+01:00", officer="PC 2"),
    )

    report = patrol_points_import(actor=None, data=data)

    assert (report.points_in_grids, report.points_outside, report.visits_created) == (2, 2, 1)
    assert found() == [("HG-G", "PC 1", "11 09:00", "11 09:04")]
    patrol = ScheduledPatrol.objects.get(grid=grid)
    assert patrol.compliant_visit == PatrolVisit.objects.get()
