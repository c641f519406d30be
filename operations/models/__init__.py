"""Reference data (areas, operations, priorities, offence groups, resources), outbox and audit."""

from .audit import AuditEntry
from .outbox import Event, EventDelivery
from .reference import (
    Area,
    OffenceGroup,
    Operation,
    OutcomeType,
    Resource,
    TacticalPriority,
)

__all__ = [
    "Area",
    "AuditEntry",
    "Event",
    "EventDelivery",
    "OffenceGroup",
    "Operation",
    "OutcomeType",
    "Resource",
    "TacticalPriority",
]
