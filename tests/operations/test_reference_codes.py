"""A reference code names one row: a CSV cell with spaces around it finds the row it names, a code
that differs from another only in letter case is refused (in an import, the admin's form and the
API), a file that names the same row twice is refused whole, and an import's errors read as
messages with their line numbers, never as a traceback."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from operations.admin_resources import AreaResource, ResourceResource
from operations.models import Area, AuditEntry, Resource

pytestmark = pytest.mark.django_db

AREA_HEADERS = ["code", "name", "kind", "parent", "population", "population_year", "population_source",
                "active_from", "active_to"]  # fmt: skip
RESOURCE_HEADERS = ["code", "name", "kind", "home_area", "capacity_per_period", "active"]


@pytest.fixture
def admin_client(client, administrator, reference_data):
    client.force_login(administrator)
    return client


def area_row(code, name="Birmingham East", population=559_251):
    return [code, name, "npu", "WMP", population, 2021, "Census 2021 TS001", "", ""]


def import_areas(administrator, *rows):
    return AreaResource().import_data(tablib.Dataset(*rows, headers=AREA_HEADERS), user=administrator)


def counts():
    return (Area.objects.count(), Resource.objects.count(), AuditEntry.objects.count())


def test_a_code_with_spaces_around_it_updates_the_row_it_names(administrator, reference_data):
    areas = Area.objects.count()

    result = import_areas(administrator, area_row(" BE ", name="Birmingham East NPU"))

    assert not (result.has_errors() or result.has_validation_errors())
    assert Area.objects.count() == areas
    assert Area.objects.get(code="BE").name == "Birmingham East NPU"


def test_a_code_differing_only_in_case_is_refused_and_nothing_is_imported(administrator, reference_data):
    before = counts()

    result = import_areas(administrator, area_row("be"))

    assert result.has_validation_errors()
    assert "BE already exists" in str(result.invalid_rows[0].error_dict["code"])
    assert counts() == before


def test_a_file_naming_the_same_row_twice_is_refused_whole(administrator, reference_data):
    before = counts()
    dataset = tablib.Dataset(headers=RESOURCE_HEADERS)
    dataset.append(["QQ", "First", "osu", "", 5, 1])
    dataset.append(["RPU", "Roads Policing Unit", "force_response", "", 9, 1])
    dataset.append(["qq ", "Second", "osu", "", 6, 1])

    result = ResourceResource().import_data(dataset, dry_run=False, user=administrator)

    assert result.has_errors()
    error = str(result.base_errors[0].error)
    assert "names the same code more than once (QQ on lines 1, 3)" in error
    assert counts() == before


def test_the_admin_shows_a_semicolon_file_s_error_without_a_traceback(admin_client):
    before = counts()
    content = b"code;name;kind;home_area;capacity_per_period;active\nNEW1;New team;osu;;5;1\n"
    upload = SimpleUploadedFile("resources.csv", content, content_type="text/csv")

    response = admin_client.post("/admin/operations/resource/import/", {"import_file": upload, "format": "0"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "not present in the file headers: code" in page
    assert "Traceback" not in page
    assert counts() == before


def test_the_admin_form_refuses_a_code_differing_only_in_case(admin_client):
    before = counts()
    form = {"code": "be", "name": "Another East", "kind": "npu", "parent": Area.objects.get(code="WMP").pk}

    response = admin_client.post("/admin/operations/area/add/", form)

    assert response.status_code == 200
    assert "BE already exists" in response.content.decode()
    assert counts() == before


def test_the_api_refuses_a_resource_code_differing_only_in_case(api, administrator, reference_data):
    before = counts()

    response = api.as_user(administrator).post(
        "/api/resources/", {"code": "osu", "name": "Another OSU", "kind": "osu", "capacity_per_period": 5}
    )

    assert response.status_code == 400
    assert "OSU already exists" in str(response.json()["code"])
    assert counts() == before


@pytest.mark.parametrize("resource_class", [AreaResource, ResourceResource])
def test_re_importing_an_unchanged_export_changes_nothing_and_says_so(
    administrator, reference_data, resource_class
):
    exported = resource_class().export()
    before = counts()

    result = resource_class().import_data(
        tablib.Dataset().load(exported.csv, format="csv"), user=administrator
    )

    assert not (result.has_errors() or result.has_validation_errors())
    assert (result.totals["new"], result.totals["update"], result.totals["skip"]) == (0, 0, len(exported))
    assert counts() == before
