"""The cache's Redis connections: one pool per process, however many worker threads use the cache.

Django's cache objects are per thread, and its RedisCache gives each its own pool: a worker at 8 threads
held 16-17 Redis connections, most of Heroku Redis mini's 20. Counted on Redis itself (CLIENT LIST),
by a client name only this test's connections carry."""

import threading
import uuid

import pytest
import redis
from django.core.cache import caches

THREADS = 6


@pytest.fixture
def named_cache(settings):
    # The suite runs on Redis (scripts/test checks for it): without REDIS_URL this would test the file cache.
    assert settings.REDIS_URL, "REDIS_URL is not set: run the tests through scripts/test"
    name = f"cache-pool-test-{uuid.uuid4().hex[:8]}"
    default = settings.CACHES["default"]
    settings.CACHES = {**settings.CACHES, "default": {**default, "OPTIONS": {**default.get("OPTIONS", {}),
                                                                               "client_name": name}}}
    yield name


def connections_named(url: str, name: str) -> int:
    with redis.Redis.from_url(url) as client:
        return sum(1 for entry in client.client_list() if entry.get("name") == name)


def test_worker_threads_share_one_connection_pool(settings, named_cache):
    one_at_a_time = threading.Lock()
    done = threading.Barrier(THREADS + 1)
    counted = threading.Event()
    errors = []

    def thread(number: int):
        try:
            with one_at_a_time:  # each thread's command in turn, as tasks touch the cache now and then
                caches["default"].set(f"cache-pool-test:{number}", number, 30)
                assert caches["default"].get(f"cache-pool-test:{number}") == number
        except Exception as exc:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(exc)
        done.wait()
        counted.wait(30)  # alive, like a worker thread, while its connections are counted

    threads = [threading.Thread(target=thread, args=(number,)) for number in range(THREADS)]
    for each in threads:
        each.start()
    done.wait(30)
    try:
        count = connections_named(settings.REDIS_URL, named_cache)
    finally:
        counted.set()
        for each in threads:
            each.join(30)

    assert not errors
    assert count == 1  # Django's RedisCache: one per thread (6)
