"""Django's Redis cache, keeping its Redis client objects.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` around its connection pool for every
cache call, and redis-py's constructor sets up its table of response callbacks each time: about a
fifth of a millisecond of CPU, on every outcome logged (the "dispatch waiting" flag, see
``operations.queued``). A client only wraps its pool, which is safe to share between calls, so one
client per pool is kept instead. Django makes a cache backend per thread, and redis-py's pool opens
new connections in a forked child: each process and thread still has its own connections.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ClientKeepingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client


class ClientKeepingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ClientKeepingRedisCacheClient
