"""What the scorecard, NPU table and process chart views share: the read-only role rule, and the
htmx polling attributes of a live fragment."""

import json

from django.views import View

from operations.permissions import RoleRequiredMixin
from operations.roles import Role

LIVE_SECONDS = 5


class DashboardView(RoleRequiredMixin, View):
    read_role = Role.VIEWER
    http_method_names = ["get", "head", "options"]


def live_attributes(request, fragment, version, query):
    """The htmx polling attributes: the same URL as a fragment, carrying the version last seen."""
    return {
        "url": f"{request.path}?{query}&fragment={fragment}"
        if query
        else f"{request.path}?fragment={fragment}",
        "vals": json.dumps({"v": version}),
        "seconds": LIVE_SECONDS,
    }
