from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OperationsConfig(AppConfig):
    """Reference data, the outbox every app announces through, and the audit trail."""

    name = "operations"
    verbose_name = "Reference data"

    def ready(self):
        post_migrate.connect(grant_administrator_permissions, sender=self)


def grant_administrator_permissions(sender, **kwargs):
    """Administrators may change every model in the admin site; permissions exist only after
    migrate has created them, hence a post-migrate hook rather than the roles migration."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.filter(name="Administrator").first()
    if group is not None:
        group.permissions.add(*Permission.objects.exclude(group=group))
