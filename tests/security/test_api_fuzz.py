"""Fuzzing the API with schemathesis, in-process over WSGI, authenticated as an Administrator.

Each operation of the OpenAPI document served at /api/schema/ gets a bounded, derandomised set of
generated requests (valid and invalid); every answer must be below 500 and, where its status code is
documented, match the documented schema. DELETE on reference data is left out: a generated delete
of an area or an operation that nothing uses yet would change what later operations find, so a run
would depend on its order; deletes are covered by the reference API tests and the role matrix.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.fuzz

MAX_EXAMPLES = 10
REFERENCE_DATA = ("/api/areas/", "/api/operations/", "/api/tactical-priorities/", "/api/offence-groups/",
                  "/api/resources/", "/api/indicators/")  # fmt: skip


def openapi_document():
    """The document /api/schema/ serves, generated in-process (collection has no database)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def load_schema():
    # The coverage phase sends dozens of boundary cases per operation: too slow for every CI run.
    config = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
    schema = schemathesis.openapi.from_dict(openapi_document(), config=config)
    schema.app = get_wsgi_application()
    schema.location = "/api/schema/"
    return schema.exclude(
        method="DELETE",
        path_regex="^/api/(" + "|".join(p.strip("/").removeprefix("api/") for p in REFERENCE_DATA) + ")/",
    )


schema = load_schema()


@pytest.fixture
def token(db, world, settings):
    # The WSGI transport calls the app as host "localhost".
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # Like Django's test client: a request must not close the connection that holds the test's
    # transaction (on PostgreSQL that would end the test's isolation).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield Token.objects.create(user=world.users["administrator"]).key
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_answers_5xx_and_conforms_to_its_schema(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


def test_the_fuzzed_document_is_the_one_the_api_serves(db, world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.users["viewer"])
    served = client.get("/api/schema/", {"format": "json"})
    assert served.status_code == 200
    assert served.json() == openapi_document()


# -- what the fuzzing found, pinned ------------------------------------------------------------


def test_an_indicator_posted_with_null_parameters_is_a_400_not_a_500(db, world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.users["administrator"])
    body = {"code": "fz1", "name": "Fuzz", "calculator": "crime_count", "parameters": "null", "unit": "n"}
    response = client.post("/api/indicators/", body, format="multipart")
    assert response.status_code == 400
    assert "JSON object" in response.json()["parameters"][0]


def test_a_request_without_assessment_mission_or_follow_up_is_documented_as_nullable():
    request = openapi_document()["components"]["schemas"]["Request"]["properties"]
    assert request["mission"].get("nullable") and request["follow_up_of"].get("nullable")
    assert request["assessment"].get("nullable") or any(
        part.get("nullable")
        for part in request["assessment"].get("oneOf", request["assessment"].get("allOf", []))
    )


def test_times_of_day_are_documented_as_local_times_without_an_offset():
    window = openapi_document()["components"]["schemas"]["PatrolWindow"]["properties"]["start_time"]
    assert "format" not in window and window["pattern"].startswith("^")


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("0378-10-01T20:38:38.2-19:27", 200),
        ("2026-06-10T18:00:00+01:00", 200),
        ("0001-01-01T00:30+01:00", 400),
    ],
)
def test_a_date_time_filter_with_any_utc_offset_is_answered_not_a_500(db, world, value, status):
    """PostgreSQL refuses offsets beyond ±15:59: the filters hand it UTC (found by the fuzzing)."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.users["viewer"])
    for path in ("/api/missions/", "/api/requests/", "/api/patrol-visits/"):
        field = {"/api/missions/": "created_before", "/api/requests/": "received_after"}.get(
            path, "arrived_after"
        )
        assert client.get(path, {field: value}).status_code == status, (path, value)
