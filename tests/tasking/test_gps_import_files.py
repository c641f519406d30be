"""GPS import files: bad rows are reported with their line numbers and by default refuse the whole
file, bad files are refused with a clear message, and the management command and the API upload
import a file, report what they did and keep to the role rules."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tasking.models import PatrolVisit
from tasking.services import ImportRejected, patrol_points_import

from .gps_helpers import HEADER, OUTSIDE, A, at, csv, load, row, two_grids, visits
from .patrol_helpers import events_of, patrol_reference  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference")]


@pytest.fixture
def grids(db):
    return two_grids()


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
