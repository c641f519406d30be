"""The Redis cache keeps one Redis client per connection pool instead of building one per call."""

import pytest

from config.cache import ClientKeepingRedisCache


def test_every_call_gets_the_same_client_around_the_same_pool():
    # Building a client does not connect: no Redis is needed to see which one each call gets.
    cache = ClientKeepingRedisCache("redis://127.0.0.1:6390/0", {})
    first = cache._cache.get_client("a", write=True)
    assert cache._cache.get_client("b", write=True) is first
    assert cache._cache.get_client("c") is first  # one server: reads and writes share its pool
    assert first.connection_pool is cache._cache._get_connection_pool(write=True)


def test_each_server_has_its_own_client():
    # The first server takes the writes; reads go to any of the others.
    cache = ClientKeepingRedisCache("redis://127.0.0.1:6390/0,redis://127.0.0.1:6391/0", {})
    writer, reader = cache._cache.get_client(write=True), cache._cache.get_client()
    assert writer is not reader
    assert writer.connection_pool.connection_kwargs["port"] == 6390
    assert reader.connection_pool.connection_kwargs["port"] == 6391
    assert cache._cache.get_client() is reader


@pytest.mark.redis
def test_it_is_a_working_cache_on_redis():
    import os

    cache = ClientKeepingRedisCache(os.environ["TEST_REDIS_URL"], {})
    key = "config-cache-test"
    cache.delete(key)
    assert cache.add(key, 1, timeout=5) is True
    assert cache.add(key, 2, timeout=5) is False
    assert cache.get(key) == 1
    cache.delete(key)
    assert cache.get(key) is None
