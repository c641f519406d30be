"""GPS import: points merge into visits by officer, grid and time; bad files and rows are reported."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tasking.geo import square_cell
from tasking.models import PatrolVisit, ScheduledPatrol
from tasking.models.periods import LONDON
from tasking.services import ImportRejected, patrol_points_import

from .patrol_helpers import events_of, grid_make, local, patrol_reference, schedule  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference")]

A = (-1.89, 52.48)  # centre of grid A (200 m square)
B = (-1.88, 52.48)  # centre of grid B, ~680 m east
OUTSIDE = (-1.885, 52.48)  # between them, in neither
HEADER = "resource,officer,timestamp,lat,lon"


@pytest.fixture
def grids(db):
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


# ---------------------------------------------------------------- merging points into visits


def test_consecutive_points_of_one_officer_in_one_grid_merge_into_one_visit(grids):
    report = load(csv(row("18:00"), row("18:03"), row("18:07"), row("18:10")))
    assert visits() == [("HG-A", "PC 1", "NPU-BE", "18:00", "18:10")]
    visit = PatrolVisit.objects.get()
    assert visit.arrived_at == local(2026, 6, 10, 18, 0)
    assert visit.left_at == local(2026, 6, 10, 18, 10)
    assert visit.dwell_minutes == Decimal("10.00")
    assert visit.source == PatrolVisit.Source.GPS
    assert (report.rows, report.points_in_grids, report.points_outside) == (4, 4, 0)
    assert (report.visits_created, report.visits_existing, report.errors) == (1, 0, [])


def test_a_gap_longer_than_the_tolerance_splits_the_visit_in_two(grids):
    report = load(csv(row("18:00"), row("18:03"), row("18:10"), row("18:12")))
    assert visits() == [
        ("HG-A", "PC 1", "NPU-BE", "18:00", "18:03"),
        ("HG-A", "PC 1", "NPU-BE", "18:10", "18:12"),
    ]
    assert report.visits_created == 2


def test_a_gap_just_under_the_default_five_minutes_still_merges(grids):
    load(csv(row("18:00"), f"NPU-BE,PC 1,2026-06-10T18:04:59+01:00,{A[1]},{A[0]}"))
    assert len(visits()) == 1


def test_a_gap_of_exactly_the_tolerance_is_not_under_it_and_splits(grids):
    load(csv(row("18:00"), row("18:05")))
    assert len(visits()) == 2


def test_the_tolerance_can_be_widened_for_one_import(grids):
    load(csv(row("18:00"), row("18:03"), row("18:10"), row("18:12")), tolerance_minutes=10)
    assert visits() == [("HG-A", "PC 1", "NPU-BE", "18:00", "18:12")]


def test_a_point_outside_every_grid_splits_the_visit(grids):
    report = load(csv(row("18:00"), row("18:01"), row("18:02", OUTSIDE), row("18:03"), row("18:04")))
    assert visits() == [
        ("HG-A", "PC 1", "NPU-BE", "18:00", "18:01"),
        ("HG-A", "PC 1", "NPU-BE", "18:03", "18:04"),
    ]
    assert (report.points_in_grids, report.points_outside) == (4, 1)


def test_moving_from_one_grid_to_another_ends_one_visit_and_starts_the_next(grids):
    load(csv(row("18:00"), row("18:02"), row("18:04", B), row("18:06", B)))
    assert visits() == [
        ("HG-A", "PC 1", "NPU-BE", "18:00", "18:02"),
        ("HG-B", "PC 1", "NPU-BE", "18:04", "18:06"),
    ]


def test_two_officers_interleaved_in_the_same_grid_stay_separate(grids):
    load(csv(row("18:00", officer="PC 1"), row("18:01", officer="PC 2"), row("18:02", officer="PC 1"),
             row("18:03", officer="PC 2")))  # fmt: skip
    assert visits() == [
        ("HG-A", "PC 1", "NPU-BE", "18:00", "18:02"),
        ("HG-A", "PC 2", "NPU-BE", "18:01", "18:03"),
    ]


def test_the_same_officer_on_two_resources_makes_two_visits(grids):
    load(csv(row("18:00"), row("18:01", resource="GTF"), row("18:02"), row("18:03", resource="GTF")))
    assert sorted(visits()) == [
        ("HG-A", "PC 1", "GTF", "18:01", "18:03"),
        ("HG-A", "PC 1", "NPU-BE", "18:00", "18:02"),
    ]


def test_points_out_of_order_in_the_file_are_put_in_time_order(grids):
    load(csv(row("18:04"), row("18:00"), row("18:02")))
    assert visits() == [("HG-A", "PC 1", "NPU-BE", "18:00", "18:04")]


def test_a_single_point_in_a_grid_is_a_visit_of_no_minutes(grids):
    load(csv(row("18:00")))
    assert PatrolVisit.objects.get().dwell_minutes == Decimal("0.00")


def test_times_without_an_offset_are_london_local_time_and_z_is_utc(grids):
    load(
        csv(
            f"NPU-BE,PC 1,2026-06-10T18:00:00,{A[1]},{A[0]}",
            f"NPU-BE,PC 2,2026-06-10T17:00:00Z,{A[1]},{A[0]}",
        )
    )
    assert {v.arrived_at for v in PatrolVisit.objects.all()} == {local(2026, 6, 10, 18, 0)}


def test_a_byte_order_mark_and_capitalised_headers_are_accepted(grids):
    text = csv(row("18:00"), header="Resource, Officer ,TIMESTAMP,Lat,Lon")
    report = patrol_points_import(actor=None, data=b"\xef\xbb\xbf" + text.encode())
    assert report.visits_created == 1


def test_imported_visits_make_scheduled_patrols_compliant_and_are_announced(grids):
    a, b = grids
    schedule(date(2026, 6, 10))
    load(csv(row("18:30"), row("18:33")))
    assert ScheduledPatrol.objects.get(grid=a).is_compliant
    assert not ScheduledPatrol.objects.get(grid=b).is_compliant
    (event,) = events_of("patrol.visit_logged")
    assert event.payload["patrols"] == [ScheduledPatrol.objects.get(grid=a).pk]


def test_progress_is_reported_row_by_row(grids):
    seen = []
    load(csv(row("18:00"), row("18:01"), row("18:02")), progress=seen.append)
    assert sum(seen) == 3


# ---------------------------------------------------------------- re-importing


def test_re_importing_the_same_file_creates_nothing_new(grids):
    text = csv(row("18:00"), row("18:03"), row("18:20"), row("18:22", B))
    first = load(text)
    assert first.visits_created == 3
    events = len(events_of("patrol.visit_logged"))
    again = load(text)
    assert (again.visits_created, again.visits_existing) == (0, 3)
    assert PatrolVisit.objects.count() == 3
    assert len(events_of("patrol.visit_logged")) == events


def test_re_importing_a_file_with_one_new_visit_adds_only_that_visit(grids):
    load(csv(row("18:00"), row("18:03")))
    report = load(csv(row("18:00"), row("18:03"), row("19:00", B)))
    assert (report.visits_created, report.visits_existing) == (1, 1)
    assert PatrolVisit.objects.count() == 2


# ---------------------------------------------------------------- bad rows and bad files

BAD_ROWS = [
    row("18:00"),  # line 2: good
    f"NPU-BE,PC 1,yesterday evening,{A[1]},{A[0]}",  # line 3
    f"NPU-BE,PC 1,{at('18:01')},91,{A[0]}",  # line 4
    f"NPU-BE,PC 1,{at('18:02')},{A[1]},abc",  # line 5
    f"NOSUCH,PC 1,{at('18:03')},{A[1]},{A[0]}",  # line 6
    f"NPU-BE,,{at('18:04')},{A[1]},{A[0]}",  # line 7
    row("18:04"),  # line 8: good (4 min after line 2: merges)
]


def assert_bad_rows_reported(errors):
    reasons = dict(errors)
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert "'yesterday evening' is not ISO 8601" in reasons[3]
    assert "out of range" in reasons[4]
    assert "not numbers" in reasons[5]
    assert "unknown resource 'NOSUCH'" in reasons[6]
    assert "officer is blank" in reasons[7]


def test_bad_rows_are_reported_with_line_numbers_and_by_default_nothing_is_imported(grids):
    with pytest.raises(ImportRejected) as caught:
        load(csv(*BAD_ROWS))
    assert "5 bad row(s): nothing was imported" in caught.value.message
    assert_bad_rows_reported(caught.value.report.errors)
    assert caught.value.report.as_dict()["errors"][0] == {
        "line": 3,
        "reason": caught.value.report.errors[0][1],
    }
    assert not PatrolVisit.objects.exists()
    assert events_of("patrol.visit_logged") == []


def test_with_skip_bad_rows_the_good_rows_import_and_the_bad_are_still_reported(grids):
    report = load(csv(*BAD_ROWS), skip_bad_rows=True)
    assert_bad_rows_reported(report.errors)
    assert report.rows == 7
    assert visits() == [("HG-A", "PC 1", "NPU-BE", "18:00", "18:04")]


def test_a_file_that_is_not_utf8_is_rejected_clearly(grids):
    data = (csv(row("18:00", officer="PC Zoë")) + "").encode("latin-1")
    with pytest.raises(ImportRejected, match="not UTF-8"):
        patrol_points_import(actor=None, data=data)
    assert not PatrolVisit.objects.exists()


def test_a_file_missing_columns_is_rejected_naming_them(grids):
    with pytest.raises(ImportRejected, match="Missing column\\(s\\): timestamp, lon"):
        load(csv("NPU-BE,PC 1,52.48", header="resource,officer,lat"))


def test_an_empty_file_is_rejected_clearly(grids):
    with pytest.raises(ImportRejected, match="The file is empty"):
        patrol_points_import(actor=None, data=b"")


def test_a_file_with_only_a_header_is_rejected_clearly(grids):
    with pytest.raises(ImportRejected, match="header but no rows"):
        load(HEADER + "\n")


# ---------------------------------------------------------------- the management command


def test_the_command_imports_a_file_and_prints_the_summary(grids, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(csv(row("18:00"), row("18:03"), row("18:04", OUTSIDE)), encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_patrol_points", str(path), stdout=out, stderr=err)
    assert (
        "Rows 3; points in grids 2, outside 1; visits created 1, already imported 0; bad rows 0."
        in out.getvalue()
    )
    assert PatrolVisit.objects.count() == 1
    out = StringIO()
    call_command("import_patrol_points", str(path), stdout=out, stderr=StringIO())
    assert "visits created 0, already imported 1" in out.getvalue()


def test_the_command_lists_bad_rows_and_refuses_the_file(grids, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(csv(*BAD_ROWS), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_patrol_points", str(path), stdout=StringIO(), stderr=err)
    assert "line 4: coordinates out of range" in err.getvalue()
    assert not PatrolVisit.objects.exists()


def test_the_command_skips_bad_rows_when_asked(grids, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(csv(*BAD_ROWS), encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_patrol_points", str(path), "--skip-bad-rows", stdout=out, stderr=err)
    assert "visits created 1" in out.getvalue()
    assert "bad rows 5" in out.getvalue()
    assert "line 6: unknown resource 'NOSUCH' (skipped)" in err.getvalue()


def test_the_command_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_patrol_points", str(tmp_path / "nope.csv"), stdout=StringIO())


# ---------------------------------------------------------------- the API upload


def upload(client, text, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = text if isinstance(text, bytes) else text.encode()
    return client.post(
        "/api/patrol-visits/import/",
        {"file": SimpleUploadedFile("points.csv", data, content_type="text/csv"), **extra},
        format="multipart",
    )


def test_mission_support_uploads_a_gps_file_and_gets_the_report(api, mission_user, grids):
    response = upload(api.as_user(mission_user), csv(row("18:00"), row("18:03"), row("18:04", OUTSIDE)))
    assert response.status_code == 200, response.data
    assert response.data == {
        "rows": 3, "points_in_grids": 2, "points_outside": 1, "visits_created": 1, "visits_existing": 0,
        "errors": [],
    }  # fmt: skip
    visit = PatrolVisit.objects.get()
    assert visit.source == PatrolVisit.Source.GPS
    assert visit.logged_by == mission_user


def test_the_upload_answers_400_with_the_bad_rows_and_imports_nothing(api, mission_user, grids):
    response = upload(api.as_user(mission_user), csv(*BAD_ROWS))
    assert response.status_code == 400
    assert response.data["code"] == "import_rejected"
    assert [e["line"] for e in response.data["errors"]] == [3, 4, 5, 6, 7]
    assert not PatrolVisit.objects.exists()


def test_the_upload_can_skip_bad_rows_and_widen_the_tolerance(api, mission_user, grids):
    text = csv(*BAD_ROWS, row("18:12"))
    response = upload(api.as_user(mission_user), text, skip_bad_rows="true", tolerance="10")
    assert response.status_code == 200
    assert len(response.data["errors"]) == 5
    assert visits() == [("HG-A", "PC 1", "NPU-BE", "18:00", "18:12")]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"resource,officer\nNPU-BE,PC 1\n", "Missing column"),
        (b"", "empty"),
        ((HEADER + "\n").encode(), "no rows"),
        ((HEADER + "\nNPU-BE,PC Zo\xe9,2026-06-10T18:00:00Z,52.48,-1.89\n").encode("latin-1"), "UTF-8"),
    ],
)
def test_the_upload_answers_400_with_a_clear_message_for_a_bad_file(api, mission_user, grids, data, says):
    response = upload(api.as_user(mission_user), data)
    assert response.status_code == 400
    assert says in str(response.data)


def test_the_upload_needs_a_file(api, mission_user):
    response = api.as_user(mission_user).post("/api/patrol-visits/import/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.data


def test_a_viewer_cannot_upload_gps_points(api, viewer, grids):
    response = upload(api.as_user(viewer), csv(row("18:00")))
    assert response.status_code == 403
    assert not PatrolVisit.objects.exists()


def test_an_anonymous_upload_is_refused(api, grids):
    response = upload(api, csv(row("18:00")))
    assert response.status_code == 401
    assert not PatrolVisit.objects.exists()


def test_visits_two_days_apart_are_separate(grids):
    load(csv(row("18:00"), f"NPU-BE,PC 1,{at('18:00', day=11)},{A[1]},{A[0]}"))
    assert [(v.arrived_at.date(), v.dwell_minutes) for v in PatrolVisit.objects.order_by("arrived_at")] == [
        (date(2026, 6, 10), 0),
        (date(2026, 6, 10) + timedelta(days=1), 0),
    ]
