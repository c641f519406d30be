"""/api/requests/…/assess/: threat, risk and harm, the priority score with its reasons, approval
into a mission or rejection by a Supervisor, and who may log, read and assess requests."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from operations.models import Area, Event, OffenceGroup, TacticalPriority
from tasking import services
from tasking.models import Assessment, Mission

from .factories import (
    VALID,
    nothing_saved,
    reference_data_once,  # noqa: F401
    request_make,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]


# Assessment

ASSESS = {
    "threat": 5, "threat_rationale": "Armed robber, uses a knife.",
    "risk": 4, "risk_rationale": "Has assaulted officers before.",
    "harm": 5, "harm_rationale": "Victims injured.",
    "research_notes": "PNC and intelligence checked.", "enhanced_research_done": True,
    "decision": "approve",
}  # fmt: skip


def test_an_assessment_stores_scores_reasons_the_score_components_and_the_grade(api, mission_user):
    request = request_make(mission_user, offence_group="knife-enabled-robbery", area="SH")

    response = api.as_user(mission_user).post(f"/api/requests/{request.pk}/assess/", ASSESS)

    assert response.status_code == 200, response.json()
    body = response.json()
    assessment = Assessment.objects.get(request=request)
    assert (assessment.threat, assessment.risk, assessment.harm) == (5, 4, 5)
    assert assessment.threat_rationale == "Armed robber, uses a knife."
    assert assessment.risk_rationale == "Has assaulted officers before."
    assert assessment.harm_rationale == "Victims injured."
    assert (assessment.research_notes, assessment.enhanced_research_done) == (
        "PNC and intelligence checked.",
        True,
    )
    assert assessment.assessor == mission_user
    parts = assessment.components
    assert {"threat_risk_harm", "harm_weight", "tactical_priority", "deadline"} <= set(parts)
    assert parts["threat_risk_harm"]["scores"] == [5, 4, 5]
    assert parts["threat_risk_harm"]["provisional"] is False
    assert parts["harm_weight"]["offence_group"] == "knife-enabled-robbery"
    assert parts["harm_weight"]["weight"] == str(
        OffenceGroup.objects.get(code="knife-enabled-robbery").harm_weight
    )
    assert parts["tactical_priority"]["priorities"] == []
    assert parts["deadline"]["hours_left"] is None
    four = sum(
        Decimal(parts[name]["points"])
        for name in ("threat_risk_harm", "harm_weight", "tactical_priority", "deadline")
    )
    assert four == assessment.priority_score == Decimal(parts["total"])
    assert Decimal(parts["threat_risk_harm"]["points"]) > Decimal(parts["harm_weight"]["points"]) > 0
    assert assessment.grade == parts["grade"]
    assert body["grade"] == assessment.grade and body["state"] == "approved"
    assert Decimal(body["priority_score"]) == assessment.priority_score
    assert body["assessment"]["components"] == parts
    assert body["assessment"]["assessor"] == "mission"
    mission = Mission.objects.get(request=request)
    assert (mission.state, mission.kind, mission.area.code) == ("pending", "npu_arrest", "SH")


def test_higher_threat_risk_and_harm_give_a_higher_grade(api, mission_user):
    high = request_make(mission_user, offence_group="knife-enabled-robbery")
    low = request_make(mission_user, offence_group="knife-enabled-robbery")
    client = api.as_user(mission_user)

    high_body = client.post(f"/api/requests/{high.pk}/assess/", ASSESS).json()
    low_body = client.post(
        f"/api/requests/{low.pk}/assess/", {**ASSESS, "threat": 1, "risk": 1, "harm": 1}
    ).json()

    assert Decimal(high_body["priority_score"]) > Decimal(low_body["priority_score"])
    assert high_body["grade"] < low_body["grade"]  # "P1" sorts before "P4"


def test_a_nearer_deadline_scores_higher(mission_user):
    now = datetime(2026, 7, 15, 9, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        near = request_make(mission_user, kind="forensic_arrest", due_by=now + timedelta(hours=4))
        far = request_make(mission_user, kind="forensic_arrest", due_by=now + timedelta(hours=70))
        scores = [
            services.request_assess(actor=mission_user, request=r, **ASSESS).priority_score
            for r in (near, far)
        ]

    assert scores[0] > scores[1]
    assert Assessment.objects.get(request=near).components["deadline"]["hours_left"] == "4.00"


@pytest.fixture
def robbery_priority(db):
    """An FTDB priority on knife-enabled robbery for July 2026 only."""
    priority = TacticalPriority.objects.create(
        title="Knife-enabled robbery (summer)",
        effective_from=date(2026, 7, 1),
        effective_to=date(2026, 7, 31),
    )
    priority.offence_groups.add(OffenceGroup.objects.get(code="knife-enabled-robbery"))
    return priority


def assess_on(api, user, moment, **request_fields):
    with time_machine.travel(moment, tick=False):
        request = request_make(user, **request_fields)
        return api.as_user(user).post(f"/api/requests/{request.pk}/assess/", ASSESS).json()


def test_a_request_aligned_with_a_tactical_priority_in_force_that_day_scores_higher(
    api, mission_user, robbery_priority
):
    fields = {"offence_group": "knife-enabled-robbery", "area": "BW"}
    aligned = assess_on(api, mission_user, datetime(2026, 7, 15, 9, tzinfo=UTC), **fields)
    same_in_august = assess_on(api, mission_user, datetime(2026, 8, 15, 9, tzinfo=UTC), **fields)

    assert Decimal(aligned["priority_score"]) > Decimal(same_in_august["priority_score"])
    components = aligned["assessment"]["components"]["tactical_priority"]
    assert components["priorities"] == ["Knife-enabled robbery (summer)"]
    assert Decimal(components["points"]) == Decimal(aligned["priority_score"]) - Decimal(
        same_in_august["priority_score"]
    )
    assert same_in_august["assessment"]["components"]["tactical_priority"] == {
        "points": "0",
        "priorities": [],
    }


def test_a_priority_on_a_parent_offence_group_counts_for_its_children(api, mission_user):
    priority = TacticalPriority.objects.create(title="Robbery", effective_from=date(2026, 1, 1))
    priority.offence_groups.add(OffenceGroup.objects.get(code="robbery"))

    body = assess_on(
        api, mission_user, datetime(2026, 7, 15, 9, tzinfo=UTC), offence_group="knife-enabled-robbery"
    )

    assert body["assessment"]["components"]["tactical_priority"]["priorities"] == ["Robbery"]


def test_a_priority_for_another_area_does_not_count(api, mission_user, robbery_priority):
    robbery_priority.areas.add(Area.objects.get(code="CV"))
    moment = datetime(2026, 7, 15, 9, tzinfo=UTC)

    in_coventry = assess_on(api, mission_user, moment, offence_group="knife-enabled-robbery", area="CV")
    in_dudley = assess_on(api, mission_user, moment, offence_group="knife-enabled-robbery", area="DY")

    assert in_coventry["assessment"]["components"]["tactical_priority"]["priorities"] == [
        robbery_priority.title
    ]
    assert in_dudley["assessment"]["components"]["tactical_priority"]["priorities"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"threat": 0}, "threat"), ({"harm": 6}, "harm"),
        ({"risk_rationale": ""}, "risk_rationale"), ({"decision": "maybe"}, "decision"),
    ],
)  # fmt: skip
def test_an_invalid_assessment_is_refused_with_400_and_nothing_is_saved(api, mission_user, change, field):
    request = request_make(mission_user)
    before = nothing_saved()

    response = api.as_user(mission_user).post(f"/api/requests/{request.pk}/assess/", {**ASSESS, **change})

    assert response.status_code == 400
    assert field in response.json()
    assert nothing_saved() == before
    assert not Assessment.objects.exists()


REJECT = {**ASSESS, "decision": "reject", "rejection_reason": "Subject already in custody."}


def test_mission_support_cannot_reject_a_request(api, mission_user):
    request = request_make(mission_user)
    before = nothing_saved()

    response = api.as_user(mission_user).post(f"/api/requests/{request.pk}/assess/", REJECT)

    assert response.status_code == 403
    assert nothing_saved() == before
    request.refresh_from_db()
    assert request.state == "received"
    assert not Assessment.objects.exists()


def test_a_supervisor_must_give_a_reason_to_reject(api, supervisor):
    request = request_make(supervisor)
    before = nothing_saved()

    response = api.as_user(supervisor).post(
        f"/api/requests/{request.pk}/assess/", {**REJECT, "rejection_reason": ""}
    )

    assert response.status_code == 400
    assert "rejection_reason" in response.json()
    assert nothing_saved() == before


def test_a_supervisor_rejects_a_request_with_a_reason_and_no_mission_is_made(api, supervisor):
    request = request_make(supervisor)

    response = api.as_user(supervisor).post(f"/api/requests/{request.pk}/assess/", REJECT)

    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "rejected"
    assert response.json()["mission"] is None
    request.refresh_from_db()
    assert request.state == "rejected"
    assert request.assessment.rejection_reason == "Subject already in custody."
    assert not Mission.objects.exists()
    assert Event.objects.filter(type="request.assessed").get().payload["decision"] == "reject"


@pytest.mark.parametrize("first", ["approve", "reject"])
def test_assessing_a_request_twice_is_refused_with_409(api, supervisor, first):
    request = request_make(supervisor)
    client = api.as_user(supervisor)
    client.post(f"/api/requests/{request.pk}/assess/", REJECT if first == "reject" else ASSESS)
    before = nothing_saved()

    response = client.post(f"/api/requests/{request.pk}/assess/", ASSESS)

    assert response.status_code == 409
    assert response.json()["current_state"] == ("rejected" if first == "reject" else "approved")
    assert nothing_saved() == before
    assert Mission.objects.count() == (0 if first == "reject" else 1)


# Roles


def test_anonymous_users_get_401_on_every_request_endpoint(api, mission_user):
    request = request_make(mission_user)

    for method, url, body in [
        ("get", "/api/requests/", None),
        ("get", f"/api/requests/{request.pk}/", None),
        ("post", "/api/requests/", VALID),
        ("post", f"/api/requests/{request.pk}/assess/", ASSESS),
    ]:
        response = getattr(api, method)(url, body)
        assert response.status_code == 401, (method, url)


def test_a_viewer_reads_requests_but_cannot_log_or_assess_them(api, viewer, mission_user):
    request = request_make(mission_user)
    client = api.as_user(viewer)
    before = nothing_saved()

    assert client.get("/api/requests/").status_code == 200
    assert client.get(f"/api/requests/{request.pk}/").status_code == 200
    assert client.post("/api/requests/", VALID).status_code == 403
    assert client.post(f"/api/requests/{request.pk}/assess/", ASSESS).status_code == 403
    assert nothing_saved() == before


def test_a_user_without_a_role_cannot_even_read_requests(api, no_role_user):
    assert api.as_user(no_role_user).get("/api/requests/").status_code == 403


def test_an_administrator_can_reject(api, administrator):
    request = request_make(administrator)

    assert api.as_user(administrator).post(f"/api/requests/{request.pk}/assess/", REJECT).status_code == 200
