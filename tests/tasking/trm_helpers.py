"""What the TRM tests share: tomorrow's meeting and the address of its page, and the audit trail
of a TRM record."""

from datetime import timedelta

from django.utils import timezone

from operations.models import AuditEntry
from tasking import services


def tomorrows_meeting(actor):
    """Tomorrow's meeting, opened by ``actor``."""
    review = services.period_for(timezone.now())
    return services.trm_meeting_open(actor=actor, date=review.day + timedelta(days=1))


def url(meeting, tail=""):
    return f"/trm/{meeting.date.isoformat()}/{tail}"


def audit_for(obj):
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id")
