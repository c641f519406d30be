"""What the outbox tests share: their event type, a consumer's failure, emitting an event in a
transaction and reading it back."""

from datetime import UTC, datetime

from django.db import transaction

from operations.events import event_emit

EVENT_TYPE = "test.outbox.happened"
START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


class Boom(Exception):
    pass


def emit(capture, *, execute=True, event_type=EVENT_TYPE):
    with capture(execute=execute), transaction.atomic():
        return event_emit(event_type, payload={"n": 1})


def reload(event):
    event.refresh_from_db()
    return event
