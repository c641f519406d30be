"""The TRM pack (/dashboards/trm/<date>/): the agenda built by reading only."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasking.models import TaskingPeriod, TrmMeeting

from .conftest import grid_make, local

NOW = local(2026, 10, 20, 12, 0)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def pack_url(day):
    return reverse("performance:trm-pack", args=[day.isoformat()])


def queries(client, day):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(pack_url(day))
    assert response.status_code == 200
    return captured.captured_queries


def test_the_pack_of_a_meeting_not_opened_yet_reads_only(client, viewer, desk, now):
    """Neither the meeting, nor the period it plans, nor the one it reviews exists: the pack shows
    them as they will be and writes nothing (the session's own save aside)."""
    grid_make(desk.actor, "G-P1")
    day = date(2026, 12, 1)
    before = (TaskingPeriod.objects.count(), TrmMeeting.objects.count())
    client.force_login(viewer)

    statements = [q["sql"] for q in queries(client, day)]

    writes = [
        s for s in statements if re.match(r"\s*(INSERT|UPDATE|DELETE)", s) and "django_session" not in s
    ]
    assert writes == []
    assert (TaskingPeriod.objects.count(), TrmMeeting.objects.count()) == before
    html = client.get(pack_url(day)).content.decode()
    assert "Reviews the tasking period <strong>Mon 30 Nov 2026 from 07:00</strong>" in html
    assert "plans <strong>Tue 01 Dec 2026 from 07:00</strong>" in html
    assert "Patrols missed on Mon 30 Nov: 0 gaps" in html
    assert "Every hot-grid patrol due in the period under review was made." in html
