"""What the tasking event tests share: the moment their clock stands at and the mission states."""

from datetime import UTC, datetime

from tasking.models import Mission

S = Mission.State
NOW = datetime(2026, 7, 14, 9, 30, tzinfo=UTC)
