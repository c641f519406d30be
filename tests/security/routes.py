"""The app's routes, walked from the URL configuration, and the role rule each one declares.

Shared by the role × route matrix and the CSRF walk. Not walked: the admin's internals (the admin
site checks the Administrator role itself; only its index is exercised) and DRF's ``.json``-style
format-suffix twins of each API route (the same view, the same rule).
"""

import re
from dataclasses import dataclass
from importlib import import_module

import pytest
from django.contrib.auth.views import LoginView, LogoutView
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import APIRootView
from rest_framework.views import APIView

from operations.permissions import RolePermission, RoleRequiredMixin, required_role
from operations.roles import Role
from operations.security import ObtainAuthToken

UNSAFE = ("post", "put", "patch", "delete")

# Routes open to everyone, and why.
PUBLIC = {
    "health": "load balancers and the run scripts probe it",
    "login": "where anonymous users are sent",
    "logout": "signing out must always work",
    "api-token": "exchanges a username and password for a token (locked out like the login page)",
}
PUBLIC_VIEWS = {LoginView, LogoutView, ObtainAuthToken}

# Views the project does not write, with the rule the settings give them.
FRAMEWORK_RULES = {
    APIRootView: Role.VIEWER,  # DEFAULT_PERMISSION_CLASSES: RolePermission, read only
    SpectacularAPIView: Role.VIEWER,  # SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]
    SpectacularSwaggerView: Role.VIEWER,
}


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str
    callback: object
    kind: str  # "api", "page", "public" or "admin"

    @property
    def view(self):
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def actions(self):
        return getattr(self.callback, "actions", None)

    @property
    def methods(self):
        """The HTTP methods the route answers, lower case."""
        if self.actions is not None:
            return tuple(method for method in ("get", *UNSAFE) if method in self.actions)
        view = self.view
        if view is None:
            return ("get",)
        return tuple(m for m in ("get", *UNSAFE) if hasattr(view, m)) or ("get",)

    def __str__(self):
        return f"/{self.pattern}"


def _walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), (namespace + entry.name) if entry.name else "", entry.callback


def _clean(pattern):
    """A DRF router regex as a readable path: ^missions/(?P<pk>[^/.]+)/$ → missions/<pk>/."""
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", pattern).replace("^", "").replace("$", "")


def collect_routes():
    routes = []
    for pattern, name, callback in _walk(get_resolver()):
        if "(?P<format>" in pattern or "<drf_format_suffix:format>" in pattern:
            continue  # a format-suffix twin: same view, same rule
        if pattern.startswith("admin/"):
            if name == "admin:index":
                routes.append(Route(_clean(pattern), name, callback, "admin"))
            continue
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if name in PUBLIC or view in PUBLIC_VIEWS:
            kind = "public"
        elif pattern.startswith("api/"):
            kind = "api"
        else:
            kind = "page"
        routes.append(Route(_clean(pattern), name, callback, kind))
    return routes


ROUTES = collect_routes()


def declared_rule(route, method):
    """The lowest role the route's declarations allow for ``method``; None when public.

    Fails with "route X has no role rule" when the view declares nothing.
    """
    if route.kind == "public":
        return None
    if route.kind == "admin":
        return Role.ADMINISTRATOR
    view = route.view
    if view in FRAMEWORK_RULES:
        return FRAMEWORK_RULES[view]
    if view is None:
        pytest.fail(f"route {route} has no role rule: {route.callback!r} is a plain function view")
    if issubclass(view, APIView):
        permissions = view.permission_classes
        assert RolePermission in permissions, f"route {route}: {view.__name__} does not use RolePermission"
    else:
        assert issubclass(view, RoleRequiredMixin), (
            f"route {route} has no role rule: {view.__name__} is not a RoleRequiredMixin page"
        )
    action = (route.actions or {}).get(method)
    action_roles = getattr(view, "action_roles", None) or {}
    needed = "read_role" if method == "get" else "write_role"
    if action not in action_roles and not hasattr(view, needed):
        pytest.fail(f"route {route} has no role rule: {view.__name__} declares no {needed}")
    stub = view.__new__(view)
    stub.action = action
    return required_role(stub, method.upper())


# -- sample URL arguments ----------------------------------------------------------------------


def _first_source(route):
    return next(iter(import_module(route.view.__module__).SOURCES))


PAGE_SAMPLES = {
    # (path prefix, argument): value from the world; the longest matching prefix wins
    ("requests/", "pk"): lambda w, r: w.request.pk,
    ("missions/", "pk"): lambda w, r: w.missions["in_progress"].pk,
    ("trm/", "date"): lambda w, r: w.meeting.date.isoformat(),
    ("trm/", "pk"): lambda w, r: w.missions["completed"].pk,
    ("threat-items/", "pk"): lambda w, r: w.threat_item.pk,
    ("patrols/grids/", "pk"): lambda w, r: w.grid.pk,
    ("patrols/gaps/", "pk"): lambda w, r: w.patrol.pk,
    ("patrols/trials/", "code"): lambda w, r: "GUARDIAN",
    ("dashboards/", "code"): lambda w, r: "VIBRANT",
    ("dashboards/", "date"): lambda w, r: w.meeting.date.isoformat(),
    ("dashboards/", "source"): lambda w, r: _first_source(r),
    ("dashboards/", "area"): lambda w, r: "BE",
}


def sample_kwargs(route, world):
    names = re.findall(r"<(?:\w+:)?(\w+)>", route.pattern)
    kwargs = {}
    for name in names:
        view = route.view
        if route.kind == "api" and getattr(view, "queryset", None) is not None:
            lookup = view.lookup_field
            obj = view.queryset.model._default_manager.order_by("pk").first()
            assert obj is not None, f"route {route}: the world has no {view.queryset.model.__name__}"
            kwargs[name] = getattr(obj, lookup)
            continue
        matches = [
            (prefix, make)
            for (prefix, arg), make in PAGE_SAMPLES.items()
            if arg == name and route.pattern.startswith(prefix)
        ]
        assert matches, f"route {route}: add a sample value for <{name}> to PAGE_SAMPLES"
        kwargs[name] = max(matches, key=lambda m: len(m[0]))[1](world, route)
    return kwargs


def url_of(route, world):
    return reverse(route.name, kwargs=sample_kwargs(route, world))
