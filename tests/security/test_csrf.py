"""CSRF: every form that posts carries the token, and a post without it is refused."""

import re

import pytest
from django.test import Client

from operations.models import Area
from tests.security.conftest import ROLES
from tests.security.routes import ROUTES, url_of

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
POSTS = re.compile(r"""method\s*=\s*["']?post""", re.I)
TOKEN = re.compile(r"""<input[^>]+name=["']csrfmiddlewaretoken["'][^>]*value=["'][^"']+["']""", re.I)

PAGES = [route for route in ROUTES if route.kind in ("page", "admin", "public") and "get" in route.methods]


def post_forms(html):
    return [body for attributes, body in FORM.findall(html) if POSTS.search(attributes)]


@pytest.mark.parametrize("principal", ["anonymous", *ROLES])
def test_every_form_that_posts_on_every_page_carries_the_csrf_token(db, world, principal):
    client = Client()
    if principal != "anonymous":
        client.force_login(world.users[principal])
    checked = 0
    for route in PAGES:
        url = url_of(route, world)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for body in post_forms(response.content.decode()):
            assert TOKEN.search(body), f"{url} as {principal}: a POST form without csrfmiddlewaretoken"
            checked += 1
    assert checked > 0


def test_the_walk_sees_the_forms_of_the_busy_pages(db, world):
    client = Client()
    client.force_login(world.users["administrator"])
    for url in ("/requests/new/", f"/missions/{world.missions['in_progress'].pk}/"):
        html = client.get(url).content.decode()
        assert post_forms(html), f"no POST form found on {url}"
    assert post_forms(Client().get("/login/").content.decode())


def refused(client, url, data=None, **extra):
    response = client.post(url, data or {}, **extra)
    return response.status_code == 403 and "CSRF" in response.content.decode()


@pytest.fixture
def strict(world):
    """A signed-in Administrator's browser that does not send the CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["administrator"])
    return client


def test_sign_in_without_the_token_is_refused(db, world):
    client = Client(enforce_csrf_checks=True)
    assert refused(client, "/login/", {"username": "sec-viewer", "password": "pw-sec-viewer"})


def test_page_posts_without_the_token_are_refused_and_change_nothing(db, world, strict):
    mission = world.missions["in_progress"]
    day = world.meeting.date.isoformat()
    area = Area.objects.get(code="BE")
    posts = {
        "/requests/new/": {"kind": "npu_arrest", "area": area.pk, "requested_by": "PS 1"},
        f"/missions/{mission.pk}/outcome/": {"result": "arrested", "arrests": "1"},
        f"/trm/{day}/decisions/": {"text": "Prioritise the BE warrants.", "kind": "other"},
        f"/admin/operations/area/{area.pk}/change/": {"name": "Renamed"},
        "/logout/": {},
    }
    for url, data in posts.items():
        assert refused(strict, url, data), url
    mission.refresh_from_db()
    assert mission.state == "in_progress"
    assert Area.objects.get(pk=area.pk).name == area.name


def test_an_api_write_with_a_session_but_no_token_is_refused(db, world, strict):
    response = strict.post(
        "/api/requests/", {"kind": "npu_arrest", "area": "BE"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_an_api_write_with_a_token_header_needs_no_csrf_token(db, world):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.users["mission_support"])
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/requests/", {"kind": "npu_arrest", "area": "BE", "requested_by": "PS 1"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}",
    )  # fmt: skip
    assert response.status_code == 201
