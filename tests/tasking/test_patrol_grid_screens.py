"""The hot-grid screens through the test client: a Supervisor creates and edits a grid from a square
cell or GeoJSON, bad input is shown on its field, the patrol windows text is read or refused, and the
grid list and page show the grids on a map.

Test data is made with the patrol services (``patrol_helpers``), as the application makes it. The
clock is frozen on Friday 12 June 2026 at 19:00 London time.
"""

import json
import re
from datetime import date

import pytest

from operations.models import Operation
from tasking.forms_patrols import parse_windows
from tasking.models import HotGrid, ScheduledPatrol

from .factories import html, signed_in
from .patrol_helpers import (
    TODAY,
    grid_form,
    grid_make,
    local,
    patrol_reference,  # noqa: F401
    patrol_screens_clock,  # noqa: F401
    schedule,
    section,
    visit_log,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_screens_clock")]

BOWTIE = {"type": "Polygon", "coordinates": [[[-1.90, 52.47], [-1.88, 52.49], [-1.88, 52.47], [-1.90, 52.49], [-1.90, 52.47]]]}  # fmt: skip  # noqa: E501


@pytest.fixture
def npu_ids():
    from operations.models import Area

    return dict(Area.objects.values_list("code", "pk"))


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
