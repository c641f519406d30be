"""The transactional outbox: domain events written in the same transaction as the change."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Event(models.Model):
    """A domain event, stored with the change that caused it and dispatched after commit."""

    type = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    aggregate_type = models.CharField(max_length=64, blank=True)
    aggregate_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="event_unprocessed_idx",
                condition=Q(processed_at__isnull=True),
            ),
            # The admin's filter by type. Nothing reads events by aggregate, and each index is
            # written twice per event: when it is stored and when it is marked processed.
            models.Index(fields=["type"], name="event_type_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.type}"


class EventDelivery(models.Model):
    """One consumer's receipt of one event: the row that makes redelivery harmless."""

    # Indexed by the unique (event, consumer) constraint, which leads with it. No foreign key in
    # the database: the dispatcher writes receipts only for events it holds locked, and the key's
    # check, run at commit against each event the same transaction had just marked processed, was
    # the worker's largest cost (about 0.3-0.5 ms of PostgreSQL time an event). Deleting an event
    # through Django still deletes its receipts.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="deliveries", db_index=False, db_constraint=False
    )
    consumer = models.CharField(max_length=120)
    delivered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "consumer"], name="event_delivery_once"),
        ]

    def __str__(self):
        return f"{self.event_id} → {self.consumer}"
