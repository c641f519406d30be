"""GPS points with impossible times are bad rows, with their line numbers, in every way in: a point
more than a few minutes in the future rejects the file naming its line (nothing is imported), or is
skipped with "skip bad rows" while the rest is imported — through the service, the API, the upload
screen and the management command, never a 500 or a traceback. A visit the rules refuse once the
points are merged (here: one too long to store) rejects the whole file naming the line it starts on.

The clock stands at 09:00 on Friday 12 June 2026 (London)."""

import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from tasking.geo import square_cell
from tasking.models import PatrolVisit
from tasking.services import ImportRejected, patrol_points_import

from .factories import html, signed_in
from .patrol_helpers import grid_make, patrol_api_clock, patrol_reference  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_api_clock")]

LON, LAT = -1.89, 52.48
HEADER = "resource,officer,timestamp,lat,lon"


@pytest.fixture
def grid(db):
    return grid_make(code="HG-TIME", operation="VIBRANT", geometry=square_cell(lon=LON, lat=LAT, size_m=200))


def point(timestamp, officer="PC 1"):
    return f"NPU-BE,{officer},{timestamp},{LAT},{LON}"


def csv(*rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode()


# Lines 2-4 are a visit from 08:00 to 08:06 this morning; line 5 is three hours from now.
WITH_A_FUTURE_POINT = csv(
    point("2026-06-12T08:00:00+01:00"),
    point("2026-06-12T08:03:00+01:00"),
    point("2026-06-12T08:06:00+01:00"),
    point("2026-06-12T12:00:00+01:00"),
)


def test_a_point_in_the_future_rejects_the_file_naming_its_line_and_imports_nothing(grid):
    with pytest.raises(ImportRejected) as caught:
        patrol_points_import(actor=None, data=WITH_A_FUTURE_POINT)

    rejected = caught.value
    assert "1 bad row(s): nothing was imported." in rejected.message
    assert "Line 5: timestamp 2026-06-12T12:00:00+01:00 is in the future" in rejected.message
    assert [line for line, _ in rejected.report.errors] == [5]
    assert "in the future" in rejected.report.errors[0][1]
    assert not PatrolVisit.objects.exists()


def test_skipping_bad_rows_skips_the_future_point_and_imports_the_rest(grid):
    report = patrol_points_import(actor=None, data=WITH_A_FUTURE_POINT, skip_bad_rows=True)

    assert [line for line, _ in report.errors] == [5]
    assert (report.rows, report.points_in_grids, report.visits_created) == (4, 3, 1)
    visit = PatrolVisit.objects.get()
    assert (visit.grid, visit.dwell_minutes) == (grid, 6)


def test_a_point_a_couple_of_minutes_ahead_is_a_fast_clock_not_a_bad_row(grid):
    report = patrol_points_import(
        actor=None, data=csv(point("2026-06-12T08:58:00+01:00"), point("2026-06-12T09:02:00+01:00"))
    )
    assert report.errors == [] and report.visits_created == 1


def test_a_visit_the_rules_refuse_after_merging_rejects_the_file_naming_the_line_it_starts_on(grid):
    # With a huge tolerance months of points merge into one visit too long to store: the good
    # visit before it (PC 1, logged first) is rolled back with it.
    data = csv(
        point("2026-06-12T08:00:00+01:00", officer="PC 1"),
        point("2026-06-12T08:05:00+01:00", officer="PC 1"),
        point("2026-01-05T08:00:00+00:00", officer="PC 2"),
        point("2026-06-05T08:00:00+01:00", officer="PC 2"),
    )

    with pytest.raises(ImportRejected) as caught:
        patrol_points_import(actor=None, data=data, tolerance_minutes=10**6, skip_bad_rows=True)

    assert caught.value.message.startswith("Line 4: the visit to HG-TIME starting at this point was refused")
    assert "Nothing was imported." in caught.value.message
    assert [line for line, _ in caught.value.report.errors] == [4]
    assert not PatrolVisit.objects.exists()


def upload(client, data, **fields):
    return client.post(
        "/api/patrol-visits/import/",
        {"file": SimpleUploadedFile("points.csv", data, content_type="text/csv"), **fields},
        format="multipart",
    )


def test_the_api_answers_400_naming_the_future_rows_line_or_skips_it_when_asked(api, mission_user, grid):
    client = api.as_user(mission_user)

    rejected = upload(client, WITH_A_FUTURE_POINT)
    assert rejected.status_code == 400
    assert rejected.data["code"] == "import_rejected"
    assert "Line 5" in rejected.data["detail"]
    assert [error["line"] for error in rejected.data["errors"]] == [5]
    assert not PatrolVisit.objects.exists()

    skipped = upload(client, WITH_A_FUTURE_POINT, skip_bad_rows="true")
    assert skipped.status_code == 200, skipped.data
    assert (skipped.data["visits_created"], [e["line"] for e in skipped.data["errors"]]) == (1, [5])
    assert PatrolVisit.objects.count() == 1


def test_the_upload_screen_shows_the_future_rows_line_instead_of_failing(client, mission_user, grid):
    signed_in(client, mission_user)

    rejected = client.post(
        "/patrols/visits/import/", {"file": SimpleUploadedFile("points.csv", WITH_A_FUTURE_POINT)}
    )
    page = html(rejected)
    assert rejected.status_code == 200
    assert "File rejected: nothing was imported" in page
    assert re.search(r'<td class="num">5</td><td>timestamp 2026-06-12T12:00:00\+01:00 is in the future', page)
    assert not PatrolVisit.objects.exists()

    skipped = client.post(
        "/patrols/visits/import/",
        {"file": SimpleUploadedFile("points.csv", WITH_A_FUTURE_POINT), "skip_bad_rows": "on"},
    )
    assert skipped.status_code == 200
    assert "Bad rows (skipped)" in html(skipped)
    assert PatrolVisit.objects.count() == 1


def test_the_command_reports_the_future_rows_line_as_an_error_not_a_traceback(grid, tmp_path):
    path = tmp_path / "points.csv"
    path.write_bytes(WITH_A_FUTURE_POINT)
    err = StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_patrol_points", str(path), stdout=StringIO(), stderr=err)
    assert "line 5: timestamp 2026-06-12T12:00:00+01:00 is in the future" in err.getvalue()
    assert not PatrolVisit.objects.exists()

    out, err = StringIO(), StringIO()
    call_command("import_patrol_points", str(path), "--skip-bad-rows", stdout=out, stderr=err)
    assert "line 5: timestamp 2026-06-12T12:00:00+01:00 is in the future" in err.getvalue()
    assert "visits created 1" in out.getvalue()
