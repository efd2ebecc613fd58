"""GET /healthz through the real view: database, a broker that takes writes, a live worker."""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from django.test import override_settings
from django.utils import timezone

from config.celery_app import app as celery_app
from vicbot.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_alive(db) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(hostname="celery@test", last_seen_at=timezone.now())


@pytest.fixture
def broker():
    """Point the Celery app at another broker for one test."""
    saved = {key: celery_app.conf.get(key) for key in ("broker_url", "broker_transport_options")}

    def use(url: str, **transport_options) -> None:
        celery_app.conf.update(broker_url=url, broker_transport_options=transport_options)

    yield use
    celery_app.conf.update(saved)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def full_redis() -> Iterator[str]:
    """A Redis of our own, as Heroku Redis mini runs (noeviction), filled past its limit."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--maxmemory-policy", "noeviction"],
        stdout=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        for number in range(20):  # what fills it: a day of scraped pages, say
            client.set(f"vicbot:web_scrape:v1:{number}", b"x" * 100_000)
        # Now the limit is below what is stored, as on a mini plan that has filled up.
        client.config_set("maxmemory", client.info("memory")["used_memory"] // 2)
        with pytest.raises(redis.exceptions.OutOfMemoryError):
            client.set("one-more", "x")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_it_answers_ok_when_database_broker_and_worker_are_fine(client, worker_alive):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_naming_the_broker_when_the_broker_is_down(client, worker_alive, broker, caplog):
    # Port 9 (discard) on loopback refuses connections: a real, unreachable broker.
    broker("redis://127.0.0.1:9/0")

    with caplog.at_level(logging.ERROR, logger="vicbot.views.health"):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failed": ["broker"]}
    # The details are in the log, not in the public answer.
    assert "127.0.0.1:9" not in response.content.decode() and "Error" not in response.content.decode()
    assert any("broker check failed" in r.getMessage() and "Error" in r.getMessage() for r in caplog.records)


def test_a_full_broker_that_still_answers_pings_is_reported(client, worker_alive, broker, full_redis):
    broker(full_redis)
    assert redis.Redis.from_url(full_redis).ping()  # reachable: a connection check would say ok

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
    assert "OOM" not in response.content.decode()


def test_the_probe_leaves_nothing_in_the_broker(client, worker_alive, settings):
    probes = redis.Redis.from_url(settings.CELERY_BROKER_URL)

    assert client.get("/healthz").status_code == 200

    assert probes.keys("vicbot:healthz:*") == []


def test_the_embedded_broker_must_have_a_writable_folder(client, worker_alive, broker, tmp_path):
    folder = tmp_path / "broker"
    folder.mkdir()
    broker("filesystem://", data_folder_in=str(folder), data_folder_out=str(folder))
    assert client.get("/healthz").status_code == 200
    assert list(folder.iterdir()) == []  # the probe file is gone again

    # (Tests run as root here, so a read-only folder would still take writes: a missing one cannot.)
    folder.rmdir()
    response = client.get("/healthz")

    assert response.status_code == 503 and response.json()["failed"] == ["broker"]
    assert str(tmp_path) not in response.content.decode()


def test_it_answers_503_naming_the_worker_when_its_heartbeat_is_stale(client):
    WorkerHeartbeat.objects.create(hostname="celery@gone", last_seen_at=timezone.now() - timedelta(minutes=4))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failed": ["worker"]}


def test_a_worker_that_never_beat_is_not_alive(client):
    assert client.get("/healthz").json() == {"status": "unavailable", "failed": ["worker"]}


def test_the_heartbeat_age_allowed_is_a_setting(client, settings):
    WorkerHeartbeat.objects.create(hostname="celery@slow", last_seen_at=timezone.now() - timedelta(minutes=4))
    settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS = 600

    assert client.get("/healthz").status_code == 200


def test_every_failing_part_is_named(client, broker):
    broker("redis://127.0.0.1:9/0")

    assert client.get("/healthz").json()["failed"] == ["broker", "worker"]


@override_settings(SECURE_SSL_REDIRECT=True)
def test_it_is_not_redirected_to_https(client, worker_alive):
    assert client.get("/healthz").status_code == 200
