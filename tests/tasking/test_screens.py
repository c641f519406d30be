"""The Mission Support screens through the test client: what each role sees and may do.

Test data is made with the tasking services, as the application itself would make it.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from operations.models import Area, OffenceGroup, Resource
from tasking import services
from tasking.models import Mission, Request, ThreatItem

pytestmark = pytest.mark.django_db

SCORES = {
    "threat": 3, "threat_rationale": "Known to carry a blade.",
    "risk": 3, "risk_rationale": "Address confirmed.",
    "harm": 3, "harm_rationale": "Repeat victims.",
}  # fmt: skip


# -- data made through the services ------------------------------------------------------------


def receive(actor, *, kind="npu_arrest", area="BE", offence_group=None, **fields):
    if kind == "forensic_arrest":
        fields.setdefault("forensic_hit", "dna")
    fields.setdefault("requested_by", "PS 1234 Patel, BE NPU")
    return services.request_receive(
        actor=actor,
        kind=kind,
        area=Area.objects.get(code=area),
        offence_group=OffenceGroup.objects.get(code=offence_group) if offence_group else None,
        **fields,
    )


def approved(actor, **fields):
    request = receive(actor, **fields)
    services.request_assess(actor=actor, request=request, decision="approve", **SCORES)
    return Mission.objects.get(request=request)


def allocated(actor, resource="OSU", period=None, **fields):
    mission = approved(actor, **fields)
    services.mission_allocate(
        actor=actor, mission=mission, resource=Resource.objects.get(code=resource), period=period
    )
    return Mission.objects.get(pk=mission.pk)


def in_progress(actor, **fields):
    mission = allocated(actor, **fields)
    services.mission_start(actor=actor, mission=mission)
    return Mission.objects.get(pk=mission.pk)


def not_completed(actor, **fields):
    mission = allocated(actor, **fields)
    services.mission_not_complete(actor=actor, mission=mission, reason="Subject not at the address.")
    return Mission.objects.get(pk=mission.pk)


def current_period():
    return services.period_for(timezone.now())


def signed_in(client, user):
    client.force_login(user)
    return client


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def snapshot(mission):
    mission = Mission.objects.get(pk=mission.pk)
    return (mission.state, mission.version, mission.resource_id, mission.period_id, mission.history.count())


def html(response):
    return response.content.decode()


# -- every screen, every role ---------------------------------------------------------------------


@pytest.fixture
def screens(mission_user, supervisor, reference_data):
    """One of everything, and the URL of each screen."""
    waiting = receive(mission_user, kind="forensic_arrest", offence_group="residential-burglary")
    mission = in_progress(mission_user)
    meeting = services.trm_meeting_open(actor=mission_user, date=timezone.localdate())
    item = services.threat_item_save(
        actor=mission_user, category="firearms", area=Area.objects.get(code="BW"), title="Shots fired series",
        owner="DI Khan", risk_rating="high",
    )  # fmt: skip
    return {
        "triage": "/requests/",
        "request form": "/requests/new/",
        "request detail": f"/requests/{waiting.pk}/",
        "assessment": f"/requests/{waiting.pk}/assess/",
        "missions": "/missions/",
        "mission detail": f"/missions/{mission.pk}/",
        "allocate": f"/missions/{mission.pk}/allocate/",
        "outcome": f"/missions/{mission.pk}/outcome/",
        "allocation board": "/allocation/",
        "trm list": "/trm/",
        "trm meeting": f"/trm/{meeting.date.isoformat()}/",
        "threat items": "/threat-items/",
        "threat form": "/threat-items/new/",
        "threat edit": f"/threat-items/{item.pk}/edit/",
    }


def test_every_screen_renders_for_a_viewer_without_action_forms(client, viewer, screens):
    signed_in(client, viewer)
    for name, url in screens.items():
        response = client.get(url)
        assert response.status_code == 200, name
        page = html(response)
        assert 'method="post" action="/logout/"' in page, name
        forms = re.findall(r'<form method="post"', page)
        assert len(forms) == 1, f"{name}: a viewer should see no action form"


@pytest.mark.parametrize("user_fixture", ["mission_user", "supervisor", "administrator"])
def test_every_screen_renders_for_the_roles_that_write(client, request, screens, user_fixture):
    signed_in(client, request.getfixturevalue(user_fixture))
    for name, url in screens.items():
        assert client.get(url).status_code == 200, name


def test_anonymous_users_are_sent_to_the_login_page(client, screens):
    for url in screens.values():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/login/?next=")


def test_the_missions_navigation_item_leads_to_the_triage_queue(client, viewer):
    page = html(signed_in(client, viewer).get("/"))
    assert '<a href="/requests/"' in page
    assert '<a href="/trm/"' in page


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
    assert re.search(r'name="requested_by"[^>]*autofocus', page)  # the first field in error
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


# -- allocation -----------------------------------------------------------------------------------


def test_the_allocation_board_shows_resources_and_missions_waiting(
    client, viewer, mission_user, reference_data
):
    pending = approved(mission_user)
    stuck = not_completed(mission_user)

    page = html(signed_in(client, viewer).get("/allocation/"))

    assert "Operational Support Unit" in page
    assert pending.reference in page and stuck.reference in page
    assert "Subject not at the address." in page
    assert 'name="resource"' not in page  # a viewer gets no allocation form


def test_allocating_from_the_board_returns_to_the_board(client, mission_user, reference_data):
    mission = approved(mission_user)
    osu = Resource.objects.get(code="OSU")
    period = current_period()
    board = f"/allocation/?period={period.day.isoformat()}"

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/allocate/",
        {"resource": osu.pk, "version": mission.version, "period": period.day.isoformat(), "next": board},
    )

    assert response.status_code == 302
    assert response.url == board
    mission.refresh_from_db()
    assert (mission.state, mission.resource, mission.period) == ("allocated", osu, period)
    page = html(client.get(board))
    assert re.search(r'>OSU</a>.*?<td class="num">1</td><td class="num">10</td>', page, re.S)
    assert f"{mission.reference} allocated to Operational Support Unit" in page


def test_allocation_is_refused_with_a_clear_message_when_the_resource_is_full(
    client, mission_user, supervisor, reference_data
):
    osu = Resource.objects.get(code="OSU")
    period = current_period()
    services.resource_period_set_capacity(
        actor=supervisor, resource=osu, period=period, capacity=1, reason="Training"
    )
    allocated(mission_user, period=period)
    mission = approved(mission_user)
    before = snapshot(mission)

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/allocate/",
        {
            "resource": osu.pk,
            "version": mission.version,
            "period": period.day.isoformat(),
            "next": "/allocation/",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/allocation/"
    assert "is full for this period (1 of 1)" in html(response)
    assert snapshot(mission) == before


def test_a_supervisor_overrides_a_full_resource_with_a_reason(
    client, mission_user, supervisor, reference_data
):
    osu = Resource.objects.get(code="OSU")
    period = current_period()
    services.resource_period_set_capacity(
        actor=supervisor, resource=osu, period=period, capacity=1, reason="Training"
    )
    allocated(mission_user, period=period)
    mission = approved(mission_user)

    response = signed_in(client, supervisor).post(
        f"/missions/{mission.pk}/allocate/",
        {
            "resource": osu.pk,
            "version": mission.version,
            "override_reason": "Firearms threat: must go today.",
        },
    )

    assert response.status_code == 302
    mission.refresh_from_db()
    assert mission.state == "allocated"
    assert "capacity override" in html(client.get(f"/missions/{mission.pk}/"))


def test_re_allocation_without_a_reason_shows_the_error_next_to_the_field(
    client, mission_user, reference_data
):
    mission = allocated(mission_user)
    before = snapshot(mission)

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/allocate/",
        {"resource": Resource.objects.get(code="FS").pk, "version": mission.version},
    )

    assert response.status_code == 200
    assert re.search(r'<input type="text" name="reason"[^>]*aria-invalid="true"', html(response))
    assert "Say why the mission is being re-allocated." in html(response)
    assert snapshot(mission) == before


# -- mission detail actions -----------------------------------------------------------------------


def test_the_mission_page_shows_history_components_and_only_the_allowed_actions(
    client, mission_user, supervisor, reference_data
):
    mission = allocated(mission_user)
    signed_in(client, mission_user)

    page = html(client.get(f"/missions/{mission.pk}/"))

    assert f'action="/missions/{mission.pk}/start/"' in page
    assert f'action="/missions/{mission.pk}/not-completed/"' in page
    assert f'action="/missions/{mission.pk}/cancel/"' not in page  # Supervisor only
    assert f'href="/missions/{mission.pk}/outcome/"' not in page  # not started yet
    assert "Re-allocate" in page
    assert "pending → <strong>allocated</strong>" in page
    assert "T 3 · R 3 · H 3" in page
    assert f'name="version" value="{mission.version}"' in page

    page = html(signed_in(client, supervisor).get(f"/missions/{mission.pk}/"))
    assert f'action="/missions/{mission.pk}/cancel/"' in page


def test_starting_a_mission_from_its_page(client, mission_user, reference_data):
    mission = allocated(mission_user)

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/start/", {"version": mission.version}
    )

    assert response.status_code == 302
    assert response.url == f"/missions/{mission.pk}/"
    assert Mission.objects.get(pk=mission.pk).state == "in_progress"
    assert f"{mission.reference} started." in flash(response)


def test_a_stale_page_gets_the_changed_by_someone_else_message_and_changes_nothing(
    client, mission_user, reference_data
):
    mission = allocated(mission_user)
    stale_version = mission.version
    services.mission_start(actor=mission_user, mission=mission)
    before = snapshot(mission)

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/not-completed/",
        {"version": stale_version, "reason": "No units."},
        follow=True,
    )

    assert response.redirect_chain == [(f"/missions/{mission.pk}/", 302)]
    assert "was changed by someone else" in html(response)
    assert snapshot(mission) == before


def test_an_illegal_move_names_the_current_state(client, mission_user, reference_data):
    mission = approved(mission_user)

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/start/", {"version": mission.version}, follow=True
    )

    assert "is pending: it cannot move to in_progress" in html(response)
    assert Mission.objects.get(pk=mission.pk).state == "pending"


def test_logging_an_outcome_completes_the_mission(client, mission_user, reference_data):
    mission = in_progress(mission_user, kind="warrant_drugs")
    signed_in(client, mission_user)
    page = html(client.get(f"/missions/{mission.pk}/outcome/"))
    assert re.search(r'<select name="result"[^>]*autofocus', page)

    response = client.post(
        f"/missions/{mission.pk}/outcome/",
        {
            "version": mission.version, "result": "warrant_finds", "arrests": 2, "firearms": 0,
            "ammunition_rounds": 0, "knives_weapons": 1, "drugs_class_a_grams": "28.5",
            "drugs_class_b_grams": "0", "drugs_class_c_grams": "0", "cash_gbp": "1500", "vehicles": 0,
            "completed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )  # fmt: skip

    assert response.status_code == 302, html(response)
    mission.refresh_from_db()
    assert mission.state == "completed"
    assert mission.outcome.arrests == 2
    assert "Class A 28.50 g" in html(client.get(f"/missions/{mission.pk}/"))


def test_a_bad_outcome_shows_the_error_and_leaves_the_mission_in_progress(
    client, mission_user, reference_data
):
    mission = in_progress(mission_user)
    before = snapshot(mission)

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/outcome/",
        {"version": mission.version, "result": "arrested", "arrests": 0, "completed_at": ""},
    )

    assert response.status_code == 200
    assert "An arrest outcome needs at least one arrest." in html(response)
    assert re.search(r'name="arrests"[^>]*aria-invalid="true"', html(response))
    assert snapshot(mission) == before


def test_not_completed_needs_a_reason_and_records_it(client, mission_user, reference_data):
    mission = in_progress(mission_user)
    signed_in(client, mission_user)

    missing = client.post(
        f"/missions/{mission.pk}/not-completed/", {"version": mission.version, "reason": ""}
    )
    assert missing.status_code == 200
    assert "Say why the mission was not completed." in html(missing)
    assert Mission.objects.get(pk=mission.pk).state == "in_progress"

    done = client.post(
        f"/missions/{mission.pk}/not-completed/", {"version": mission.version, "reason": "Abstracted."}
    )
    assert done.status_code == 302
    mission.refresh_from_db()
    assert (mission.state, mission.state_reason) == ("not_completed", "Abstracted.")


def test_cancelling_is_for_supervisors(client, mission_user, supervisor, reference_data):
    mission = allocated(mission_user)
    before = snapshot(mission)

    refused = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/cancel/", {"version": mission.version, "reason": "Duplicate."}
    )
    assert refused.status_code == 403
    assert snapshot(mission) == before

    done = signed_in(client, supervisor).post(
        f"/missions/{mission.pk}/cancel/", {"version": mission.version, "reason": "Duplicate."}
    )
    assert done.status_code == 302
    assert Mission.objects.get(pk=mission.pk).state == "cancelled"


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("start", {}),
        ("not-completed", {"reason": "x"}),
        ("cancel", {"reason": "x"}),
        ("allocate", {"reason": "x"}),
        ("outcome", {"result": "arrested", "arrests": 1}),
    ],
)
def test_a_viewer_cannot_post_any_mission_action(client, viewer, mission_user, reference_data, action, data):
    mission = allocated(mission_user)
    before = snapshot(mission)

    response = signed_in(client, viewer).post(
        f"/missions/{mission.pk}/{action}/", {"version": mission.version, **data}
    )

    assert response.status_code == 403
    assert snapshot(mission) == before


# -- threat items ---------------------------------------------------------------------------------


def test_threat_items_are_raised_and_edited_through_the_form(client, mission_user, reference_data):
    bw = Area.objects.get(code="BW")
    signed_in(client, mission_user)
    data = {
        "title": "Catalytic converter thefts", "category": "acquisitive", "area": bw.pk,
        "risk_rating": "medium", "owner": "Insp Bell", "description": "", "actions": "", "status": "open",
    }  # fmt: skip

    created = client.post("/threat-items/new/", data)
    item = ThreatItem.objects.get()
    assert created.status_code == 302
    assert item.raised_by == mission_user

    edited = client.post(
        f"/threat-items/{item.pk}/edit/", {**data, "risk_rating": "high", "actions": "Plate readers."}
    )
    assert edited.status_code == 302
    item.refresh_from_db()
    assert (item.risk_rating, item.actions) == ("high", "Plate readers.")
    assert "Catalytic converter thefts" in html(client.get("/threat-items/"))

    invalid = client.post("/threat-items/new/", {**data, "title": ""})
    assert invalid.status_code == 200
    assert ThreatItem.objects.count() == 1


# -- bounded queries ------------------------------------------------------------------------------


@pytest.fixture
def busy_day(mission_user, reference_data):
    """Thirty missions across resources and states, and thirty requests waiting."""
    codes = ["OSU", "FS", "FR"]
    for n in range(30):
        mission = allocated(mission_user, resource=codes[n % 3], area=["BE", "BW", "CV"][n % 3])
        if n % 3 == 0:
            services.mission_start(actor=mission_user, mission=mission)
        if n % 5 == 0:
            approved(mission_user)
        receive(mission_user, kind="forensic_arrest", offence_group="residential-burglary")


@pytest.mark.parametrize(
    ("url", "most"),
    [
        ("/requests/", 15),
        ("/requests/?kind=forensic_arrest&area=BE", 15),
        ("/missions/", 15),
        ("/missions/?state=in_progress&resource=OSU", 15),
        ("/allocation/", 15),
    ],
)
def test_list_pages_use_a_bounded_number_of_queries(
    client, mission_user, busy_day, django_assert_max_num_queries, url, most
):
    signed_in(client, mission_user)
    with django_assert_max_num_queries(most):
        response = client.get(url)
    assert response.status_code == 200
    assert html(response).count("<tr") > 10
