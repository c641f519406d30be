"""The audit trail (Data Protection Act 2018 s.62): every change is recorded with who, when (UTC) and
why, and the app offers no way to change or delete the trail (the views of a subject's personal data
are in test_audit_trail_views.py).
"""

from datetime import UTC, timedelta

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.utils import timezone

from operations import services as reference_services
from operations.crime_import import crimes_import
from operations.models import Area, AuditEntry, OffenceGroup, Resource
from tasking import services
from tasking.models import Mission
from tests.performance.conftest import POLICE_UK_HEADER, police_uk_row
from tests.security.routes import ROUTES
from tests.tasking.factories import SCORES, last_audit_id, mission_make, request_make
from tests.tasking.patrol_helpers import grid_make, visit_log


def entries_since(mark):
    return list(AuditEntry.objects.filter(pk__gt=mark).order_by("id"))


def assert_recorded(mark, *, actor, action, object_type=None, reason=None):
    """At least one new entry for this change, by ``actor``, stamped in UTC just now."""
    found = [
        entry
        for entry in entries_since(mark)
        if entry.action == action and (object_type is None or entry.object_type == object_type)
    ]
    assert found, f"no {action} entry for {object_type}: {[str(e) for e in entries_since(mark)]}"
    entry = found[-1]
    assert entry.actor == actor and entry.actor_username == actor.username
    assert entry.at.utcoffset() == timedelta(0), "audit times are stored in UTC"
    assert abs(timezone.now() - entry.at) < timedelta(minutes=1)
    if reason is not None:
        assert entry.reason == reason
    return entry


# -- every create, update and transition, sampled across the service families -----------------


def test_reference_data_changes_are_audited_with_their_reason(db, world):
    admin_user = world.users["administrator"]
    mark = last_audit_id()
    fields = {"code": "sec-test", "name": "Security test", "harm_weight": 3, "police_uk_crime_type": "Sec"}
    group = reference_services.reference_create(
        actor=admin_user, model=OffenceGroup, data=fields, reason="New Home Office group"
    )
    assert_recorded(mark, actor=admin_user, action="create", reason="New Home Office group")

    mark = last_audit_id()
    reference_services.reference_update(
        actor=admin_user, instance=group, data={"name": "Renamed"}, reason="Typo"
    )
    entry = assert_recorded(mark, actor=admin_user, action="update", reason="Typo")
    assert entry.changes["name"] == ["Security test", "Renamed"]

    mark = last_audit_id()
    reference_services.reference_delete(actor=admin_user, instance=group, reason="Duplicate")
    assert_recorded(mark, actor=admin_user, action="delete", reason="Duplicate")


def test_a_request_and_its_assessment_are_audited(db, world):
    ms = world.users["mission_support"]
    mark = last_audit_id()
    request = request_make(ms, subject_reference="N9")
    assert_recorded(mark, actor=ms, action="create", object_type="tasking.request")

    mark = last_audit_id()
    services.request_assess(actor=ms, request=request, decision="approve", **SCORES)
    assert entries_since(mark), "the assessment wrote no audit entry"
    assert all(entry.actor == ms for entry in entries_since(mark))


def test_every_mission_transition_is_audited_with_its_reason(db, world):
    supervisor = world.users["supervisor"]
    mission = mission_make(supervisor, "in_progress")
    mark = last_audit_id()
    services.mission_not_complete(actor=supervisor, mission=mission, reason="Subject not home.")
    assert_recorded(mark, actor=supervisor, action="transition", reason="Subject not home.")

    other = mission_make(supervisor, "pending")
    mark = last_audit_id()
    services.mission_cancel(actor=supervisor, mission=other, reason="Duplicate request.")
    assert_recorded(mark, actor=supervisor, action="transition", reason="Duplicate request.")


def test_allocation_start_and_outcome_are_audited(db, world):
    ms = world.users["mission_support"]
    mission = mission_make(ms, "pending")
    for step in (
        lambda: services.mission_allocate(
            actor=ms,
            mission=mission,
            resource=Resource.objects.get(code="OSU"),
            period=services.period_for(timezone.now()),
        ),
        lambda: services.mission_start(actor=ms, mission=mission),
        lambda: services.mission_log_outcome(actor=ms, mission=mission, result="arrested", arrests=1),
    ):
        mark = last_audit_id()
        step()
        mission.refresh_from_db()
        assert_recorded(mark, actor=ms, action="transition")
    assert mission.state == Mission.State.COMPLETED


def test_trm_decisions_closing_and_reopening_are_audited(db, world):
    ms, supervisor = world.users["mission_support"], world.users["supervisor"]
    meeting = world.meeting
    mark = last_audit_id()
    services.trm_decision_record(actor=ms, meeting=meeting, text="Prioritise BE warrants.")
    assert_recorded(mark, actor=ms, action="create")

    mark = last_audit_id()
    services.trm_meeting_close(actor=supervisor, meeting=meeting)
    assert entries_since(mark) and entries_since(mark)[-1].actor == supervisor

    mark = last_audit_id()
    services.trm_meeting_reopen(actor=supervisor, meeting=meeting, reason="Late intelligence.")
    assert any(e.reason == "Late intelligence." and e.actor == supervisor for e in entries_since(mark))


def test_threat_items_and_targets_are_audited(db, world):
    ms = world.users["mission_support"]
    mark = last_audit_id()
    services.threat_item_save(actor=ms, item=world.threat_item, status="closed")
    assert_recorded(mark, actor=ms, action="update", object_type="tasking.threatitem")


def test_hot_grids_and_patrol_visits_are_audited(db, world):
    supervisor = world.users["supervisor"]
    mark = last_audit_id()
    grid = grid_make(supervisor, code="HG-AUD")
    assert_recorded(mark, actor=supervisor, action="create", object_type="tasking.hotgrid")

    mark = last_audit_id()
    visit_log(grid, timezone.now() - timedelta(hours=1), actor=supervisor)
    assert_recorded(mark, actor=supervisor, action="create", object_type="tasking.patrolvisit")


def test_a_crime_import_is_audited_once_with_its_actor(db, world):
    admin_user = world.users["administrator"]
    data = f"{POLICE_UK_HEADER}\n{police_uk_row('2026-01')}\n".encode()
    mark = last_audit_id()
    crimes_import(actor=admin_user, data=data, source_file="street-2026-01.csv")
    assert_recorded(mark, actor=admin_user, action="import")


# -- append-only --------------------------------------------------------------------------------


def test_the_trail_cannot_be_changed_or_deleted_through_the_model(db, world):
    request_make(world.users["mission_support"])
    entry = AuditEntry.objects.latest("id")
    entry.reason = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="tampered")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_the_admin_shows_the_trail_read_only(db, world):
    superuser = world.users["administrator"]
    superuser.is_superuser = True
    model_admin = admin.site._registry[AuditEntry]
    request = RequestFactory().get("/admin/operations/auditentry/")
    request.user = superuser
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.get_actions(request).get("delete_selected")


def test_the_admin_refuses_to_add_change_or_delete_an_entry(db, world):
    request_make(world.users["mission_support"])
    entry = AuditEntry.objects.latest("id")
    client = Client()
    client.force_login(world.users["administrator"])
    page = client.get(f"/admin/operations/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/operations/auditentry/{entry.pk}/change/", {"reason": "x"}).status_code == 403
    assert client.post(f"/admin/operations/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/operations/auditentry/add/").status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).reason == entry.reason


def test_no_route_of_the_app_writes_to_the_audit_trail():
    """The matrix walks every route; none serves the audit entries for writing."""
    for route in ROUTES:
        view = route.view
        queryset = getattr(view, "queryset", None)
        model = getattr(view, "model", None) or (queryset.model if queryset is not None else None)
        if model is AuditEntry:
            assert set(route.methods) <= {"get"}, f"route {route} can change the audit trail"
    assert not any("audit" in route.pattern for route in ROUTES)


def test_the_audit_times_are_utc_whatever_the_local_time_zone(db, world):
    request_make(world.users["mission_support"])
    entry = AuditEntry.objects.latest("id")
    assert entry.at.tzinfo is not None and entry.at.astimezone(UTC).utcoffset() == timedelta(0)
    assert Area.objects.exists()
