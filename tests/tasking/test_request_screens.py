"""The request screens through the test client: logging a request on the form, the triage queue in
priority order, and assessment, where only a Supervisor may reject.

Test data is made with the tasking services, as the application itself would make it.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from operations.models import Area
from tasking.models import Mission, Request

from .factories import SCORES, approved, flash, html, receive, signed_in

pytestmark = pytest.mark.django_db


# -- request form ---------------------------------------------------------------------------------


def request_post(**overrides):
    data = {
        "kind": "forensic_arrest", "forensic_hit": "fingerprint", "area": "", "operation": "",
        "offence_group": "", "subject_reference": "N778899", "subject_name": "", "location": "12 High St",
        "latitude": "", "longitude": "", "intelligence_summary": "Print on the rear window.",
        "requested_by": "DC Smith, BE CID", "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "due_by": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_the_request_form_has_labelled_fields_autofocus_and_the_deadline_default(
    client, mission_user, reference_data
):
    page = html(signed_in(client, mission_user).get("/requests/new/"))

    assert re.search(r'<select name="kind"[^>]*autofocus', page)
    for name in ("kind", "forensic_hit", "area", "subject_reference", "received_at", "due_by"):
        assert f'<label for="id_{name}">' in page, name
    assert "forensic arrests default to 48 h" in page
    assert 'accesskey="n"' in page and "<kbd>n</kbd>" in page


def test_no_help_text_on_the_request_form_only_repeats_its_label(reference_data):
    from tasking.forms import RequestForm

    repeats = {
        name: field.help_text
        for name, field in RequestForm().fields.items()
        if str(field.help_text).rstrip(".").strip().lower() == str(field.label).lower()
    }

    assert not repeats


def test_a_mission_support_user_logs_a_forensic_request_due_in_48_hours(client, mission_user, reference_data):
    be = Area.objects.get(code="BE")
    response = signed_in(client, mission_user).post("/requests/new/", request_post(area=be.pk))

    request = Request.objects.get()
    assert response.status_code == 302
    assert response.url == f"/requests/{request.pk}/"
    assert request.created_by == mission_user
    assert request.due_by - request.received_at == timedelta(hours=48)
    assert any(f"{request.reference} received" in m for m in flash(response))


def test_save_and_log_another_returns_to_an_empty_form(client, mission_user, reference_data):
    be = Area.objects.get(code="BE")
    response = signed_in(client, mission_user).post("/requests/new/", request_post(area=be.pk, another="1"))

    assert response.status_code == 302
    assert response.url == "/requests/new/"


def test_bad_request_input_shows_errors_next_to_the_fields_and_saves_nothing(
    client, mission_user, reference_data
):
    be = Area.objects.get(code="BE")
    response = signed_in(client, mission_user).post(
        "/requests/new/", request_post(area=be.pk, forensic_hit="", latitude="52.48", requested_by="")
    )

    assert response.status_code == 200
    page = html(response)
    assert 'class="error-summary" role="alert"' in page
    assert re.search(r'<input type="text" name="requested_by"[^>]*aria-invalid="true"', page)
    assert 'id="id_requested_by_error"' in page
    # Every mistake is named in one submission, and the first field in error has the focus.
    assert 'id="id_forensic_hit_error"' in page and 'id="id_longitude_error"' in page
    assert re.search(r'name="forensic_hit"[^>]*autofocus', page)
    assert len(re.findall(r"autofocus", page)) == 1
    assert Request.objects.count() == 0


def test_the_services_own_rules_come_back_as_field_errors(client, mission_user, reference_data):
    be = Area.objects.get(code="BE")
    response = signed_in(client, mission_user).post(
        "/requests/new/", request_post(area=be.pk, forensic_hit="")
    )

    assert response.status_code == 200
    assert "Say which forensic hit" in html(response)
    assert Request.objects.count() == 0


def test_a_viewer_cannot_post_a_request(client, viewer, reference_data):
    be = Area.objects.get(code="BE")
    response = signed_in(client, viewer).post("/requests/new/", request_post(area=be.pk))

    assert response.status_code == 403
    assert Request.objects.count() == 0


# -- triage queue ---------------------------------------------------------------------------------


def test_the_triage_queue_is_in_priority_order_then_deadline(client, viewer, mission_user, reference_data):
    now = timezone.now()
    low = receive(mission_user, kind="other")
    urgent = receive(
        mission_user, kind="npu_arrest", offence_group="residential-burglary", due_by=now + timedelta(hours=2)
    )
    forensic = receive(mission_user, kind="forensic_arrest", offence_group="residential-burglary")
    medium = receive(mission_user, kind="npu_arrest", offence_group="residential-burglary")
    expected = sorted(
        [low, urgent, forensic, medium],
        key=lambda r: (-r.priority_score, r.due_by or now + timedelta(days=999)),
    )
    assert expected[0] == urgent and expected[-1] == low

    page = html(signed_in(client, viewer).get("/requests/"))

    positions = [page.index(r.reference) for r in expected]
    assert positions == sorted(positions)
    assert f'href="/requests/{urgent.pk}/assess/"' in page
    assert "deadline--at-risk" in page


def test_the_triage_queue_filters_by_kind_and_npu_in_the_url(client, viewer, mission_user, reference_data):
    be_curfew = receive(mission_user, kind="curfew_check", area="BE")
    bw_curfew = receive(mission_user, kind="curfew_check", area="BW")
    be_arrest = receive(mission_user, kind="npu_arrest", area="BE")

    page = html(signed_in(client, viewer).get("/requests/?kind=curfew_check&area=BE"))

    assert be_curfew.reference in page
    assert bw_curfew.reference not in page
    assert be_arrest.reference not in page


def test_an_overdue_request_is_highlighted(client, viewer, mission_user, reference_data):
    received = timezone.now() - timedelta(hours=5)
    receive(mission_user, received_at=received, due_by=received + timedelta(hours=1))

    page = html(signed_in(client, viewer).get("/requests/"))

    assert "deadline--overdue" in page
    assert "overdue by" in page


# -- assessment -----------------------------------------------------------------------------------


def assess_post(**overrides):
    return {**SCORES, "research_notes": "", "decision": "approve", "rejection_reason": "", **overrides}


def test_the_assessment_form_shows_why_the_request_ranks_where_it_does(client, mission_user, reference_data):
    request = receive(mission_user, kind="forensic_arrest", offence_group="residential-burglary")

    page = html(signed_in(client, mission_user).get(f"/requests/{request.pk}/assess/"))

    for part in (
        "Threat, risk and harm",
        "Offence harm weight",
        "Tactical priority alignment",
        "Time to deadline",
    ):
        assert part in page
    assert "provisional" in page
    assert "residential-burglary" in page
    assert re.search(r'<select name="threat"[^>]*autofocus', page)


def test_approving_creates_a_pending_mission_and_the_request_page_shows_the_stored_components(
    client, mission_user, reference_data
):
    request = receive(mission_user, kind="forensic_arrest", offence_group="residential-burglary")
    signed_in(client, mission_user)

    response = client.post(f"/requests/{request.pk}/assess/", assess_post(threat=5, risk=4, harm=5))

    request.refresh_from_db()
    assert response.status_code == 302
    assert response.url == f"/requests/{request.pk}/"
    assert request.state == "approved"
    assert request.mission.state == "pending"
    assert any("approved as" in m for m in flash(response))
    page = html(client.get(response.url))
    assert "Priority score and its components" in page or "Stored priority score" in page
    assert "T 5 · R 4 · H 5" in page
    assert request.assessment.components["total"] in page


def test_mission_support_cannot_reject_a_request(client, mission_user, reference_data):
    request = receive(mission_user)

    response = signed_in(client, mission_user).post(
        f"/requests/{request.pk}/assess/", assess_post(decision="reject", rejection_reason="No grounds.")
    )

    assert response.status_code == 403
    assert "Only a Supervisor can reject a request." in html(response)
    request.refresh_from_db()
    assert request.state == "received"


def test_a_supervisor_rejects_with_a_reason_and_is_asked_for_one_without(client, supervisor, reference_data):
    request = receive(supervisor)
    signed_in(client, supervisor)

    missing = client.post(f"/requests/{request.pk}/assess/", assess_post(decision="reject"))
    assert missing.status_code == 200
    assert re.search(r'<textarea name="rejection_reason"[^>]*aria-invalid="true"', html(missing))
    assert Request.objects.get(pk=request.pk).state == "received"

    done = client.post(
        f"/requests/{request.pk}/assess/", assess_post(decision="reject", rejection_reason="No grounds.")
    )
    assert done.status_code == 302
    assert Request.objects.get(pk=request.pk).state == "rejected"


def test_assessing_an_already_assessed_request_says_so_and_changes_nothing(
    client, mission_user, reference_data
):
    mission = approved(mission_user)

    response = signed_in(client, mission_user).post(f"/requests/{mission.request_id}/assess/", assess_post())

    assert response.status_code == 302
    assert any("already approved" in m for m in flash(response))
    assert Mission.objects.count() == 1
