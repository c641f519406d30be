"""Every page, admin screen and API answer that shows a subject's personal data records the view
(Data Protection Act 2018 s.62): the TRM pack's curfew breaches, the Sceptre dashboard's targets,
the outcome form, the admin's request, assessment, mission, outcome and operation-target lists and
pages, and the API's answers to logging and assessing a request. Each entry names who looked, which
records (the ids a list showed) and the page, as the app's own audited pages do.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from operations.models import Area, AuditEntry, Operation
from tasking import services
from tasking.models import Mission, Request
from tests.tasking.factories import SCORES, last_audit_id, mission_make

from .clients import api_as, signed_in


def views_since(mark, **filters):
    return list(AuditEntry.objects.filter(pk__gt=mark, action="view", **filters).order_by("id"))


def assert_one_view(mark, *, actor, object_type, object_id, path):
    """Exactly one new view entry: by ``actor``, of that record (or "list"), on that page."""
    [entry] = views_since(mark)
    assert (entry.actor, entry.actor_username) == (actor, actor.username)
    assert (entry.object_type, entry.object_id) == (object_type, str(object_id))
    assert entry.changes["path"] == path
    assert entry.at.utcoffset() == timedelta(0)
    return entry


# -- pages ---------------------------------------------------------------------------------------


def test_the_trm_pack_records_who_saw_the_curfew_breaches_subjects(db, world):
    ms, viewer = world.users["mission_support"], world.users["viewer"]
    breach = mission_make(
        ms, "in_progress", kind="curfew_check", subject_reference="N4000001", location="4 Elm Road"
    )
    services.mission_log_outcome(actor=ms, mission=breach, result="curfew_breached")
    # The pack of the meeting after the current period reviews it, where the breach was logged.
    day = services.period_for(timezone.now()).day + timedelta(days=1)
    path = f"/dashboards/trm/{day.isoformat()}/"
    mark = last_audit_id()

    response = signed_in(viewer).get(path)

    assert response.status_code == 200
    assert "N4000001" in response.content.decode() and "4 Elm Road" in response.content.decode()
    entry = assert_one_view(mark, actor=viewer, object_type="tasking.request", object_id="list", path=path)
    assert entry.changes["ids"] == [breach.request_id]


def test_the_sceptre_dashboard_records_the_targets_it_lists(db, world):
    ms, viewer = world.users["mission_support"], world.users["viewer"]
    target = services.operation_target_save(
        actor=ms, operation=Operation.objects.get(code="SCEPTRE"), area=Area.objects.get(code="BE"),
        subject_reference="N5000001", subject_name="Alex Blade", location="Lozells Road", rank=1,
        reason="Carries a knife.", allow_closed_operation=True,  # Sceptre is closed: its list is history
    )  # fmt: skip
    path = "/dashboards/operations/SCEPTRE/"
    mark = last_audit_id()

    response = signed_in(viewer).get(path)

    assert response.status_code == 200 and "Alex Blade" in response.content.decode()
    entry = assert_one_view(
        mark, actor=viewer, object_type="tasking.operationtarget", object_id="list", path=path
    )
    assert entry.changes["ids"] == [target.pk]


def test_the_outcome_form_records_a_view_of_the_missions_subject(db, world):
    ms = world.users["mission_support"]
    mission = world.missions["in_progress"]
    path = f"/missions/{mission.pk}/outcome/"
    mark = last_audit_id()

    response = signed_in(ms).get(path)

    assert response.status_code == 200 and mission.request.subject_reference in response.content.decode()
    entry = assert_one_view(
        mark, actor=ms, object_type="tasking.request", object_id=mission.request_id, path=path
    )
    assert entry.changes["mission"] == mission.reference


def test_an_outcome_form_sent_back_with_errors_records_the_view_again(db, world):
    ms = world.users["mission_support"]
    mission = world.missions["in_progress"]
    path = f"/missions/{mission.pk}/outcome/"
    mark = last_audit_id()

    response = signed_in(ms).post(path, {"version": mission.version, "result": "no-such-result"})

    assert response.status_code == 200 and mission.request.subject_reference in response.content.decode()
    assert_one_view(mark, actor=ms, object_type="tasking.request", object_id=mission.request_id, path=path)


# -- the admin -----------------------------------------------------------------------------------


def request_row(world):
    return world.request, world.request.pk, "tasking.request", world.request.pk


def assessment_row(world):
    assessment = world.missions["pending"].request.assessment
    return assessment, assessment.pk, "tasking.request", assessment.request_id


def mission_row(world):
    mission = world.missions["allocated"]
    return mission, mission.pk, "tasking.request", mission.request_id


def outcome_row(world):
    outcome = world.missions["completed"].outcome
    return outcome, outcome.pk, "tasking.request", outcome.mission.request_id


def target_row(world):
    return world.target, world.target.pk, "tasking.operationtarget", world.target.pk


ADMIN_ROWS = {
    "request": request_row,
    "assessment": assessment_row,
    "mission": mission_row,
    "outcome": outcome_row,
    "operationtarget": target_row,
}


@pytest.mark.parametrize("model", ADMIN_ROWS)
def test_an_admin_change_list_records_the_subjects_it_lists(db, world, model):
    administrator = world.users["administrator"]
    _, _, subject_type, subject_id = ADMIN_ROWS[model](world)
    path = f"/admin/tasking/{model}/"
    mark = last_audit_id()

    response = signed_in(administrator).get(path)

    assert response.status_code == 200
    entry = assert_one_view(mark, actor=administrator, object_type=subject_type, object_id="list", path=path)
    assert subject_id in entry.changes["ids"]


@pytest.mark.parametrize("model", ADMIN_ROWS)
def test_an_admin_change_page_records_a_view_of_its_subject(db, world, model):
    administrator = world.users["administrator"]
    row, pk, subject_type, subject_id = ADMIN_ROWS[model](world)
    path = f"/admin/tasking/{model}/{pk}/change/"
    mark = last_audit_id()

    response = signed_in(administrator).get(path)

    assert response.status_code == 200
    entry = assert_one_view(
        mark, actor=administrator, object_type=subject_type, object_id=subject_id, path=path
    )
    if isinstance(row, Mission):
        assert entry.changes["mission"] == row.reference
    if model == "outcome":
        assert entry.changes["mission"] == row.mission.reference


def test_the_admin_subject_lists_name_only_the_records_shown(db, world):
    administrator = world.users["administrator"]
    mark = last_audit_id()

    signed_in(administrator).get("/admin/tasking/request/", {"q": world.request.reference})

    entry = assert_one_view(
        mark, actor=administrator, object_type="tasking.request", object_id="list",
        path=f"/admin/tasking/request/?q={world.request.reference}",
    )  # fmt: skip
    assert entry.changes["ids"] == [world.request.pk]


def test_a_refused_admin_page_records_nothing(db, world):
    mark = last_audit_id()
    client = signed_in(world.users["supervisor"])
    assert client.get("/admin/tasking/request/").status_code == 302  # to the admin's sign-in
    assert client.get(f"/admin/tasking/request/{world.request.pk}/change/").status_code == 302
    assert views_since(mark) == []


# -- the API's answers to writes -----------------------------------------------------------------


def test_logging_a_request_through_the_api_records_the_view_of_the_answer(db, world):
    ms = world.users["mission_support"]
    body = {"kind": "npu_arrest", "area": "BE", "requested_by": "PS 1 Patel", "subject_reference": "N6000001"}
    mark = last_audit_id()

    response = api_as(ms).post("/api/requests/", body)

    assert response.status_code == 201 and response.json()["subject_reference"] == "N6000001"
    assert_one_view(mark, actor=ms, object_type="tasking.request", object_id=response.json()["id"],
                    path="/api/requests/")  # fmt: skip


def test_assessing_a_request_through_the_api_records_the_view_of_the_answer(db, world):
    ms = world.users["mission_support"]
    request = Request.objects.get(pk=world.request.pk)
    path = f"/api/requests/{request.pk}/assess/"
    mark = last_audit_id()

    response = api_as(ms).post(path, {**SCORES, "decision": "approve"})

    assert response.status_code == 200 and response.json()["subject_reference"] == "N2000001"
    assert_one_view(mark, actor=ms, object_type="tasking.request", object_id=request.pk, path=path)


def test_a_refused_request_log_records_no_view(db, world):
    mark = last_audit_id()
    response = api_as(world.users["mission_support"]).post("/api/requests/", {"kind": "nothing"})
    assert response.status_code == 400
    assert views_since(mark) == []
