"""Fixtures of the operations tests."""

import pytest

from operations import events
from operations.events import consumer

from .outbox_helpers import EVENT_TYPE, Boom


@pytest.fixture
def register_consumer():
    """Register recording consumers for test event types; unregister them afterwards."""
    registered = []

    def register(name, event_type=EVENT_TYPE, fails=None):
        calls = []

        def handle(event):
            if fails is not None and fails():
                raise Boom(f"{name} is broken")
            calls.append(event.pk)

        consumer(event_type, name=name)(handle)
        registered.append((event_type, name))
        return calls

    yield register
    for event_type, name in registered:
        events._consumers[event_type].pop(name, None)
        if not events._consumers[event_type]:
            del events._consumers[event_type]
