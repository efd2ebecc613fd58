"""Django's Redis cache with one connection pool per process, not one per thread.

Django keeps a cache object per thread (django.core.cache.caches is thread-local), and its RedisCache
gives each object a connection pool of its own: a worker process at CELERY_CONCURRENCY=8 threads held
16-17 Redis connections (each thread's pool keeps its idle connection, beside the broker's), against
the 20 Heroku Redis mini allows for web, worker and beat together. Here every cache object of a
process with the same server and options shares one pool, so the cache holds only as many connections
as commands run at the same moment (a command takes a connection from the pool and gives it back).
redis-py's pool notices a fork and starts afresh in the child, so prefork children share nothing.
"""

from __future__ import annotations

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_pools: dict[str, object] = {}  # (server, options) → the process's redis.ConnectionPool for it
_pools_lock = threading.Lock()


class SharedPoolRedisCacheClient(RedisCacheClient):
    def _get_connection_pool(self, write):
        server = self._servers[self._get_connection_pool_index(write)]
        key = f"{server} {self._pool_class!r} {sorted(self._pool_options.items(), key=lambda item: item[0])!r}"
        pool = _pools.get(key)
        if pool is None:
            with _pools_lock:  # two threads' first commands at once: still one pool
                pool = _pools.get(key)
                if pool is None:
                    pool = _pools[key] = self._pool_class.from_url(server, **self._pool_options)
        return pool


class SharedPoolRedisCache(RedisCache):
    """CACHES BACKEND "config.cache.SharedPoolRedisCache": RedisCache whose threads share one pool."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolRedisCacheClient
