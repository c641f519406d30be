"""One task of a kind waiting in the queue: the flag, its clearing, and a cache that is down."""

from unittest import mock

import pytest
from django.core.cache import cache

from operations.queued import queued_flag_clear, send_unless_queued

FLAG = "tests:queued"


@pytest.fixture(autouse=True)
def no_flag():
    cache.delete(FLAG)
    yield
    cache.delete(FLAG)


def test_a_second_send_waits_for_the_first_task_to_start():
    sent = []
    assert send_unless_queued(FLAG, lambda: sent.append(1), ttl=5) is True
    assert send_unless_queued(FLAG, lambda: sent.append(2), ttl=5) is False
    queued_flag_clear(FLAG)  # the task started
    assert send_unless_queued(FLAG, lambda: sent.append(3), ttl=5) is True
    assert sent == [1, 3]


def test_a_send_that_fails_clears_the_flag_and_raises():
    def broker_down():
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        send_unless_queued(FLAG, broker_down, ttl=5)
    assert cache.get(FLAG) is None
    sent = []
    assert send_unless_queued(FLAG, lambda: sent.append(1), ttl=5) is True
    assert sent == [1]


def test_with_the_cache_down_every_send_goes_out():
    sent = []
    with (
        mock.patch.object(cache, "add", side_effect=ConnectionError("cache down")),
        mock.patch.object(cache, "delete", side_effect=ConnectionError("cache down")),
    ):
        assert send_unless_queued(FLAG, lambda: sent.append(1), ttl=5) is True
        assert send_unless_queued(FLAG, lambda: sent.append(2), ttl=5) is True
        queued_flag_clear(FLAG)  # logged, not raised
    assert sent == [1, 2]
