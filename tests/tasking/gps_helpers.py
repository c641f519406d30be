"""What the GPS import tests share: two hot grids and a point between them, and the CSV rows, files
and visits they are written and read as."""

from tasking.geo import square_cell
from tasking.models import PatrolVisit
from tasking.models.periods import LONDON
from tasking.services import patrol_points_import

from .patrol_helpers import grid_make

A = (-1.89, 52.48)  # centre of grid A (200 m square)
B = (-1.88, 52.48)  # centre of grid B, ~680 m east
OUTSIDE = (-1.885, 52.48)  # between them, in neither
HEADER = "resource,officer,timestamp,lat,lon"


def two_grids():
    """Hot grids HG-A around ``A`` and HG-B around ``B``, for the ``grids`` fixture of each module."""
    a = grid_make(code="HG-A", operation="VIBRANT", geometry=square_cell(lon=A[0], lat=A[1], size_m=200))
    b = grid_make(code="HG-B", operation="VIBRANT", geometry=square_cell(lon=B[0], lat=B[1], size_m=200))
    return a, b


def at(hhmm, day=10):
    """An ISO time on 10 June 2026, British Summer Time."""
    return f"2026-06-{day:02d}T{hhmm}:00+01:00"


def row(hhmm, where=A, officer="PC 1", resource="NPU-BE"):
    lon, lat = where
    return f"{resource},{officer},{at(hhmm)},{lat},{lon}"


def csv(*rows, header=HEADER):
    return "\n".join([header, *rows]) + "\n"


def visits():
    """[(grid, officer, resource, arrived HH:MM, left HH:MM)] of every visit, in arrival order."""
    found = PatrolVisit.objects.select_related("grid", "resource").order_by("arrived_at", "officer_reference")
    return [
        (v.grid.code, v.officer_reference, v.resource.code, f"{v.arrived_at.astimezone(LONDON):%H:%M}",
         f"{v.left_at.astimezone(LONDON):%H:%M}")
        for v in found
    ]  # fmt: skip


def load(text, **options):
    return patrol_points_import(actor=None, data=text.encode(), **options)
