"""The session idle timeout: a signed-in session ends after SESSION_IDLE_TIMEOUT without a request."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_the_idle_timeout_is_thirty_minutes_renewed_on_every_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_a_session_idle_past_the_timeout_is_signed_out(client, viewer):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.force_login(viewer)
        assert client.get("/requests/").status_code == 200

        clock.shift(timedelta(minutes=30, seconds=1))
        response = client.get("/requests/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_an_active_session_is_kept_however_long_it_lasts(client, viewer):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.force_login(viewer)
        for _ in range(6):  # three hours in all, never idle for 30 minutes
            clock.shift(timedelta(minutes=29))
            assert client.get("/requests/").status_code == 200, "signed out while active"


def test_an_idle_api_session_is_refused_with_401(client, viewer):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.force_login(viewer)
        assert client.get("/api/requests/").status_code == 200
        clock.shift(timedelta(minutes=31))
        assert client.get("/api/requests/").status_code == 401
