from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OperationsConfig(AppConfig):
    """Reference data, the outbox every app announces through, and the audit trail."""

    name = "operations"
    verbose_name = "Reference data"

    def ready(self):
        # After every app's migrate, not only this one's: later apps' permissions exist only then.
        post_migrate.connect(grant_administrator_permissions, dispatch_uid="grant_admin_permissions")
        from . import demo_crime  # noqa: F401 - registers the demo recorded-crime builder


def grant_administrator_permissions(sender, **kwargs):
    """Administrators may change every model in the admin site; permissions exist only after
    migrate has created them, hence a post-migrate hook rather than the roles migration.
    ``flush`` also ends here but empties the groups the roles migration made, so recreate them."""
    from django.contrib.auth.models import Group, Permission

    from .roles import ROLE_GROUPS

    for name in ROLE_GROUPS.values():
        Group.objects.get_or_create(name=name)
    group = Group.objects.get(name="Administrator")
    group.permissions.add(*Permission.objects.exclude(group=group))
