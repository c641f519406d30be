"""Hot-grid outlines: every invalid geometry is refused with a clear message and nothing is saved."""

import math

import pytest
from django.core.exceptions import ValidationError

from tasking.geo import GridIndex, square_cell
from tasking.models import HotGrid

from .patrol_helpers import BIRMINGHAM, grid_make, grid_payload, patrol_reference  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference")]

W, S, E, N = -1.90, 52.47, -1.88, 52.49  # a small box in Birmingham city centre


def polygon(*rings):
    return {"type": "Polygon", "coordinates": list(rings)}


BOX = [[W, S], [E, S], [E, N], [W, N], [W, S]]


def refused(geometry):
    """The ValidationError message for saving ``geometry``; asserts that no grid was saved."""
    before = HotGrid.objects.count()
    with pytest.raises(ValidationError) as caught:
        grid_make(geometry=geometry)
    assert HotGrid.objects.count() == before
    assert "geometry" in caught.value.message_dict
    return " ".join(caught.value.message_dict["geometry"])


def test_a_point_is_refused_as_the_wrong_type():
    message = refused({"type": "Point", "coordinates": list(BIRMINGHAM)})
    assert "Polygon or MultiPolygon" in message


def test_a_ring_that_is_not_closed_is_refused():
    message = refused(polygon([[W, S], [E, S], [E, N], [W, N]]))
    assert "not closed" in message


def test_a_ring_with_fewer_than_four_positions_is_refused():
    message = refused(polygon([[W, S], [E, S], [W, S]]))
    assert "at least four positions" in message


def test_a_self_intersecting_bow_tie_is_refused():
    message = refused(polygon([[W, S], [E, N], [E, S], [W, N], [W, S]]))
    assert "not a valid polygon" in message
    assert "Self-intersection" in message


def test_coordinates_that_are_not_numbers_are_refused():
    message = refused(polygon([[W, S], ["east", S], [E, N], [W, N], [W, S]]))
    assert "in numbers" in message


def test_a_boolean_is_not_taken_for_a_coordinate():
    message = refused(polygon([[W, S], [True, S], [E, N], [W, N], [W, S]]))
    assert "in numbers" in message


@pytest.mark.parametrize("bad", [[200.0, S], [W, 95.0], [-181.0, S], [W, -91.0]])
def test_a_longitude_or_latitude_out_of_range_is_refused(bad):
    message = refused(polygon([[W, S], bad, [E, N], [W, N], [W, S]]))
    assert "is not a longitude/latitude pair" in message


def test_a_polygon_outside_the_force_area_is_refused():
    london = square_cell(lon=-0.1276, lat=51.5072, size_m=200)
    message = refused(london)
    assert "outside the force's plausible area" in message


def test_latitude_and_longitude_swapped_fall_outside_the_force_area():
    swapped = polygon([[lat, lon] for lon, lat in BOX])
    assert "outside the force's plausible area" in refused(swapped)


def test_a_polygon_without_coordinates_is_refused():
    assert "no coordinates" in refused({"type": "MultiPolygon", "coordinates": []})


def test_a_multipolygon_of_two_cells_is_accepted_with_its_bounding_box():
    first = square_cell(lon=-1.90, lat=52.48, size_m=100)["coordinates"]
    second = square_cell(lon=-1.85, lat=52.50, size_m=100)["coordinates"]
    grid = grid_make(geometry={"type": "MultiPolygon", "coordinates": [first, second]})
    grid.refresh_from_db()
    assert grid.geometry["type"] == "MultiPolygon"
    assert grid.min_lon < -1.90 < -1.85 < grid.max_lon
    assert grid.min_lat < 52.48 < 52.50 < grid.max_lat


def test_a_polygon_with_a_hole_is_accepted_and_the_hole_is_not_in_the_grid():
    hole = [[-1.895, 52.475], [-1.885, 52.475], [-1.885, 52.485], [-1.895, 52.485], [-1.895, 52.475]]
    grid = grid_make(geometry=polygon(BOX, hole))
    index = GridIndex([grid])
    assert index.grids_at(-1.899, 52.471) == [grid]
    assert index.grids_at(-1.89, 52.48) == []


def _metres(lon1, lat1, lon2, lat2):
    """Great-circle distance (haversine), independent of the code under test."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@pytest.mark.parametrize("size_m", [100, 250, 1000])
def test_a_square_cell_of_n_metres_is_n_metres_a_side_within_one_percent(size_m):
    lon, lat = BIRMINGHAM
    ring = square_cell(lon=lon, lat=lat, size_m=size_m)["coordinates"][0]
    (west, south), (east, _), (_, north) = ring[0], ring[1], ring[2]
    assert ring[0] == ring[-1]
    width = _metres(west, lat, east, lat)
    height = _metres(lon, south, lon, north)
    assert width == pytest.approx(size_m, rel=0.01)
    assert height == pytest.approx(size_m, rel=0.01)
    assert (west + east) / 2 == pytest.approx(lon, abs=1e-6)
    assert (south + north) / 2 == pytest.approx(lat, abs=1e-6)


def test_a_square_cell_is_saved_as_a_valid_grid_containing_its_centre():
    grid = grid_make(geometry=square_cell(lon=-1.89, lat=52.48, size_m=200))
    assert GridIndex([grid]).grids_at(-1.89, 52.48) == [grid]
    assert GridIndex([grid]).grids_at(-1.89, 52.4815) == []  # ~170 m north: outside a 200 m cell


# Through the API: a Supervisor's bad outline is a 400 naming the geometry, and nothing is saved.


def outline_payload(geometry=None):
    return grid_payload(geometry=polygon(BOX) if geometry is None else geometry)


@pytest.mark.parametrize(
    ("geometry", "says"),
    [
        ({"type": "Point", "coordinates": [-1.89, 52.48]}, "Polygon or MultiPolygon"),
        (polygon([[W, S], [E, S], [E, N], [W, N]]), "not closed"),
        (polygon([[W, S], [E, N], [E, S], [W, N], [W, S]]), "Self-intersection"),
        (polygon([[W, S], ["x", S], [E, N], [W, N], [W, S]]), "in numbers"),
        (square_cell(lon=-0.1276, lat=51.5072, size_m=200), "outside"),
    ],
)
def test_the_api_answers_400_naming_the_geometry_for_a_bad_outline(api, supervisor, geometry, says):
    response = api.as_user(supervisor).post("/api/hot-grids/", outline_payload(geometry), format="json")
    assert response.status_code == 400, response.data
    assert "geometry" in response.data
    assert says in " ".join(str(m) for m in response.data["geometry"])
    assert not HotGrid.objects.filter(code="HG-API-1").exists()


def test_the_api_refuses_a_grid_with_neither_geometry_nor_cell(api, supervisor):
    payload = outline_payload()
    del payload["geometry"]
    response = api.as_user(supervisor).post("/api/hot-grids/", payload, format="json")
    assert response.status_code == 400
    assert "geometry" in response.data


def test_the_api_refuses_changing_a_grid_to_a_bad_outline_and_keeps_the_old_one(api, supervisor):
    grid = grid_make(supervisor)
    old = grid.geometry
    response = api.as_user(supervisor).patch(
        f"/api/hot-grids/{grid.pk}/", {"geometry": polygon([[W, S], [E, S], [E, N], [W, N]])}, format="json"
    )
    assert response.status_code == 400
    assert "geometry" in response.data
    grid.refresh_from_db()
    assert grid.geometry == old
