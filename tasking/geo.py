"""Hot-grid geometry: validating GeoJSON polygons, square grid cells, and placing points in grids."""

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

METRES_PER_DEGREE_LAT = 111_320


def _check_ring(ring, where):
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(f"{where}: a ring needs at least four positions (closed triangle).")
    for position in ring:
        if (
            not isinstance(position, (list, tuple))
            or len(position) < 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position[:2])
        ):
            raise ValidationError(f"{where}: every position is [longitude, latitude] in numbers.")
        lon, lat = position[:2]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError(f"{where}: [{lon}, {lat}] is not a longitude/latitude pair.")
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise ValidationError(f"{where}: the ring is not closed (first and last positions differ).")


def geometry_validate(geojson):
    """Return the shapely geometry of a valid GeoJSON Polygon/MultiPolygon, or raise ValidationError."""
    if not isinstance(geojson, dict) or geojson.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError({"geometry": "Give a GeoJSON geometry of type Polygon or MultiPolygon."})
    coordinates = geojson.get("coordinates")
    polygons = [coordinates] if geojson["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError({"geometry": "The geometry has no coordinates."})
    try:
        for p, polygon in enumerate(polygons):
            if not isinstance(polygon, list) or not polygon:
                raise ValidationError(f"polygon {p + 1} has no rings.")
            for r, ring in enumerate(polygon):
                _check_ring(ring, f"polygon {p + 1}, ring {r + 1}")
    except ValidationError as exc:
        raise ValidationError({"geometry": exc.messages}) from exc
    geometry = shape(geojson)
    if not geometry.is_valid:
        raise ValidationError(
            {"geometry": f"The outline is not a valid polygon: {explain_validity(geometry)}."}
        )
    min_lon, min_lat, max_lon, max_lat = settings.HOT_GRID_BOUNDS
    g_min_lon, g_min_lat, g_max_lon, g_max_lat = geometry.bounds
    if g_min_lon < min_lon or g_max_lon > max_lon or g_min_lat < min_lat or g_max_lat > max_lat:
        raise ValidationError(
            {"geometry": f"The outline lies outside the force's plausible area {settings.HOT_GRID_BOUNDS}."}
        )
    return geometry


# A cell's side, in metres: from a street's length (the smallest place a patrol can be told to
# stand in) to a few kilometres (beyond that a "hot spot" is a district).
CELL_SIZE_M = (50, 5000)


def square_cell(*, lon, lat, size_m):
    """A square grid cell of ``size_m`` metres centred on (lon, lat), as a GeoJSON Polygon."""
    half_lat = size_m / 2 / METRES_PER_DEGREE_LAT
    half_lon = size_m / 2 / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat)))
    west, east, south, north = lon - half_lon, lon + half_lon, lat - half_lat, lat + half_lat
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]}


class GridIndex:
    """Point-in-polygon lookup over many grids, with an R-tree so each point costs ~log(n)."""

    def __init__(self, grids):
        self.grids = list(grids)
        self.geometries = [shape(grid.geometry) for grid in self.grids]
        self.tree = STRtree(self.geometries)

    def grids_at(self, lon, lat):
        point = Point(lon, lat)
        return [self.grids[i] for i in self.tree.query(point, predicate="intersects")]
