"""The admin site: only Administrators get in, and every write there is audited."""

import pytest
import tablib

from operations.admin_resources import ResourceResource
from operations.models import Area, AuditEntry, Event, Resource

pytestmark = pytest.mark.django_db

REFERENCE_MODELS = ["area", "operation", "tacticalpriority", "offencegroup", "resource", "outcometype"]
READ_ONLY_MODELS = ["auditentry", "event"]
RESOURCE_HEADERS = ["code", "name", "kind", "home_area", "capacity_per_period", "active"]


@pytest.fixture
def admin_client(client, administrator, reference_data):
    client.force_login(administrator)
    return client


def resource_audit(resource):
    return AuditEntry.objects.filter(object_type="operations.resource", object_id=str(resource.pk))


@pytest.mark.parametrize("model", REFERENCE_MODELS)
def test_administrator_opens_the_changelist_and_add_page_of_each_reference_model(admin_client, model):
    changelist = admin_client.get(f"/admin/operations/{model}/")
    add_page = admin_client.get(f"/admin/operations/{model}/add/")

    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count > 0
    assert add_page.status_code == 200
    assert "adminform" in add_page.context


@pytest.mark.parametrize("model", READ_ONLY_MODELS)
def test_administrator_opens_the_read_only_audit_and_event_changelists(admin_client, model):
    Event.objects.create(type="test.opened")

    response = admin_client.get(f"/admin/operations/{model}/")

    assert response.status_code == 200
    assert response.context["cl"].result_count > 0
    assert response.context["has_add_permission"] is False


@pytest.mark.parametrize("user_fixture", ["viewer", "mission_user", "supervisor"])
@pytest.mark.parametrize("path", ["/admin/", "/admin/operations/resource/", "/admin/operations/auditentry/"])
def test_other_roles_are_sent_to_the_admin_login(client, request, user_fixture, path):
    client.force_login(request.getfixturevalue(user_fixture))

    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/?next=")


def test_saving_a_resource_in_the_admin_change_form_writes_an_audit_entry(admin_client, administrator):
    resource = Resource.objects.get(code="NPU-CV")
    before = resource_audit(resource).count()

    response = admin_client.post(
        f"/admin/operations/resource/{resource.pk}/change/",
        {
            "code": resource.code,
            "name": resource.name,
            "kind": resource.kind,
            "home_area": resource.home_area_id,
            "capacity_per_period": 4,
            "active": "on",
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    resource.refresh_from_db()
    assert resource.capacity_per_period == 4
    entries = resource_audit(resource)
    assert entries.count() == before + 1
    entry = entries.first()
    assert entry.actor == administrator
    assert entry.actor_username == "admin"
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.changes == {"capacity_per_period": [8, 4]}


def test_take_out_of_service_action_deactivates_and_audits_the_selected_resources(
    admin_client, administrator
):
    chosen = list(Resource.objects.filter(code__in=["OSU", "CMPG"]))

    response = admin_client.post(
        "/admin/operations/resource/",
        {"action": "take_out_of_service", "_selected_action": [r.pk for r in chosen]},
    )

    assert response.status_code == 302
    assert not Resource.objects.filter(code__in=["OSU", "CMPG"], active=True).exists()
    assert Resource.objects.get(code="FS").active
    for resource in chosen:
        entry = resource_audit(resource).first()
        assert entry.actor == administrator
        assert entry.changes == {"active": [True, False]}
        assert entry.reason == "admin action"


def test_audit_entries_cannot_be_added_changed_or_deleted_in_the_admin(admin_client):
    entry = AuditEntry.objects.first()
    base = "/admin/operations/auditentry/"

    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.post(f"{base}add/", {"action": "create"}).status_code == 403
    assert admin_client.post(f"{base}{entry.pk}/change/", {"reason": "tidied"}).status_code == 403
    assert admin_client.get(f"{base}{entry.pk}/delete/").status_code == 403
    assert admin_client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post(base, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})

    entry_after = AuditEntry.objects.get(pk=entry.pk)
    assert entry_after.reason == entry.reason
    changelist = admin_client.get(base).content.decode()
    assert 'value="delete_selected"' not in changelist
    assert f'href="{base}add/"' not in changelist


def test_the_admin_neither_issues_nor_shows_api_tokens(admin_client, mission_user):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=mission_user)
    base = "/admin/authtoken/tokenproxy/"

    assert admin_client.get(base).status_code == 404
    assert admin_client.post(f"{base}add/", {"user": mission_user.pk}).status_code == 404
    assert token.key not in admin_client.get("/admin/").content.decode()
    assert "tokenproxy" not in admin_client.get("/admin/").content.decode()
    assert list(Token.objects.values_list("key", flat=True)) == [token.key]


def test_csv_import_creates_resources_and_audits_each_row(administrator, reference_data):
    dataset = tablib.Dataset(headers=RESOURCE_HEADERS)
    dataset.append(["DY-PT", "Dudley proactive team", "npu_team", "DY", 5, 1])
    dataset.append(["RPU", "Roads Policing Unit", "force_response", "", 9, 1])

    result = ResourceResource().import_data(dataset, dry_run=False, user=administrator)

    assert not result.has_errors()
    assert not result.has_validation_errors()
    imported = Resource.objects.get(code="DY-PT")
    assert imported.home_area == Area.objects.get(code="DY")
    assert imported.capacity_per_period == 5
    assert Resource.objects.get(code="RPU").home_area is None
    for code in ("DY-PT", "RPU"):
        entry = resource_audit(Resource.objects.get(code=code)).get()
        assert entry.action == AuditEntry.Action.CREATE
        assert entry.actor == administrator
        assert entry.reason == "CSV import"


def test_csv_import_with_an_unknown_home_area_reports_the_row_and_saves_nothing(
    administrator, reference_data
):
    dataset = tablib.Dataset(headers=RESOURCE_HEADERS)
    dataset.append(["GOOD", "A good row", "osu", "", 5, 1])
    dataset.append(["BAD", "A bad row", "npu_team", "ZZ", 5, 1])
    dataset.append(["LATER", "Another good row", "osu", "", 5, 1])
    resources_before = Resource.objects.count()
    audit_before = AuditEntry.objects.count()

    result = ResourceResource().import_data(dataset, dry_run=False, user=administrator)

    assert result.has_errors() or result.has_validation_errors()
    failed_rows = [number for number, _ in result.row_errors()] + [row.number for row in result.invalid_rows]
    assert failed_rows == [2]
    assert Resource.objects.count() == resources_before
    assert not Resource.objects.filter(code__in=["GOOD", "BAD", "LATER"]).exists()
    assert AuditEntry.objects.count() == audit_before


def test_csv_export_writes_area_codes_for_the_home_area(reference_data):
    csv_text = ResourceResource().export().csv

    lines = csv_text.splitlines()
    assert lines[0] == ",".join(RESOURCE_HEADERS)
    rows = {line.split(",")[0]: line.split(",") for line in lines[1:]}
    assert rows["NPU-BE"][3] == "BE"
    assert rows["NPU-WV"][3] == "WV"
    assert rows["FS"][3] == ""
