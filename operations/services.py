"""Writes to reference data. The API, the admin and the importers all come through here."""

from django.db import transaction
from django.db.models import ProtectedError

from .audit import audit_record
from .events import event_emit
from .exceptions import Conflict
from .models import AuditEntry

REFERENCE_CHANGED = "reference.changed"


def _split_m2m(model, data):
    m2m_names = {field.name for field in model._meta.many_to_many}
    plain = {key: value for key, value in data.items() if key not in m2m_names}
    m2m = {key: value for key, value in data.items() if key in m2m_names}
    return plain, m2m


def _snapshot(instance):
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key
    }


def _diff(before, after):
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}


@transaction.atomic
def reference_save(*, actor, instance, m2m=None, reason="", changed_m2m=()):
    """Validate and save a reference-data row (new or changed) and audit what changed."""
    model = type(instance)
    creating = instance._state.adding
    before = {}
    if not creating:
        stored = model.objects.filter(pk=instance.pk).first()
        before = _snapshot(stored) if stored else {}
    instance.full_clean(validate_unique=True)
    instance.save()
    changes = _diff(before, _snapshot(instance))
    for name, values in (m2m or {}).items():
        manager = getattr(instance, name)
        old = sorted(manager.values_list("pk", flat=True))
        manager.set(values)
        new = sorted(manager.values_list("pk", flat=True))
        if old != new:
            changes[name] = [old, new]
    for name in changed_m2m:
        changes.setdefault(name, "changed")
    if creating or changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
            obj=instance,
            changes=changes,
            reason=reason,
        )
    if changes and not creating:
        # Figures computed from this row (a rate from a population, a weighted count from a
        # weight, an indicator from its definition) are out of date: listeners decide.
        event_emit(
            REFERENCE_CHANGED,
            payload={"model": instance._meta.label_lower, "id": instance.pk, "fields": sorted(changes)},
            aggregate=instance,
        )
    return instance


def reference_create(*, actor, model, data, reason=""):
    """Create a reference-data row from validated field values (many-to-many included)."""
    plain, m2m = _split_m2m(model, data)
    return reference_save(actor=actor, instance=model(**plain), m2m=m2m, reason=reason)


def reference_update(*, actor, instance, data, reason=""):
    """Change some fields of a reference-data row."""
    plain, m2m = _split_m2m(type(instance), data)
    for key, value in plain.items():
        setattr(instance, key, value)
    return reference_save(actor=actor, instance=instance, m2m=m2m, reason=reason)


@transaction.atomic
@transaction.atomic
def reference_delete(*, actor, instance, reason=""):
    """Delete a row no other record depends on; a row still in use is refused with 409. The row
    and its audit entry go together (the savepoint only catches a refused delete)."""
    label, pk, text = instance._meta.label_lower, instance.pk, str(instance)
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as exc:
        used_by = sorted({str(type(obj)._meta.verbose_name_plural) for obj in exc.protected_objects})
        raise Conflict(
            f"{text} is still used by {', '.join(used_by)}; change those first or mark it inactive."
        ) from exc
    entry = AuditEntry(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_username=actor.get_username() if getattr(actor, "is_authenticated", False) else "",
        action=AuditEntry.Action.DELETE,
        object_type=label,
        object_id=str(pk),
        object_repr=text[:200],
        reason=reason,
    )
    entry.save()


@transaction.atomic
def resource_set_active(*, actor, resources, active, reason=""):
    """Bring resources into or out of service (an admin action and an API field alike)."""
    changed = []
    for resource in resources:
        if resource.active != active:
            resource.active = active
            reference_save(actor=actor, instance=resource, reason=reason)
            changed.append(resource)
    return changed
