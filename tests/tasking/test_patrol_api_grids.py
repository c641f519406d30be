"""The patrol API's hot grids: Supervisors create, edit and delete them from a cell or GeoJSON,
anyone with a role lists and filters them, and each grid reports its compliance over a range."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tasking.models import HotGrid

from .patrol_helpers import (
    CELL,
    DAY,
    START,
    grid_make,
    grid_payload,
    local,
    patrol_api_clock,  # noqa: F401
    patrol_reference,  # noqa: F401
    schedule,
    visit_log,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_api_clock")]


def codes(response):
    assert response.status_code == 200, response.data
    return sorted(item["code"] for item in response.data.get("results", response.data))


# ---------------------------------------------------------------- hot grids


@pytest.fixture
def some_grids(db):
    return {
        "be_guardian": grid_make(
            code="HG-1", area="BE", operation="GUARDIAN", trial_arm=HotGrid.Arm.TREATMENT
        ),
        "be_control": grid_make(code="HG-2", area="BE", operation="GUARDIAN", trial_arm=HotGrid.Arm.CONTROL),
        "bw_vibrant": grid_make(code="HG-3", area="BW", operation="VIBRANT"),
        "ended": grid_make(code="HG-4", area="BW", operation="VIBRANT", active_to=date(2026, 1, 31)),
        "future": grid_make(code="HG-5", area="CV", operation="VIBRANT", active_from=date(2026, 7, 1)),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["HG-1", "HG-2", "HG-3", "HG-4", "HG-5"]),
        ("area=BE", ["HG-1", "HG-2"]),
        ("operation=VIBRANT", ["HG-3", "HG-4", "HG-5"]),
        ("arm=treatment", ["HG-1"]),
        ("arm=control", ["HG-2"]),
        ("active=true", ["HG-1", "HG-2", "HG-3"]),
        ("active=false", ["HG-4", "HG-5"]),
        ("area=BW&active=true", ["HG-3"]),
    ],
)
def test_hot_grids_filter_by_area_operation_arm_and_active(api, viewer, some_grids, query, expected):
    assert codes(api.as_user(viewer).get(f"/api/hot-grids/?{query}")) == expected


def test_a_hot_grid_comes_back_with_its_geometry_as_geojson(api, viewer, some_grids):
    grid = some_grids["be_guardian"]
    response = api.as_user(viewer).get(f"/api/hot-grids/{grid.pk}/")
    assert response.status_code == 200
    geometry = response.data["geometry"]
    assert geometry["type"] == "Polygon"
    assert geometry == grid.geometry
    ring = geometry["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5
    assert all(len(position) == 2 and all(isinstance(v, float) for v in position) for position in ring)
    assert response.data["area"] == "BE"
    assert response.data["operation"] == "GUARDIAN"
    assert response.data["windows"] == [{"weekdays": [0, 1, 2, 3, 4, 5, 6], "start_time": "18:00:00",
                                         "end_time": "20:00:00"}]  # fmt: skip


def test_a_supervisor_creates_a_hot_grid_from_a_cell_instead_of_a_geometry(api, supervisor):
    response = api.as_user(supervisor).post("/api/hot-grids/", grid_payload(), format="json")
    assert response.status_code == 201, response.data
    grid = HotGrid.objects.get(code="HG-API-1")
    assert grid.geometry["type"] == "Polygon"
    assert grid.min_lon < -1.89 < grid.max_lon and grid.min_lat < 52.48 < grid.max_lat
    assert response.data["geometry"] == grid.geometry
    assert "cell" not in response.data
    (patrol_window,) = grid.windows.all()
    assert patrol_window.weekdays == [4, 5]


def test_a_supervisor_creates_a_hot_grid_with_a_geojson_geometry(api, supervisor):
    geometry = {
        "type": "Polygon",
        "coordinates": [[[-1.9, 52.47], [-1.88, 52.47], [-1.88, 52.49], [-1.9, 52.47]]],
    }
    response = api.as_user(supervisor).post("/api/hot-grids/", grid_payload(geometry=geometry), format="json")
    assert response.status_code == 201, response.data
    assert HotGrid.objects.get(code="HG-API-1").geometry == geometry


def test_a_cell_outside_the_force_area_is_a_400_on_the_geometry(api, supervisor):
    response = api.as_user(supervisor).post(
        "/api/hot-grids/", grid_payload(cell={"lon": -0.13, "lat": 51.5, "size_m": 200}), format="json"
    )
    assert response.status_code == 400
    assert "geometry" in response.data
    assert not HotGrid.objects.filter(code="HG-API-1").exists()


def test_a_hot_grid_must_belong_to_an_npu(api, supervisor):
    response = api.as_user(supervisor).post("/api/hot-grids/", grid_payload(area="WMP"), format="json")
    assert response.status_code == 400
    assert "area" in response.data


def test_a_supervisor_edits_and_deletes_a_hot_grid(api, supervisor):
    grid = grid_make(supervisor)
    client = api.as_user(supervisor)
    response = client.patch(f"/api/hot-grids/{grid.pk}/", {"name": "Renamed", "cell": CELL}, format="json")
    assert response.status_code == 200, response.data
    grid.refresh_from_db()
    assert grid.name == "Renamed"
    assert grid.min_lon < -1.89 < grid.max_lon
    assert client.delete(f"/api/hot-grids/{grid.pk}/").status_code == 204
    assert not HotGrid.objects.filter(pk=grid.pk).exists()


def test_a_hot_grid_with_visits_cannot_be_deleted(api, supervisor):
    grid = grid_make(supervisor)
    visit_log(grid, START)
    response = api.as_user(supervisor).delete(f"/api/hot-grids/{grid.pk}/")
    assert response.status_code == 409
    assert HotGrid.objects.filter(pk=grid.pk).exists()


# ---------------------------------------------------------------- compliance of one grid


@pytest.fixture
def grid_with_history(db):
    """A Vibrant grid scheduled 10–12 June; patrolled on the 10th (20 min) and 11th (10 min)."""
    grid = grid_make(code="HG-C", operation="VIBRANT")
    for offset in range(3):
        schedule(DAY + timedelta(days=offset))
    visit_log(grid, local(2026, 6, 10, 18, 30), local(2026, 6, 10, 18, 50))
    visit_log(grid, local(2026, 6, 11, 19, 0), local(2026, 6, 11, 19, 10))
    return grid


def test_a_grids_compliance_over_a_range(api, viewer, grid_with_history):
    response = api.as_user(viewer).get(
        f"/api/hot-grids/{grid_with_history.pk}/compliance/",
        {"from": "2026-06-10T07:00:00+01:00", "to": "2026-06-12T07:00:00+01:00"},
    )
    assert response.status_code == 200, response.data
    data = response.data
    assert (data["grid"], data["scheduled"], data["compliant"], data["compliance_pct"]) == (
        "HG-C",
        2,
        2,
        Decimal("100.0"),
    )
    assert (data["visits"], data["minutes"], data["effective_visits"]) == (2, 30, 1)
    assert len(data["patrols"]) == 2


def test_a_grids_compliance_over_its_whole_history(api, viewer, grid_with_history):
    data = api.as_user(viewer).get(f"/api/hot-grids/{grid_with_history.pk}/compliance/").data
    assert (data["scheduled"], data["compliant"], data["compliance_pct"]) == (3, 2, Decimal("66.7"))
    assert (data["visits"], data["minutes"]) == (2, 30)


def test_a_grids_compliance_from_a_date_on(api, viewer, grid_with_history):
    response = api.as_user(viewer).get(
        f"/api/hot-grids/{grid_with_history.pk}/compliance/", {"from": "2026-06-11T07:00:00+01:00"}
    )
    data = response.data
    assert (data["scheduled"], data["compliant"], data["visits"], data["minutes"]) == (2, 1, 1, 10)


def test_a_grids_compliance_with_a_naive_time_reads_it_as_london_time(api, viewer, grid_with_history):
    response = api.as_user(viewer).get(
        f"/api/hot-grids/{grid_with_history.pk}/compliance/", {"from": "2026-06-11T07:00:00"}
    )
    assert response.status_code == 200
    assert response.data["scheduled"] == 2


def test_a_grids_compliance_in_an_empty_range_is_zero_with_no_percentage(api, viewer, grid_with_history):
    data = (
        api.as_user(viewer)
        .get(
            f"/api/hot-grids/{grid_with_history.pk}/compliance/",
            {"from": "2025-01-01T00:00:00Z", "to": "2025-02-01T00:00:00Z"},
        )
        .data
    )
    figures = [data[k] for k in ("scheduled", "compliant", "compliance_pct", "visits", "minutes")]
    assert figures == [0, 0, None, 0, 0]


@pytest.mark.parametrize("bad", ["yesterday", "2026-02-30T10:00:00", "2026-13-01T00:00:00Z", "10/06/2026"])
def test_a_grids_compliance_with_a_bad_date_is_a_400(api, viewer, grid_with_history, bad):
    for name in ("from", "to"):
        response = api.as_user(viewer).get(f"/api/hot-grids/{grid_with_history.pk}/compliance/", {name: bad})
        assert response.status_code == 400, (name, bad)
        assert name in response.data
