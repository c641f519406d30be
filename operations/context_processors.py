"""Navigation shown on every page: each section only to the roles that may use it."""

from django.urls import NoReverseMatch, reverse

from .roles import Role, has_role, user_role

SECTIONS = [
    ("Missions", "tasking:triage", Role.VIEWER),
    ("TRM", "tasking:trm-list", Role.VIEWER),
    ("Patrols", "tasking:patrols", Role.VIEWER),
    ("Dashboards", "performance:scorecard", Role.VIEWER),
    ("Admin", "admin:index", Role.ADMINISTRATOR),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "nav_role": None}
    sections = []
    for label, url_name, role in SECTIONS:
        if not has_role(user, role):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # that part of the product is not installed in this build
        active = request.path.startswith(url) if url != "/" else request.path == "/"
        sections.append({"label": label, "url": url, "active": active})
    role = user_role(user)
    return {"nav_sections": sections, "nav_role": role.label if role else "No role"}
