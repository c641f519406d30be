"""The hot-grid and patrol screens through the test client: what each role sees and may do.

Test data is made with the patrol services (``patrol_helpers``), as the application makes it. The
clock is frozen on Friday 12 June 2026 at 19:00 London time.
"""

import json
import re
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from operations.models import Operation
from tasking import services
from tasking.forms_patrols import parse_windows
from tasking.models import HotGrid, PatrolTrial, PatrolVisit, Request, RequestKind, ScheduledPatrol

from .patrol_helpers import centre_of, grid_make, local, patrol_reference, schedule, visit_log  # noqa: F401
from .test_screens import flash, html, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference")]

NOW = local(2026, 6, 12, 19, 0)
TODAY = date(2026, 6, 12)
BOWTIE = {"type": "Polygon", "coordinates": [[[-1.90, 52.47], [-1.88, 52.49], [-1.88, 52.47], [-1.90, 52.49], [-1.90, 52.47]]]}  # fmt: skip  # noqa: E501


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def section(page, start, end=None):
    """The part of a page from ``start`` up to ``end``."""
    part = page.split(start, 1)[1]
    return part.split(end, 1)[0] if end else part


def grid_form(**overrides):
    data = {
        "code": "HG-NEW", "name": "Digbeth", "area": "", "operation": "", "trial_arm": "",
        "geometry": "", "cell_lon": "", "cell_lat": "", "cell_size_m": "",
        "windows": "Mon-Fri 18:00-22:00; Sat 10:00-14:00", "daily_dose_minutes": "15",
        "active_from": "2026-06-01",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def npu_ids():
    from operations.models import Area

    return dict(Area.objects.values_list("code", "pk"))


@pytest.fixture
def patrol_pages(supervisor):
    grid = grid_make(supervisor, code="HG-PAGE", trial_arm=HotGrid.Arm.TREATMENT)
    grid_make(supervisor, code="HG-PAGE-C", trial_arm=HotGrid.Arm.CONTROL)
    schedule(TODAY)
    visit_log(grid, local(2026, 6, 12, 18, 10))
    services.hot_grids_randomise(
        actor=supervisor, operation=Operation.objects.get(code="GUARDIAN"), seed=7, starts_on=TODAY
    )
    meeting = services.trm_meeting_open(actor=supervisor, date=TODAY)
    return {
        "hub": "/patrols/",
        "grid list": "/patrols/grids/",
        "grid detail": f"/patrols/grids/{grid.pk}/",
        "grid form": "/patrols/grids/new/",
        "grid edit": f"/patrols/grids/{grid.pk}/edit/",
        "visit form": f"/patrols/visits/new/?grid={grid.pk}",
        "visits": "/patrols/visits/",
        "gps upload": "/patrols/visits/import/",
        "compliance": "/patrols/compliance/",
        "trial": "/patrols/trials/GUARDIAN/",
        "trm meeting": f"/trm/{meeting.date.isoformat()}/",
    }


# -- every page, every role ---------------------------------------------------------------------------


def test_every_patrol_page_renders_for_a_viewer_and_anonymous_users_are_sent_to_log_in(
    client, viewer, patrol_pages
):
    for name, url in patrol_pages.items():
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], name
    signed_in(client, viewer)
    for name, url in patrol_pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        page = html(response)
        assert "http://" not in page and "https://" not in page, name


def test_a_viewer_cannot_post_to_any_patrol_page_and_nothing_changes(client, viewer, supervisor):
    grid = grid_make(supervisor, code="HG-V", operation="VIBRANT")
    schedule(date(2026, 6, 11))
    gap = ScheduledPatrol.objects.get(grid=grid)
    before = (HotGrid.objects.count(), PatrolVisit.objects.count(), Request.objects.count())
    signed_in(client, viewer)
    posts = {
        "/patrols/grids/new/": grid_form(area="1", cell_lon="-1.89", cell_lat="52.48", cell_size_m="200"),
        f"/patrols/grids/{grid.pk}/edit/": grid_form(code="HG-V2"),
        "/patrols/visits/new/": {"grid": grid.pk},
        "/patrols/visits/import/": {
            "file": SimpleUploadedFile("p.csv", b"resource,officer,timestamp,lat,lon\n")
        },
        f"/patrols/gaps/{gap.pk}/cover/": {},
        "/patrols/trials/VIBRANT/randomise/": {"seed": "1"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert (HotGrid.objects.count(), PatrolVisit.objects.count(), Request.objects.count()) == before
    assert not PatrolTrial.objects.exists()
    assert HotGrid.objects.get(pk=grid.pk).code == "HG-V"


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


# -- hot grids ----------------------------------------------------------------------------------------


def test_mission_support_cannot_create_a_hot_grid(client, mission_user, npu_ids):
    signed_in(client, mission_user)
    assert "a Supervisor keeps them" in html(client.get("/patrols/grids/new/"))
    data = grid_form(area=npu_ids["BE"], cell_lon="-1.89", cell_lat="52.48", cell_size_m="200")
    assert client.post("/patrols/grids/new/", data).status_code == 403
    assert not HotGrid.objects.filter(code="HG-NEW").exists()


def test_a_supervisor_creates_a_hot_grid_from_a_square_cell(client, supervisor, npu_ids):
    data = grid_form(area=npu_ids["BE"], cell_lon="-1.89", cell_lat="52.48", cell_size_m="200")
    response = signed_in(client, supervisor).post("/patrols/grids/new/", data)

    grid = HotGrid.objects.get(code="HG-NEW")
    assert response.status_code == 302 and response["Location"] == f"/patrols/grids/{grid.pk}/"
    assert grid.area.code == "BE" and grid.geometry["type"] == "Polygon"
    assert grid.min_lon < -1.89 < grid.max_lon and grid.min_lat < 52.48 < grid.max_lat
    assert sorted(str(w) for w in grid.windows.all()) == [
        "Mon,Tue,Wed,Thu,Fri 18:00–22:00",
        "Sat 10:00–14:00",
    ]


def test_a_supervisor_creates_a_hot_grid_from_geojson(client, supervisor, npu_ids):
    outline = {
        "type": "Polygon",
        "coordinates": [[[-1.9, 52.48], [-1.89, 52.48], [-1.89, 52.49], [-1.9, 52.48]]],
    }
    data = grid_form(area=npu_ids["BW"], geometry=json.dumps(outline), operation=_op("VIBRANT"))
    response = signed_in(client, supervisor).post("/patrols/grids/new/", data)

    assert response.status_code == 302
    grid = HotGrid.objects.get(code="HG-NEW")
    assert grid.geometry == outline and grid.operation.code == "VIBRANT"


def _op(code):
    return Operation.objects.get(code=code).pk


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"geometry": json.dumps(BOWTIE)}, "id_geometry", "not a valid polygon: Self-intersection"),
        ({"geometry": "{not json"}, "id_geometry", "This is not valid JSON"),
        ({"cell_lon": "-0.12", "cell_lat": "51.5", "cell_size_m": "200"}, "id_cell_lon", "outside the force"),
        ({"cell_lon": "-1.89"}, "id_cell_lat", "Needed for a square cell."),
        ({}, "id_geometry", "Give the outline as GeoJSON, or a square cell below."),
        ({"windows": "Mon-Fri 18-22"}, "id_windows", "give days then times as HH:MM-HH:MM"),
    ],
    ids=["self-intersection", "bad json", "outside the force", "half a cell", "no outline", "bad windows"],
)
def test_a_bad_hot_grid_shows_the_error_on_its_field_and_saves_nothing(
    client, supervisor, npu_ids, fields, field_id, message
):
    data = grid_form(area=npu_ids["BE"], **fields)
    if "windows" in fields:
        data.update(cell_lon="-1.89", cell_lat="52.48", cell_size_m="200")

    response = signed_in(client, supervisor).post("/patrols/grids/new/", data)

    assert response.status_code == 200
    page = html(response)
    assert message in page
    assert f'href="#{field_id}"' in page  # the error summary links to the field in error
    assert not HotGrid.objects.exists()


def test_editing_a_grid_without_touching_its_windows_keeps_its_scheduled_patrols(client, supervisor):
    grid = grid_make(supervisor, code="HG-EDIT")
    schedule(TODAY)
    signed_in(client, supervisor)
    form = client.get(f"/patrols/grids/{grid.pk}/edit/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(name="Renamed", area=grid.area_id, operation=grid.operation_id, offence_groups=[])

    response = client.post(f"/patrols/grids/{grid.pk}/edit/", data)

    assert response.status_code == 302, response.context["form"].errors
    assert HotGrid.objects.get(pk=grid.pk).name == "Renamed"
    assert ScheduledPatrol.objects.filter(grid=grid).count() == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mon-Fri 18:00-22:00; Sat 10:00-14:00",
            [([0, 1, 2, 3, 4], "18:00", "22:00"), ([5], "10:00", "14:00")],
        ),
        ("Fri-Mon 22:00-02:00", [([0, 4, 5, 6], "22:00", "02:00")]),
        (
            "daily 9:00 – 10:30\nWeekends 12:00-13:00",
            [(list(range(7)), "09:00", "10:30"), ([5, 6], "12:00", "13:00")],
        ),
        ("Monday,Wednesday 07:00-08:00", [([0, 2], "07:00", "08:00")]),
    ],
)
def test_the_windows_text_is_read_into_patrol_windows(text, expected):
    windows = parse_windows(text)
    assert [
        (w["weekdays"], f"{w['start_time']:%H:%M}", f"{w['end_time']:%H:%M}") for w in windows
    ] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Give at least one patrol window"),
        ("18:00-22:00", "Window 1 (“18:00-22:00”): give days then times as HH:MM-HH:MM"),
        ("Funday 10:00-11:00", "“Funday” is not a day"),
        ("Sat 25:00-26:00", "25:00 is not a time of day"),
        (
            "Mon 10:00-12:00; Tue 10:00-10:00",
            "Window 2 (“Tue 10:00-10:00”): the start and end are the same time.",
        ),
    ],
)
def test_bad_windows_text_is_refused_with_a_clear_message(text, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        parse_windows(text)
    assert any(message in m for m in caught.value.messages)


def test_the_grid_list_is_filtered_and_maps_the_listed_grids_by_arm(client, viewer):
    grid_make(code="HG-T", area="BE", trial_arm=HotGrid.Arm.TREATMENT)
    grid_make(code="HG-C", area="BE", trial_arm=HotGrid.Arm.CONTROL)
    grid_make(code="HG-W", area="BW", operation="VIBRANT")
    signed_in(client, viewer)

    response = client.get("/patrols/grids/?area=BE")

    page = html(response)
    features = response.context["map"]["grids"]["features"]
    assert sorted((f["properties"]["code"], f["properties"]["arm_label"]) for f in features) == [
        ("HG-C", "Control (business as usual)"),
        ("HG-T", "Treatment (patrolled)"),
    ]
    assert response.context["map"]["boundary"]["type"] in {"Polygon", "MultiPolygon"}
    table = section(page, "<tbody>", "</tbody>")
    assert "HG-T" in table and "Treatment (patrolled)" in table and "HG-W" not in table
    legend = section(page, 'class="map-legend"', "</ul>")
    assert "Treatment (patrolled)" in legend and "Control (business as usual)" in legend
    assert 'src="/static/vendor/leaflet/leaflet.js"' in page
    assert 'href="/static/vendor/leaflet/leaflet.css"' in page
    assert 'src="/static/js/patrol_map.js"' in page
    # No script, style or image from elsewhere (a random CSRF token may spell "cdn").
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)


def test_the_grid_page_shows_its_rule_windows_and_the_last_28_days(client, viewer):
    grid = grid_make(code="HG-D", trial_arm=HotGrid.Arm.TREATMENT)
    for day in (date(2026, 6, 10), date(2026, 6, 11)):
        schedule(day)
    visit_log(grid, local(2026, 6, 10, 18, 0), local(2026, 6, 10, 18, 30), officer="PC 808")

    response = signed_in(client, viewer).get(f"/patrols/grids/{grid.pk}/")

    page = html(response)
    assert "within 24 hours after the scheduled start (exactly 24 h counts" in page
    assert "Daily 18:00–20:00" in page
    stats = section(page, 'id="stats-title"', "</table>")
    assert re.findall(r'<td class="num">([^<]*)</td>', stats) == ["2", "1", "50.0 %", "1", "30", "1"]
    assert "PC 808" in page
    assert 'src="/static/vendor/leaflet/leaflet.js"' in page


# -- compliance, gaps and cover -----------------------------------------------------------------------


@pytest.fixture
def two_days():
    """BE: two Guardian grids, one patrolled both days, one never; BW: a Vibrant grid patrolled twice."""
    be_done, be_never = grid_make(code="HG-BE1", area="BE"), grid_make(code="HG-BE2", area="BE")
    bw = grid_make(code="HG-BW1", area="BW", operation="VIBRANT")
    for day in (10, 11):
        schedule(date(2026, 6, day))
    for day in (10, 11):
        visit_log(be_done, local(2026, 6, day, 18, 30), local(2026, 6, day, 18, 50))
        visit_log(bw, local(2026, 6, day, 19, 0), local(2026, 6, day, 19, 10), resource="NPU-BW")
    return {"be_done": be_done, "be_never": be_never, "bw": bw}


def _rows(page, table_id):
    table = section(page, f'id="{table_id}"', "</table>")
    return {
        m[0]: re.findall(r'<td class="num">(?:<strong>)?([^<]*)', m[1])
        for m in re.findall(
            r'<th scope="row">([A-Za-z ]+?)(?: <span[^>]*>[^<]*</span>)?</th>(.*?)</tr>', table, re.S
        )
    }


def test_the_compliance_page_shows_the_percentages_per_npu_operation_and_force(client, viewer, two_days):
    page = html(signed_in(client, viewer).get("/patrols/compliance/?from=2026-06-10&to=2026-06-11"))

    # scheduled, compliant, gaps, compliance, visits, minutes, effective visits
    assert _rows(page, "by-npu") == {
        "BE": ["4", "2", "2", "50.0 %", "2", "40", "2"],
        "BW": ["2", "2", "0", "100.0 %", "2", "20", "0"],
        "Force": ["6", "4", "2", "66.7 %", "4", "60", "2"],
    }
    assert _rows(page, "by-operation") == {
        "GUARDIAN": ["4", "2", "2", "50.0 %", "2", "40", "2"],
        "VIBRANT": ["2", "2", "0", "100.0 %", "2", "20", "0"],
    }
    gaps = section(page, 'id="gaps-title"', "</section>")
    assert "(2)" in gaps and gaps.count("HG-BE2") == 2 and "HG-BE1" not in gaps

    only_vibrant = html(client.get("/patrols/compliance/?from=2026-06-10&to=2026-06-11&operation=VIBRANT"))
    assert set(_rows(only_vibrant, "by-npu")) == {"BW", "Force"}


def test_the_compliance_page_defaults_to_the_last_28_days(client, viewer):
    response = signed_in(client, viewer).get("/patrols/compliance/")
    assert (response.context["first"], response.context["last"]) == (date(2026, 5, 16), TODAY)


def test_raising_cover_for_a_gap_creates_one_request_and_a_second_click_shows_the_conflict(
    client, mission_user, two_days
):
    gap = ScheduledPatrol.objects.filter(grid=two_days["be_never"]).order_by("starts_at").first()
    signed_in(client, mission_user)
    page = html(client.get("/patrols/compliance/?from=2026-06-10&to=2026-06-11"))
    assert f'action="/patrols/gaps/{gap.pk}/cover/"' in page

    next_url = "/patrols/compliance/?from=2026-06-10&to=2026-06-11"
    first = client.post(f"/patrols/gaps/{gap.pk}/cover/", {"next": next_url})
    second = client.post(f"/patrols/gaps/{gap.pk}/cover/", {"next": next_url})

    assert first.status_code == second.status_code == 302 and first["Location"] == next_url
    cover = Request.objects.get()
    assert cover.kind == RequestKind.PATROL_SUPPORT and cover.area.code == "BE"
    assert ScheduledPatrol.objects.get(pk=gap.pk).cover_request == cover
    assert "already requested" in " ".join(flash(second))
    assert f"Cover {cover.reference}" in html(client.get(next_url))


# -- the trial ----------------------------------------------------------------------------------------


def test_the_trial_page_shows_the_balance_and_refuses_re_randomisation_after_the_start(client, supervisor):
    for n in range(4):
        grid_make(code=f"HG-BE{n}", area="BE")
    for n in range(2):
        grid_make(code=f"HG-BW{n}", area="BW")
    signed_in(client, supervisor)

    response = client.post("/patrols/trials/GUARDIAN/randomise/", {"seed": "42", "starts_on": "2026-06-20"})
    assert response.status_code == 302 and response["Location"] == "/patrols/trials/GUARDIAN/"
    page = html(client.get("/patrols/trials/GUARDIAN/"))
    assert ">42<" in page and "supervisor" in page and "not started" in page
    assert _rows(page, "balance") == {
        "BE": ["2", "2", "0"],
        "BW": ["1", "1", "0"],
        "All NPUs": ["3", "3", "0"],
    }
    readout = section(page, 'id="readout"', "</table>")
    assert "Treatment (patrolled)" in readout and "Control (business as usual)" in readout

    services.hot_grids_randomise(
        actor=supervisor, operation=Operation.objects.get(code="GUARDIAN"), seed=42, starts_on=TODAY
    )
    arms = dict(HotGrid.objects.values_list("code", "trial_arm"))
    refused = client.post("/patrols/trials/GUARDIAN/randomise/", {"seed": "43", "starts_on": "2026-06-20"})

    assert refused.status_code == 302
    assert "cannot be changed" in " ".join(flash(refused))
    assert dict(HotGrid.objects.values_list("code", "trial_arm")) == arms
    assert PatrolTrial.objects.get().seed == 42
    assert "its assignment is locked" in html(client.get("/patrols/trials/GUARDIAN/"))


def test_only_a_supervisor_sees_the_randomise_form(client, mission_user):
    grid_make(code="HG-X")
    page = html(signed_in(client, mission_user).get("/patrols/trials/GUARDIAN/"))
    assert "/randomise/" not in page and "have not been randomised yet" in page


# -- the TRM agenda -----------------------------------------------------------------------------------


def test_the_trm_page_lists_the_review_periods_hot_grid_gaps_by_npu_with_a_cover_button(client, mission_user):
    missed = grid_make(code="HG-MISS", area="BE", operation="VIBRANT")
    made = grid_make(code="HG-MADE", area="BW", operation="VIBRANT")
    schedule(date(2026, 6, 11))
    visit_log(made, local(2026, 6, 11, 18, 30), resource="NPU-BW")
    meeting = services.trm_meeting_open(actor=mission_user, date=TODAY)  # reviews 11 June
    url = f"/trm/{TODAY.isoformat()}/"
    signed_in(client, mission_user)

    page = html(client.get(url))

    gaps = section(page, 'id="hot-grids"', 'id="decisions"')
    assert "Patrols missed on Thu 11 Jun: 1 gap" in gaps
    assert "BE " in gaps and "HG-MISS" in gaps and "HG-MADE" not in gaps
    gap = ScheduledPatrol.objects.get(grid=missed)
    assert f'action="/patrols/gaps/{gap.pk}/cover/"' in gaps and f'name="next" value="{url}"' in gaps

    response = client.post(f"/patrols/gaps/{gap.pk}/cover/", {"next": url})
    assert response["Location"] == url
    assert ScheduledPatrol.objects.get(pk=gap.pk).cover_request is not None
    assert meeting.date == TODAY


# -- bounded queries ----------------------------------------------------------------------------------


@pytest.fixture
def lots(supervisor):
    """60 grids over 8 NPUs, 4 days of patrols (hundreds) and a visit for every other patrol."""
    areas = ["BE", "BW", "CV", "DY", "SH", "SW", "WS", "WV"]
    grids = [
        grid_make(code=f"HG-Q{n:02d}", area=areas[n % 8], operation=["GUARDIAN", "VIBRANT"][n % 2])
        for n in range(60)
    ]
    for day in range(9, 13):
        schedule(date(2026, 6, day))
    for n, grid in enumerate(grids):
        for day in range(9, 12):
            if (n + day) % 2:
                visit_log(grid, local(2026, 6, day, 18, 30), resource="NPU-BE")
    services.hot_grids_randomise(
        actor=supervisor, operation=Operation.objects.get(code="GUARDIAN"), seed=3, starts_on=date(2026, 6, 1)
    )
    services.trm_meeting_open(actor=supervisor, date=TODAY)
    assert ScheduledPatrol.objects.count() >= 200
    return grids


def test_every_patrol_page_uses_a_bounded_number_of_queries(
    client, mission_user, lots, django_assert_max_num_queries
):
    signed_in(client, mission_user)
    pages = [
        "/patrols/",
        "/patrols/grids/",
        f"/patrols/grids/{lots[0].pk}/",
        f"/patrols/grids/{lots[0].pk}/edit/",
        "/patrols/visits/new/",
        "/patrols/visits/",
        "/patrols/visits/import/",
        "/patrols/compliance/?from=2026-06-09&to=2026-06-12",
        "/patrols/trials/GUARDIAN/",
    ]
    client.get("/patrols/")  # today's schedule exists, as the periodic job would have made it
    for url in pages:
        with django_assert_max_num_queries(20):
            response = client.get(url)
        assert response.status_code == 200, url
    assert html(client.get("/patrols/grids/")).count('<a href="/patrols/grids/') >= 60
    with django_assert_max_num_queries(30):
        assert client.get(f"/trm/{TODAY.isoformat()}/").status_code == 200
