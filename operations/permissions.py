"""API and page permissions declared on each view as the lowest role allowed.

A view says ``read_role`` (safe methods) and ``write_role`` (everything else); a viewset may name
a role per action in ``action_roles``. The role × route matrix test reads these declarations.
"""

from django.contrib.auth.mixins import AccessMixin
from rest_framework import permissions

from .roles import Role, has_role

SAFE_METHODS = permissions.SAFE_METHODS


def required_role(view, method):
    action = getattr(view, "action", None)
    action_roles = getattr(view, "action_roles", {}) or {}
    if action in action_roles:
        return action_roles[action]
    if method in SAFE_METHODS:
        return getattr(view, "read_role", Role.VIEWER)
    return getattr(view, "write_role", Role.ADMINISTRATOR)


class RolePermission(permissions.BasePermission):
    """Authenticated, and holding the role the view declares for this method or action."""

    message = "Your role does not allow this."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return has_role(request.user, required_role(view, request.method))


class RoleRequiredMixin(AccessMixin):
    """For pages: anonymous users go to the login page; the wrong role gets 403."""

    read_role = Role.VIEWER
    write_role = Role.MISSION_SUPPORT

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, required_role(self, request.method)):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)
