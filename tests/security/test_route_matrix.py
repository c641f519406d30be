"""The role × route matrix, generated from the URL configuration.

Every route the app serves is found by walking the resolver (``tests/security/routes.py``); each
route's rule comes from its view's declarations (``read_role``, ``write_role``, ``action_roles``)
and is then exercised for anonymous, Viewer, Mission Support, Supervisor and Administrator. A route
whose view declares no rule fails here, so a new route cannot ship without one. A hand-written table
of the tasking issue's key role rules is checked against the declarations, so a wrong declaration
fails too.
"""

import os

import pytest
from django.test import Client
from django.urls import resolve
from rest_framework.views import APIView

from operations.permissions import RolePermission
from operations.roles import Role
from tests.security.conftest import ROLES
from tests.security.routes import ROUTES, Route, declared_rule, url_of

# -- the matrix --------------------------------------------------------------------------------

PRINCIPALS = ["anonymous", *ROLES]
EXERCISED = set()


def send(client, route, method, url):
    if route.kind == "api" or (route.kind == "public" and route.pattern.startswith("api/")):
        body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
        return getattr(client, method)(url, **body)
    return getattr(client, method)(url, {} if method != "delete" else None)


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_each_route_answers_each_role_by_its_declared_rule(db, world, route, principal):
    url = url_of(route, world)
    client = Client()
    held = None
    if principal != "anonymous":
        client.force_login(world.users[principal])
        held = ROLES[principal]
    for method in route.methods:
        rule = declared_rule(route, method)
        response = send(client, route, method, url)
        code = response.status_code
        where = f"{method.upper()} {url} as {principal} (rule: {rule.name if rule else 'public'})"
        assert code < 500, f"{where}: {code}"
        if rule is None:
            assert code not in (401, 403), f"{where}: public route refused with {code}"
        elif held is None:
            if route.kind == "api":
                assert code == 401, f"{where}: anonymous got {code}, not 401"
            elif route.kind == "admin":
                assert code == 302 and response["Location"].startswith("/admin/login/"), where
            else:
                assert code == 302 and response["Location"].startswith("/login/"), f"{where}: {code}"
        elif held < rule:
            if route.kind == "admin":
                assert code == 302 and response["Location"].startswith("/admin/login/"), where
            else:
                assert code == 403, f"{where}: a role below the rule got {code}"
        else:
            assert code not in (401, 403), f"{where}: a role at or above the rule got {code}"
    EXERCISED.add((route.pattern, principal))


def test_every_route_was_exercised_for_every_principal(request):
    """100 % of the routes walked, for every principal: collected, and (in one process) exercised."""
    selected = [
        item for item in request.session.items
        if getattr(item, "originalname", "") == "test_each_route_answers_each_role_by_its_declared_rule"
    ]  # fmt: skip
    total = len(ROUTES) * len(PRINCIPALS)
    if len(selected) < total:
        pytest.skip("only part of the matrix was selected")
    expected = {(route.pattern, principal) for route in ROUTES for principal in PRINCIPALS}
    collected = {
        (item.callspec.params["route"].pattern, item.callspec.params["principal"]) for item in selected
    }
    assert collected == expected and len(selected) == total
    # Under `pytest -n` with the default distribution the matrix is shared between processes, and
    # each one sees only its own share; with --dist loadfile (scripts/test.sh) or without -n, all.
    on_worker = bool(os.environ.get("PYTEST_XDIST_WORKER"))
    if not on_worker or request.config.getoption("dist", "no") in ("loadfile", "loadscope"):
        assert expected == EXERCISED


def test_the_walk_finds_the_pages_the_api_and_the_public_routes():
    kinds = {route.kind for route in ROUTES}
    assert kinds == {"api", "page", "public", "admin"}
    names = {route.name for route in ROUTES}
    assert {"home", "tasking:mission-detail", "mission-cancel", "area-list", "api-schema"} <= names
    assert len(ROUTES) == len({route.pattern for route in ROUTES}), "a route was walked twice"


def test_a_route_without_a_rule_fails_the_matrix():
    def undeclared(request):
        raise AssertionError("never called")

    with pytest.raises(pytest.fail.Exception, match="has no role rule"):
        declared_rule(Route("new-page/", "new-page", undeclared, "page"), "get")

    class BareView(APIView):
        permission_classes = [RolePermission]

    with pytest.raises(pytest.fail.Exception, match="has no role rule"):
        declared_rule(Route("api/new/", "new", BareView.as_view(), "api"), "get")


# -- the issue's role rules, written out by hand -----------------------------------------------

V, MS, SUP, ADM = Role.VIEWER, Role.MISSION_SUPPORT, Role.SUPERVISOR, Role.ADMINISTRATOR
KEY_RULES = [
    ("post", "/api/requests/", MS),
    ("post", "/api/requests/{request}/assess/", MS),
    ("post", "/api/missions/{mission}/allocate/", MS),
    ("post", "/api/missions/{mission}/start/", MS),
    ("post", "/api/missions/{mission}/outcome/", MS),
    ("post", "/api/missions/{mission}/not-completed/", MS),
    ("post", "/api/missions/{mission}/cancel/", SUP),
    ("post", "/api/trm-meetings/", MS),
    ("post", "/api/trm-meetings/{meeting}/decisions/", MS),
    ("post", "/api/trm-meetings/{meeting}/close/", SUP),
    ("post", "/api/trm-meetings/{meeting}/reopen/", SUP),
    ("post", "/api/threat-items/", MS),
    ("post", "/api/operation-targets/", MS),
    ("post", "/api/areas/", ADM),
    ("delete", "/api/areas/{area}/", ADM),
    ("post", "/api/operations/", ADM),
    ("post", "/api/tactical-priorities/", ADM),
    ("post", "/api/offence-groups/", ADM),
    ("post", "/api/resources/", ADM),
    ("post", "/api/indicators/", ADM),
    ("post", "/requests/new/", MS),
    ("post", "/requests/{request}/assess/", MS),
    ("post", "/missions/{mission}/start/", MS),
    ("post", "/missions/{mission}/outcome/", MS),
    ("post", "/missions/{mission}/allocate/", MS),
    ("post", "/missions/{mission}/cancel/", SUP),
    ("post", "/trm/{date}/decisions/", MS),
    ("post", "/trm/{date}/close/", SUP),
    ("post", "/trm/{date}/reopen/", SUP),
    ("post", "/trm/{date}/missions/{mission}/cancel/", SUP),
    ("post", "/threat-items/new/", MS),
    ("get", "/admin/", ADM),
    *[("get", path, V) for path in ("/", "/requests/", "/missions/", "/trm/", "/api/", "/api/requests/",
                                    "/api/missions/", "/api/areas/", "/api/schema/", "/api/docs/")],
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "role"), KEY_RULES, ids=lambda v: str(getattr(v, "name", v)))
def test_the_declarations_match_the_issues_role_rules(db, world, method, path, role):
    url = path.format(
        request=world.request.pk, mission=world.missions["in_progress"].pk, meeting=world.meeting.pk,
        date=world.meeting.date.isoformat(), area=1,
    )  # fmt: skip
    match = resolve(url)
    route = next(r for r in ROUTES if r.callback is match.func)
    assert declared_rule(route, method) == role, f"{method.upper()} {path}"


def test_every_get_route_is_open_to_a_viewer_except_the_admin():
    for route in ROUTES:
        if "get" in route.methods and route.kind in ("api", "page"):
            assert declared_rule(route, "get") == Role.VIEWER, f"GET {route}"
