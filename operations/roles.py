"""The four roles, as Django groups, ordered so that each includes the one below it.

Viewer reads; Mission Support also logs requests, assessments, allocations and outcomes;
Supervisor also overrides capacity, rejects, cancels and chairs the TRM; Administrator does
everything, including reference data.
"""

from enum import IntEnum


class Role(IntEnum):
    VIEWER = 1
    MISSION_SUPPORT = 2
    SUPERVISOR = 3
    ADMINISTRATOR = 4

    @property
    def label(self):
        return ROLE_GROUPS[self]


ROLE_GROUPS = {
    Role.VIEWER: "Viewer",
    Role.MISSION_SUPPORT: "Mission Support",
    Role.SUPERVISOR: "Supervisor",
    Role.ADMINISTRATOR: "Administrator",
}
GROUP_ROLES = {name: role for role, name in ROLE_GROUPS.items()}


def user_role(user):
    """The highest role a user holds, or None. Cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_role_cache", False)
    if cached is not False:
        return cached
    if user.is_superuser:
        role = Role.ADMINISTRATOR
    else:
        names = user.groups.values_list("name", flat=True)
        ranks = [GROUP_ROLES[name] for name in names if name in GROUP_ROLES]
        role = max(ranks) if ranks else None
    user._role_cache = role
    return role


def role_remember(user, rank):
    """Keep for the request the role read with the user: ``rank`` is the highest role group's
    rank (``Role``'s value), or None for none. A superuser is an Administrator, as in
    ``user_role``."""
    user._role_cache = Role.ADMINISTRATOR if user.is_superuser else (Role(rank) if rank else None)


def has_role(user, role):
    """True when the user holds ``role`` or a role above it."""
    held = user_role(user)
    return held is not None and held >= role
