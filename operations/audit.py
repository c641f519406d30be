"""Writing the audit trail. Every service that changes data calls ``audit_record``."""

from datetime import date, datetime
from decimal import Decimal

from .models import AuditEntry


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    return value


def audit_record(*, actor, action, obj, changes=None, reason="", object_type=None):
    """Append one entry; ``changes`` maps field → [old, new] (or any JSON-able detail)."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        action=action,
        object_type=object_type or obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes={key: _plain(value) for key, value in (changes or {}).items()},
        reason=reason or "",
    )
