import pytest
from django.test import override_settings

from config.celery_app import app as celery_app

pytestmark = pytest.mark.django_db


def test_it_answers_ok_when_database_and_broker_are_reachable(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_it_answers_503_naming_the_broker_when_the_broker_is_down(client, monkeypatch):
    # Port 9 (discard) on loopback refuses connections: a real, unreachable broker.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert set(body["failed"]) == {"broker"}


@override_settings(SECURE_SSL_REDIRECT=True)
def test_it_is_not_redirected_to_https(client):
    assert client.get("/healthz").status_code == 200
