"""The patrol hub and visit screens through the test client: today's patrols per NPU, logging a
visit by hand, the visit list, and uploading GPS points with the report it gives.

Test data is made with the patrol services (``patrol_helpers``), as the application makes it. The
clock is frozen on Friday 12 June 2026 at 19:00 London time.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tasking.models import PatrolVisit, ScheduledPatrol

from .factories import flash, html, signed_in
from .patrol_helpers import (
    TODAY,
    centre_of,
    grid_make,
    local,
    patrol_reference,  # noqa: F401
    patrol_screens_clock,  # noqa: F401
    schedule,
    section,
    visit_log,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_screens_clock")]


# -- today's patrols and visits -----------------------------------------------------------------------


def test_the_hub_shows_todays_patrols_per_npu_with_compliance_and_what_is_still_to_patrol(
    client, viewer, mission_user
):
    done = grid_make(code="HG-DONE", area="BE")
    todo = grid_make(code="HG-TODO", area="BW")
    schedule(TODAY)
    visit_log(done, local(2026, 6, 12, 18, 5), local(2026, 6, 12, 18, 25))

    page = html(signed_in(client, mission_user).get("/patrols/"))

    still = section(page, 'id="still-title"', 'id="schedule-title"')
    assert "HG-TODO" in still and "HG-DONE" not in still
    schedule_part = section(page, 'id="schedule-title"')
    assert 'id="npu-BE"' in schedule_part and 'id="npu-BW"' in schedule_part
    assert "✓</span> Compliant" in section(schedule_part, 'id="npu-BE"', 'id="npu-BW"')
    assert "Still to patrol" in section(schedule_part, 'id="npu-BW"')
    assert f"/patrols/visits/new/?grid={todo.pk}" in page  # the quick "Log a visit" button
    assert "/patrols/visits/new/?grid=" not in html(signed_in(client, viewer).get("/patrols/"))


def test_mission_support_logs_a_visit_and_the_matching_scheduled_patrol_becomes_compliant(
    client, mission_user
):
    grid = grid_make(code="HG-LOG")
    schedule(TODAY)
    patrol = ScheduledPatrol.objects.get(grid=grid)
    signed_in(client, mission_user)

    form = html(client.get(f"/patrols/visits/new/?grid={grid.pk}"))
    assert f'<option value="{grid.pk}" selected>' in form

    response = client.post(
        "/patrols/visits/new/",
        {"grid": grid.pk, "resource": _resource("NPU-BE"), "officer_reference": "PC 4521",
         "arrived_at": "2026-06-12T18:20", "left_at": "2026-06-12T18:45"},
    )  # fmt: skip

    assert response.status_code == 302 and response["Location"] == "/patrols/"
    visit = PatrolVisit.objects.get()
    assert (visit.source, visit.officer_reference, visit.logged_by) == ("form", "PC 4521", mission_user)
    assert ScheduledPatrol.objects.get(pk=patrol.pk).compliant_visit == visit
    assert "1 scheduled patrol now compliant" in " ".join(flash(response))


def test_a_visit_leaving_before_it_arrived_is_refused_on_the_field(client, mission_user):
    grid = grid_make(code="HG-BAD")
    response = signed_in(client, mission_user).post(
        "/patrols/visits/new/",
        {"grid": grid.pk, "resource": _resource("NPU-BE"), "officer_reference": "PC 1",
         "arrived_at": "2026-06-12T18:20", "left_at": "2026-06-12T18:00"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Must be after the arrival." in html(response)
    assert not PatrolVisit.objects.exists()


def _resource(code):
    from operations.models import Resource

    return Resource.objects.get(code=code).pk


def test_the_visit_list_is_filtered_in_the_url(client, viewer):
    be, bw = grid_make(code="HG-L1", area="BE"), grid_make(code="HG-L2", area="BW")
    visit_log(be, local(2026, 6, 12, 10, 0), officer="PC 111")
    visit_log(bw, local(2026, 6, 12, 11, 0), officer="PC 222")
    page = html(signed_in(client, viewer).get("/patrols/visits/?area=BW"))
    assert "PC 222" in page and "PC 111" not in page


# -- GPS upload ---------------------------------------------------------------------------------------


def _csv(grid, *extra):
    lon, lat = centre_of(grid)
    rows = ["resource,officer,timestamp,lat,lon"]
    rows += [f"NPU-BE,PC 7,2026-06-12T18:{m:02d}:00+01:00,{lat},{lon}" for m in (30, 33, 36)]
    rows += [f"NPU-BE,PC 7,2026-06-12T18:40:00+01:00,{lat + 0.3},{lon}", *extra]
    return ("\n".join(rows) + "\n").encode()


def test_a_gps_upload_shows_its_report(client, mission_user):
    grid = grid_make(code="HG-GPS")
    signed_in(client, mission_user)
    upload = SimpleUploadedFile("points.csv", _csv(grid), content_type="text/csv")

    response = client.post("/patrols/visits/import/", {"file": upload, "tolerance": "5"})

    assert response.status_code == 200
    report = section(html(response), 'id="report-title"', "</section>")
    assert "Import report" in report
    assert re.search(r"Rows read</dt><dd>4<", report)
    assert re.search(r"Points in grids</dt><dd>3<", report) and re.search(r"outside grids</dt><dd>1<", report)
    assert re.search(r"Visits created</dt><dd>1<", report)
    visit = PatrolVisit.objects.get()
    assert (visit.grid, visit.source, visit.dwell_minutes) == (grid, "gps", 6)


def test_a_gps_file_with_a_bad_row_is_rejected_whole_and_imports_nothing(client, mission_user):
    grid = grid_make(code="HG-GPS2")
    signed_in(client, mission_user)
    bad = _csv(grid, "NOPE,PC 7,2026-06-12T18:50:00+01:00,52.48,-1.89", "NPU-BE,PC 7,yesterday,52.48,-1.89")

    response = client.post("/patrols/visits/import/", {"file": SimpleUploadedFile("bad.csv", bad)})

    page = html(response)
    assert response.status_code == 200
    assert "File rejected: nothing was imported" in page
    assert "2 bad row(s): nothing was imported." in page
    assert "unknown resource &#x27;NOPE&#x27;" in page and "is not ISO 8601" in page
    assert re.search(r'<td class="num">6</td><td>unknown resource', page)  # line numbers
    assert not PatrolVisit.objects.exists()

    skipped = client.post(
        "/patrols/visits/import/", {"file": SimpleUploadedFile("bad.csv", bad), "skip_bad_rows": "on"}
    )
    assert "Bad rows (skipped)" in html(skipped)
    assert PatrolVisit.objects.count() == 1
