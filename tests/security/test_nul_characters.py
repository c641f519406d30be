"""A NUL character in an address or its parameters is a 400 naming the problem, on every route: on
PostgreSQL, the production engine, a code read from the address and looked up as typed would
otherwise fail in the database (its text cannot hold a NUL) and answer 500."""

import pytest
from django.test import Client

from operations.middleware import NUL_REFUSED

URLS = [
    "/api/indicators/recorded_crime/series/?area=%00",
    "/api/indicators/recorded_crime/series/?operation=BE%00",
    "/api/benchmarks/?indicator=%00&period=2017&compare=2016",
    "/api/benchmarks/?indicator=recorded_crime&period=2017&compare=2016&offence_group=%00",
    "/api/indicators/%00/",
    "/dashboards/operations/%00/",
    "/patrols/trials/%00/",
    "/dashboards/?area=B%00E",
    "/dashboards/?%00=1",
]


def viewer_client(user):
    client = Client()
    client.force_login(user)
    return client


def refused(response):
    body = response.content.decode()
    return response.status_code == 400 and NUL_REFUSED in body


@pytest.mark.parametrize("url", URLS)
def test_a_nul_in_the_address_is_a_400_that_says_so(db, reference_data, viewer, url):
    assert refused(viewer_client(viewer).get(url))


def test_the_api_says_it_in_json(db, reference_data, viewer):
    response = viewer_client(viewer).get("/api/indicators/%00/")

    assert response.status_code == 400
    assert response.json() == {"detail": NUL_REFUSED}


def test_an_address_without_one_is_answered_as_before(db, reference_data, viewer):
    assert viewer_client(viewer).get("/api/indicators/recorded_crime/series/?area=BE").status_code == 200
