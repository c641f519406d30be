"""Malformed and very large CSVs: the gaps left by the crime and GPS import tests — a very large
GPS file, and the admin's reference-data CSV import (django-import-export)."""

from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from operations.models import AuditEntry, Resource
from tasking.geo import square_cell
from tasking.models import PatrolVisit
from tasking.models.periods import LONDON
from tasking.services import ImportRejected, patrol_points_import
from tests.tasking.patrol_helpers import grid_make

HEADER = "resource,officer,timestamp,lat,lon"
CENTRE = (-1.89, 52.48)


@pytest.fixture
def grid(db, reference_data):
    return grid_make(code="HG-BIG", geometry=square_cell(lon=CENTRE[0], lat=CENTRE[1], size_m=200))


def gps_rows(count):
    """``count`` points of 50 officers, one every 30 seconds each, all inside the grid: 50 long
    visits (50,000 points make visits of 8 h 20 min, within the 12 h a visit may last)."""
    start = datetime(2026, 6, 10, 18, 0, tzinfo=LONDON)
    for n in range(count):
        when = start + timedelta(seconds=30 * (n // 50))
        yield f"NPU-BE,PC {n % 50},{when.isoformat()},{CENTRE[1]},{CENTRE[0]}"


def test_a_very_large_gps_file_imports_every_point(grid):
    data = "\n".join([HEADER, *gps_rows(50_000)]).encode()

    report = patrol_points_import(actor=None, data=data)

    assert report.rows == 50_000
    assert PatrolVisit.objects.count() == 50


def test_one_bad_point_at_the_end_of_a_very_large_gps_file_leaves_nothing_imported(grid):
    data = "\n".join([HEADER, *gps_rows(50_000), "NPU-BE,PC 1,not-a-time,52.48,-1.89"]).encode()

    with pytest.raises(ImportRejected, match="nothing was imported"):
        patrol_points_import(actor=None, data=data)

    assert not PatrolVisit.objects.exists()


# -- the admin's CSV import of reference data ----------------------------------------------------

GOOD_HEADER = "code,name,kind,home_area,capacity_per_period,active"


def admin_import(client, content):
    upload = SimpleUploadedFile("resources.csv", content, content_type="text/csv")
    return client.post("/admin/operations/resource/import/", {"import_file": upload, "format": "0"})


@pytest.fixture
def admin_client_signed_in(db, reference_data, administrator):
    client = Client()
    client.force_login(administrator)
    return client


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (f"{GOOD_HEADER}\nCAFÉ,Café team,osu,,5,1\n".encode("latin-1"), "unicodedecodeerror"),
        (b"code,name\nNEW1,New team\n", "kind"),
        (b"", "empty"),
    ],
    ids=["wrong encoding", "missing columns", "empty file"],
)
def test_a_malformed_reference_csv_gets_a_clear_error_in_the_admin_and_imports_nothing(
    admin_client_signed_in, content, says
):
    before = (Resource.objects.count(), AuditEntry.objects.count())

    response = admin_import(admin_client_signed_in, content)

    assert response.status_code == 200
    page = response.content.decode().lower()
    assert "error" in page and says in page, page[:2000]
    assert (Resource.objects.count(), AuditEntry.objects.count()) == before
