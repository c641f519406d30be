"""Admin for tasking: fast lists for an administrator fixing things, and no write that the API
could not make. Every change goes through ``tasking.services`` (validated, audited, evented);
what has no service is read-only here.

Requests are read-only: their fields feed the priority score, the assessment and the mission made
from them, and only ``request_receive``/``request_assess`` write them with an audit entry. An edit
here would bypass both, and a silently changed subject or deadline is exactly what an audit trail
exists to prevent; a wrong request is rejected or its mission cancelled, with a reason, instead.
"""

from django.apps import apps
from django.contrib import admin
from django.db.models.fields.related import ForeignKey

from . import missions, trm  # noqa: F401 — registers their admins before the fallback below
from .base import ReadOnlyMixin


class FallbackReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """For tasking models without a tailored admin above: browse them, change them elsewhere."""

    list_select_related = True


def _register_the_rest():
    for model in apps.get_app_config("tasking").get_models():
        if admin.site.is_registered(model):
            continue
        plain = [
            field.name
            for field in model._meta.concrete_fields
            if field.get_internal_type() not in ("TextField", "JSONField")
            and not (isinstance(field, ForeignKey) and field.null)  # not joined: would cost a query a row
        ]
        admin_class = type(
            f"{model.__name__}Admin", (FallbackReadOnlyAdmin,), {"list_display": ["__str__", *plain[1:8]]}
        )
        admin.site.register(model, admin_class)


_register_the_rest()
