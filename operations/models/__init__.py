"""Reference data (areas, operations, priorities, offence groups, resources), recorded crime,
outbox and audit."""

from .audit import AuditEntry
from .crime import CrimeCount, CrimeRecord, LsoaArea
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
    "CrimeCount",
    "CrimeRecord",
    "Event",
    "EventDelivery",
    "LsoaArea",
    "OffenceGroup",
    "Operation",
    "OutcomeType",
    "Resource",
    "TacticalPriority",
]
