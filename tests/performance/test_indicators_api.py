"""Indicators through the API: viewers read them by code, only Administrators define or change them,
and a new indicator's values follow the events like the built-in ones."""

from decimal import Decimal

import pytest

from performance.models import Indicator

from .conftest import local, value_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("perf_reference")]

NEW = {
    "code": "vibrant_arrests",
    "name": "Arrests on Vibrant arrest missions",
    "unit": "count",
    "good_direction": "up",
    "calculator": "outcome_sum",
    "parameters": {"fields": ["arrests"], "kinds": ["vibrant_arrest"]},
}


def results(response):
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


def test_a_viewer_lists_the_indicators_and_reads_one_by_its_code(api, viewer):
    client = api.as_user(viewer)
    response = client.get("/api/indicators/", {"page_size": 100})
    assert response.status_code == 200
    codes = {item["code"] for item in results(response)}
    assert {"mission_arrests", "recorded_crime", "crime_rate", "patrol_compliance"} <= codes
    detail = client.get("/api/indicators/curfew_breach_rate/")
    assert detail.status_code == 200
    assert detail.json() | {"id": None} == {
        "id": None, "code": "curfew_breach_rate", "name": "Curfew breach rate", "description": "",
        "unit": "percent", "good_direction": "down", "calculator": "outcome_rate",
        "parameters": {"kinds": ["curfew_check"], "results": ["curfew_breached"],
                       "of_results": ["curfew_complied", "curfew_breached"]},
        "target_kind": "", "target_value": None, "target_comparison": "previous_year", "baseline_start": None,
        "baseline_end": None, "key": True, "sort_order": detail.json()["sort_order"], "active": True,
    }  # fmt: skip
    assert client.get("/api/indicators/no_such_code/").status_code == 404


def test_anonymous_callers_get_401(api):
    assert api.get("/api/indicators/").status_code == 401
    assert api.get("/api/indicators/mission_arrests/").status_code == 401
    assert api.post("/api/indicators/", NEW, format="json").status_code == 401


@pytest.mark.parametrize("who", ["viewer", "mission_user", "supervisor"])
def test_only_administrators_create_or_change_indicators(api, request, who):
    client = api.as_user(request.getfixturevalue(who))
    assert client.post("/api/indicators/", NEW, format="json").status_code == 403
    assert (
        client.patch("/api/indicators/burglary/", {"target_value": "-10"}, format="json").status_code == 403
    )
    assert client.delete("/api/indicators/burglary/").status_code == 403
    assert not Indicator.objects.filter(code="vibrant_arrests").exists()
    assert Indicator.objects.get(code="burglary").target_value == Decimal(-8)


def test_an_administrator_creates_and_updates_an_indicator(api, administrator):
    client = api.as_user(administrator)
    response = client.post("/api/indicators/", NEW, format="json")
    assert response.status_code == 201, response.data
    assert response.json()["code"] == "vibrant_arrests"
    created = Indicator.objects.get(code="vibrant_arrests")
    assert created.parameters == NEW["parameters"]
    response = client.patch(
        "/api/indicators/burglary/", {"target_value": "-10", "name": "Burglary (all)"}, format="json"
    )
    assert response.status_code == 200, response.data
    burglary = Indicator.objects.get(code="burglary")
    assert (burglary.target_value, burglary.name) == (Decimal(-10), "Burglary (all)")


def test_an_unknown_calculator_is_refused_with_a_400(api, administrator):
    response = api.as_user(administrator).post(
        "/api/indicators/", NEW | {"calculator": "guesswork"}, format="json"
    )
    assert response.status_code == 400
    assert "calculator" in str(response.data)
    assert not Indicator.objects.filter(code="vibrant_arrests").exists()
    patch = api.as_user(administrator).patch(
        "/api/indicators/burglary/", {"calculator": "guesswork"}, format="json"
    )
    assert patch.status_code == 400
    assert Indicator.objects.get(code="burglary").calculator == "crime_count"


def test_an_indicator_created_through_the_api_is_computed_from_the_next_events(
    api, administrator, desk, time_machine, django_capture_on_commit_callbacks
):
    assert api.as_user(administrator).post("/api/indicators/", NEW, format="json").status_code == 201
    time_machine.move_to(local(2026, 3, 10, 12, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(kind="vibrant_arrest", area="BW", operation="VIBRANT", arrests=3)
        desk.complete(kind="npu_arrest", area="BW", arrests=5)  # another kind
    from datetime import date

    assert value_of("vibrant_arrests", "BW", "day", date(2026, 3, 10)) == Decimal(3)
    assert value_of("mission_arrests", "BW", "day", date(2026, 3, 10)) == Decimal(8)
