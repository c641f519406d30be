"""An indicator's definition is checked when it is saved: parameters its calculator cannot use are
refused with a message (API and admin alike) instead of stopping the drains later, so is a unit that
cannot present its calculator's figure (a share is a percent, and only a share), the built-in
catalogue passes the same checks, and deleting an indicator in the admin is audited."""

import pytest

from operations.models import AuditEntry
from performance.calculators import parameters_problem, unit_problem
from performance.catalogue import CATALOGUE
from performance.models import Indicator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("perf_reference")]

BASE = {"code": "new_indicator", "name": "New indicator", "unit": "count", "good_direction": "up"}


@pytest.mark.parametrize(
    ("calculator", "parameters", "words"),
    [
        ("outcome_sum", {}, "Missing parameter 'fields'"),
        ("outcome_sum", {"fields": "arrests"}, "'fields' must be a list of names"),
        ("outcome_sum", {"fields": ["notes"]}, "takes outcome counts and finds"),
        ("outcome_sum", {"fields": []}, "takes outcome counts and finds"),
        ("transition_count", {"to_state": ["completed"]}, "'to_state' must be a name"),
        ("outcome_rate", {"kinds": ["curfew_check"]}, "Missing parameter 'results'"),
        ("crime_outcome_rate", {}, "Missing parameter 'outcomes'"),
        ("visit_effective", {"minutes": "fifteen"}, "'minutes' must be a number"),
        ("crime_count", {"offence_group": ["burglary"]}, "Unknown parameter 'offence_group'"),
    ],
)
def test_parameters_the_calculator_cannot_use_are_refused_by_the_api_and_nothing_is_saved(
    api, administrator, calculator, parameters, words
):
    before = Indicator.objects.count()
    response = api.as_user(administrator).post(
        "/api/indicators/", {**BASE, "calculator": calculator, "parameters": parameters}, format="json"
    )
    assert response.status_code == 400
    assert words in str(response.json()["parameters"])
    assert calculator in str(response.json()["parameters"])  # the message says what it takes
    assert Indicator.objects.count() == before


def test_a_change_that_breaks_an_indicators_parameters_is_refused(api, administrator):
    client = api.as_user(administrator)
    response = client.patch("/api/indicators/mission_arrests/", {"parameters": {}}, format="json")
    assert response.status_code == 400
    assert "Missing parameter 'fields'" in str(response.json()["parameters"])
    assert Indicator.objects.get(code="mission_arrests").parameters == {"fields": ["arrests"]}


@pytest.mark.parametrize(
    ("code", "unit", "words"),
    [
        ("mission_arrests", "percent", "outcome_sum gives an amount, not a share of a total"),
        ("mission_completion_rate", "count", "transition_rate gives a share of a total: its unit is Percent"),
        ("patrol_compliance", "minutes", "patrol_compliance gives a share of a total"),
    ],
)
def test_a_unit_that_cannot_present_the_calculators_figure_is_refused(api, administrator, code, unit, words):
    before = Indicator.objects.get(code=code).unit

    response = api.as_user(administrator).patch(f"/api/indicators/{code}/", {"unit": unit}, format="json")

    assert response.status_code == 400
    assert words in str(response.json()["unit"])
    assert Indicator.objects.get(code=code).unit == before


def test_every_built_in_indicator_passes_the_checks():
    problems = {
        code: parameters_problem(calc, params) or unit_problem(calc, params, unit)
        for code, _, unit, _, calc, params, _, _ in CATALOGUE
    }
    assert {code: problem for code, problem in problems.items() if problem} == {}


def test_the_admin_form_shows_the_parameter_error_and_saves_nothing(admin_client):
    response = admin_client.post(
        "/admin/performance/indicator/add/",
        {**BASE, "calculator": "outcome_sum", "parameters": "{}", "sort_order": 100, "active": "on",
         "target_comparison": "previous_year"},
    )  # fmt: skip
    assert response.status_code == 200  # the form again, with its errors
    assert "Missing parameter" in response.content.decode()
    assert not Indicator.objects.filter(code="new_indicator").exists()


def test_deleting_an_indicator_in_the_admin_is_audited(admin_client):
    indicator = Indicator.objects.create(
        code="unused", name="Unused", calculator="outcome_count", parameters={}, active=False
    )
    response = admin_client.post(f"/admin/performance/indicator/{indicator.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Indicator.objects.filter(pk=indicator.pk).exists()
    entry = AuditEntry.objects.get(object_type="performance.indicator", object_id=str(indicator.pk))
    assert entry.action == AuditEntry.Action.DELETE and entry.reason == "admin delete"
    assert entry.actor_username == "admin"
