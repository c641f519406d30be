"""The PostgreSQL backend's health check: a kept connection the server has ended is found
unusable (and the next use reconnects), and a healthy idle one is passed without a round trip."""

import time

import pytest
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoPostgreSQL

from config.postgresql.base import DatabaseWrapper
from tests.postgres_helpers import other_connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _end_from_outside(pid):
    with other_connection(autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_the_settings_choose_this_backend_for_postgresql():
    assert type(connections["default"]) is DatabaseWrapper
    assert connections["default"].vendor == "postgresql"


def test_a_healthy_idle_connection_is_usable_without_asking_the_server(monkeypatch):
    connection.ensure_connection()
    asked = []
    monkeypatch.setattr(DjangoPostgreSQL, "is_usable", lambda self: asked.append(1) or True)
    assert connection.is_usable() is True
    assert asked == []


def test_a_connection_in_a_transaction_is_checked_by_the_server(monkeypatch):
    connection.ensure_connection()
    asked = []
    monkeypatch.setattr(DjangoPostgreSQL, "is_usable", lambda self: asked.append(1) or True)
    connection.connection.execute("BEGIN")
    try:
        assert connection.is_usable() is True
    finally:
        connection.connection.execute("ROLLBACK")
    assert asked == [1]


def test_a_connection_the_server_ended_is_unusable_and_the_next_request_reconnects():
    from django.contrib.auth import get_user_model

    connection.ensure_connection()
    old_pid = connection.connection.info.backend_pid
    assert connection.is_usable()
    _end_from_outside(old_pid)
    deadline = time.monotonic() + 5
    while connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert connection.is_usable() is False

    # What a request does first: the health check closes it, and the query opens a new one.
    connection.health_check_enabled, connection.health_check_done = True, False
    connection.close_if_health_check_failed()
    assert get_user_model().objects.count() >= 0
    assert connection.connection.info.backend_pid != old_pid
